package io.ringpool.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.datadir.OwnerOnly;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/** The connection pool over H2 (file mode) or PostgreSQL, with helpers for short transactions. */
public final class Database implements AutoCloseable {

    /** A unit of JDBC work that returns a value. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Database.class);

    private final ReplaceablePool pool;
    private final MeterRegistry registry;
    /** The pool as every component sees it: refused at once while the store is known down. */
    private final DataSource dataSource;
    /** The pool (through the tests' boundary) as the probe sees it: always asked. */
    private final DataSource probed;
    private volatile BooleanSupplier knownDown = () -> false;
    private final boolean h2;
    private final RingpoolConfig.Store config;
    private final Dialect dialect;
    private final Path h2File;
    private final H2Compactor compactor;
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
    /** The group-commit writers on this database: what they hold uncommitted (see {@link #oldestUncommittedSince}). */
    private final java.util.List<GroupCommitWriter> writers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Set when a check met H2's "database has been closed" (see {@link #reopenIfH2StoreClosed}). */
    private volatile boolean h2StoreClosed;
    /** When the last reopen was tried ({@link System#nanoTime}); 0 before the first. */
    private long reopenTriedNanos;
    /** The store's size in bytes as {@link StoreProbe} last read it; -1 until then. */
    private volatile long lastSizeBytes = -1;

    /** Most live bytes one round of H2 compaction may rewrite (rounds run between group commits, their budget adapted to their length; see H2Compactor). */
    static final int COMPACTION_WRITE_BUDGET_BYTES = 2 << 20;
    /** Files smaller than this are left alone (their dead space does not matter). */
    static final long COMPACTION_MIN_FILE_BYTES = 32L << 20;
    /**
     * Free bytes the H2 file's disk needs before a closed store is reopened: room for many commits
     * (a chunk is a few KB) and H2's rewrite of its header, so that a store reopened on a disk still
     * full does not close again at the first write.
     */
    static final long REOPEN_MIN_FREE_BYTES = 8L << 20;
    /** Least time between two tries to reopen a closed H2 store, ms: each scans the whole file. */
    static final long REOPEN_INTERVAL_MILLIS = 2_000;

    /**
     * How long PostgreSQL lets one of this node's transactions sit open with nothing sent, ms. Our
     * transactions send their statements back to back; one left open means the node stopped in the
     * middle (SIGSTOP, a long pause, a host lost with its TCP connection still open), and its row
     * locks would hold up every node: the others' reclaim of its leases, their inserts of the
     * numbers it was writing. PostgreSQL ends such a transaction after this long, and its locks
     * with it, well inside the silent-node rule (TTL, at least 15 s, plus beats, plus 5 s).
     * Streaming reads, which wait on their HTTP client between rows and lock nothing, lift it (see
     * {@link #readStreaming}).
     */
    public static final long POSTGRES_IDLE_IN_TRANSACTION_MILLIS = 5_000;

    /** What every PostgreSQL connection of the pool is set to when it is opened. */
    public static final String POSTGRES_SESSION_SETTINGS = "SET idle_in_transaction_session_timeout = "
            + POSTGRES_IDLE_IN_TRANSACTION_MILLIS;

    public Database(RingpoolConfig.Store config, MeterRegistry registry) {
        this(config, registry, UnaryOperator.identity());
    }

