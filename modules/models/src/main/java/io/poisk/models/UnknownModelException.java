package io.poisk.models;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

/**
 * No card with the asked id exists (UNKNOWN_MODEL, 400). A card that exists but failed to parse is a plain
 * {@link PoiskException} with the same code, so callers tell the two apart by type, not by message.
 */
public final class UnknownModelException extends PoiskException {
    public UnknownModelException(String message) {
        super(ErrorCode.UNKNOWN_MODEL, message);
    }
}
