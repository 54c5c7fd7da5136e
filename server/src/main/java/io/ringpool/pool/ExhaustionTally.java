package io.ringpool.pool;

import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.StoreException;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exhaustions counted in memory and written as one row per pool, minute and outcome, with one log
 * line per pool per flush ({@code pool_exhausted site=… pool=… count=…}), instead of a row and a
 * line per visit that found a pool full.
 *
 * <p>Bound: whatever the flood, exhaustions add at most 3 rows (one per outcome) and one log line
 * per pool per minute. The price: counts of the current minute live in memory until the next
 * flush (every few seconds, of complete minutes; all of them on a clean stop; the pools report adds
 * them meanwhile, {@link #unwritten}), so a kill -9 can
 * lose up to a minute of exhaustion counts, never a visit. The pool's running total
 * ({@link PoolState#snapshot}) counts at once, and is reloaded from these rows at start.
 */
public final class ExhaustionTally {
    private static final Logger LOG = LoggerFactory.getLogger(ExhaustionTally.class);

    /**
     * The outcome of a visit turned away because its client address held its share of the pool
     * (reason {@code address_cap}): stored with the exhaustions, per pool and minute, for the pools
     * report, but no exhaustion (the pool had numbers) and in no exhaustion total.
     */
    public static final String ADDRESS_CAP = "address_cap";

    /** The unit of a stored count, in milliseconds. */
    static final long MINUTE = 60_000;

    record Key(String siteId, String poolId, long minuteAt, String outcome) {}

    private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();

    /** One visit found {@code poolId} without a free number at {@code now}; {@code outcome} says what it got instead. */
    public void add(String siteId, String poolId, long now, String outcome) {
        counts.computeIfAbsent(new Key(siteId, poolId, now - Math.floorMod(now, MINUTE), outcome), k -> new LongAdder()).increment();
    }

    /**
     * Writes the counts of minutes before {@code now}'s (all of them when {@code everything}) and,
     * once the write is committed, logs one line per pool. A failed write puts the counts back.
     */
    public CompletableFuture<Void> flush(GroupCommitWriter writer, long now, boolean everything) {
        long currentMinute = now - Math.floorMod(now, MINUTE);
        Map<Key, Long> taken = new TreeMap<>(java.util.Comparator.comparing(Key::poolId).thenComparingLong(Key::minuteAt)
                .thenComparing(Key::outcome).thenComparing(Key::siteId));
        for (Key k : List.copyOf(counts.keySet())) {
            if (everything || k.minuteAt() < currentMinute) {
                LongAdder adder = counts.remove(k);
                if (adder != null && adder.sum() > 0) {
                    taken.put(k, adder.sum());
                }
            }
        }
        if (taken.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> stored;
        try {
            stored = writer.submit(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO pool_exhaustion_counts(site_id, pool_id, minute_at, outcome, "
                        + "exhaustions) VALUES (?,?,?,?,?)")) {
                    for (var e : taken.entrySet()) {
                        ps.setString(1, e.getKey().siteId());
                        ps.setString(2, e.getKey().poolId());
                        ps.setLong(3, e.getKey().minuteAt());
                        ps.setString(4, e.getKey().outcome());
                        ps.setLong(5, e.getValue());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            });
        } catch (StoreException overloaded) {
            putBack(taken);
            return CompletableFuture.failedFuture(overloaded);
        }
        return stored.whenComplete((ok, failure) -> {
            if (failure != null) {
                putBack(taken);
            } else {
                log(taken);
            }
        });
    }

    private void putBack(Map<Key, Long> taken) {
        taken.forEach((k, n) -> counts.computeIfAbsent(k, x -> new LongAdder()).add(n));
    }

    private static void log(Map<Key, Long> taken) {
        record Line(String siteId, String poolId) {}
        Map<Line, long[]> lines = new TreeMap<>(java.util.Comparator.comparing(Line::poolId).thenComparing(Line::siteId));
        for (var e : taken.entrySet()) {
            long[] n = lines.computeIfAbsent(new Line(e.getKey().siteId(), e.getKey().poolId()), l -> new long[4]);
            switch (e.getKey().outcome()) {
                case "untracked" -> n[0] += e.getValue();
                case "reused_cooling" -> n[1] += e.getValue();
                case ADDRESS_CAP -> n[3] += e.getValue();
                default -> n[2] += e.getValue();
            }
        }
        lines.forEach((l, n) -> {
            if (n[0] + n[1] + n[2] > 0) {
                LOG.info("pool_exhausted site={} pool={} count={} untracked={} reused_cooling={} next_pool={}",
                        l.siteId(), l.poolId(), n[0] + n[1] + n[2], n[0], n[1], n[2]);
            }
            if (n[3] > 0) {
                LOG.info("pool_address_capped site={} pool={} count={}", l.siteId(), l.poolId(), n[3]);
            }
        });
    }

    /**
     * The counts of one pool not yet written, of minutes in {@code [from, to)}, as the pools report
     * reads the stored ones: {@code {minuteAt, total, untracked, nextPool, addressCapped}} in time order. The
     * report adds them to the stored rows so its range agrees with the pool's running total at
     * once instead of a minute or two later. A count being written at that moment is in neither
     * for the few milliseconds of its commit.
     */
    public List<long[]> unwritten(String siteId, String poolId, long from, long to) {
        Map<Long, long[]> byMinute = new TreeMap<>();
        long firstMinute = from - Math.floorMod(from, MINUTE);
        for (var e : counts.entrySet()) {
            Key k = e.getKey();
            if (!k.poolId().equals(poolId) || !k.siteId().equals(siteId) || k.minuteAt() < firstMinute || k.minuteAt() >= to) {
                continue;
            }
            long n = e.getValue().sum();
            long[] row = byMinute.computeIfAbsent(k.minuteAt(), m -> new long[] {m, 0, 0, 0, 0});
            if (ADDRESS_CAP.equals(k.outcome())) {
                row[4] += n;
                continue;
            }
            row[1] += n;
            switch (k.outcome()) {
                case "untracked" -> row[2] += n;
                case "next_pool" -> row[3] += n;
                default -> { }
            }
        }
        return List.copyOf(byMinute.values());
    }

    /** Counts not yet written (for tests and the shutdown path). */
    long pending() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }
}
