package io.ringpool.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.call.CallEvent;
import io.ringpool.site.Site;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal on its own: what it keeps, what it replays, what it refuses. */
class CallJournalTest {
    @TempDir
    Path dir;

    final Clock clock = Clock.fixed(Instant.parse("2026-11-30T10:00:00Z"), ZoneOffset.UTC);
    final List<CallEvent> delivered = new CopyOnWriteArrayList<>();
    final AtomicReference<CallJournal.Outcome> answer = new AtomicReference<>(CallJournal.Outcome.DELIVERED);

    CallJournal journal(long maxBytes) {
        CallJournal j = new CallJournal(dir, maxBytes, (siteId, event, receivedAt) -> {
            CallJournal.Outcome o = answer.get();
            if (o == CallJournal.Outcome.DELIVERED) {
                delivered.add(event);
            }
            return o;
        }, clock, new SimpleMeterRegistry());
        j.start();
        return j;
    }

    /** With settings: the journal keeps each event at a time its site allows (CallEventTimes reads the retention). */
    static Site site() {
        return io.ringpool.call.TestSites.moscow("st_journal");
    }

    static CallEvent event(int i) {
        return new CallEvent("twilio", "CA" + i, CallEvent.Kind.RINGING, Instant.parse("2026-11-30T09:59:00Z").plusSeconds(i),
                "+79161234567", "+74950000001", null, i % 2 == 0 ? 30 : null, null);
    }

