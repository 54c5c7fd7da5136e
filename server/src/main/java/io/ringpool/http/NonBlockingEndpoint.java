package io.ringpool.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An endpoint that never blocks, run on the connection's event loop instead of a worker: it does
 * its in-memory work there and answers through the returned stage, typically completed by the
 * store's commit thread. A request then costs one hand-off (to the commit and back) instead of
 * three, which on a small machine is much of a request's cost (docs/scaling.md).
 *
 * <p>{@link #begin} must not block: no store reads, no waiting for a commit, no sleeping. What
 * must block goes to another executor, and its future is composed into the answer. An exception
 * thrown by {@code begin}, or one the stage completes with, is answered like an {@link Endpoint}'s.
 */
@FunctionalInterface
public interface NonBlockingEndpoint extends Endpoint {

    /** How long {@link #handle} waits for the answer; the dispatcher's own timeout applies on the event loop. */
    long BLOCKING_WAIT_SECONDS = 30;

    CompletionStage<Response> begin(Request request);

    /** For callers that may block (tests, a worker): {@link #begin}, then waits for its answer. */
    @Override
    default Response handle(Request request) throws Exception {
        try {
            return begin(request).toCompletableFuture().get(BLOCKING_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw cause(e);
        }
    }

    /** What a failed stage failed with, without the wrappers futures add. */
    static Exception cause(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof Exception e ? e : new RuntimeException(cause);
    }
}
