package io.ringpool.journal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.call.CallEvent;
import io.ringpool.failure.FailureLog;
import io.ringpool.call.CallEventTimes;
import io.ringpool.site.Site;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The call path's own durable memory: a local, append-only journal of call events that must not
 * wait for the store. A provider's "what do I do with this call?" webhook is answered from memory;
 * the call's record is {@link #record journaled} (fsynced, checksummed) before the answer goes
 * out, and one background thread delivers journaled events to the store in order, retrying while
 * the store is down. Delivery is idempotent by the event's dedup key (provider, call id, kind), so
 * a record delivered and then replayed after a crash lands once: exactly-once in effect.
 *
 * <h2>For provider adapters</h2>
 * After authenticating the request and building the answer from memory, call
 * {@link #record(Site, CallEvent)} and answer. {@link Kept#FULL} means nothing was kept (the
 * journal is at its bound, {@code journal.maxMegabytes}, or its disk refuses the write: full, read
 * only): still put the caller through, and for webhooks the provider retries, answer 503 instead.
 *
 * <h2>States of a record</h2>
 * journaled (on disk, in the queue) → delivered (in the store; its segment may be deleted) or
 * rejected (the store's domain refused it for good, e.g. a number the site no longer owns: logged
 * and dropped, as a synchronous webhook would have been refused). A delivery failing for any
 * other reason (store down, slow, overloaded) leaves the record at the head of the queue and is
 * retried with back-off from 100 ms up to {@value #MAX_BACKOFF_MILLIS} ms, so the store gets every
 * record within that long after it recovers.
 */
public final class CallJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CallJournal.class);

    /** Longest pause between delivery attempts while the store is down, milliseconds. */
    static final long MAX_BACKOFF_MILLIS = 2_000;

    /** Attempts at a record that fails with an unexpected error (a bug, not an outage) before it is dropped. */
    static final int MAX_UNEXPECTED_FAILURES = 5;

    /** Whether {@link #record} kept the event. */
    public enum Kept { JOURNALED, FULL }

    /** What happened to one delivery attempt. */
    public enum Outcome {
        /** In the store (or already there: a repeat). */
        DELIVERED,
        /** Refused for good by the domain; retrying cannot help. */
        REJECTED,
        /** The store could not take it now; retry later. */
        STORE_UNAVAILABLE
    }

    /** Puts one journaled event, received at {@code receivedAt}, into the store. Runs on the journal's own thread. */
    @FunctionalInterface
    public interface Sink {
        Outcome deliver(String siteId, CallEvent event, Instant receivedAt);
    }

    private record Entry(long segment, JournalRecord record) {}

    private final JournalSegments segments;
    private final CallEventTimes eventTimes;
    private final Sink sink;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private final Counter recorded;
    private final Counter full;
    private final Counter unwritable;
    private final io.micrometer.core.instrument.Timer appendTimer;
    private final MeterRegistry registry;
    private volatile String storeProblem;
    /** The last append was refused by the disk (and when): see {@link #isUnwritable}. */
    private volatile boolean lastWriteRefused;
    private volatile long lastRefusedNanos;
    private volatile boolean running;
    private Thread drainer;

    /**
     * @param dir      {@code dataDir/journal}
     * @param maxBytes bound of all segments together
     */
    public CallJournal(Path dir, long maxBytes, Sink sink, Clock clock, MeterRegistry registry) {
        this(dir, maxBytes, sink, clock, registry, new CallEventTimes(registry, List.of()));
    }

    /** @param eventTimes the time rule every event is journaled under (shared with the call service) */
    public CallJournal(Path dir, long maxBytes, Sink sink, Clock clock, MeterRegistry registry, CallEventTimes eventTimes) {
        this(dir, maxBytes, Math.min(JournalSegments.SEGMENT_BYTES, maxBytes), sink, clock, registry, eventTimes);
    }

    CallJournal(Path dir, long maxBytes, long segmentBytes, Sink sink, Clock clock, MeterRegistry registry) {
        this(dir, maxBytes, segmentBytes, sink, clock, registry, new CallEventTimes(registry, List.of()));
    }

    private CallJournal(Path dir, long maxBytes, long segmentBytes, Sink sink, Clock clock, MeterRegistry registry,
            CallEventTimes eventTimes) {
        this.eventTimes = eventTimes;
        this.segments = new JournalSegments(dir, maxBytes, segmentBytes);
        this.sink = sink;
        this.clock = clock;
        this.registry = registry;
        this.recorded = Counter.builder("ringpool.journal.recorded").description("call events journaled").register(registry);
        this.full = Counter.builder("ringpool.journal.full").description("call events not kept: the journal was at its bound")
                .register(registry);
        this.unwritable = Counter.builder("ringpool.journal.unwritable")
                .description("call events not kept: the journal's disk refused the write (full, read-only)").register(registry);
        this.appendTimer = io.micrometer.core.instrument.Timer.builder("ringpool.journal.append")
                .description("time to append one event and force it to disk").publishPercentiles(0.5, 0.99, 0.999)
                .register(registry);
        Gauge.builder("ringpool.journal.depth", this, CallJournal::depth).description("journaled call events not yet in the store")
                .register(registry);
        Gauge.builder("ringpool.journal.bytes", this, j -> j.bytes()).description("size of the journal's segments").baseUnit("bytes")
                .register(registry);
    }

    /** Reads what an earlier run left (replayed first, in order) and starts delivering. */
    public void start() {
        lock.lock();
        try {
            var replayed = segments.open();
            replayed.forEach(r -> queue.add(new Entry(r.segment(), r.record())));
            if (!replayed.isEmpty()) {
                LOG.info("journal_replay events={} bytes={}", replayed.size(), segments.bytes());
            }
            running = true;
        } finally {
            lock.unlock();
        }
        drainer = Thread.ofPlatform().name("ringpool-journal").daemon(true).start(this::drain);
    }

    /**
     * Keeps {@code event} of {@code site} on disk (fsynced) and queues it for the store. Never
     * touches the store; returns once the record is durable, in well under a millisecond to a few
     * milliseconds on a local disk.
     *
     * @throws java.io.UncheckedIOException when the disk refuses the write
     */
    public Kept record(Site site, CallEvent event) {
        // As the store will keep it: the record's strings are length-prefixed to 64 KB, and ingestion would shorten them
        // anyway; and at the time it is kept with, decided now, when it is received (delivery may be much later).
        Instant received = clock.instant();
        JournalRecord record = new JournalRecord(site.siteId(), eventTimes.kept(site, event, received), received);
        byte[] payload = record.encode();
        long start = System.nanoTime();
        lock.lock();
        try {
            long segment;
            try {
                segment = segments.append(payload);
            } catch (JournalSegments.JournalFull e) {
                full.increment();
                LOG.warn("journal_full site={} provider={} bytes={} maxBytes={}", site.siteId(), event.provider(), segments.bytes(),
                        segments.maxBytes());
                return Kept.FULL;
            } catch (IOException e) {
                // The disk the store shares is full (or gone read-only): not kept, as when the journal is at
                // its bound, so a caller is still put through and a provider is told to retry (503), never 500.
                unwritable.increment();
                lastRefusedNanos = System.nanoTime();
                lastWriteRefused = true;
                // One line per 30 s (FailureLog): a full disk under a call burst would write a line per event.
                FailureLog.SHARED.warn(LOG, "journal_unwritable", "dir=" + segments.dir(), e);
                return Kept.FULL;
            }
            lastWriteRefused = false;
            queue.add(new Entry(segment, record));
            changed.signalAll();
        } finally {
            lock.unlock();
            appendTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
        recorded.increment();
        return Kept.JOURNALED;
    }

    /** Events journaled and not yet in the store. */
    public int depth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether an event of this call is journaled and not yet in the store (the one being delivered
     * counts: it is not stored until its delivery returns).
     */
    public boolean holdsCall(String siteId, String provider, String providerCallId) {
        String stored = CallEvent.storedCallId(providerCallId);
        lock.lock();
        try {
            return holdsLocked(siteId, provider, stored);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no event of this call is waiting for the store, or {@code timeout} passed; true when none is left. */
    public boolean awaitCallDelivered(String siteId, String provider, String providerCallId, Duration timeout) throws InterruptedException {
        String stored = CallEvent.storedCallId(providerCallId);
        return awaitUntil(() -> !holdsLocked(siteId, provider, stored), timeout);
    }

    /** Waits, holding the lock between checks, until {@code done} (checked under the lock) or {@code timeout}. */
    private boolean awaitUntil(java.util.function.BooleanSupplier done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean holdsLocked(String siteId, String provider, String storedCallId) {
        for (Entry e : queue) {
            JournalRecord r = e.record();
            if (r.siteId().equals(siteId) && r.event().provider().equals(provider) && r.event().providerCallId().equals(storedCallId)) {
                return true;
            }
        }
        return false;
    }

    long bytes() {
        lock.lock();
        try {
            return segments.bytes();
        } finally {
            lock.unlock();
        }
    }

    /** Why the last delivery failed ({@code store_unavailable}); empty once one succeeds again. */
    public Optional<String> storeProblem() {
        return Optional.ofNullable(storeProblem);
    }

    /**
     * True while the disk refuses the journal's writes: the last append was refused, within 30 s or
     * with less than 1 MiB free since. A node whose /health says so is taken out by a load balancer
     * and gets no calls to try with, so free space is what tells it the disk took writes again.
     */
    public boolean isUnwritable() {
        if (!lastWriteRefused) {
            return false;
        }
        if (System.nanoTime() - lastRefusedNanos < TimeUnit.SECONDS.toNanos(30)) {
            return true;
        }
        try {
            return java.nio.file.Files.getFileStore(segments.dir()).getUsableSpace() < 1 << 20;
        } catch (IOException gone) {
            return true;
        }
    }

    /** True when the journal is at its bound: a new event would not be kept. */
    public boolean isFull() {
        lock.lock();
        try {
            return segments.bytes() + 1024 > segments.maxBytes();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every journaled event reached the store (or {@code timeout} passed); for tests and shutdown. */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        return awaitUntil(queue::isEmpty, timeout);
    }

    private void drain() {
        long backoff = 0;
        int unexpectedFailures = 0;
        while (running) {
            Entry head;
            lock.lock();
            try {
                if (backoff > 0) {
                    changed.await(backoff, TimeUnit.MILLISECONDS);
                }
                while (running && queue.isEmpty()) {
                    changed.await();
                }
                if (!running) {
                    return;
                }
                head = queue.peek();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            Outcome outcome;
            try {
                outcome = sink.deliver(head.record().siteId(), head.record().event(), head.record().receivedAt());
            } catch (RuntimeException unexpected) {
                unexpectedFailures++;
                LOG.warn("journal_delivery_failed site={} provider={} attempt={} reason={}", head.record().siteId(),
                        head.record().event().provider(), unexpectedFailures, unexpected.toString());
                if (unexpectedFailures < MAX_UNEXPECTED_FAILURES) {
                    backoff = nextBackoff(backoff);
                    continue;
                }
                outcome = Outcome.REJECTED;
            }
            if (outcome == Outcome.STORE_UNAVAILABLE) {
                if (storeProblem == null) {
                    LOG.warn("journal_store_unavailable depth={}", depth());
                }
                storeProblem = "store_unavailable";
                backoff = nextBackoff(backoff);
                continue;
            }
            if (storeProblem != null) {
                LOG.info("journal_store_recovered depth={}", depth());
            }
            storeProblem = null;
            backoff = 0;
            unexpectedFailures = 0;
            Counter.builder("ringpool.journal.delivered").description("journaled call events taken out of the journal, by outcome")
                    .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT)).register(registry).increment();
            if (outcome == Outcome.REJECTED) {
                LOG.info("journal_event_rejected site={} provider={} kind={}", head.record().siteId(), head.record().event().provider(),
                        head.record().event().kind().wireName());
            }
            lock.lock();
            try {
                queue.poll();
                segments.delivered(head.segment());
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private static long nextBackoff(long current) {
        return current == 0 ? 100 : Math.min(MAX_BACKOFF_MILLIS, current * 2);
    }

    /** Stops delivering; what is left stays on disk and is replayed at the next start. */
    @Override
    public void close() {
        lock.lock();
        try {
            running = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (drainer != null) {
            try {
                drainer.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            segments.close();
        } finally {
            lock.unlock();
        }
    }
}
