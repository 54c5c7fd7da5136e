package io.ringpool.call;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What reclassifying all of one caller's calls costs when one more arrives (CallService does it
 * for every event of a caller): the sorted times against a scan of the whole history per call.
 * Not part of the default run (tag {@code benchmark}):
 * <pre>
 * taskset -c 0 ./mvnw -pl server test -Dtest=CallerClassificationBenchmark -Dbenchmark.excluded=none -Dgroups=benchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Tag("benchmark")
class CallerClassificationBenchmark {

    @Test
    void millisecondsPerEvent() {
        ClassificationSettings settings = new ClassificationSettings(30, 60);
        for (int n : new int[] {100, 1_000, 10_000}) {
            List<Instant> times = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                times.add(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(3_600L * i));
            }
            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                int unique = 0;
                CallClassifier.CallerTimes sorted = CallClassifier.CallerTimes.of(times);
                for (Instant t : times) {
                    unique += CallClassifier.classify(t, true, 90, true, sorted, settings).unique() ? 1 : 0;
                }
                double sortedMs = (System.nanoTime() - start) / 1e6;
                start = System.nanoTime();
                int uniqueScan = 0;
                for (Instant t : times) {
                    uniqueScan += CallerTimesPropertyTest.scan(t, true, 90, true, times, settings).unique() ? 1 : 0;
                }
                double scanMs = (System.nanoTime() - start) / 1e6;
                System.out.printf("%,7d calls of one caller, round %d: sorted %.2f ms, scan %.2f ms an event (unique %d = %d)%n", n, round,
                        sortedMs, scanMs, unique, uniqueScan);
            }
        }
    }
}
