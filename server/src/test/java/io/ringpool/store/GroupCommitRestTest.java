package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a commit the writer rests as long as the commit took (bounded), and the writes that
 * arrive meanwhile are committed together; a writer without a rest commits each as it comes.
 */
class GroupCommitRestTest {
    @TempDir
    Path dir;

    @Test
    void writesThatArriveWhileTheWriterRestsAfterACommitShareTheNextOne() throws Exception {
        assertThat(batchesAfterASlowCommit(TimeUnit.MILLISECONDS.toNanos(500))).containsExactly(1, 2);
    }

    @Test
    void withoutARestEachWriteThatFindsTheWriterIdleIsCommittedAlone() throws Exception {
        assertThat(batchesAfterASlowCommit(0)).containsExactly(1, 1, 1);
    }

    @Test
    void onH2TheStoresWriterRestsAndTheRestIsBounded() {
        assertThat(GroupCommitWriter.MAX_REST_NANOS).isEqualTo(TimeUnit.MILLISECONDS.toNanos(5));
    }

    /**
     * A first write whose commit takes 300 ms, then two writes 100 ms apart after it: the sizes of
     * the batches committed.
     */
    private List<Integer> batchesAfterASlowCommit(long maxRestNanos) throws Exception {
        var config = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString()));
        List<Integer> batches = new CopyOnWriteArrayList<>();
        int[] inBatch = new int[1];
        try (Database db = new Database(config.store(), new SimpleMeterRegistry());
                GroupCommitWriter writer = new GroupCommitWriter(db.dataSource(), 100, 64, new SimpleMeterRegistry(), null, () -> {
                    batches.add(inBatch[0]);
                    inBatch[0] = 0;
                }, () -> { }, maxRestNanos)) {
            writer.commit(c -> {
                inBatch[0]++;
                sleep(300);
            });
            CompletableFuture<Void> second = writer.submit(c -> inBatch[0]++);
            sleep(100);
            CompletableFuture<Void> third = writer.submit(c -> inBatch[0]++);
            second.get(5, TimeUnit.SECONDS);
            third.get(5, TimeUnit.SECONDS);
        }
        return batches;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
