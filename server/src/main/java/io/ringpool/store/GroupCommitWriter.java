package io.ringpool.store;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ringpool.concurrent.BatchHandoff;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: one thread takes every write that arrived while the previous batch was being
 * committed and commits them together in one transaction, then completes each caller's future.
 * A request is answered only after its future completes, so "2xx means committed" holds while the
 * database does one commit (one write to the OS for H2, one fsync for PostgreSQL) per batch
 * instead of one per request.
 *
 * <p>Writes run in submission order on one connection. Callers rely on that: a lease ended and a
 * new lease of the same number, submitted in that order under the pool's lock, reach the
 * {@code live_leases} table in that order too.
 *
 * <p>If a batch fails, it is rolled back and each write is retried alone, so one bad write (say a
 * constraint violation) fails only its own caller. A write may also read, and may throw its own
 * runtime exception to refuse (its transaction is then rolled back and the caller gets that
 * exception).
 *
 * <p><b>A write only writes.</b> It may run more than once (a second time alone after its batch
 * failed), and an attempt that ran may still be rolled back, so it must not count, log or touch
 * anything outside its connection. What it wants to tell the world it returns as a value
 * ({@link #commitReturning}); its caller counts and logs that value once the commit is known.
 */
public final class GroupCommitWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** How long a caller waits for its commit before giving up with 503; the write may still land. */
    private static final long COMMIT_WAIT_MILLIS = 10_000;

    /**
     * Yields before a commit while writes keep arriving, which bounds the wait to a few time
     * slices; {@code -Dringpool.commitYields=0} turns it off.
     */
    static final int MAX_YIELDS = Integer.getInteger("ringpool.commitYields", 8);

    @FunctionalInterface
    public interface Write {
        void apply(Connection connection) throws SQLException;
    }

    /** @param queuedAt wall-clock millis when submitted, for {@link #oldestUncommittedSince} */
    private record Pending(Database.Work<?> work, CompletableFuture<Object> done, long queuedAt) {}

    private final DataSource dataSource;
    private final BlockingQueue<Pending> queue;
    private final int batchMax;
    private final Thread thread;
    private final Timer commitTimer;
    private final DistributionSummary batchSizes;
    private volatile boolean running = true;
    /**
     * When the oldest write of the batch being committed was submitted (wall-clock millis), or
     * Long.MAX_VALUE between batches. Set before that write leaves the queue and cleared only after
     * its batch is answered, so a write is always either in the queue or covered by this.
     */
    private volatile long batchQueuedAt = Long.MAX_VALUE;
    /** SQL run after each commit to force it to disk (H2's CHECKPOINT SYNC), or null. */
    private final String forceSql;
    private final Runnable afterEachBatch;
    private final Runnable betweenBatches;
    /**
     * Longest the writer rests after a commit on H2 ({@link #restBeforeCommit});
     * {@code -Dringpool.commitRestMaxMicros=0} turns the rest off.
     */
    static final long MAX_REST_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("ringpool.commitRestMaxMicros", 5_000));
    private final long maxRestNanos;
    /** A commit of fewer writes than this is followed by a rest; a larger one has paid its way. */
    static final int SMALL_BATCH = 16;
    /** How long the last commit took, and until when the writer rests after it (System.nanoTime). */
    private long lastCommitNanos;
    private long restUntil;
    private boolean restDue;
    /** Longest the writer waits for a write before it looks whether upkeep is due. */
    static final long IDLE_POLL_MILLIS = 100;

    public GroupCommitWriter(DataSource dataSource, int queueMax, int batchMax, MeterRegistry registry) {
        this(dataSource, queueMax, batchMax, registry, null);
    }

    /**
     * @param forceSql run on the writer's connection after every commit and before any caller is
     *     answered (store.syncCommits on H2: {@code CHECKPOINT SYNC}, which writes and fsyncs), or
     *     null when the database makes commits durable by itself (PostgreSQL) or power-loss
     *     durability is not wanted
     */
    public GroupCommitWriter(DataSource dataSource, int queueMax, int batchMax, MeterRegistry registry, String forceSql) {
        this(dataSource, queueMax, batchMax, registry, forceSql, () -> { }, () -> { });
    }

    /** On {@code db}'s connections, telling it of every batch written ({@link Database#writes}). */
    public GroupCommitWriter(Database db, int queueMax, int batchMax, MeterRegistry registry) {
        this(db, queueMax, batchMax, registry, null);
    }

    /**
     * As the DataSource form, on {@code db}'s connections, telling it of every batch written
     * ({@link Database#writes}); on H2 the writer rests after each commit ({@link #restBeforeCommit}).
     */
    public GroupCommitWriter(Database db, int queueMax, int batchMax, MeterRegistry registry, String forceSql) {
        this(db.dataSource(), queueMax, batchMax, registry, forceSql, db::noteWrite, db::compactRound,
                db.dialect() == Dialect.H2 ? MAX_REST_NANOS : 0);
        db.addWriter(this);
    }

    /**
     * @param afterEachBatch told after every commit, before the committed writes' callers are answered
     * @param betweenBatches the store's own upkeep (H2's compaction, {@link Database#compactRound}):
     *     called on this thread after every batch and at least every {@link #IDLE_POLL_MILLIS} when
     *     idle; it decides itself whether a round is due. Why here and not on a thread of its own:
     *     a round holds the lock every commit needs, and on the one core a node is sized for, a
     *     separate thread holding it was preempted by the request threads, so its hold outgrew its
     *     work (rounds aimed at 5 ms took over 10 ms one time in twelve; docs/scaling.md, "Session
     *     24"). On this thread a round runs only while no commit does, and the writes that arrive
     *     meanwhile join the next batch.
     */
    GroupCommitWriter(DataSource dataSource, int queueMax, int batchMax, MeterRegistry registry, String forceSql,
            Runnable afterEachBatch, Runnable betweenBatches) {
        this(dataSource, queueMax, batchMax, registry, forceSql, afterEachBatch, betweenBatches, 0);
    }

    /** @param maxRestNanos longest rest after a commit ({@link #restBeforeCommit}); 0 for none */
    GroupCommitWriter(DataSource dataSource, int queueMax, int batchMax, MeterRegistry registry, String forceSql,
            Runnable afterEachBatch, Runnable betweenBatches, long maxRestNanos) {
        this.maxRestNanos = maxRestNanos;
        this.afterEachBatch = afterEachBatch;
        this.betweenBatches = betweenBatches;
        this.forceSql = forceSql;
        this.dataSource = dataSource;
        this.queue = new ArrayBlockingQueue<>(queueMax);
        this.batchMax = batchMax;
        this.commitTimer = Timer.builder("ringpool.store.commit").description("time to commit one group of writes")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.batchSizes = DistributionSummary.builder("ringpool.store.commit.batch")
                .description("writes committed together").register(registry);
        registry.gauge("ringpool.store.write.queue", queue, BlockingQueue::size);
        this.thread = Thread.ofPlatform().name("ringpool-group-commit").daemon(true).unstarted(this::run);
        this.thread.start();
    }

    /**
     * Queues a write; the future completes when it is committed, or exceptionally with a
     * {@link StoreException}. Throws {@link StoreOverloadedException} at once when the queue is
     * full. Never blocks, so it may be called while holding a lock.
     */
    public CompletableFuture<Void> submit(Write write) {
        return submitReturning(c -> {
            write.apply(c);
            return null;
        });
    }

    /**
     * As {@link #submit(Write)}, for a write that returns what it did: the future completes with
     * the value of the attempt that was committed (never of one rolled back).
     */
    public <T> CompletableFuture<T> submitReturning(Database.Work<T> work) {
        CompletableFuture<Object> done = new CompletableFuture<>();
        Pending pending = new Pending(work, done, System.currentTimeMillis());
        if (!running) {
            throw new StoreException("the store is shutting down");
        }
        if (!queue.offer(pending)) {
            throw new StoreOverloadedException("write queue full (" + queue.size() + " waiting)");
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<T> typed = (CompletableFuture<T>) (CompletableFuture<?>) done;
        return typed;
    }

    /** Submits and waits for the commit. */
    public void commit(Write write) {
        await(submit(write));
    }

    /** Submits and waits for the commit; returns what the committed attempt returned. */
    public <T> T commitReturning(Database.Work<T> work) {
        return await(submitReturning(work));
    }

    /** Waits for a submitted write, turning failures into {@link StoreException}s. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(COMMIT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException expected) {
                throw expected; // a StoreException, or the write's own verdict (a DomainFailure)
            }
            throw new StoreException("write failed", e.getCause());
        } catch (TimeoutException e) {
            throw new StoreOverloadedException("commit not confirmed within " + COMMIT_WAIT_MILLIS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a commit", e);
        }
    }

    /**
     * Wall-clock millis when the oldest write not yet committed (queued, or in the batch being
     * committed) was submitted; Long.MAX_VALUE when there is none. A write submitted after this
     * call returns is not counted. The report facts use it to bound how late a visit stamped
     * before now can still become visible (ReportService).
     */
    public long oldestUncommittedSince() {
        // The queue's head first: a write taken from the queue after this peek was marked in
        // batchQueuedAt before it was taken, and stays marked until its batch is committed.
        Pending head = queue.peek();
        long batch = batchQueuedAt;
        return Math.min(batch, head == null ? Long.MAX_VALUE : head.queuedAt());
    }

    /**
     * Before a commit, steps aside while writes keep arriving, at most {@link #MAX_YIELDS} times.
     *
     * <p>Why: each commit writes every page it touched, whatever the number of rows in it, so the
     * fewer the commits the less each write costs. On the one or two cores a node is sized for, the
     * request threads that would add to this batch are waiting for the CPU this thread holds. A
     * yield lets them run first, and the batch grows. With nothing else runnable a yield returns
     * at once: on an idle or many-core machine this costs a system call. Measured (docs/scaling.md,
     * "Session 15"): at 64 connections on one core, 43-53 rows a commit instead of 34-36, and
     * session starts 0.25-0.39 x /health (mean 0.315) instead of 0.19-0.32 x (mean 0.272) in eight
     * alternating rounds each; the starts' p99 moved little (53-122 ms against 56-83 ms).
     */
    private void letLateWritesJoin() {
        for (int i = 0; i < MAX_YIELDS; i++) {
            int before = queue.size();
            Thread.yield();
            if (queue.size() == before) {
                return;
            }
        }
    }

    /**
     * After a commit of fewer than {@link #SMALL_BATCH} writes, takes the writes that arrive until
     * the writer has rested as long as that commit took (at most {@link #maxRestNanos}), or until the
     * batch is full, before committing again.
     *
     * <p>Why: an H2 commit costs this process's CPU, about a millisecond whatever it holds (it
     * writes every page it touched), plus a fraction of that a row. When writes came slower than
     * the writer could take them, it took each as soon as it came: in an open loop of call events
     * at half the closed rate, 2.8 writes a commit, ~550 commits a second, and the writer held
     * ~80 % of the core, so the requests queued behind it. Resting as long as the commit took keeps
     * the writer to about half the core, and costs a write at most one more commit's time (5 ms at
     * most). After a larger commit there is no rest: under full load (session starts at 64
     * connections commit ~60 at a time) nothing changes. PostgreSQL's commit is a wait for its
     * fsync, not this process's CPU, so a writer on PostgreSQL never rests. Measured in
     * docs/scaling.md, "Session 26".
     */
    private void restBeforeCommit(List<Pending> batch) throws InterruptedException {
        while (restDue && batch.size() < batchMax) {
            long left = restUntil - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Pending next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
            queue.drainTo(batch, batchMax - batch.size());
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(batchMax);
        while (running || !queue.isEmpty()) {
            try {
                // Only this thread takes from the queue, so the head seen now is what poll returns.
                // A write that arrives while poll waits is taken at once, so it is never unmarked for long.
                Pending head = queue.peek();
                if (head != null) {
                    batchQueuedAt = head.queuedAt();
                }
                Pending first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (running) {
                        upkeep();
                    }
                    continue;
                }
                batchQueuedAt = Math.min(batchQueuedAt, first.queuedAt());
                letLateWritesJoin();
                batch.add(first);
                queue.drainTo(batch, batchMax - 1);
                restBeforeCommit(batch);
                commitBatch(batch);
                restDue = maxRestNanos > 0 && batch.size() < SMALL_BATCH;
                restUntil = System.nanoTime() + Math.min(lastCommitNanos, maxRestNanos);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException e) {
                LOG.error("group_commit_failed", e);
                batch.forEach(p -> p.done().completeExceptionally(new StoreException("write failed", e)));
            } finally {
                batch.clear();
                batchQueuedAt = Long.MAX_VALUE;
            }
            if (running) {
                upkeep();
            }
        }
    }

    /** The store's upkeep between batches; its failure is logged and never stops the writer. */
    private void upkeep() {
        try {
            betweenBatches.run();
        } catch (RuntimeException e) {
            io.ringpool.failure.FailureLog.SHARED.warn(LOG, "store_upkeep_failed", e);
        }
    }

    private void commitBatch(List<Pending> batch) {
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            List<Object> results = new ArrayList<>(batch.size());
            try {
                for (Pending p : batch) {
                    results.add(p.work().run(c));
                }
                c.commit();
                // counted before any caller is answered: a caller that reads Database.writes()
                // right after its commit must see the count moved (ReportService skips otherwise)
                afterEachBatch.run();
            } catch (SQLException | RuntimeException e) {
                Database.rollbackQuietly(c);
                if (batch.size() == 1) {
                    batch.get(0).done().completeExceptionally(translate(e));
                    return;
                }
                LOG.info("group_commit_retried_one_by_one writes={} reason={}", batch.size(), e.getClass().getSimpleName());
                commitOneByOne(c, batch);
                return;
            }
            if (!forced(c, batch)) {
                return;
            }
            // The callers' answers reach their event loops once the whole batch is complete (BatchHandoff says why).
            BatchHandoff.holdWhile(() -> {
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done().complete(results.get(i));
                }
            });
        } catch (SQLException e) {
            StoreException failure = new StoreException("database unavailable", e);
            batch.forEach(p -> p.done().completeExceptionally(failure));
        } finally {
            lastCommitNanos = System.nanoTime() - start;
            commitTimer.record(lastCommitNanos, TimeUnit.NANOSECONDS);
            batchSizes.record(batch.size());
        }
    }

    /**
     * One fsync for the whole batch (the batch is what makes forcing every commit affordable).
     * When it fails the writes are committed but not known to be on disk: their callers get a
     * failure (503), never a retry, which would apply them twice.
     */
    private boolean forced(Connection c, List<Pending> batch) {
        if (forceSql == null) {
            return true;
        }
        try (var s = c.createStatement()) {
            s.execute(forceSql);
            return true;
        } catch (SQLException | RuntimeException e) {
            StoreException failure = new StoreException("commit not forced to disk", e);
            batch.forEach(p -> p.done().completeExceptionally(failure));
            return false;
        }
    }

    /** After a failed batch: each write again, alone, each with its own commit; the results of the failed attempt are dropped. */
    private void commitOneByOne(Connection c, List<Pending> batch) {
        for (Pending p : batch) {
            try {
                Object result = p.work().run(c);
                c.commit();
                afterEachBatch.run();
                if (forced(c, List.of(p))) {
                    p.done().complete(result);
                }
            } catch (SQLException | RuntimeException e) {
                Database.rollbackQuietly(c);
                p.done().completeExceptionally(translate(e));
            }
        }
    }

    /** SQL failures become store exceptions; a write's own exceptions (a validation verdict) pass unchanged. */
    private static RuntimeException translate(Exception e) {
        if (e instanceof SQLException sql) {
            return ConstraintViolationException.isConstraintViolation(sql)
                    ? new ConstraintViolationException(sql.getMessage(), sql)
                    : new StoreException("write failed", sql);
        }
        return e instanceof RuntimeException runtime ? runtime : new StoreException("write failed", e);
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
