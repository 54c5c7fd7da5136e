package io.ringpool.report;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

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
 */
final class PoolOccupancy {
    static final long LEAD_IN_MILLIS = 86_400_000L;

    private static final int LEASED = 1;
    private static final int COOLING = 2;

    /** Pool sizing headroom over the computed need (20%), as PoolService uses. */
    static final double HEADROOM = 1.2;

    private PoolOccupancy() {}

    record Lease(String number, long start, long end) {}

    static List<Lease> leases(Connection c, String siteId, String poolId, long from, long to, long now) throws SQLException {
        List<Lease> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT number, started_at, ended_at, lease_expires_at FROM sessions "
                + "WHERE site_id = ? AND started_at >= ? AND started_at < ? AND pool_id = ? AND tracked = TRUE AND number IS NOT NULL "
                + "ORDER BY started_at")) {
            ps.setString(1, siteId);
            ps.setLong(2, from - LEAD_IN_MILLIS);
            ps.setLong(3, to);
            ps.setString(4, poolId);
            ps.setFetchSize(5_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long start = rs.getLong(2);
                    long ended = rs.getLong(3);
                    boolean hasEnd = !rs.wasNull();
                    long expires = rs.getLong(4);
                    boolean hasExpiry = !rs.wasNull();
                    long end = hasEnd ? ended : hasExpiry && expires < now ? expires : now;
                    out.add(new Lease(rs.getString(1), start, Math.max(start, end)));
                }
            }
        }
        return out;
    }

    /**
     * Exhaustions over {@code [from, to)} by minute: {@code {minuteAt, count, of which untracked}},
     * in time order. They are stored counted per minute (V70), so a bucket shorter than a minute
     * gets its minute's whole count at the minute's start.
     */
    static List<long[]> exhaustions(Connection c, String siteId, String poolId, long from, long to) throws SQLException {
        List<long[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT minute_at, SUM(exhaustions), SUM(CASE WHEN outcome = 'untracked' THEN exhaustions ELSE 0 END) "
                        + "FROM pool_exhaustion_counts WHERE pool_id = ? AND site_id = ? AND minute_at >= ? AND minute_at < ? "
                        + "GROUP BY minute_at ORDER BY minute_at")) {
            ps.setString(1, poolId);
            ps.setString(2, siteId);
            ps.setLong(3, from - Math.floorMod(from, 60_000L));
            ps.setLong(4, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new long[] {Math.max(from, rs.getLong(1)), rs.getLong(2), rs.getLong(3)});
                }
            }
        }
        return out;
    }

    /**
     * Replays the leases over {@code [from, to)} in buckets of {@code bucketMillis}.
     *
     * @param size current number of (not retired) numbers in the pool
     */
    static Map<String, Object> replay(List<Lease> leases, List<long[]> exhaustions, long from, long to, long bucketMillis,
            long coolDownMillis, int size) {
        record Event(long at, int delta, String number) {}
        List<Event> events = new ArrayList<>(leases.size() * 2);
        long endedLeaseMillis = 0;
        long endedLeases = 0;
        for (Lease l : leases) {
            events.add(new Event(l.start(), +1, l.number()));
            events.add(new Event(l.end(), -1, l.number()));
            if (l.end() >= from && l.end() < to && l.end() > l.start()) {
                endedLeaseMillis += l.end() - l.start();
                endedLeases++;
            }
        }
        events.sort((a, b) -> a.at() != b.at() ? Long.compare(a.at(), b.at()) : Integer.compare(a.delta(), b.delta()));
        record Expiry(long at, String number, long endedAt) {}
        PriorityQueue<Expiry> expiries = new PriorityQueue<>((a, b) -> Long.compare(a.at(), b.at()));
        Map<String, Integer> state = new HashMap<>();
        Map<String, Long> lastEnd = new HashMap<>();
        Map<String, Integer> holders = new HashMap<>();
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
        for (int b = 0; b <= buckets; b++) {
            long bucketStart = b == 0 ? Long.MIN_VALUE : from + (b - 1) * bucketMillis;
            long bucketEnd = b == 0 ? from : Math.min(to, from + b * bucketMillis);
            int bucketPeak = leased;
            int coolingAtPeak = cooling;
            long bucketPeakAt = Math.max(bucketStart, from);
            while (e < events.size() && events.get(e).at() < bucketEnd) {
                Event ev = events.get(e++);
                while (!expiries.isEmpty() && expiries.peek().at() <= ev.at()) {
                    Expiry ex = expiries.poll();
                    if (state.getOrDefault(ex.number(), 0) == COOLING && lastEnd.get(ex.number()) == ex.endedAt()) {
                        state.remove(ex.number());
                        cooling--;
                    }
                }
                String n = ev.number();
                if (ev.delta() > 0) {
                    int held = holders.merge(n, 1, Integer::sum);
                    if (held == 1) {
                        if (state.getOrDefault(n, 0) == COOLING) {
                            cooling--;
                        }
                        state.put(n, LEASED);
                        leased++;
                    }
                } else {
                    int held = holders.merge(n, -1, Integer::sum);
                    if (held == 0) {
                        leased--;
                        state.put(n, COOLING);
                        cooling++;
                        lastEnd.put(n, ev.at());
                        expiries.add(new Expiry(ev.at() + coolDownMillis, n, ev.at()));
                    }
                }
                if (b > 0 && leased > bucketPeak) {
                    bucketPeak = leased;
                    coolingAtPeak = cooling;
                    bucketPeakAt = ev.at();
                }
            }
            while (!expiries.isEmpty() && expiries.peek().at() < bucketEnd) {
                Expiry ex = expiries.poll();
                if (state.getOrDefault(ex.number(), 0) == COOLING && lastEnd.get(ex.number()) == ex.endedAt()) {
                    state.remove(ex.number());
                    cooling--;
                }
            }
            if (b == 0) {
                continue;
            }
            long bucketExhaustions = 0;
            while (x < exhaustions.size() && exhaustions.get(x)[0] < bucketEnd) {
                bucketExhaustions += exhaustions.get(x)[1];
                untracked += exhaustions.get(x)[2];
                x++;
            }
            totalExhaustions += bucketExhaustions;
            if (bucketPeak > peak) {
                peak = bucketPeak;
                peakAt = bucketPeakAt;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("at", Instant.ofEpochMilli(bucketStart));
            row.put("leased", bucketPeak);
            row.put("cooling", coolingAtPeak);
            row.put("free", Math.max(0, size - bucketPeak - coolingAtPeak));
            row.put("exhaustions", bucketExhaustions);
            rows.add(row);
        }
        long average = endedLeases == 0 ? 0 : endedLeaseMillis / endedLeases;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("size", size);
        out.put("coolDownSeconds", coolDownMillis / 1000);
        out.put("leases", leases.stream().filter(l -> l.start() >= from).count());
        out.put("peakConcurrent", peak);
        out.put("peakAt", peak == 0 ? null : Instant.ofEpochMilli(peakAt));
        out.put("averageLeaseSeconds", Math.round(average / 100.0) / 10.0);
        Map<String, Object> ex = new LinkedHashMap<>();
        ex.put("total", totalExhaustions);
        ex.put("reusedCooling", totalExhaustions - untracked);
        ex.put("untracked", untracked);
        out.put("exhaustions", ex);
        io.ringpool.pool.PoolAdvice advice = io.ringpool.pool.PoolAdvice.of(peak, leases.stream().filter(l -> l.start() >= from).count(),
                endedLeases, average, totalExhaustions, coolDownMillis);
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