    List<Path> segments() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void eventsKeptWhileTheStoreIsDownAreDeliveredInOrderWhenItIsBackAndTheirFilesDeleted() throws Exception {
        answer.set(CallJournal.Outcome.STORE_UNAVAILABLE);
        try (CallJournal j = journal(1 << 20)) {
            for (int i = 0; i < 50; i++) {
                assertThat(j.record(site(), event(i))).isEqualTo(CallJournal.Kept.JOURNALED);
            }
            assertThat(j.depth()).isEqualTo(50);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (j.storeProblem().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5); // waiting for the drainer's first failed attempt, a condition
            }
            assertThat(j.storeProblem()).contains("store_unavailable");

            answer.set(CallJournal.Outcome.DELIVERED);
            assertThat(j.awaitDrained(Duration.ofSeconds(10))).isTrue();
            assertThat(delivered).containsExactlyElementsOf(Stream.iterate(0, i -> i + 1).limit(50).map(CallJournalTest::event).toList());
            assertThat(j.storeProblem()).isEmpty();
        }
        assertThat(segments()).isEmpty();
    }

    @Test
    void whatWasJournaledSurvivesARestartAndIsReplayedWithTheSameFields() throws Exception {
        answer.set(CallJournal.Outcome.STORE_UNAVAILABLE);
        try (CallJournal j = journal(1 << 20)) {
            j.record(site(), event(1));
            j.record(site(), event(2));
        }
        answer.set(CallJournal.Outcome.DELIVERED);
        try (CallJournal j = journal(1 << 20)) {
            assertThat(j.awaitDrained(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(delivered).containsExactly(event(1), event(2));
    }

    @Test
    void aFrameTornByACrashAndAFrameWithABadChecksumAreSkippedNotDelivered() throws Exception {
        answer.set(CallJournal.Outcome.STORE_UNAVAILABLE);
        try (CallJournal j = journal(1 << 20)) {
            j.record(site(), event(1));
            j.record(site(), event(2));
        }
        Path segment = segments().get(0);
        long whole = Files.size(segment);
        // a third frame cut short, as a process killed inside write() leaves it
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 100, 1, 2, 3}), whole);
        }
        answer.set(CallJournal.Outcome.DELIVERED);
        try (CallJournal j = journal(1 << 20)) {
            assertThat(j.awaitDrained(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(delivered).containsExactly(event(1), event(2));

        delivered.clear();
        answer.set(CallJournal.Outcome.STORE_UNAVAILABLE);
        try (CallJournal j = journal(1 << 20)) {
            j.record(site(), event(3));
            j.record(site(), event(4));
        }
        segment = segments().get(0);
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length - 3] ^= 0x55; // flip bits inside the second frame's payload
        Files.write(segment, bytes);
        answer.set(CallJournal.Outcome.DELIVERED);
        try (CallJournal j = journal(1 << 20)) {
            assertThat(j.awaitDrained(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(delivered).containsExactly(event(3));
    }

    @Test
    void theJournalIsBoundedAndSaysFullInsteadOfGrowing() throws Exception {
        answer.set(CallJournal.Outcome.STORE_UNAVAILABLE);
        long bound = 64 * 1024;
        int kept = 0;
        try (CallJournal j = journal(bound)) {
            CallJournal.Kept last = CallJournal.Kept.JOURNALED;
            for (int i = 0; i < 10_000 && last == CallJournal.Kept.JOURNALED; i++) {
                last = j.record(site(), event(i));
                if (last == CallJournal.Kept.JOURNALED) {
                    kept++;
                }
            }
            assertThat(last).isEqualTo(CallJournal.Kept.FULL);
            assertThat(j.isFull()).isTrue();
            assertThat(j.depth()).isEqualTo(kept);
        }
        long onDisk = 0;
        for (Path p : segments()) {
            onDisk += Files.size(p);
        }
        assertThat(onDisk).isLessThanOrEqualTo(bound);
        assertThat(kept).isGreaterThan(100);
    }

    @Test
    void aRecordTheDomainRefusesIsDroppedAndDoesNotBlockTheOnesBehindIt() throws Exception {
        CallJournal j = new CallJournal(dir, 1 << 20, (siteId, event, receivedAt) -> {
            if (event.providerCallId().equals("CA1")) {
                return CallJournal.Outcome.REJECTED;
            }
            delivered.add(event);
            return CallJournal.Outcome.DELIVERED;
        }, clock, new SimpleMeterRegistry());
        j.start();
        try (j) {
            j.record(site(), event(1));
            j.record(site(), event(2));
            assertThat(j.awaitDrained(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(delivered).containsExactly(event(2));
    }

    @Test
    void segmentsRotateAndDeliveredOnesAreDeleted() throws Exception {
        answer.set(CallJournal.Outcome.STORE_UNAVAILABLE);
        CallJournal j = new CallJournal(dir, 1 << 20, 16 * 1024, (siteId, event, receivedAt) -> {
            CallJournal.Outcome o = answer.get();
            if (o == CallJournal.Outcome.DELIVERED) {
                delivered.add(event);
            }
            return o;
        }, clock, new SimpleMeterRegistry());
        j.start();
        try (j) {
            // ~100 bytes a frame: enough frames to fill more than two 16 KiB segments
            for (int i = 0; i < 1_000; i++) {
                j.record(site(), event(i));
            }
            assertThat(segments().size()).isGreaterThanOrEqualTo(3);
            answer.set(CallJournal.Outcome.DELIVERED);
            assertThat(j.awaitDrained(Duration.ofSeconds(60))).isTrue();
            assertThat(segments()).hasSize(1); // only the active one is left
        }
        assertThat(delivered).hasSize(1_000);
    }

    /**
     * Audit AN3 F3: on a full disk the journal's write threw, and every provider's voice webhook
     * answered 500 (the caller not put through) and every notification 500. A write the disk
     * refuses is "not kept", as a full journal is; the journal goes on once the disk takes writes.
     * (The next segment's name taken by a directory stands for the disk refusing to create it.)
     */
    @Test
    void aWriteTheDiskRefusesIsNotKeptAndTheJournalGoesOnAfterwards() throws Exception {
        answer.set(CallJournal.Outcome.STORE_UNAVAILABLE);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CallJournal j = new CallJournal(dir, 1 << 20, 16 * 1024, (siteId, event, receivedAt) -> {
            CallJournal.Outcome o = answer.get();
            if (o == CallJournal.Outcome.DELIVERED) {
                delivered.add(event);
            }
            return o;
        }, clock, registry);
        j.start();
        try (j) {
            Path blocked = dir.resolve(String.format("%016d.journal", segmentIds().get(0) + 1));
            Files.createDirectory(blocked);
            int kept = 0;
            int refused = 0;
            for (int i = 0; i < 400; i++) {
                if (j.record(site(), event(i)) == CallJournal.Kept.JOURNALED) {
                    kept++;
                } else {
                    refused++;
                }
            }
            assertThat(refused).as("past the first segment the disk refuses every write").isGreaterThan(0);
            assertThat(registry.get("ringpool.journal.unwritable").counter().count()).isEqualTo(refused);
            assertThat(j.isUnwritable()).as("/health says down while the disk refuses").isTrue();
            Files.delete(blocked);
            assertThat(j.record(site(), event(400))).isEqualTo(CallJournal.Kept.JOURNALED);
            assertThat(j.isUnwritable()).isFalse();
            answer.set(CallJournal.Outcome.DELIVERED);
            assertThat(j.awaitDrained(Duration.ofSeconds(60))).isTrue();
            assertThat(delivered).hasSize(kept + 1).extracting(CallEvent::providerCallId).contains("CA400");
        }
    }

    List<Long> segmentIds() throws Exception {
        return segments().stream().map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".journal"))
                .map(n -> Long.parseLong(n.substring(0, n.indexOf('.')))).toList();
    }
}
