package io.ringpool.store;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background compaction of the H2 file, which H2 itself does not do with {@code WRITE_DELAY=0}.
 *
 * <p>Why: H2 keeps its B-trees in an append-only file of chunks; every commit writes the pages it
 * changed as a new chunk. H2's background writer thread normally rewrites the live pages of chunks
 * that became mostly dead, but that thread only runs with a write delay, and the write delay is 0
 * here (every acknowledged commit reaches the OS before the answer; the kill -9 guarantee). With
 * no thread, each commit left a chunk in which a page or two stayed live (the full leaf pages of
 * the time-ordered indexes), so the file kept ~10% live data: 3,900 bytes per visit measured, against
 * ~600 live.
 *
 * <p>What: a round asks H2 to rewrite the live pages of the emptiest chunks, at most a budget of
 * them, then commits, so those chunks hold nothing and their space is reused by the next chunks
 * (after H2's {@code RETENTION_TIME}). Commits still write synchronously, so what was acknowledged
 * is on the OS whatever a round is doing; the rewritten pages are ordinary versions of the same data.
 *
 * <p>When: the group-commit thread offers a round between its batches ({@link GroupCommitWriter}),
 * and {@link #compactWhenDue} runs one when the last ended long enough ago. A round holds H2's
 * store lock, which every commit needs, so rounds are kept short (a few milliseconds: a commit
 * that arrives meanwhile waits for the round) and frequent, rather than long and rare.
 * The file does not shrink while running (space is reused inside it); {@code bin/ringpool compact}
 * shrinks it offline ({@code SHUTDOWN COMPACT}).
 *
 * <p>Uses H2's embedded MVStore API through the JDBC connection (the database runs in this JVM);
 * the calls are H2's public {@code MVStore.compact}/{@code commit}.
 */
final class H2Compactor {
    private static final Logger LOG = LoggerFactory.getLogger(H2Compactor.class);

    /** Rewrite when the chunks hold less live data than this, in percent; H2's own background default is 90 at idle. */
    static final int TARGET_FILL_RATE = 80;

    /**
     * Longest a round should hold H2's store lock, nanoseconds. {@code MVStore.compact} runs under
     * the lock every commit needs, so a commit that arrives meanwhile waits for the round, and a
     * session start's answer with it. Rewriting costs ~70 us per KB on this 2-core box (512 KB
     * rounds took 30-40 ms under load), so 5 ms is a budget of 32-64 KB. Rounds that take longer
     * halve the budget. (50 ms before session 24: those rounds, every half second, held commits
     * about 6 % of the time, 20-40 ms at a stretch.)
     */
    static final long ROUND_TARGET_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Smallest budget the adaptation goes down to: a page or two. */
    static final int MIN_WRITE_BUDGET_BYTES = 16 << 10;
    /** After a round, wait this many times its length before the next: compaction holds the lock at most a fifth of the time. */
    static final int PAUSE_FACTOR = 4;
    /**
     * Least time from one round's end to the next round, nanoseconds, however short the round:
     * rounds are offered after every group commit (hundreds a second), and even a round that finds
     * nothing to rewrite looks at every chunk.
     */
    static final long MIN_ROUND_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * Longest wait between rounds while rounds find nothing to rewrite: the wait starts at
     * {@link #MIN_ROUND_INTERVAL_NANOS}, doubles after each such round up to this, and falls back
     * to the least interval after a round that rewrote.
     * Dead space builds up over seconds, not milliseconds, so an idle node (or one whose chunks are
     * full enough) need not look at every chunk ten times a second; at most a second's delay
     * before compaction resumes once the fill rate drops.
     */
    static final long MAX_IDLE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final DataSource dataSource;
    private final int writeBudgetBytes;
    /** The budget of the next round (adapted to how long rounds take); only the group-commit thread touches it. */
    private int adaptiveBudget;
    private long nextRoundAt = Long.MIN_VALUE;
    /** Least wait after the next round if it rewrites nothing: doubled by each such round, reset by one that rewrote. */
    private long idleWait = MIN_ROUND_INTERVAL_NANOS;
    private final java.util.function.LongSupplier nanoTime;
    private final long minFileBytes;
    private final Timer timer;

    /**
     * @param minFileBytes below this file size nothing is done: a small file's dead space does not
     *     matter, and rewriting it would only take the store lock from commits for nothing
     */
    H2Compactor(DataSource dataSource, int writeBudgetBytes, long minFileBytes, MeterRegistry registry) {
        this(dataSource, writeBudgetBytes, minFileBytes, registry, System::nanoTime);
    }

    /** @param nanoTime the stopwatch for round lengths (tests pass one they move) */
    H2Compactor(DataSource dataSource, int writeBudgetBytes, long minFileBytes, MeterRegistry registry,
            java.util.function.LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.dataSource = dataSource;
        this.minFileBytes = minFileBytes;
        this.writeBudgetBytes = writeBudgetBytes;
        this.adaptiveBudget = Math.max(MIN_WRITE_BUDGET_BYTES, writeBudgetBytes / 32);
        this.timer = Timer.builder("ringpool.store.compaction").description("one round of H2 background compaction")
                .register(registry);
    }

    /**
     * A round if one is due: skipped while the pause after the last one lasts (four times its
     * length, at least {@link #MIN_ROUND_INTERVAL_NANOS}, longer after rounds that found nothing to
     * rewrite: see {@link #MAX_IDLE_INTERVAL_NANOS}); its budget halves when a round took
     * longer than {@link #ROUND_TARGET_NANOS} and doubles (up to the configured budget) while rounds
     * are quick. Lock-hold times are real durations, measured with {@code System.nanoTime}, not the
     * service clock. One thread calls this (the group-commit writer's).
     */
    boolean compactWhenDue() {
        long start = nanoTime.getAsLong();
        if (nextRoundAt != Long.MIN_VALUE && start - nextRoundAt < 0) {
            return false;
        }
        boolean rewritten = compact(adaptiveBudget);
        long took = nanoTime.getAsLong() - start;
        if (took > ROUND_TARGET_NANOS) {
            adaptiveBudget = Math.max(MIN_WRITE_BUDGET_BYTES, adaptiveBudget / 2);
        } else if (rewritten && took < ROUND_TARGET_NANOS / 2) {
            adaptiveBudget = Math.min(writeBudgetBytes, adaptiveBudget * 2);
        }
        long wait = rewritten ? MIN_ROUND_INTERVAL_NANOS : idleWait;
        idleWait = rewritten ? MIN_ROUND_INTERVAL_NANOS : Math.min(MAX_IDLE_INTERVAL_NANOS, idleWait * 2);
        nextRoundAt = nanoTime.getAsLong() + Math.max(wait, PAUSE_FACTOR * took);
        return rewritten;
    }

    /** The budget the next scheduled round will use (tests, metrics). */
    int adaptiveBudget() {
        return adaptiveBudget;
    }

    /** One round with the full budget, now; false when the chunks were already full enough (or the store is not reachable). */
    boolean compactOnce() {
        return compact(writeBudgetBytes);
    }

    private boolean compact(int budget) {
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            MVStore store = mvStore(c);
            if (store == null || store.getFileStore() == null || store.getFileStore().size() < minFileBytes
                    || store.getFileStore().getChunksFillRate() >= TARGET_FILL_RATE) {
                return false;
            }
            int before = store.getFileStore().getChunksFillRate();
            boolean rewritten = store.compact(TARGET_FILL_RATE, budget);
            if (rewritten) {
                store.commit();
            }
            LOG.debug("h2_compaction fill_before={} fill_after={} rewritten={} budget={} ms={}", before,
                    store.getFileStore().getChunksFillRate(), rewritten, budget, (System.nanoTime() - start) / 1_000_000);
            return rewritten;
        } catch (SQLException | RuntimeException e) {
            LOG.warn("h2_compaction_failed reason={}", e.toString());
            return false;
        } finally {
            timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /** Fill rate of the live chunks in percent (what {@link #compactOnce} raises), -1 if unknown. */
    int chunksFillRate() {
        try (Connection c = dataSource.getConnection()) {
            MVStore store = mvStore(c);
            return store == null || store.getFileStore() == null ? -1 : store.getFileStore().getChunksFillRate();
        } catch (SQLException | RuntimeException e) {
            return -1;
        }
    }

    private static MVStore mvStore(Connection c) throws SQLException {
        JdbcConnection h2 = c.unwrap(JdbcConnection.class);
        return h2.getSession() instanceof SessionLocal local ? local.getDatabase().getStore().getMvStore() : null;
    }
}
