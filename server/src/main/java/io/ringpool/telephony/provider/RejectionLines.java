package io.ringpool.telephony.provider;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Decides which refused, unauthenticated webhook requests get a log line of their own: the first
 * of each provider, site and reason in a minute, then the next one after the minute with the
 * count of those left unwritten ({@code suppressed=N}). The provider URLs are public: one line per
 * forged request let anyone fill the log, or roll the real entries out of the file logs, at the
 * rate they could send (audit AI1 #5; PRODUCT.md: logs grow with traffic, never with a flood).
 * Every request is still counted in {@code ringpool_webhooks_rejected_total} and the site's
 * webhook log (which is bounded).
 */
public final class RejectionLines {
    static final long WINDOW_MILLIS = 60_000;
    /** Made-up site ids make new keys: past this many the map starts afresh rather than grow. */
    static final int MAX_KEYS = 10_000;

    private record Key(String provider, String siteId, String reason) {}

    private static final class Window {
        long loggedAt;
        long suppressed;

        Window(long loggedAt) {
            this.loggedAt = loggedAt;
        }
    }

    private final ConcurrentHashMap<Key, Window> windows = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    public RejectionLines(LongSupplier clock) {
        this.clock = clock;
    }

    /** How many provider, site and reason keys are held (tests). */
    int keys() {
        return windows.size();
    }

    /**
     * @param siteId null when the site itself is unknown (all made-up ids share one key)
     * @return -1 to write nothing, else the number of refusals left unwritten since the last line
     */
    public long admit(String provider, String siteId, String reason) {
        long now = clock.getAsLong();
        if (windows.size() >= MAX_KEYS) {
            windows.clear();
        }
        Key key = new Key(provider, siteId, reason);
        Window fresh = new Window(now);
        Window window = windows.putIfAbsent(key, fresh);
        if (window == null) {
            return 0;
        }
        synchronized (window) {
            if (now - window.loggedAt < WINDOW_MILLIS && now >= window.loggedAt) {
                window.suppressed++;
                return -1;
            }
            long suppressed = window.suppressed;
            window.loggedAt = now;
            window.suppressed = 0;
            return suppressed;
        }
    }
}
