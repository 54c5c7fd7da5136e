package io.ringpool.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.store.Database;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the shared PostgreSQL server still has a connection slot for every connection this node
 * may yet open: its pool grows on demand up to {@code store.maxConnections}, and the listening
 * connection of {@link ChangeNotifications} is reopened after a loss. A node that finds PostgreSQL
 * full learns it only under load, when a request waits for a connection and is answered 503, or
 * when it stops hearing other nodes' changes; this check says so while there is still time to
 * raise {@code max_connections} or lower the pools (docs/scaling.md gives the sizing rule).
 *
 * <p>Free slots are what a non-superuser role can still take: {@code max_connections} less the
 * slots reserved for superusers (and, from PostgreSQL 16, {@code reserved_connections}) less the
 * client backends connected now, as {@code pg_stat_activity} lists them (to every role, without
 * the other roles' query text). Other clients of the same server count too: they take the same
 * slots.
 */
public final class ConnectionHeadroom {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHeadroom.class);

    static final String FREE_SLOTS = "SELECT current_setting('max_connections')::int"
            + " - current_setting('superuser_reserved_connections')::int"
            + " - COALESCE(NULLIF(current_setting('reserved_connections', true), '')::int, 0)"
            + " - (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend')";

    private final Database db;
    private final IntSupplier mayStillOpen;
    /** -1 until the first check succeeds. */
    private final AtomicInteger free = new AtomicInteger(-1);
    private final AtomicBoolean shortOfSlots = new AtomicBoolean();

    /**
     * @param mayStillOpen connections this node may still open (pool and listener); read at each check
     */
    public ConnectionHeadroom(Database db, IntSupplier mayStillOpen, MeterRegistry meters) {
        this.db = db;
        this.mayStillOpen = mayStillOpen;
        Gauge.builder("ringpool_store_connections_free", free, AtomicInteger::get)
                .description("PostgreSQL connection slots still free for non-superusers, all clients counted (-1: not read yet)")
                .register(meters);
        Gauge.builder("ringpool_store_connections_short", shortOfSlots, s -> s.get() ? 1 : 0)
                .description("1 when PostgreSQL has fewer free slots than this node's pool and listener may still open")
                .register(meters);
    }

    /** One check; logs {@code store_connections_short} when the node becomes short, and when it no longer is. */
    public void check() {
        // Below zero when superusers hold reserved slots beyond the others': nothing is free then.
        int slots = db.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(FREE_SLOTS)) {
                rs.next();
                return rs.getInt(1);
            }
        });
        free.set(Math.max(0, slots));
        int wanted = mayStillOpen.getAsInt();
        boolean isShort = slots < wanted;
        if (shortOfSlots.getAndSet(isShort) != isShort) {
            if (isShort) {
                LOG.warn("store_connections_short free_slots={} this_node_may_open={} (raise max_connections or lower "
                        + "store.maxConnections on the nodes: docs/scaling.md, sizing rule)", slots, wanted);
            } else {
                LOG.info("store_connections_enough free_slots={} this_node_may_open={}", slots, wanted);
            }
        }
    }

    /** Whether the last check found fewer free slots than this node may still open. */
    public boolean isShort() {
        return shortOfSlots.get();
    }

    /** Free slots at the last check; -1 before the first. */
    public int freeSlots() {
        return free.get();
    }
}
