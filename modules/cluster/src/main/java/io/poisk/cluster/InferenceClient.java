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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends one inference batch to whichever worker serves its address, within a deadline, and sends it again when an
 * attempt fails in a way another worker could fix. Event-bus request/reply round-robins among the consumers of an
 * address, so a resend goes to the next worker; a dead member's consumers leave Hazelcast's subscription map once the
 * cluster has noticed. What is retried:
 * <ul>
 *   <li>no reply within {@code inference.attempt_timeout_ms} (the worker hangs, or died unnoticed): at once;</li>
 *   <li>a member left the cluster ({@link #memberLeft}): every request in flight is sent once more, shortly after
 *       (the reply of whichever copy comes first wins), since nothing says which worker held which batch;</li>
 *   <li>no worker registered (NO_HANDLERS), a worker that is closing (503) or full (429): after a back-off that
 *       doubles from 50 ms to 1 s, so a restarting worker is waited for, never hammered.</li>
 * </ul>
 * Every copy carries the same {@value #REQUEST_ID} header: a worker that already runs the batch answers the copy from
 * that same run, so resends never pile duplicate work onto a slow worker. A worker's own verdict on the input (4xx, or
 * a model failure 500) is final: another worker would say the same. When {@code inference.timeout_ms} runs out the
 * request fails with 503 unavailable (429 overloaded when the last worker said it was full), naming the model, the
 * attempts and the last failure: never a hang.
 */
public final class InferenceClient {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceClient.class);
    /** The header a worker deduplicates copies of one request by. */
    public static final String REQUEST_ID = "poisk-request-id";
    static final long FIRST_BACKOFF_MS = 50, MAX_BACKOFF_MS = 1000;
    /**
     * Time for the cluster to drop a dead member's consumers before the batches are resent: Vert.x cleans them up on the
     * same event, after Hazelcast has moved the dead member's partitions (measured 0.5-1 s on loopback); a resend that
     * still finds the dead member's consumer waits for the attempt timeout.
     */
    static final long MEMBER_LEFT_DELAY_MS = 2000;
    /** Attempts per request, whatever the deadline: a bound of its own so a misconfiguration cannot loop for long. */
    static final int MAX_ATTEMPTS = 64;

    private final Vertx vertx;
    private final long timeoutMs;
    private final long attemptTimeoutMs;
    private final Map<String, Request> inFlight = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder failures = new LongAdder();

    public InferenceClient(Vertx vertx, long timeoutMs, long attemptTimeoutMs) {
        if (timeoutMs < 1 || attemptTimeoutMs < 1) {
            throw new IllegalArgumentException("inference.timeout_ms and inference.attempt_timeout_ms must be >= 1");
        }
        this.vertx = vertx;
        this.timeoutMs = timeoutMs;
        this.attemptTimeoutMs = attemptTimeoutMs;
    }

    /** One request and its copies: the first reply completes it; attempts of every copy count against one bound. */
    private record Request(String address, String what, Buffer body, String id, long deadline, CompletableFuture<Buffer> result,
                           AtomicInteger attempts) {
    }

    /**
     * The reply body of {@code body} sent to {@code address}. {@code what} names the request in errors (the model).
     * Cancelling the returned future stops further attempts (an answer already on its way is dropped).
     */
    public CompletableFuture<Buffer> request(String address, String what, Buffer body) {
        requests.increment();
        Request r = new Request(address, what, body, UUID.randomUUID().toString(),
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), new CompletableFuture<>(), new AtomicInteger());
        inFlight.put(r.id(), r);
        r.result().whenComplete((b, e) -> inFlight.remove(r.id())); // also when the caller cancels
        attempt(r, FIRST_BACKOFF_MS, null);
        return r.result();
    }

    /**
     * A member left: any request in flight may have been on it, and its reply will never come. Each is sent once more
     * (a copy that reaches a worker already running it costs nothing), after the cluster has dropped the member's consumers.
     */
    public void memberLeft() {
        vertx.setTimer(MEMBER_LEFT_DELAY_MS, t -> {
            int resent = 0;
            for (Request r : inFlight.values()) {
                if (r.result().isDone()) continue;
                retries.increment();
                resent++;
                attempt(r, FIRST_BACKOFF_MS, null);
            }
            if (resent > 0) LOG.warn("a cluster member left; sent {} inference request(s) in flight again", resent);
        });
    }

    /** Counted before the caller sees it, so that stats read after a failure include it. */
    private void fail(Request r, Throwable e) {
        failures.increment();
        inFlight.remove(r.id());
        if (!r.result().completeExceptionally(e)) failures.decrement(); // another copy answered first
    }

    private void attempt(Request r, long backoffMs, Throwable last) {
        if (r.result().isDone()) return; // answered by another copy, or the caller cancelled
        int n = r.attempts().incrementAndGet();
        long leftMs = TimeUnit.NANOSECONDS.toMillis(r.deadline() - System.nanoTime());
        if (leftMs <= 0 || n > MAX_ATTEMPTS) {
            fail(r, gaveUp(r, n - 1, last));
            return;
        }
        DeliveryOptions options = new DeliveryOptions().setSendTimeout(Math.min(attemptTimeoutMs, leftMs)).addHeader(REQUEST_ID, r.id());
        vertx.eventBus().<Buffer>request(r.address(), r.body(), options).onComplete(reply -> {
            if (reply.succeeded()) {
                inFlight.remove(r.id());
                r.result().complete(reply.result().body());
                return;
            }
            Throwable e = reply.cause();
            if (r.result().isDone()) return;
            if (!retryable(e)) {
                fail(r, InferenceCodec.error(e));
                return;
            }
            retries.increment();
            if (timedOut(e)) {
                LOG.warn("inference worker for {} did not answer within {} ms (attempt {}); sending the batch again", r.what(),
                        options.getSendTimeout(), n);
                attempt(r, backoffMs, e);
            } else {
                long wait = Math.min(backoffMs, Math.max(1, TimeUnit.NANOSECONDS.toMillis(r.deadline() - System.nanoTime())));
                vertx.setTimer(wait, t -> attempt(r, Math.min(MAX_BACKOFF_MS, backoffMs * 2), e));
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
            case TIMEOUT, NO_HANDLERS, ERROR -> true;
            case RECIPIENT_FAILURE -> re.failureCode() == ErrorCode.UNAVAILABLE.httpStatus() || re.failureCode() == ErrorCode.OVERLOADED.httpStatus();
        };
    }

    private PoiskException gaveUp(Request r, int attempts, Throwable last) {
        boolean overloaded = last instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
                && re.failureCode() == ErrorCode.OVERLOADED.httpStatus();
        String why = last == null ? "no answer"
                : last instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS ? "no inference worker serves it"
                : "last: " + last.getMessage();
        return new PoiskException(overloaded ? ErrorCode.OVERLOADED : ErrorCode.UNAVAILABLE, "inference for " + r.what()
                + " got no answer within inference.timeout_ms=" + timeoutMs + " ms (" + attempts + " attempt(s); " + why + ")");
    }

    /** requests sent, retries (attempts beyond each request's first), failures given to callers, in flight now. */
    public Map<String, Object> stats() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requests", requests.sum());
        out.put("retries", retries.sum());
        out.put("failures", failures.sum());
        out.put("in_flight", (long) inFlight.size());
        return out;
    }
}
