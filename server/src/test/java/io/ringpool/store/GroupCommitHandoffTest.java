package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.concurrent.BatchHandoff;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The answers of one committed batch reach an event loop in one hand-off (one wake-up), not one
 * each, and in the order the writes were submitted; every caller still gets its own answer.
 */
class GroupCommitHandoffTest {
    @TempDir
    Path dir;

    @Test
    void aBatchOfWritesWakesTheirEventLoopOnceAndAnswersEachInOrder() throws Exception {
        var config = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString()));
        try (Database db = new Database(config.store(), new SimpleMeterRegistry());
                GroupCommitWriter writer = new GroupCommitWriter(db, 100, 64, new SimpleMeterRegistry())) {
            AtomicInteger wakeUps = new AtomicInteger();
            List<Integer> answered = java.util.Collections.synchronizedList(new ArrayList<>());
            Executor eventLoop = task -> {
                wakeUps.incrementAndGet();
                task.run();
            };
            // The first write holds the commit thread until the next 20 are queued, so those 20 commit together.
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch queued = new CountDownLatch(1);
            CompletableFuture<Void> first = writer.submit(c -> {
                entered.countDown();
                try {
                    queued.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<Integer>> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                CompletableFuture<Integer> done = writer.submitReturning(c -> n);
                done.whenComplete((value, failure) -> BatchHandoff.execute(eventLoop, () -> answered.add(value)));
                batch.add(done);
            }
            queued.countDown();
            GroupCommitWriter.await(first);
            // Not get() on the batch's futures: a thread waiting in get() may run their callbacks
            // itself (CompletableFuture helps complete), and then outside the batch. Request
            // answers are never waited for that way: the event loop is called back.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (answered.size() < 20 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(batch).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
            assertThat(answered).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).boxed().toList());
            assertThat(wakeUps.get()).as("one hand-off for the batch of 20").isEqualTo(1);
        }
    }
}
