package io.ringpool.session;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session starts refused to bots and rate-limited clients, counted per site and reason and logged
 * once per flush ({@code sessions_refused site=… reason=bot count=…}); nothing is stored. A flood of
 * refusals therefore adds at most one log line per site and reason per flush interval (a minute),
 * however many requests it sends. The per-request count is in the metrics.
 */
final class RefusalTally {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalTally.class);

    private record Key(String siteId, String reason) {}

    private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String siteId, String reason) {
        counts.computeIfAbsent(new Key(siteId, reason), k -> new LongAdder()).increment();
    }

    /** Logs and forgets what was counted since the last flush; returns the number of lines logged. */
    int flush() {
        int lines = 0;
        for (Key k : List.copyOf(counts.keySet())) {
            LongAdder adder = counts.remove(k);
            long n = adder == null ? 0 : adder.sum();
            if (n > 0) {
                LOG.info("sessions_refused site={} reason={} count={}", k.siteId(), k.reason(), n);
                lines++;
            }
        }
        return lines;
    }
}
