package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The pools report's replay over primitive arrays gives exactly what the object-based sweep it
 * replaced gave, on random lease histories (overlaps, equal times, leases across the range's
 * edges, long and zero-length leases, cool-downs ending on a bucket edge).
 */
class PoolOccupancyReplayTest {
    record Lease(String number, long start, long end) {}

    @Test
    void thePrimitiveReplayAgreesWithTheReferenceOnRandomHistories() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 300; round++) {
            int numbers = 1 + random.nextInt(40);
            int count = random.nextInt(600);
            long from = 1_700_000_000_000L;
            long span = 60_000L * (1 + random.nextInt(600));
            long to = from + span;
            long bucket = 60_000L * (1 + random.nextInt(60));
            long coolDown = random.nextBoolean() ? 60_000L * random.nextInt(20) : bucket;
            List<Lease> leases = new ArrayList<>();
            PoolOccupancy.Leases columns = new PoolOccupancy.Leases();
            for (int i = 0; i < count; i++) {
                int n = 1 + random.nextInt(numbers);
                // starts on a coarse grid so equal times are common; some in the lead-in, some at the range's end
                long start = from - PoolOccupancy.LEAD_IN_MILLIS / 10 + 30_000L * random.nextInt((int) ((span + PoolOccupancy.LEAD_IN_MILLIS / 10) / 30_000));
                long length = random.nextInt(5) == 0 ? 0 : 30_000L * random.nextInt(1 + random.nextInt(200));
                leases.add(new Lease("+7495" + n, start, start + length));
                columns.add(n, start, start + length);
            }
            List<long[]> exhaustions = new ArrayList<>();
            for (long m = from; m < to; m += 60_000L * (1 + random.nextInt(30))) {
                long c = random.nextInt(5);
                long untracked = random.nextInt((int) c + 1);
                exhaustions.add(new long[] {m, c, untracked, random.nextInt((int) (c - untracked) + 1), random.nextInt(3)});
            }
            int size = numbers + random.nextInt(5);
            Map<String, Object> expected = reference(leases, exhaustions, from, to, bucket, coolDown, size);
            Map<String, Object> actual = PoolOccupancy.replay(columns, exhaustions, from, to, bucket, coolDown, size);
            assertThat(actual).as("round %d", round).isEqualTo(expected);
        }
    }

    @Test
    void unwrittenExhaustionsAddToTheStoredMinutesAndOnesBeforeTheRangeCountAtItsStart() {
        List<long[]> stored = List.of(new long[] {60_000, 2, 1, 0, 0}, new long[] {180_000, 1, 0, 1, 2});
        List<long[]> unwritten = List.of(new long[] {0, 1, 0, 1, 0}, new long[] {180_000, 2, 0, 2, 1}, new long[] {240_000, 1, 1, 0, 0});
        List<long[]> merged = PoolOccupancy.withUnwritten(stored, unwritten, 30_000);
        assertThat(merged).containsExactly(new long[] {30_000, 1, 0, 1, 0}, new long[] {60_000, 2, 1, 0, 0},
                new long[] {180_000, 3, 0, 3, 3}, new long[] {240_000, 1, 1, 0, 0});
        assertThat(PoolOccupancy.withUnwritten(stored, List.of(), 0)).isSameAs(stored);
    }

    @Test
    void aReplayWithoutLeasesHasEmptyBucketsAndNoAdvice() {
        Map<String, Object> out = PoolOccupancy.replay(new PoolOccupancy.Leases(), List.of(), 0, 3_600_000, 600_000, 900_000, 5);
        assertThat(out).containsEntry("leases", 0L).containsEntry("peakConcurrent", 0);
        assertThat((List<?>) out.get("buckets")).hasSize(6);
    }

    /** The sweep as it was before issue 10, over objects: the reference the primitive one must agree with. */
    static Map<String, Object> reference(List<Lease> leases, List<long[]> exhaustions, long from, long to, long bucketMillis,
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
        long nextPool = 0;
        long addressCapped = 0;
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
                    if (state.getOrDefault(ex.number(), 0) == 2 && lastEnd.get(ex.number()) == ex.endedAt()) {
                        state.remove(ex.number());
                        cooling--;
                    }
                }
                String n = ev.number();
                if (ev.delta() > 0) {
                    int held = holders.merge(n, 1, Integer::sum);
                    if (held == 1) {
                        if (state.getOrDefault(n, 0) == 2) {
                            cooling--;
                        }
                        state.put(n, 1);
                        leased++;
                    }
                } else {
                    int held = holders.merge(n, -1, Integer::sum);
                    if (held == 0) {
                        leased--;
                        state.put(n, 2);
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
                if (state.getOrDefault(ex.number(), 0) == 2 && lastEnd.get(ex.number()) == ex.endedAt()) {
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
                nextPool += exhaustions.get(x)[3];
                addressCapped += exhaustions.get(x)[4];
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
        out.put("averageLeaseSeconds", endedLeases == 0 ? null : Math.round(average / 100.0) / 10.0);
        Map<String, Object> ex = new LinkedHashMap<>();
        ex.put("total", totalExhaustions);
        ex.put("reusedCooling", totalExhaustions - untracked - nextPool);
        ex.put("nextPool", nextPool);
        ex.put("untracked", untracked);
        out.put("exhaustions", ex);
        out.put("addressCapped", addressCapped);
        io.ringpool.pool.PoolAdvice advice = io.ringpool.pool.PoolAdvice.of(peak, leases.stream().filter(l -> l.start() >= from).count(),
                endedLeases, average, totalExhaustions, coolDownMillis);
        out.put("recommendedSize", advice.recommendedSize());
        out.put("recommendation", advice.note());
        out.put("buckets", rows);
        return out;
    }

}
