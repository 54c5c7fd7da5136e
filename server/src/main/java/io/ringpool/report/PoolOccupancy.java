package io.ringpool.report;

import io.ringpool.concurrent.Cancellation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Occupancy of one pool over time, replayed from its lease history (the {@code sessions} rows that
 * leased its numbers) and its exhaustion log.
 *
 * <p>State of a number at time t: <em>leased</em> while a lease holds it; <em>cooling</em> for the
 * site's cool-down after its last lease ended; <em>free</em> otherwise. A lease's end is
 * {@code ended_at}, else its expiry once past, else "now" (still live). The replay is a sweep over
 * start and end events (ends first at equal times) with a queue of cool-down expiries. Each
 * bucket reports its peak of concurrent leases and the numbers cooling at that moment.
 *
 * <p>Leases that started more than {@link #LEAD_IN_MILLIS} before the range are not read: a lease
 * lives minutes, so a day of lead-in gives the right state at the start of the range.
 *
 * <p>The leases come from the site's in-memory facts ({@link SiteFacts} keeps each visit's pool,
 * number and end), not from the store: replaying 1,000,000 visits read from H2 took 6.9 s, most of
 * it reading the rows (issue 10).
 */
final class PoolOccupancy {
    static final long LEAD_IN_MILLIS = 86_400_000L;

    private static final int LEASED = 1;
    private static final int COOLING = 2;

    /** Pool sizing headroom over the computed need (20%), as PoolService uses. */
    static final double HEADROOM = 1.2;

    private PoolOccupancy() {}

