package io.ringpool.account;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed sign-ins counted per key (an e-mail, an address) in fixed windows. A key that reached its
 * limit is refused until its window ends, with the right password too: otherwise the throttle
 * would tell a guesser when they hit. A success clears the account's count, not the address's.
 *
 * <p>In memory, per node: with several nodes a guesser gets each node's allowance, which is still
 * a few dozen guesses a quarter hour against an Argon2id hash.
 */
final class SignInThrottle {
    /** Entries kept before expired windows are swept; bounds memory under a spray of addresses. */
    private static final int SWEEP_ABOVE = 10_000;

    private record Window(long startMillis, int failures) {}

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int limit;
    private final long windowMillis;

    SignInThrottle(Clock clock, int limit, long windowMillis) {
        this.clock = clock;
        this.limit = limit;
        this.windowMillis = windowMillis;
    }

    /** Seconds until {@code key} may try again, or 0 when it may now. */
    long retryAfterSeconds(String key) {
        Window w = windows.get(key);
        long now = clock.millis();
        if (w == null || now - w.startMillis() >= windowMillis || w.failures() < limit) {
            return 0;
        }
        return (w.startMillis() + windowMillis - now + 999) / 1000;
    }

    void fail(String key) {
        long now = clock.millis();
        windows.compute(key, (k, w) -> w == null || now - w.startMillis() >= windowMillis
                ? new Window(now, 1) : new Window(w.startMillis(), w.failures() + 1));
        if (windows.size() > SWEEP_ABOVE) {
            windows.values().removeIf(w -> now - w.startMillis() >= windowMillis);
        }
    }

    void clear(String key) {
        windows.remove(key);
    }
}
