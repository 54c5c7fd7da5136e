package io.ringpool.telephony.provider;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A notification's store work, waited for a few seconds at most (audit AN3 F5). With the store's
 * tables locked (a migration, {@code VACUUM FULL}, a long report) a Zadarma or Mango notification
 * waited for the request timeout, was answered 503, and was then stored all the same once the lock
 * went: the provider was told "not kept" about a call the operator saw accepted. Past the bound the
 * caller journals the events instead and answers the provider's 2xx; the work left running may
 * still commit, which costs nothing, because the journal delivers by (provider, call id, kind).
 *
 * <p>The work runs on its own threads, so the waiting worker can stop waiting; when they are all
 * taken (earlier notifications still held by the store) the store is slow by definition, and the
 * caller is told at once.
 */
final class BoundedStoreWait {
    /** Long enough for a store that answers at all (a commit takes milliseconds), well inside a provider's own timeout. */
    static final Duration DEFAULT_BOUND = Duration.ofSeconds(3);

    /** The store did not finish in time; the work may still be running and may still commit. */
    static final class TooSlow extends Exception {
        private static final long serialVersionUID = 1L;

        TooSlow(String message) {
            super(message, null, false, false);
        }
    }

    private final Executor storeLane;
    private final Duration bound;

    /** @param storeLane runs the store work; null runs it on the caller's thread, unbounded (no journal to fall back on) */
    BoundedStoreWait(Executor storeLane, Duration bound) {
        this.storeLane = storeLane;
        this.bound = bound;
    }

    Duration bound() {
        return bound;
    }

    /**
     * What {@code work} returns, or what it throws (unchecked exceptions as they are).
     *
     * @throws TooSlow when it has not finished within the bound, or could not even start
     */
    <T> T call(Callable<T> work) throws TooSlow {
        if (storeLane == null) {
            return callHere(work);
        }
        FutureTask<T> task = new FutureTask<>(work);
        try {
            storeLane.execute(task);
        } catch (RejectedExecutionException busy) {
            throw new TooSlow("every store lane thread is still waiting for the store");
        }
        try {
            return task.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException late) {
            task.cancel(false); // not started yet: it never will; running: it finishes on its own
            throw new TooSlow("the store did not answer within " + bound.toMillis() + " ms");
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
            task.cancel(false);
            throw new TooSlow("interrupted while waiting for the store");
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(cause);
        }
    }

    private static <T> T callHere(Callable<T> work) {
        try {
            return work.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
