package io.ringpool.call;

import static io.ringpool.call.CallStoreFixture.PROVIDER;
import static io.ringpool.call.CallStoreFixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.store.ConstraintViolationException;
import io.ringpool.store.GroupCommitWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes are pure: when a group commit fails because of one write, every write of the batch runs
 * a second time alone ({@link GroupCommitWriter}), and still each ingested call is counted once
 * and each caller gets its own answer.
 */
class BatchFailureTest {
    static final String NUMBER = "+74952000001";
    static final int CALLS = 5;

    @TempDir
    Path dir;

    @Test
    void aBatchFailedByOneBadWriteIsRetriedOneByOneAndEveryCounterMovesOnceAndEveryCallerGetsItsOwnAnswer() throws Exception {
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_batch", List.of(NUMBER));
                ExecutorService callers = Executors.newFixedThreadPool(CALLS)) {
            List<String> ids = idsOnDistinctStripes(f.site.siteId());
            Instant at = f.clock.instant();

            // Hold the writer inside a batch of its own, so that everything submitted meanwhile forms the next batch.
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> hold = f.writer.submit(c -> {
                holding.countDown();
                awaitQuietly(release);
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

            List<Future<CallService.Ingested>> answers = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                CallEvent ringing = event(ids.get(i), CallEvent.Kind.RINGING, "+7916123456" + i, NUMBER, at.plusSeconds(i), null);
                answers.add(callers.submit(() -> f.calls.ingest(f.site, ringing, true)));
            }
            waitUntil(() -> queued(f) == CALLS);
            // Last in the batch, so every call's write has run when it fails: a second site with the same id.
            CompletableFuture<Void> bad = f.writer.submit(c -> c.createStatement().executeUpdate("INSERT INTO sites(site_id, name, "
                    + "public_key, api_key_hash, webhook_secret_enc, settings_json, created_at) VALUES ('st_batch', 'x', 'pk2', 'h', "
                    + "'e', '{}', 0)"));
            waitUntil(() -> queued(f) == CALLS + 1);
            release.countDown();
            GroupCommitWriter.await(hold);

            assertThatThrownBy(() -> GroupCommitWriter.await(bad)).isInstanceOf(ConstraintViolationException.class);
            for (int i = 0; i < CALLS; i++) {
                CallService.Ingested answer = answers.get(i).get(10, TimeUnit.SECONDS);
                assertThat(answer.providerCallId()).isEqualTo(ids.get(i));
                assertThat(answer.duplicate()).isFalse();
                assertThat(answer.call().providerCallId()).isEqualTo(ids.get(i));
                assertThat(answer.call().caller()).isEqualTo("+7916123456" + i);
                assertThat(f.calls.call(f.site.siteId(), answer.call().callId())).contains(answer.call());
            }
            // The calls and the bad write really were one batch, which failed as a whole. The writer
            // records a batch's size after answering its callers, so wait for the second record.
            var batches = f.registry.find("ringpool.store.commit.batch").summary();
            waitUntil(() -> batches.count() == 2);
            assertThat(batches.max()).isEqualTo(CALLS + 1);
            assertThat(f.calls.log(CallQuery.all(f.site.siteId(), 50)).calls()).hasSize(CALLS);
            assertThat(f.count("ringpool.calls.received", "provider", PROVIDER, "status", "ringing")).isEqualTo(CALLS);
            assertThat(f.count("ringpool.calls.attributed", "method", "none")).isEqualTo(CALLS);
        }
    }

    /** Provider call ids whose ingestions take different stripe locks, so none waits for another before reaching the writer. */
    private static List<String> idsOnDistinctStripes(String siteId) {
        List<String> ids = new ArrayList<>();
        Set<Integer> stripes = new HashSet<>();
        for (int n = 0; ids.size() < CALLS; n++) {
            String id = "batch-" + n;
            if (stripes.add(CallStripes.stripeOf(siteId, PROVIDER, id))) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static double queued(CallStoreFixture f) {
        return f.registry.find("ringpool.store.write.queue").gauge().value();
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
