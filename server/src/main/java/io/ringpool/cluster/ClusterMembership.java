package io.ringpool.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's membership of the nodes sharing one store, and the ending of a lost node's leases.
 *
 * <p>Every {@code beatMillis} the node writes {@code cluster_nodes.seen_at} = the database's own
 * time. A node whose beat is older than {@code TTL + RENEW_WINDOW_BEATS beats + SKEW_MARGIN} (database
 * time) is gone for the leases of a site with that lease TTL: any node then ends that node's live
 * leases of the site whose stored expiry has passed, and raises their fencing epoch in the same
 * statement, so the lost node's later writes of them are refused. The TTL is each site's own, so
 * one tenant's long TTL does not keep a lost node's numbers of every other site out of use (audit
 * AE3 #1: a site with a one-hour TTL held every site's reclaim back an hour).
 *
 * <p>Why this never ends a lease whose holder was told it still holds it: a node renews only
 * while its last committed beat is younger than W = {@link #RENEW_WINDOW_BEATS} beats (it refuses
 * with 503 otherwise). A renewal answered at time r promises r + TTL, and the node beat at some
 * b ≥ r − W. The reaper ends only when seen_at &lt; now − TTL − W − margin, that is, when
 * b &lt; now − TTL − W − margin, so r + TTL ≤ b + W + TTL &lt; now − margin: every
 * promise has run out (given node clocks within the margin of the database's). Intent holds are
 * written at once, so "stored expiry has passed" covers them. A site whose TTL was shortened
 * while the node was silent may see its leases ended up to the difference early: the promise
 * was made under the longer TTL (docs/scaling.md says so).
 */
public final class ClusterMembership {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMembership.class);

    /** How far a node's clock may be from the database's without breaking the argument above, ms. */
    static final long SKEW_MARGIN_MILLIS = 5_000;
    /**
     * A node renews leases only while its last committed beat is younger than this many beats;
     * three, not one, so a beat delayed by a GC pause or a busy database does not turn visitors'
     * heartbeats into 503s.
     */
    static final int RENEW_WINDOW_BEATS = 3;

    /** How long one reclaim waits for a row lock before giving the round up, ms (PostgreSQL). */
    static final long RECLAIM_LOCK_WAIT_MILLIS = 2_000;

    private final Database db;
    private final String nodeId;
    private final long beatMillis;
    private final LongSupplier longestTtlMillis;
    private final ToLongFunction<String> siteTtlMillis;
    /** Told of each number this node's reclaim freed, with the site: this node may lease it at once. */
    private volatile BiConsumer<String, String> numberReclaimed = (siteId, number) -> { };
    private final AtomicLong lastBeatNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong clockOffsetMillis = new AtomicLong();
    private final Counter reaped;

    /**
     * @param longestTtlMillis the longest lease TTL of any site (for a site this node does not know)
     * @param siteTtlMillis    a site's lease TTL, or a negative number when this node does not know the site
     */
    public ClusterMembership(Database db, String nodeId, long beatMillis, LongSupplier longestTtlMillis,
            ToLongFunction<String> siteTtlMillis, MeterRegistry registry) {
        this.db = db;
        this.nodeId = nodeId;
        this.beatMillis = beatMillis;
        this.longestTtlMillis = longestTtlMillis;
        this.siteTtlMillis = siteTtlMillis;
        this.reaped = Counter.builder("ringpool.cluster.leases.reclaimed")
                .description("live leases of a node gone silent that this node ended").register(registry);
        registry.gauge("ringpool.cluster.clock.offset.millis", clockOffsetMillis, AtomicLong::get);
    }

    /**
     * {@code listener} learns each number a reclaim by this node freed (site id, number). The node
     * had kept such a number out of its own choices for a TTL when the store refused it (held by
     * the node now lost), and went on answering {@code pool_exhausted} while the pool read it free
     * (audit AE3 #5).
     */
    public void onReclaimed(BiConsumer<String, String> listener) {
        this.numberReclaimed = listener;
    }

    public String nodeId() {
        return nodeId;
    }

    /** Records that this node is alive (database time); also at start, before it serves. */
    public void beat(long nodeClockMillis) {
        String now = db.dialect().nowMillis();
        long dbNow = db.inTransaction(c -> {
            int updated;
            try (PreparedStatement ps = c.prepareStatement("UPDATE cluster_nodes SET seen_at = " + now + " WHERE node_id = ?")) {
                ps.setString(1, nodeId);
                updated = ps.executeUpdate();
            }
            if (updated == 0) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO cluster_nodes(node_id, started_at, seen_at) VALUES (?, " + now + ", " + now + ")")) {
                    ps.setString(1, nodeId);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT seen_at FROM cluster_nodes WHERE node_id = ?")) {
                ps.setString(1, nodeId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
        lastBeatNanos.set(System.nanoTime());
        long offset = dbNow - nodeClockMillis;
        clockOffsetMillis.set(offset);
        if (Math.abs(offset) > SKEW_MARGIN_MILLIS / 2) {
            LOG.warn("cluster_clock_skew node={} offset_ms={}", nodeId, offset);
        }
    }

    /** True while this node's last committed beat is recent enough that nobody may end its leases. */
    public boolean mayRenew() {
        long last = lastBeatNanos.get();
        return last != Long.MIN_VALUE && System.nanoTime() - last < RENEW_WINDOW_BEATS * beatMillis * 1_000_000L;
    }

    /** How long a node may be silent before its expired leases of a site with this lease TTL are ended by the others, ms. */
    long staleAfterMillis(long ttlMillis) {
        return ttlMillis + RENEW_WINDOW_BEATS * beatMillis + SKEW_MARGIN_MILLIS;
    }

    private long ttlOf(String siteId) {
        long ttl = siteTtlMillis.applyAsLong(siteId);
        return ttl >= 0 ? ttl : longestTtlMillis.getAsLong();
    }

    private record Silent(String nodeId, long silentForMillis) {}

    /** Ends the expired leases of nodes gone silent, each site's after its own TTL; returns how many. */
    public int reclaimFromSilentNodes() {
        String now = db.dialect().nowMillis();
        long shortest = staleAfterMillis(0);
        List<Silent> silent = db.read(c -> {
            List<Silent> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT node_id, " + now + " - seen_at FROM cluster_nodes WHERE node_id <> ? AND seen_at < " + now + " - ?")) {
                ps.setString(1, nodeId);
                ps.setLong(2, shortest);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Silent(rs.getString(1), rs.getLong(2)));
                    }
                }
            }
            return out;
        });
        int total = 0;
        for (Silent node : silent) {
            List<String> sites = db.read(c -> {
                List<String> out = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT DISTINCT site_id FROM sessions WHERE owner_node = ? AND live_number IS NOT NULL")) {
                    ps.setString(1, node.nodeId());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(rs.getString(1));
                        }
                    }
                }
                return out;
            });
            int ended = 0;
            for (String siteId : sites) {
                long stale = staleAfterMillis(ttlOf(siteId));
                if (node.silentForMillis() > stale) {
                    ended += reclaim(node.nodeId(), siteId, stale, now);
                }
            }
            forgetIfEmpty(node.nodeId(), shortest, now);
            if (ended > 0) {
                reaped.increment(ended);
                LOG.info("cluster_leases_reclaimed from_node={} leases={}", node.nodeId(), ended);
            }
            total += ended;
        }
        return total;
    }

    /** Ends the node's expired live leases of one site, if the node is still silent for longer than {@code stale}. */
    private int reclaim(String node, String siteId, long stale, String now) {
        Reclaimed reclaimed = db.inTransaction(c -> {
            if (!db.isH2()) {
                // A row the lost node still locks (its transaction not yet ended by PostgreSQL's
                // idle limit) fails this round rather than holding this thread; the next round retries.
                try (var s = c.createStatement()) {
                    s.execute("SET LOCAL lock_timeout = " + RECLAIM_LOCK_WAIT_MILLIS);
                }
            }
            // The silence is checked again inside the statement: a node that beat since the
            // read above keeps its leases. The rows are locked first, so the numbers read are the ones ended.
            String which = " WHERE owner_node = ? AND site_id = ? AND live_number IS NOT NULL AND lease_expires_at < " + now
                    + " AND EXISTS (SELECT 1 FROM cluster_nodes n WHERE n.node_id = ? AND n.seen_at < " + now + " - ?)";
            List<String> numbers = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT live_number FROM sessions" + which + " FOR UPDATE")) {
                bind(ps, node, siteId, stale);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        numbers.add(rs.getString(1));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET live_number = NULL, live_visitor = NULL, ended_at = " + now
                    + ", lease_expires_at = " + now + ", end_reason = 'node_lost', lease_epoch = lease_epoch + 1" + which)) {
                bind(ps, node, siteId, stale);
                int ended = ps.executeUpdate();
                // Fewer when the node beat in between (its rows were locked, its beat was not): then
                // which numbers it kept is unknown here, and none is announced; the store still arbitrates.
                return new Reclaimed(ended, ended == numbers.size() ? numbers : List.of());
            }
        });
        reclaimed.numbers().forEach(number -> numberReclaimed.accept(siteId, number));
        return reclaimed.ended();
    }

    private record Reclaimed(int ended, List<String> numbers) {}

    private static void bind(PreparedStatement ps, String node, String siteId, long stale) throws SQLException {
        ps.setString(1, node);
        ps.setString(2, siteId);
        ps.setString(3, node);
        ps.setLong(4, stale);
    }

    /** Forgets a silent node once it holds nothing, so it is not scanned for again; if it was only paused, its next beat brings its row back. */
    private void forgetIfEmpty(String node, long stale, String now) {
        db.inTransaction(c -> {
            try (PreparedStatement forget = c.prepareStatement("DELETE FROM cluster_nodes WHERE node_id = ? AND seen_at < "
                    + now + " - ? AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.owner_node = ? AND s.live_number IS NOT NULL)")) {
                forget.setString(1, node);
                forget.setLong(2, stale);
                forget.setString(3, node);
                return forget.executeUpdate();
            }
        });
    }
}
