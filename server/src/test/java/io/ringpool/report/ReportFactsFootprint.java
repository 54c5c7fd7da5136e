package io.ringpool.report;

import io.ringpool.call.CallStoreFixture;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heap one held visit costs in the report facts, with its share of calls (one call per ten visits,
 * as {@link ReportBenchmark}), of the visitor index and of the dictionaries: the figure behind
 * {@link FactsBound#BYTES_PER_VISIT}. Not part of the default run (tag {@code benchmark}):
 * <pre>
 * ./mvnw -pl server test -Dtest=ReportFactsFootprint -Dbenchmark.excluded=none -Dgroups=benchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * The facts are measured as the heap they free: used heap after a full collection with them held,
 * minus the same after they are let go (the store's page cache is there in both).
 */
@Tag("benchmark")
class ReportFactsFootprint {
    @TempDir
    Path dir;

    @Test
    void bytesPerHeldVisit() throws Exception {
        int visits = Integer.getInteger("footprint.visits", 300_000);
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_footprint", List.of("+74955550000"))) {
            String url = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString())).store().url();
            ReportBenchmark.seed(url, f.site.siteId(), CallStoreFixture.POOL_ID, f.numbers, f.clock.millis(), visits, visits / 10, visits / 4);
            for (int bound : new int[] {visits / 2, Integer.MAX_VALUE, visits / 2}) {
                SiteFacts facts = new SiteFacts(f.site.siteId(), f.db.dialect());
                facts.maxVisits = bound;
                facts.coldLoadBudget = bound;
                f.db.read(facts::refresh);
                long held = usedAfterGc();
                int visitsHeld = facts.visits;
                int callsHeld = facts.calls;
                int capacity = facts.vStart.length;
                facts = null;
                long freed = held - usedAfterGc();
                System.out.printf("bound=%d visits=%d calls=%d capacity=%d facts=%d bytes: %.1f bytes per held visit%n", bound, visitsHeld,
                        callsHeld, capacity, freed, (double) freed / visitsHeld);
            }
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
