package io.ringpool.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.store.ChangeLog;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the change log the moment another node commits a change, through PostgreSQL's
 * LISTEN/NOTIFY: {@link ChangeLog#record} notifies channel {@value ChangeLog#CHANNEL}
 * inside the change's own transaction, and PostgreSQL delivers the notification when, and only
 * if, that transaction commits. A pool, a number, a setting or a key changed through one node is
 * then in every node's memory tens of milliseconds later, not at the next poll.
 *
 * <p>A notification carries nothing but "read the log now": what changed is still read from
 * {@code cluster_changes} by {@link ChangeFollower#poll}, so a lost, doubled or late notification
 * cannot make a node hold anything the log does not say. The scheduled poll stays as it was: it is
 * the bound while this connection is down.
 *
 * <p>One connection of its own, outside the pool, held for the node's life (a pooled one would be
 * taken from requests and recycled by the pool). Lost, it is opened again with back-off, and the
 * log is read once on every (re)connect, for what was committed while nobody listened.
 */
public final class ChangeNotifications implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeNotifications.class);

    /** Longest wait for a notification before the loop checks whether it should stop, ms. */
    static final int WAIT_MILLIS = 500;
    /** How often an idle listening connection is checked: a silently dead socket delivers nothing and raises nothing. */
    static final long CHECK_EVERY_MILLIS = 15_000;
    static final long FIRST_BACKOFF_MILLIS = 100;
    static final long MAX_BACKOFF_MILLIS = 5_000;

    /** Opens the dedicated connection (PostgreSQL). */
    @FunctionalInterface
    public interface Opener {
        Connection open() throws SQLException;
    }

    private final Opener opener;
    private final Runnable readChanges;
    private final Counter notifications;
    private final AtomicBoolean listening = new AtomicBoolean();
    private volatile boolean closed;
    private volatile Connection current;
    private Thread thread;

    /**
     * @param readChanges one read of the change log ({@link ChangeFollower#poll}); it must not throw
     */
    public ChangeNotifications(Opener opener, Runnable readChanges, MeterRegistry meters) {
        this.opener = opener;
        this.readChanges = readChanges;
        this.notifications = Counter.builder("ringpool_cluster_notifications")
                .description("Change notifications received from other nodes (each makes this node read the change log at once)")
                .register(meters);
        Gauge.builder("ringpool_cluster_listening", listening, l -> l.get() ? 1 : 0)
                .description("1 while this node listens for other nodes' changes; 0: changes arrive by the poll only")
                .register(meters);
    }

    /** Whether the listening connection is open now (the {@code ringpool_cluster_listening} gauge). */
    public boolean isListening() {
        return listening.get();
    }

    public synchronized void start() {
        if (thread == null) {
            thread = Thread.ofPlatform().name("ringpool-cluster-listen").daemon(true).start(this::run);
        }
    }

    private void run() {
        long backoff = FIRST_BACKOFF_MILLIS;
        boolean lost = false;
        while (!closed) {
            try (Connection c = opener.open()) {
                current = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + ChangeLog.CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                listening.set(true);
                if (lost) {
                    LOG.info("cluster_listen_restored");
                    lost = false;
                }
                backoff = FIRST_BACKOFF_MILLIS;
                readChanges.run();
                listen(c, pg);
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                if (!lost) {
                    LOG.warn("cluster_listen_lost error={} (other nodes' changes arrive by the poll until it is back)",
                            io.ringpool.failure.FailureLog.reason(e));
                    lost = true;
                }
            } finally {
                current = null;
                listening.set(false);
            }
            if (!closed) {
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }

    private void listen(Connection c, PGConnection pg) throws SQLException {
        long lastCheck = System.nanoTime();
        while (!closed) {
            PGNotification[] got = pg.getNotifications(WAIT_MILLIS);
            if (got != null && got.length > 0) {
                notifications.increment(got.length);
                readChanges.run();
            }
            if (System.nanoTime() - lastCheck > TimeUnit.MILLISECONDS.toNanos(CHECK_EVERY_MILLIS)) {
                if (!c.isValid(2)) {
                    throw new SQLException("the listening connection stopped answering");
                }
                lastCheck = System.nanoTime();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops listening; the connection is closed, which also ends a wait under way. */
    @Override
    public void close() {
        closed = true;
        Connection c = current;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException ignored) {
                // closing anyway
            }
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(3));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
