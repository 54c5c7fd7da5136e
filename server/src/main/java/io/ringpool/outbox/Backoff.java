package io.ringpool.outbox;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When to try a failed delivery again: exponential from {@link #FIRST} doubling up to {@link #CAP},
 * with "equal jitter" (a uniform pick in the upper half of the step) so endpoints that failed
 * together do not all come back at the same second. Deliveries are retried until their deadline,
 * {@link #RETRY_FOR} after the event (or after a manual retry): about 20 attempts. A target that
 * says when to come back ({@code Retry-After}) is left alone that long, up to an hour: every
 * pending delivery to it waits (the store's hold), not only the one that was answered.
 */
public final class Backoff {
    /** First retry after about this long. */
    static final Duration FIRST = Duration.ofSeconds(10);
    /** No wait between attempts is longer than this. */
    static final Duration CAP = Duration.ofHours(2);
    /** How long a delivery keeps being retried, and how long an endpoint may fail before it is disabled. */
    public static final Duration RETRY_FOR = Duration.ofHours(24);

    private final RandomGenerator random;

    public Backoff(RandomGenerator random) {
        this.random = random;
    }

    /** The longest a target's {@code Retry-After} may hold a delivery back: a day's deadline is not given to one answer. */
    static final Duration RETRY_AFTER_MAX = Duration.ofHours(1);

    /**
     * {@link #delayMillis(int)}, or longer when the target asked to wait ({@code Retry-After} of a
     * 429 or 503, audit N #6: a platform's quota answer asking for 120 s was retried after 29 s):
     * never sooner than the backoff, never more than {@link #RETRY_AFTER_MAX}.
     */
    public long delayMillis(int attempts, Duration retryAfter) {
        long backoff = delayMillis(attempts);
        if (retryAfter == null || retryAfter.isNegative()) {
            return backoff;
        }
        return Math.max(backoff, Math.min(retryAfter.toMillis(), RETRY_AFTER_MAX.toMillis()));
    }

    /**
     * How long a target that asked to wait ({@code Retry-After}, Google's {@code RetryInfo}) is held,
     * milliseconds: what it asked, at most {@link #RETRY_AFTER_MAX}. Every pending delivery to it
     * waits that long; the one that was answered waits at least its backoff too.
     */
    static long holdMillis(Duration retryAfter) {
        return Math.max(0, Math.min(retryAfter.toMillis(), RETRY_AFTER_MAX.toMillis()));
    }

    /** Milliseconds to wait after the {@code attempts}-th failed attempt (1 = the first). */
    public long delayMillis(int attempts) {
        long step = FIRST.toMillis() << Math.min(Math.max(attempts - 1, 0), 20);
        long capped = Math.min(step, CAP.toMillis());
        return capped / 2 + random.nextLong(capped / 2 + 1);
    }
}
