package io.ringpool.session;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What a session start costs the live-session index with many sessions live: the visitor lookup
 * that misses (a new visitor), the put under both keys, and the later removal, with ids shaped as
 * the server makes them and visitor ids as the load generators send them. Prints nanoseconds per
 * start, best of five passes. Not part of the default run (tag {@code benchmark}); pin it to one core:
 * <pre>
 * taskset -c 0 ./mvnw -pl server test -Dtest=LiveSessionIndexBenchmark -Dbenchmark.excluded=none -Dgroups=benchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Tag("benchmark")
class LiveSessionIndexBenchmark {
    static final int LIVE = Integer.getInteger("index.live", 400_000);
    static final int STARTS = 200_000;

    @Test
    void startsAgainstAFullIndex() {
        SplittableRandom random = new SplittableRandom(15);
        String site = "st_Qm9vdHN0cmFwU2l0ZQ";
        List<LiveSession> live = new ArrayList<>(LIVE + STARTS);
        for (int i = 0; i < LIVE + STARTS; i++) {
            live.add(new LiveSession(String.format("s_%011x%010x", 1_700_000_000_000L + i, random.nextLong(1L << 40)), site,
                    "wrk-1-" + i + "-" + random.nextInt(1_000_000_000), new LiveSession.Untracked("no_pool", 0, null, null)));
        }
        long best = Long.MAX_VALUE;
        for (int pass = 0; pass < 5; pass++) {
            LiveSessionIndex index = new LiveSessionIndex();
            for (int i = 0; i < LIVE; i++) {
                index.put(live.get(i));
            }
            long t0 = System.nanoTime();
            int found = 0;
            for (int i = 0; i < STARTS; i++) {
                LiveSession s = live.get(LIVE + i);
                if (index.ofVisitor(site, s.visitorId) != null) {
                    found++;
                }
                index.put(s);
                index.remove(live.get(i));
            }
            long perStart = (System.nanoTime() - t0) / STARTS;
            best = Math.min(best, perStart);
            if (found != 0 || index.size() != LIVE) {
                throw new AssertionError("found " + found + ", size " + index.size());
            }
        }
        System.out.printf("live-session index: %d ns a start (lookup that misses, put by id and visitor, one removal) with %,d live%n",
                best, LIVE);
    }
}
