package io.poisk.core;

/**
 * The one error type of Poisk: a stable {@link ErrorCode} (and so an HTTP status) plus a message
 * that tells the caller what was wrong and what is accepted.
 */
public class PoiskException extends RuntimeException {
    private final ErrorCode code;

    public PoiskException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public PoiskException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static PoiskException badRequest(String message) {
        return new PoiskException(ErrorCode.BAD_REQUEST, message);
    }

    public static PoiskException collectionNotFound(String name) {
        return new PoiskException(ErrorCode.COLLECTION_NOT_FOUND, "collection '" + name + "' does not exist");
    }

    /** Unwraps CompletionException/ExecutionException wrappers to the PoiskException inside, if any. */
    public static PoiskException from(Throwable t) {
        Throwable c = t;
        while (c != null) {
            if (c instanceof PoiskException p) return p;
            c = c.getCause();
        }
        return new PoiskException(ErrorCode.INTERNAL, "internal error: " + t, t);
    }
}
