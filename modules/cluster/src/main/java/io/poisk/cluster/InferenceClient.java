package io.poisk.cluster;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends one inference batch to whichever worker serves its address, within a deadline, and sends it again when an
 * attempt fails in a way another worker could fix. Event-bus request/reply round-robins among the consumers of an
 * address, so a resend goes to the next worker; a dead member's consumers leave Hazelcast's subscription map once the
 * cluster has noticed. What is retried:
 * <ul>
 *   <li>no reply within {@code inference.attempt_timeout_ms} (the worker died or hangs mid-batch): at once;</li>
 *   <li>no worker registered (NO_HANDLERS), a worker that is closing (503) or full (429): after a back-off that
 *       doubles from 50 ms to 1 s, so a restarting worker is waited for, never hammered;</li>
 * </ul>
 * A worker's own verdict on the input (4xx, or a model failure 500) is final: another worker would say the same.
 * When {@code inference.timeout_ms} runs out the request fails with 503 unavailable (429 overloaded when the last
 * worker said it was full), naming the model, the attempts and the last failure: never a hang.
 */
public final class InferenceClient {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceClient.class);
    static final long FIRST_BACKOFF_MS = 50, MAX_BACKOFF_MS = 1000;
    /** Attempts per request, whatever the deadline: a bound of its own so a misconfiguration cannot loop for long. */
    static final int MAX_ATTEMPTS = 64;

    private final Vertx vertx;
    private final long timeoutMs;
    private final long attemptTimeoutMs;
    private final LongAdder requests = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder inFlight = new LongAdder();

    public InferenceClient(Vertx vertx, long timeoutMs, long attemptTimeoutMs) {
        if (timeoutMs < 1 || attemptTimeoutMs < 1) {
            throw new IllegalArgumentException("inference.timeout_ms and inference.attempt_timeout_ms must be >= 1");
        }
        this.vertx = vertx;
        this.timeoutMs = timeoutMs;
        this.attemptTimeoutMs = attemptTimeoutMs;
    }

    /**
     * The reply body of {@code body} sent to {@code address}. {@code what} names the request in errors (the model).
     * Cancelling the returned future stops further attempts (an answer already on its way is dropped).
     */
    public CompletableFuture<Buffer> request(String address, String what, Buffer body) {
        requests.increment();
        inFlight.increment();
        CompletableFuture<Buffer> result = new CompletableFuture<>();
        result.whenComplete((r, e) -> {
            inFlight.decrement();
            if (e != null && !result.isCancelled()) failures.increment();
        });
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        attempt(new Attempt(address, what, body, deadline, result), 1, FIRST_BACKOFF_MS, null);
        return result;
    }

    private record Attempt(String address, String what, Buffer body, long deadline, CompletableFuture<Buffer> result) {
    }

    private void attempt(Attempt a, int n, long backoffMs, Throwable last) {
        if (a.result().isDone()) return; // the caller cancelled
        long leftMs = TimeUnit.NANOSECONDS.toMillis(a.deadline() - System.nanoTime());
        if (leftMs <= 0 || n > MAX_ATTEMPTS) {
            a.result().completeExceptionally(gaveUp(a, n - 1, last));
            return;
        }
        DeliveryOptions options = new DeliveryOptions().setSendTimeout(Math.min(attemptTimeoutMs, leftMs));
        vertx.eventBus().<Buffer>request(a.address(), a.body(), options).onComplete(reply -> {
            if (reply.succeeded()) {
                a.result().complete(reply.result().body());
                return;
            }
            Throwable e = reply.cause();
            if (!retryable(e)) {
                a.result().completeExceptionally(InferenceCodec.error(e));
                return;
            }
            retries.increment();
            if (timedOut(e)) {
                LOG.warn("inference worker for {} did not answer within {} ms (attempt {}); sending the batch again", a.what(),
                        options.getSendTimeout(), n);
                attempt(a, n + 1, backoffMs, e);
            } else {
                long wait = Math.min(backoffMs, Math.max(1, TimeUnit.NANOSECONDS.toMillis(a.deadline() - System.nanoTime())));
                vertx.setTimer(wait, t -> attempt(a, n + 1, Math.min(MAX_BACKOFF_MS, backoffMs * 2), e));
            }
        });
    }

    private static boolean timedOut(Throwable e) {
        return e instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT;
    }

    /** Whether another worker (or the same one a moment later) could answer where this attempt failed. */
    static boolean retryable(Throwable e) {
        if (!(e instanceof ReplyException re)) return true; // a connection to a member that went away
        return switch (re.failureType()) {
            case TIMEOUT, NO_HANDLERS -> true;
            case RECIPIENT_FAILURE -> re.failureCode() == ErrorCode.UNAVAILABLE.httpStatus() || re.failureCode() == ErrorCode.OVERLOADED.httpStatus();
            case ERROR -> true;
        };
    }

    private PoiskException gaveUp(Attempt a, int attempts, Throwable last) {
        boolean overloaded = last instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
                && re.failureCode() == ErrorCode.OVERLOADED.httpStatus();
        String why = last == null ? "no attempt was made"
                : last instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS ? "no inference worker serves it"
                : "last: " + last.getMessage();
        return new PoiskException(overloaded ? ErrorCode.OVERLOADED : ErrorCode.UNAVAILABLE, "inference for " + a.what()
                + " got no answer within inference.timeout_ms=" + timeoutMs + " ms (" + attempts + " attempt(s); " + why + ")");
    }

    /** requests sent, retries (attempts beyond each request's first), failures given to callers, in flight now. */
    public Map<String, Object> stats() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requests", requests.sum());
        out.put("retries", retries.sum());
        out.put("failures", failures.sum());
        out.put("in_flight", inFlight.sum());
        return out;
    }

}