    /**
     * Exhaustions over {@code [from, to)} by minute: {@code {minuteAt, count, of which untracked, of
     * which went to the next pool, visits turned away by the address cap}}, in time order; the rest
     * of the count reused a cooling number. The address cap's visits are no exhaustion (the pool
     * had numbers, not for that address) and are not in the count.
     * They are stored counted per minute (V70), so a bucket shorter than a minute gets its minute's
     * whole count at the minute's start.
     */
    static List<long[]> exhaustions(Connection c, String siteId, String poolId, long from, long to) throws SQLException {
        List<long[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT minute_at, SUM(CASE WHEN outcome <> '" + io.ringpool.pool.ExhaustionTally.ADDRESS_CAP + "' THEN exhaustions ELSE 0 END), "
                        + "SUM(CASE WHEN outcome = 'untracked' THEN exhaustions ELSE 0 END), "
                        + "SUM(CASE WHEN outcome = 'next_pool' THEN exhaustions ELSE 0 END), "
                        + "SUM(CASE WHEN outcome = '" + io.ringpool.pool.ExhaustionTally.ADDRESS_CAP + "' THEN exhaustions ELSE 0 END) "
                        + "FROM pool_exhaustion_counts WHERE pool_id = ? AND site_id = ? AND minute_at >= ? AND minute_at < ? "
                        + "GROUP BY minute_at ORDER BY minute_at")) {
            ps.setString(1, poolId);
            ps.setString(2, siteId);
            ps.setLong(3, from - Math.floorMod(from, 60_000L));
            ps.setLong(4, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new long[] {Math.max(from, rs.getLong(1)), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)});
                }
            }
        }
        return out;
    }

    /**
     * The stored minutes and the ones still counted in memory ({@code ExhaustionTally#unwritten}),
     * as one list in time order; a minute in both (its first part written, the rest counted since)
     * adds up. Memory minutes before {@code from} are moved to it, as the stored ones are.
     */
    static List<long[]> withUnwritten(List<long[]> stored, List<long[]> unwritten, long from) {
        if (unwritten.isEmpty()) {
            return stored;
        }
        java.util.TreeMap<Long, long[]> byMinute = new java.util.TreeMap<>();
        for (List<long[]> part : List.of(stored, unwritten)) {
            for (long[] m : part) {
                long at = Math.max(from, m[0]);
                long[] row = byMinute.computeIfAbsent(at, k -> new long[] {k, 0, 0, 0, 0});
                for (int i = 1; i < m.length; i++) {
                    row[i] += m[i];
                }
            }
        }
        return new ArrayList<>(byMinute.values());
    }

    /**
     * The pool's leases that started in {@code [from - LEAD_IN, to)}, from the site's facts (which
     * the caller has refreshed and holds the monitor of): one pass over the visits' lease columns.
     */
    static Leases leases(SiteFacts f, String poolId, long from, long to, long now) {
        int pool = f.poolIds.existing(poolId);
        Leases out = new Leases();
        if (pool <= 0) {
            return out;
        }
        long first = from - LEAD_IN_MILLIS;
        int[] vPool = f.vPool;
        long[] vStart = f.vStart;
        int matching = 0;
        for (int i = 0; i < f.visits; i++) {
            Cancellation.checkpointEvery(i);
            if (vPool[i] == pool && vStart[i] >= first && vStart[i] < to) {
                matching++;
            }
        }
        out.reserve(matching);
        for (int i = 0; i < f.visits; i++) {
            long start = vStart[i];
            if (vPool[i] != pool || start < first || start >= to) {
                continue;
            }
            long ended = f.vEnded[i];
            long expires = f.vExpires[i];
            long end = ended != SiteFacts.NO_TIME ? ended : expires != SiteFacts.NO_TIME && expires < now ? expires : now;
            out.add(f.vNumber[i], start, Math.max(start, end));
        }
        return out;
    }

    /** Leases as columns: number (a code), start and end. */
    static final class Leases {
        int count;
        int[] number = new int[256];
        long[] start = new long[256];
        long[] end = new long[256];

        void reserve(int capacity) {
            if (capacity > number.length) {
                number = java.util.Arrays.copyOf(number, capacity);
                start = java.util.Arrays.copyOf(start, capacity);
                end = java.util.Arrays.copyOf(end, capacity);
            }
        }

        void add(int n, long s, long e) {
            if (count == number.length) {
                number = java.util.Arrays.copyOf(number, count * 2);
                start = java.util.Arrays.copyOf(start, count * 2);
                end = java.util.Arrays.copyOf(end, count * 2);
            }
            number[count] = n;
            start[count] = s;
            end[count] = e;
            count++;
        }
    }

    /** Bits of an event key below the time: the number's code, then one bit for start (1) or end (0). */
    private static final int NUMBER_BITS = 26;
    private static final long MAX_OFFSET = (1L << (63 - NUMBER_BITS - 1)) - 1;

    /**
     * Replays the leases over {@code [from, to)} in buckets of {@code bucketMillis}: the same sweep
     * as the object-based sweep it replaced (PoolOccupancyReplayTest holds it to that one), over primitive arrays so a million
     * leases take a fraction of a second. Each start and end is one long (time since the earliest
     * start, then start-or-end, then the number's code), so one primitive sort orders the events by
     * time with ends first; cool-downs all last the same, so their expiries come due in the order
     * they were queued and a FIFO replaces the priority queue.
     *
     * @param size current number of (not retired) numbers in the pool
     */
    static Map<String, Object> replay(Leases leases, List<long[]> exhaustions, long from, long to, long bucketMillis, long coolDownMillis,
            int size) {
        int n = leases.count;
        long base = Long.MAX_VALUE;
        int maxNumber = 0;
        for (int i = 0; i < n; i++) {
            base = Math.min(base, leases.start[i]);
            maxNumber = Math.max(maxNumber, leases.number[i]);
        }
        if (maxNumber >= 1 << NUMBER_BITS) {
            throw new IllegalStateException("more numbers than the replay can tell apart: " + maxNumber);
        }
        long[] events = new long[n * 2];
        long endedLeaseMillis = 0;
        long endedLeases = 0;
        long started = 0;
        for (int i = 0; i < n; i++) {
            long s = leases.start[i];
            long e = leases.end[i];
            events[2 * i] = (Math.min(s - base, MAX_OFFSET) << (NUMBER_BITS + 1)) | (1L << NUMBER_BITS) | leases.number[i];
            events[2 * i + 1] = (Math.min(e - base, MAX_OFFSET) << (NUMBER_BITS + 1)) | leases.number[i];
            if (e >= from && e < to && e > s) {
                endedLeaseMillis += e - s;
                endedLeases++;
            }
            if (s >= from) {
                started++;
            }
        }
        java.util.Arrays.sort(events);
        int numbers = maxNumber + 1;
        byte[] state = new byte[numbers];
        long[] lastEnd = new long[numbers];
        int[] holders = new int[numbers];
        // Pending cool-down expiries, in due order: (due, number, ended at).
        long[] expiryAt = new long[n];
        int[] expiryNumber = new int[n];
        long[] expiryEnded = new long[n];
        int expiryHead = 0;
        int expiryTail = 0;
        int leased = 0;
        int cooling = 0;
        int e = 0;
        int x = 0;
        int buckets = (int) Math.max(1, (to - from + bucketMillis - 1) / bucketMillis);
        List<Map<String, Object>> rows = new ArrayList<>(buckets);
        int peak = 0;
        long peakAt = from;
        long totalExhaustions = 0;
        long untracked = 0;
        long nextPool = 0;
        long addressCapped = 0;
        long numberMask = (1L << NUMBER_BITS) - 1;
        for (int b = 0; b <= buckets; b++) {
            Cancellation.checkpointEvery(b);
            long bucketStart = b == 0 ? Long.MIN_VALUE : from + (b - 1) * bucketMillis;
            long bucketEnd = b == 0 ? from : Math.min(to, from + b * bucketMillis);
            int bucketPeak = leased;
            int coolingAtPeak = cooling;
            long bucketPeakAt = Math.max(bucketStart, from);
            while (e < events.length && base + (events[e] >>> (NUMBER_BITS + 1)) < bucketEnd) {
                long ev = events[e++];
                long at = base + (ev >>> (NUMBER_BITS + 1));
                boolean isStart = (ev & (1L << NUMBER_BITS)) != 0;
                int num = (int) (ev & numberMask);
                while (expiryHead < expiryTail && expiryAt[expiryHead] <= at) {
                    int en = expiryNumber[expiryHead];
                    if (state[en] == COOLING && lastEnd[en] == expiryEnded[expiryHead]) {
                        state[en] = 0;
                        cooling--;
                    }
                    expiryHead++;
                }
                if (isStart) {
                    if (++holders[num] == 1) {
                        if (state[num] == COOLING) {
                            cooling--;
                        }
                        state[num] = LEASED;
                        leased++;
                    }
                } else if (--holders[num] == 0) {
                    leased--;
                    state[num] = COOLING;
                    cooling++;
                    lastEnd[num] = at;
                    expiryAt[expiryTail] = at + coolDownMillis;
                    expiryNumber[expiryTail] = num;
                    expiryEnded[expiryTail] = at;
                    expiryTail++;
                }
                if (b > 0 && leased > bucketPeak) {
                    bucketPeak = leased;
                    coolingAtPeak = cooling;
                    bucketPeakAt = at;
                }
            }
            while (expiryHead < expiryTail && expiryAt[expiryHead] < bucketEnd) {
                int en = expiryNumber[expiryHead];
                if (state[en] == COOLING && lastEnd[en] == expiryEnded[expiryHead]) {
                    state[en] = 0;
                    cooling--;
                }
                expiryHead++;
            }
            if (b == 0) {
                continue;
            }
            long bucketExhaustions = 0;
            while (x < exhaustions.size() && exhaustions.get(x)[0] < bucketEnd) {
                bucketExhaustions += exhaustions.get(x)[1];
                untracked += exhaustions.get(x)[2];
                nextPool += exhaustions.get(x)[3];
                addressCapped += exhaustions.get(x).length > 4 ? exhaustions.get(x)[4] : 0;
                x++;
            }
            totalExhaustions += bucketExhaustions;
            if (bucketPeak > peak) {
                peak = bucketPeak;
                peakAt = bucketPeakAt;
            }
            rows.add(row(bucketStart, bucketPeak, coolingAtPeak, size, bucketExhaustions));
        }
        return summary(rows, size, coolDownMillis, started, peak, peakAt, endedLeases, endedLeaseMillis, totalExhaustions, untracked,
                nextPool, addressCapped);
    }

    private static Map<String, Object> row(long bucketStart, int bucketPeak, int coolingAtPeak, int size, long bucketExhaustions) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("at", Instant.ofEpochMilli(bucketStart));
        row.put("leased", bucketPeak);
        row.put("cooling", coolingAtPeak);
        row.put("free", Math.max(0, size - bucketPeak - coolingAtPeak));
        row.put("exhaustions", bucketExhaustions);
        return row;
    }

    private static Map<String, Object> summary(List<Map<String, Object>> rows, int size, long coolDownMillis, long started, int peak,
            long peakAt, long endedLeases, long endedLeaseMillis, long totalExhaustions, long untracked, long nextPool,
            long addressCapped) {
        long average = endedLeases == 0 ? 0 : endedLeaseMillis / endedLeases;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("size", size);
        out.put("coolDownSeconds", coolDownMillis / 1000);
        out.put("leases", started);
        out.put("peakConcurrent", peak);
        out.put("peakAt", peak == 0 ? null : Instant.ofEpochMilli(peakAt));
        // Unknown, not 0 s, without a finished lease (audit Q #6): the dashboard read "avg lease 0 s".
        out.put("averageLeaseSeconds", endedLeases == 0 ? null : Math.round(average / 100.0) / 10.0);
        Map<String, Object> ex = new LinkedHashMap<>();
        ex.put("total", totalExhaustions);
        // Three outcomes of a visit that found the pool full: a cooling number of this pool reissued
        // (the one that makes its attribution ambiguous), a number of another matching pool, or no number.
        ex.put("reusedCooling", totalExhaustions - untracked - nextPool);
        ex.put("nextPool", nextPool);
        ex.put("untracked", untracked);
        out.put("exhaustions", ex);
        // Visits shown the default number because their address held its share of the pool
        // (leasing.addressCapPercent, at least one number): not exhaustions, but untracked all the
        // same; on a small pool two people behind one address (an office, a carrier's NAT) are enough.
        out.put("addressCapped", addressCapped);
        io.ringpool.pool.PoolAdvice advice = io.ringpool.pool.PoolAdvice.of(peak, started, endedLeases, average, totalExhaustions,
                coolDownMillis);
        out.put("recommendedSize", advice.recommendedSize());
        out.put("recommendation", advice.note());
        out.put("buckets", rows);
        return out;
    }

    /**
     * Numbers needed so the observed peak finds a free one: by Little's law a number leased for an
     * average lease L is then out of circulation for L + cool-down C, so peak × (L + C) ÷ L numbers
     * are in use or resting at the peak; plus 20% headroom. Without a finished lease or any lease,
     * the current size stands (nothing observed to size from).
     */
    static int recommendedSize(int peak, long averageLeaseMillis, long coolDownMillis, int size) {
        if (peak == 0 || averageLeaseMillis <= 0) {
            return Math.max(size, 1);
        }
        double inUse = peak * (averageLeaseMillis + coolDownMillis) / (double) averageLeaseMillis;
        return (int) Math.max(1, Math.ceil(inUse * HEADROOM));
    }
}
