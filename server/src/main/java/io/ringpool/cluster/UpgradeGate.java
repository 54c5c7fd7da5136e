package io.ringpool.cluster;

import io.ringpool.store.Database;
import io.ringpool.store.Migrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keeps a node of a newer Ringpool from migrating a shared store while nodes of the older one
 * still run on it (audit AC3 #2). They would go on writing rows as their version knows them under
 * a schema that expects more (a site created by an old node after the migration lacked
 * {@code forward_to}, so the check that a number is not where another site forwards its calls
 * was blind for it for good), and nothing said so.
 *
 * <p>Only a start that has scripts to apply is held: once one node of the new version has migrated,
 * the others join the running cluster as usual. A node counts as running while its beat
 * ({@code cluster_nodes.seen_at}, database time) is younger than {@link ClusterMembership#RENEW_WINDOW_BEATS}
 * beats plus {@link ClusterMembership#SKEW_MARGIN_MILLIS}: the longest a running node goes
 * without a beat before it stops renewing. So nodes stopped just before (or killed) are waited
 * for, at most that long, and a start finding nodes that still beat after it is refused.
 */
public final class UpgradeGate {
    /** Read once: the jar's scripts do not change while it runs. */
    private static volatile Set<Integer> jarVersions;

    /** Nodes of this store still run, and this start would change the schema under them. */
    public static final class NodesStillRunning extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NodesStillRunning(String message) {
            super(message, null, false, false);
        }
    }

    /** A node seen beating, and how long ago (database time). */
    record Running(String nodeId, long secondsAgo) {}

    private UpgradeGate() {}

    /**
     * Returns when this start may migrate: nothing to migrate, or no other node running.
     *
     * @param nodeId     this node's id (its own row, left by its previous run, does not count)
     * @param beatMillis {@code cluster.nodeBeatMillis}
     * @throws NodesStillRunning when other nodes still beat after waiting as long as a stopped node's row takes to age
     */
    public static void awaitOtherNodesStopped(Database db, String nodeId, long beatMillis) {
        Set<Integer> pending = pendingVersions(db);
        if (pending.isEmpty()) {
            return;
        }
        long window = runningWindowMillis(beatMillis);
        long deadline = System.nanoTime() + (window + beatMillis) * 1_000_000L;
        List<Running> running = running(db, nodeId, window);
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(beatMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            running = running(db, nodeId, window);
        }
        if (!running.isEmpty()) {
            throw new NodesStillRunning("this Ringpool would migrate the shared database (schema "
                    + appliedNewest(db) + " to " + knownNewest()
                    + ") while other nodes still run on it: " + describe(running)
                    + "; stop every node, then start one node of this version (it migrates), then the others "
                    + "(README, \"Upgrading\")");
        }
    }

    /**
     * The newest script applied to the store when it is newer than any this jar knows (another
     * node of a newer version migrated it while this one ran), else empty.
     */
    public static java.util.OptionalInt newerSchema(Database db) {
        int known = knownNewest();
        int stored = appliedNewest(db);
        return stored > known ? java.util.OptionalInt.of(stored) : java.util.OptionalInt.empty();
    }

    /** The newest script this jar knows. */
    public static int knownNewest() {
        return knownVersions().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** How long a running node may go without a beat, ms. */
    static long runningWindowMillis(long beatMillis) {
        return ClusterMembership.RENEW_WINDOW_BEATS * beatMillis + ClusterMembership.SKEW_MARGIN_MILLIS;
    }

    private static String describe(List<Running> running) {
        List<String> out = new ArrayList<>();
        for (Running r : running) {
            out.add(r.nodeId() + " (beat " + r.secondsAgo() + " s ago)");
        }
        return String.join(", ", out);
    }

    /** Versions this jar knows that the store has not applied; empty for a store never migrated (no node can run on it). */
    static Set<Integer> pendingVersions(Database db) {
        Set<Integer> applied = db.read(c -> exists(c, "schema_version") ? Migrator.appliedVersions(c) : null);
        if (applied == null) {
            return new TreeSet<>();
        }
        Set<Integer> pending = new TreeSet<>(knownVersions());
        pending.removeAll(applied);
        return pending;
    }

    private static int appliedNewest(Database db) {
        return db.read(c -> Migrator.appliedVersions(c).stream().mapToInt(Integer::intValue).max().orElse(0));
    }

    private static List<Running> running(Database db, String nodeId, long windowMillis) {
        String now = db.dialect().nowMillis();
        return db.read(c -> {
            List<Running> out = new ArrayList<>();
            if (!exists(c, "cluster_nodes")) {
                return out;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT node_id, (" + now + " - seen_at) / 1000 FROM cluster_nodes "
                    + "WHERE node_id <> ? AND seen_at > " + now + " - ? ORDER BY node_id")) {
                ps.setString(1, nodeId);
                ps.setLong(2, windowMillis);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Running(rs.getString(1), Math.max(0, rs.getLong(2))));
                    }
                }
            }
            return out;
        });
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The versions of the scripts this jar carries (the migrator's index). */
    static Set<Integer> knownVersions() {
        Set<Integer> known = jarVersions;
        if (known == null) {
            known = java.util.Collections.unmodifiableSet(new TreeSet<>(Migrator.knownVersions()));
            jarVersions = known;
        }
        return known;
    }
}
