package io.ringpool.cluster;

import io.ringpool.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Refuses a start under a node id another running process already beats as (audit AI3 #F9). Two
 * processes with one id (a Kubernetes Deployment with one {@code RINGPOOL_NODE_ID} in its
 * template, a VM image with a baked {@code data/node.id}) each take the other's leases for their
 * own: fencing, crash recovery and the silent-node reaper are keyed on the id, so a restart of one
 * adopted the other's live leases and its heartbeating visitors got 410; and while one of them
 * beats, the other's leases are never reaped if it dies.
 *
 * <p>The row of this id may also be fresh because this node's previous run stopped moments ago
 * (a restart): so a fresh row is watched for a little over two beats, and only a beat that moves
 * meanwhile — someone is writing it — refuses the start.
 */
public final class NodeIdGate {

    /** Another process beats as this node id. */
    public static final class NodeIdInUse extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NodeIdInUse(String message) {
            super(message, null, false, false);
        }
    }

    private NodeIdGate() {}

    /**
     * Returns when no other process beats as {@code nodeId}; waits at most a little over two beats,
     * and only when the id's row was beaten within {@link UpgradeGate#runningWindowMillis}.
     *
     * @throws NodeIdInUse when the row's beat moves while this start watches it
     */
    public static void awaitOwnIdFree(Database db, String nodeId, long beatMillis) {
        long window = UpgradeGate.runningWindowMillis(beatMillis);
        Long first = freshBeat(db, nodeId, window);
        if (first == null) {
            return;
        }
        long deadline = System.nanoTime() + (2 * beatMillis + 500) * 1_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(Math.max(50, beatMillis / 4));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            Long now = freshBeat(db, nodeId, window);
            if (now == null) {
                return;
            }
            if (!now.equals(first)) {
                throw new NodeIdInUse("another running Ringpool beats as node id '" + nodeId + "' on this database; give every node "
                        + "its own RINGPOOL_NODE_ID (or its own data directory, where a generated id is kept), then start this one again");
            }
        }
    }

    /** The id's {@code seen_at} when it is within {@code windowMillis} of database time, else null (no row, or an old one). */
    private static Long freshBeat(Database db, String nodeId, long windowMillis) {
        String now = db.dialect().nowMillis();
        return db.read(c -> {
            if (!exists(c)) {
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT seen_at FROM cluster_nodes WHERE node_id = ? AND seen_at > "
                    + now + " - ?")) {
                ps.setString(1, nodeId);
                ps.setLong(2, windowMillis);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : null;
                }
            }
        });
    }

    private static boolean exists(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass('cluster_nodes') IS NOT NULL")) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
