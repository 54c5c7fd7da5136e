package io.ringpool.call;

import static io.ringpool.call.CallStoreFixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.store.GroupCommitWriter;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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
 * Ingestion reads on pooled connections and only writes on the group-commit thread (issue 15).
 * These tests race deliveries against each other and against an erasure, and check that the
 * stored calls are what one-at-a-time ingestion would have stored.
 */
class IngestionConcurrencyTest {
    static final String NUMBER = "+74952000001";

    @TempDir
    Path dir;

    @Test
    void everyEventOfManyCallsDeliveredTwiceInShuffledOrderFromManyThreadsEndsInOneCallWithTheFoldOfItsEvents() throws Exception {
        int calls = 40;
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_race", List.of(NUMBER));
                ExecutorService pool = Executors.newFixedThreadPool(16)) {
            Instant at = f.clock.instant().minusSeconds(calls * 100L); // a history that ended before now (the clock stands still)
            List<CallEvent> deliveries = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                String id = "race-" + i;
                String caller = "+791600000" + (10 + i % 7); // several calls per caller: classification races too
                Instant start = at.plusSeconds(i * 100L);
                List<CallEvent> events = List.of(
                        event(id, CallEvent.Kind.RINGING, caller, NUMBER, start, null),
                        event(id, CallEvent.Kind.ANSWERED, caller, null, start.plusSeconds(5), null),
                        event(id, CallEvent.Kind.COMPLETED, caller, null, start.plusSeconds(65), 60));
                deliveries.addAll(events);
                deliveries.addAll(events); // providers repeat
            }
            Collections.shuffle(deliveries, new Random(15));
            CountDownLatch go = new CountDownLatch(1);
            List<Future<CallService.Ingested>> answers = new ArrayList<>();
            for (CallEvent e : deliveries) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return f.calls.ingest(f.site, e, false);
                }));
            }
            go.countDown();
            for (Future<CallService.Ingested> a : answers) {
                a.get(30, TimeUnit.SECONDS);
            }

            List<StoredCall> stored = f.calls.log(CallQuery.all(f.site.siteId(), 500)).calls();
            assertThat(stored).hasSize(calls);
            for (StoredCall call : stored) {
                assertThat(call.status()).as(call.providerCallId()).isEqualTo(CallState.Status.COMPLETED);
                assertThat(call.talkSeconds()).as(call.providerCallId()).isEqualTo(60);
                assertThat(call.answered()).isTrue();
            }
            assertThat(count(f, "SELECT COUNT(*) FROM call_events")).isEqualTo(calls * 3L);
            assertThat(count(f, "SELECT COUNT(*) FROM call_events_waiting")).isZero();
            // Each caller's first call (by start time) is the only first-time one, whatever order they were written in.
            assertThat(count(f, "SELECT COUNT(*) FROM calls WHERE first_time = TRUE")).isEqualTo(7);
            for (StoredCall call : stored) {
                int index = Integer.parseInt(call.providerCallId().substring(5));
                assertThat(call.classes().firstTime()).as(call.providerCallId()).isEqualTo(index < 7);
            }
        }
    }

    @Test
    void anErasureCommittedBetweenAnEventsReadsAndItsWriteIsNotUndoneByTheWrite() throws Exception {
        String caller = "+79161112233";
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_erase", List.of(NUMBER));
                ExecutorService pool = Executors.newSingleThreadExecutor()) {
            Instant at = f.clock.instant();
            f.calls.ingest(f.site, event("er-1", CallEvent.Kind.RINGING, caller, NUMBER, at, null), true);

            // Hold the writer so the next event is planned (read) and queued, but not yet written.
            HeldWriter held = HeldWriter.hold(f);
            Future<CallService.Ingested> completed = pool.submit(() -> f.calls.ingest(f.site,
                    event("er-1", CallEvent.Kind.COMPLETED, caller, NUMBER, at.plusSeconds(90), 80), true));
            waitUntil(() -> f.registry.find("ringpool.store.write.queue").gauge().value() == 1);

            // Erasure does not go through the writer: it commits while the planned write waits.
            assertThat(f.calls.eraseCaller(f.site, caller)).isEqualTo(1);
            held.release();

            StoredCall call = completed.get(10, TimeUnit.SECONDS).call();
            assertThat(call.caller()).isEqualTo(CallerNumber.ERASED);
            assertThat(call.status()).isEqualTo(CallState.Status.COMPLETED);
            assertThat(call.talkSeconds()).isEqualTo(80);
            assertThat(count(f, "SELECT COUNT(*) FROM call_events WHERE from_raw = '" + caller + "'")).isZero();
        }
    }

    /**
     * The answer of an event and its outbox "after" are built in memory from the row as read for
     * the plan (CallRows.asStored). A marketer's tags and review, or a transcript, committed between
     * that read and the event's write must make the event plan again (they raise the revision), or
     * the answer would carry the columns as they were before the edit.
     */
    @Test
    void tagsAReviewAndATranscriptCommittedBetweenAnEventsReadsAndItsWriteAreInTheCallTheEventAnswers() throws Exception {
        String caller = "+79161112244";
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_edit", List.of(NUMBER));
                ExecutorService pool = Executors.newSingleThreadExecutor()) {
            Instant at = f.clock.instant();
            StoredCall ringing = f.calls.ingest(f.site, event("ed-1", CallEvent.Kind.RINGING, caller, NUMBER, at, null), true).call();

            HeldWriter held = HeldWriter.hold(f);
            Future<CallService.Ingested> completed = pool.submit(() -> f.calls.ingest(f.site,
                    event("ed-1", CallEvent.Kind.COMPLETED, caller, NUMBER, at.plusSeconds(90), 80), true));
            waitUntil(() -> f.registry.find("ringpool.store.write.queue").gauge().value() == 1);

            // None of these goes through the writer: they commit while the planned write waits.
            f.calls.patch(f.site, ringing.callId(), new CallChanges(List.of("lead"), 1500.0, "RUB", true, "called back"));
            f.calls.transcript(f.site, CallStoreFixture.PROVIDER, "ed-1", "I would like to order a sofa",
                    List.of(new KeywordRule("sofa", List.of("sofa"))));
            held.release();

            StoredCall answered = completed.get(10, TimeUnit.SECONDS).call();
            assertThat(answered.status()).isEqualTo(CallState.Status.COMPLETED);
            assertThat(answered.tags()).containsExactly("lead", "sofa");
            assertThat(answered.value()).isEqualTo(1500.0);
            assertThat(answered.review().reviewed()).isTrue();
            assertThat(answered.review().note()).isEqualTo("called back");
            assertThat(answered.review().transcript()).isEqualTo("I would like to order a sofa");
            assertThat(answered).isEqualTo(f.calls.call(f.site.siteId(), ringing.callId()).orElseThrow());
        }
    }

    /** The group-commit writer kept busy by a task of ours, so that writes queue behind it until released. */
    private record HeldWriter(CountDownLatch letGo, CompletableFuture<Void> task) {
        static HeldWriter hold(CallStoreFixture f) throws InterruptedException {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> task = f.writer.submit(c -> {
                holding.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            return new HeldWriter(release, task);
        }

        void release() throws Exception {
            letGo.countDown();
            GroupCommitWriter.await(task);
        }
    }

    private static long count(CallStoreFixture f, String sql) {
        return f.db.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