    /**
     * @param boundary wraps the pool as every component sees it; tests pass one they can make fail
     *                 or slow, to prove what depends on the store and what does not
     */
    public Database(RingpoolConfig.Store config, MeterRegistry registry, UnaryOperator<DataSource> boundary) {
        this.h2 = config.isH2();
        this.config = config;
        this.dialect = h2 ? Dialect.H2 : Dialect.POSTGRESQL;
        if (h2) {
            try {
                OwnerOnly.createDirectories(config.dataDir());
            } catch (IOException e) {
                throw new StoreException("cannot create data directory " + config.dataDir(), e);
            }
            // before H2 opens the file: its quick recovery after a kill -9 can miss the newest commits
            H2CrashRecovery.recoverIfUnclean(config.url());
        }
        this.registry = registry;
        try {
            this.pool = new ReplaceablePool(openPool(10_000));
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the database at " + maskUrl(config.url()) + ": "
                    + withoutPassword(rootMessage(e), config.url()), e);
        }
        this.probed = boundary.apply(pool);
        this.dataSource = new FailFastDataSource(probed, () -> knownDown.getAsBoolean());
        this.h2File = h2 ? h2File(config.url()) : null;
        this.compactor = h2 ? new H2Compactor(pool, COMPACTION_WRITE_BUDGET_BYTES, COMPACTION_MIN_FILE_BYTES, registry) : null;
        // A scrape reads the size kept by StoreProbe on PostgreSQL: a query there would make /metrics wait for the store.
        io.micrometer.core.instrument.Gauge.builder("ringpool.store.size", this, db -> db.h2 ? db.sizeBytes() : db.lastSizeBytes)
                .baseUnit("bytes").description("bytes the store takes on disk: the H2 file, or the PostgreSQL database").register(registry);
    }

    /** @param initializationFailMillis how long the first connection may take to come before the pool refuses to open */
    private HikariDataSource openPool(long initializationFailMillis) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("ringpool-db");
        hikari.setJdbcUrl(config.url());
        if (!config.user().isEmpty()) {
            hikari.setUsername(config.user());
        }
        if (!config.password().isEmpty()) {
            hikari.setPassword(config.password());
        }
        hikari.setMaximumPoolSize(config.maxConnections());
        hikari.setMinimumIdle(Math.min(4, config.maxConnections()));
        // A request waits at most this long for a connection, then the caller answers 503.
        hikari.setConnectionTimeout(3_000);
        hikari.setValidationTimeout(1_000);
        hikari.setInitializationFailTimeout(initializationFailMillis);
        hikari.setAutoCommit(true);
        if (!h2) {
            hikari.setConnectionInitSql(POSTGRES_SESSION_SETTINGS);
        }
        hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        return new HikariDataSource(hikari);
    }

    /**
     * A PostgreSQL connection outside the pool, for a holder that keeps it for the node's life
     * (LISTEN): the pool would hand it to requests, and retire it after its maximum lifetime.
     * Named {@code applicationName} in {@code pg_stat_activity}.
     */
    public Connection openOwnConnection(String applicationName) throws SQLException {
        if (h2) {
            throw new IllegalStateException("an own connection is for PostgreSQL; H2 serves one node");
        }
        Properties properties = new Properties();
        if (!config.user().isEmpty()) {
            properties.setProperty("user", config.user());
        }
        if (!config.password().isEmpty()) {
            properties.setProperty("password", config.password());
        }
        properties.setProperty("ApplicationName", applicationName);
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "5");
        // The driver itself, not DriverManager: the shaded jar's service file names one driver only.
        Connection c = new org.postgresql.Driver().connect(config.url(), properties);
        if (c == null) {
            throw new SQLException("not a PostgreSQL URL: " + maskUrl(config.url()));
        }
        return c;
    }

    /** The MVStore file of an H2 file URL ({@code jdbc:h2:file:PATH;…} or {@code jdbc:h2:PATH}), else null. */
    static Path h2File(String url) {
        String rest = url.substring("jdbc:h2:".length());
        int semicolon = rest.indexOf(';');
        if (semicolon >= 0) {
            rest = rest.substring(0, semicolon);
        }
        if (rest.startsWith("file:")) {
            rest = rest.substring("file:".length());
        } else if (rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:")) {
            return null;
        }
        return Path.of(rest + ".mv.db");
    }

    /**
     * Bytes the store takes on disk, -1 when unknown. For H2 the file (free space inside it
     * included: that is what the disk holds); for PostgreSQL the database with its indexes and
     * TOAST, as {@code pg_database_size} counts it.
     */
    public long sizeBytes() {
        try {
            if (h2) {
                return h2File == null ? -1 : Files.size(h2File);
            }
            return read(c -> {
                try (var s = c.createStatement(); var rs = s.executeQuery("SELECT pg_database_size(current_database())")) {
                    return rs.next() ? rs.getLong(1) : -1L;
                }
            });
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Reads the store's size again for {@code ringpool_store_size_bytes} (see {@link StoreProbe}); -1 until read. */
    void refreshSizeBytes() {
        lastSizeBytes = sizeBytes();
    }

    /**
     * From now on, while {@code down} says so (the store's last probe failed), every connection
     * asked for is refused at once ({@link FailFastDataSource}); {@link #isHealthy} still asks.
     */
    public void failFastWhile(BooleanSupplier down) {
        this.knownDown = down;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Connections the pool may still open: its maximum less those it holds now (in use or idle). */
    public int poolConnectionsNotOpen() {
        var bean = pool.poolBean();
        return bean == null ? config.maxConnections() : Math.max(0, config.maxConnections() - bean.getTotalConnections());
    }

    public boolean isH2() {
        return h2;
    }

    /** The SQL differences of this database, for the stores that need them. */
    public Dialect dialect() {
        return dialect;
    }

    /**
     * Transactions this process has ended (committed or not), the group-commit writer's batches
     * included; counted after the commit, so a reader that saw the count unchanged since it last
     * read knows nothing this process wrote since is missing from what it read. Only meaningful
     * where this process is the store's one writer (H2).
     */
    public long writes() {
        return writes.get();
    }

    /**
     * Wall-clock millis when the oldest write this process's group-commit writers hold uncommitted
     * was submitted; Long.MAX_VALUE when they hold none. Writes made through
     * {@link #inTransaction} are not counted: they are not queued, and none of them inserts a visit.
     */
    public long oldestUncommittedSince() {
        long oldest = Long.MAX_VALUE;
        for (GroupCommitWriter w : writers) {
            oldest = Math.min(oldest, w.oldestUncommittedSince());
        }
        return oldest;
    }

    void addWriter(GroupCommitWriter writer) {
        writers.add(writer);
    }

    /** A write transaction of this process has ended (see {@link #writes}). */
    public void noteWrite() {
        writes.incrementAndGet();
    }

    /** Runs {@code work} in one transaction on a pooled connection; any SQL failure rolls back. */
    public <T> T inTransaction(Work<T> work) {
        try {
            return transaction(work);
        } finally {
            noteWrite();
        }
    }

    private <T> T transaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            if (ConstraintViolationException.isConstraintViolation(e)) {
                throw new ConstraintViolationException(e.getMessage(), e);
            }
            throw new StoreException("database operation failed", e);
        }
    }

    /** Runs read-only {@code work} with auto-commit. */
    public <T> T read(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException("database read failed", e);
        }
    }

    /**
     * Runs read-only {@code work} whose result sets are read through a cursor, {@code fetchSize}
     * rows at a time, however many rows they hold (exports of millions of calls). PostgreSQL's
     * driver honours the fetch size only inside a transaction (with auto-commit it loads the whole
     * result first), so the work runs in one, rolled back at the end. H2 embedded builds a query's
     * whole result before the first row unless lazy execution is on for the session; with it, a
     * query that reads an index in its ORDER BY order hands rows over as it walks the index.
     */
    public <T> T readStreaming(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (var s = c.createStatement()) {
                // PostgreSQL: a slow download keeps this read's transaction open between rows; it locks nothing.
                s.execute(h2 ? "SET LAZY_QUERY_EXECUTION TRUE" : "SET LOCAL idle_in_transaction_session_timeout = 0");
            }
            try {
                return work.run(c);
            } finally {
                rollbackQuietly(c);
                try {
                    if (h2) {
                        try (var s = c.createStatement()) {
                            s.execute("SET LAZY_QUERY_EXECUTION FALSE");
                        }
                    }
                    c.setAutoCommit(true);
                } catch (SQLException e) {
                    // the pool resets auto-commit itself on return; a connection that cannot is evicted by it
                }
            }
        } catch (SQLException e) {
            throw new StoreException("database read failed", e);
        }
    }

    /**
     * Refreshes H2's table statistics. H2 caches each statement's plan per connection by its text,
     * and a plan made while a table was empty keeps scanning the wrong index as the table grows
     * (measured: 1.2 ms instead of 38 µs per caller lookup at 1,900 calls) until statistics change.
     * H2 re-analyzes on its own only after thousands of changes; doing it on a timer bounds how
     * long a stale plan can live. PostgreSQL keeps its own statistics (autovacuum).
     */
    public void refreshStatistics() {
        if (!h2) {
            return;
        }
        try (Connection c = dataSource.getConnection(); var s = c.createStatement()) {
            s.execute("ANALYZE");
        } catch (SQLException | RuntimeException e) {
            // statistics are an optimisation; the next round tries again
        }
    }

    /**
     * One round of background compaction of the H2 file (see {@link H2Compactor}); nothing on
     * PostgreSQL, whose autovacuum makes dead rows' space reusable. Returns whether pages were moved.
     */
    public boolean compactRound() {
        return compactor != null && compactor.compactWhenDue();
    }

    /**
     * True when a connection comes and answers a trivial query within a second. Waits up to the
     * pool's connection timeout (3 s) when the store is unreachable: ask {@link StoreProbe}, which
     * calls this off every request's path. On H2 the query is run, not just the connection's
     * validity asked: after H2 closed its store on an I/O error (a full disk) every pooled
     * connection still calls itself valid and {@code /health} said {@code up} while every write
     * and read failed (audit AI3 F7); {@code SELECT 1} meets the closed database.
     */
    public boolean isHealthy() {
        try (Connection c = probed.getConnection()) {
            if (!h2) {
                return c.isValid(1);
            }
            try (var s = c.createStatement()) {
                s.execute("SELECT 1");
            }
            return true;
        } catch (SQLException e) {
            if (h2 && e.getErrorCode() == org.h2.api.ErrorCode.DATABASE_IS_CLOSED) {
                h2StoreClosed = true;
            }
            return false;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Reopens an H2 store that H2 closed under the running node, once its disk has room again; true
     * when it did. H2 closes its store for good on an I/O error while writing (a full disk): every
     * statement then fails ("database has been closed") until the pool's connections, all sessions
     * of that closed database, are replaced. Replacing them reopens the file as a start does: the
     * pool closed, {@link H2CrashRecovery}'s full scan (H2 did not close the file cleanly, and its
     * quick recovery can miss the newest commits), a new pool. Nothing acknowledged is lost: with
     * {@code WRITE_DELAY=0} a write is answered only after H2 wrote its commit into the file, and a
     * commit whose write failed was answered 503. The call journal delivers what it kept as soon as
     * the store takes writes again, as after any outage. Called by {@link StoreProbe} after a failed
     * probe; tried at most every {@link #REOPEN_INTERVAL_MILLIS}. Alternative considered: exit and
     * let a supervisor restart the node; that drops the live sessions' heartbeats for the restart
     * and needs a supervisor, while reopening in place is what a restart does to the store anyway.
     */
    boolean reopenIfH2StoreClosed() {
        if (!h2StoreClosed) {
            return false;
        }
        long now = System.nanoTime();
        if (reopenTriedNanos != 0 && now - reopenTriedNanos < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(REOPEN_INTERVAL_MILLIS)) {
            return false;
        }
        reopenTriedNanos = now;
        long free = usableBytesBesideH2File();
        if (free >= 0 && free < REOPEN_MIN_FREE_BYTES) {
            LOG.warn("h2_store_closed reason=disk_full free_bytes={} reopen_when_free_bytes={}", free, REOPEN_MIN_FREE_BYTES);
            return false;
        }
        try {
            pool.replace(() -> {
                H2CrashRecovery.recoverIfUnclean(config.url());
                return openPool(1);
            });
        } catch (RuntimeException e) {
            LOG.warn("h2_store_not_reopened reason={}", rootMessage(e));
            return false;
        }
        h2StoreClosed = false;
        LOG.warn("h2_store_reopened free_bytes={}", free);
        return true;
    }

    /** Usable bytes on the disk of the H2 file, -1 when unknown. */
    private long usableBytesBesideH2File() {
        Path dir = h2File != null && h2File.toAbsolutePath().getParent() != null ? h2File.toAbsolutePath().getParent() : config.dataDir();
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; Hikari will evict it
        }
    }

    static String maskUrl(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1***").replaceAll("(//[^/:@]*:)[^/@]*@", "$1***@");
    }

    /**
     * {@code text} (a driver's message, which may quote the URL or the part of it it could not
     * read) without the URL's password, in either form ({@code password=…}, {@code //user:pass@}).
     */
    static String withoutPassword(String text, String url) {
        if (text == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)password=([^;&]+)|//[^/:@]*:([^/@]+)@").matcher(url);
        String out = text;
        while (m.find()) {
            String secret = m.group(1) != null ? m.group(1) : m.group(2);
            out = out.replace(secret, "***");
        }
        return out;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    /**
     * Closes every pooled connection. On H2 the last connection closing closes the database file
     * cleanly (DB_CLOSE_DELAY is 0). An explicit {@code SHUTDOWN} through a pooled connection used
     * to leave a "Database is already closed" stack trace in {@code ringpool.trace.db} on every
     * clean stop, when the pool then reset that connection.
     */
    @Override
    public void close() {
        pool.close();
    }
}
