package io.ringpool.cluster;

import io.ringpool.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this node see what other nodes changed: polls {@code cluster_changes} (written by
 * {@link io.ringpool.store.ChangeLog} in the same transaction as each change) every
 * {@code cluster.changePollMillis} and hands each new row to the reloader of its kind. A change
 * committed on any node is therefore applied here within one poll interval plus one read.
 *
 * <p>Why a version poll and not LISTEN/NOTIFY: it needs no dedicated connection, survives a
 * reconnect or a missed notification without any catch-up logic, and works the same on every
 * database; the bound is the poll interval either way.
 *
 * <p>Identity values are handed out at insert, not at commit, so a version may become visible
 * after a higher one, and a rolled-back insert leaves a gap forever. The follower therefore keeps
 * reading from the lowest version it has not seen ({@code floor}), remembers what it applied
 * above it, and gives up on a gap after {@link #GAP_PATIENCE_MILLIS}. Reloads are idempotent, so
 * applying a change twice (this node's own, or after a restart) is harmless.
 */
public final class ChangeFollower {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFollower.class);

    /** Longest a transaction that took a version may stay uncommitted before its gap is skipped, ms. */
    static final long GAP_PATIENCE_MILLIS = 30_000;

    /** Reloads what one change row names. */
    @FunctionalInterface
    public interface Reloader {
        void reload(String siteId, String ref);
    }

    record Change(long version, String kind, String siteId, String ref) {}

    private final Database db;
    private final Map<String, Reloader> reloaders;
    private long floor;
    private final TreeSet<Long> appliedAboveFloor = new TreeSet<>();
    private long gapSeenSince = -1;

    public ChangeFollower(Database db, Map<String, Reloader> reloaders) {
        this.db = db;
        this.reloaders = Map.copyOf(reloaders);
    }

    /** Starts after everything already in the table (this node has just loaded it all). */
    public void startFromNow() {
        floor = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(version), 0) FROM cluster_changes");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /**
     * One poll; returns how many changes were applied. Serialised: the scheduled poll and a
     * {@link ChangeCatchUp} may ask at once, and each reads what was committed before it began.
     */
    public synchronized int poll(long nowMillis) {
        List<Change> fresh = db.read(c -> {
            List<Change> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT version, kind, site_id, ref FROM cluster_changes WHERE version > ? ORDER BY version")) {
                ps.setLong(1, floor);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Change(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                    }
                }
            }
            return out;
        });
        int applied = 0;
        // A reload reads the current state, so one per thing named is enough however many changes
        // named it (an import adding numbers block by block to one pool logs a change per block).
        Set<List<String>> reloaded = new HashSet<>();
        for (Change change : fresh) {
            if (appliedAboveFloor.contains(change.version())) {
                continue;
            }
            Reloader reloader = reloaders.get(change.kind());
            if (reloader == null) {
                LOG.warn("cluster_change_unknown kind={} version={}", change.kind(), change.version());
            } else if (reloaded.add(Arrays.asList(change.kind(), change.siteId(), change.ref()))) {
                reloader.reload(change.siteId(), change.ref());
                applied++;
            }
            appliedAboveFloor.add(change.version());
        }
        advanceFloor(nowMillis);
        return applied;
    }

    private void advanceFloor(long nowMillis) {
        while (!appliedAboveFloor.isEmpty()) {
            long next = floor + 1;
            if (appliedAboveFloor.remove(next)) {
                floor = next;
                gapSeenSince = -1;
                continue;
            }
            // A gap below versions already seen: a transaction still open, or one rolled back.
            if (gapSeenSince < 0) {
                gapSeenSince = nowMillis;
                return;
            }
            if (nowMillis - gapSeenSince < GAP_PATIENCE_MILLIS) {
                return;
            }
            floor = next; // skip it for good
            gapSeenSince = -1;
        }
    }
}
