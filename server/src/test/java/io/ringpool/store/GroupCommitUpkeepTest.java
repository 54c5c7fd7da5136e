package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's upkeep (H2's compaction) runs on the group-commit thread between batches, never
 * while a batch is being written, also when no write comes; and an upkeep that fails does not
 * stop the writer.
 */
class GroupCommitUpkeepTest {
    @TempDir
    Path dir;

    @Test
    void upkeepRunsOnTheWriterThreadBetweenBatchesAndWhenIdleNeverDuringABatch() throws Exception {
        var config = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString()));
        Set<String> upkeepThreads = ConcurrentHashMap.newKeySet();
        AtomicBoolean inBatch = new AtomicBoolean();
        AtomicInteger upkeepDuringBatch = new AtomicInteger();
        AtomicInteger upkeeps = new AtomicInteger();
        CountDownLatch idleUpkeeps = new CountDownLatch(3);
        try (Database db = new Database(config.store(), new SimpleMeterRegistry());
                GroupCommitWriter writer = new GroupCommitWriter(db.dataSource(), 100, 64, new SimpleMeterRegistry(), null,
                        () -> { }, () -> {
                            upkeepThreads.add(Thread.currentThread().getName());
                            if (inBatch.get()) {
                                upkeepDuringBatch.incrementAndGet();
                            }
                            upkeeps.incrementAndGet();
                            idleUpkeeps.countDown();
                        })) {
            for (int i = 0; i < 50; i++) {
                writer.commit(c -> {
                    inBatch.set(true);
                    try (var s = c.createStatement()) {
                        s.execute("SELECT 1");
                    }
                    inBatch.set(false);
                });
            }
            int afterWrites = upkeeps.get();
            // The 50th caller is answered before its batch's upkeep runs: 49 at least.
            assertThat(afterWrites).as("offered after each of the 50 batches").isGreaterThanOrEqualTo(49);
            // With nothing to write, the writer still offers upkeep every IDLE_POLL_MILLIS.
            assertThat(idleUpkeeps.await(5, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (upkeeps.get() < afterWrites + 2 && System.nanoTime() < deadline) {
                Thread.sleep(GroupCommitWriter.IDLE_POLL_MILLIS / 2);
            }
            assertThat(upkeeps.get()).as("offered while idle").isGreaterThanOrEqualTo(afterWrites + 2);
        }
        assertThat(upkeepThreads).containsExactly("ringpool-group-commit");
        assertThat(upkeepDuringBatch.get()).isZero();
    }

    @Test
    void anUpkeepThatFailsIsLoggedAndTheWriterGoesOnCommitting() {
        var config = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString()));
        AtomicInteger failures = new AtomicInteger();
        try (Database db = new Database(config.store(), new SimpleMeterRegistry());
                GroupCommitWriter writer = new GroupCommitWriter(db.dataSource(), 100, 64, new SimpleMeterRegistry(), null,
                        () -> { }, () -> {
                            failures.incrementAndGet();
                            throw new IllegalStateException("upkeep broke");
                        })) {
            db.inTransaction(c -> {
                try (var s = c.createStatement()) {
                    s.execute("CREATE TABLE t (n INT PRIMARY KEY)");
                }
                return null;
            });
            for (int i = 0; i < 5; i++) {
                int n = i;
                writer.commit(c -> {
                    try (var ps = c.prepareStatement("INSERT INTO t VALUES (?)")) {
                        ps.setInt(1, n);
                        ps.executeUpdate();
                    }
                });
            }
            int rows = db.inTransaction(c -> {
                try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertThat(rows).isEqualTo(5);
            assertThat(failures.get()).isGreaterThanOrEqualTo(4);
        }
    }
}
