package io.ringpool.session;

import io.ringpool.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Visits are personal data too (landing pages, referrers, client ids): ended visits that started
 * more than the site's {@code retentionDays} ago are deleted with their page views and intents, in
 * batches of {@link #BATCH} visits, each batch its own short transaction so the writer and the
 * sweeper are never held up for long. Calls keep their own copy of the attribution.
 */
public final class VisitRetention {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VisitRetention.class);
    /** Visits deleted per transaction. */
    static final int BATCH = 500;

    private final Database db;
    private final Floor floor;

    /**
     * How far back the store may delete a site's visits right now: reports keep their days as
     * aggregates, sealed from the visits while they are still held; a day not sealed yet must not
     * lose its visits (report.ReportService#deletableBefore seals first, then answers).
     */
    @FunctionalInterface
    public interface Floor {
        /** The instant before which the site's visits may go, at most {@code cutoff}; Long.MIN_VALUE for none. */
        long deletableBefore(String siteId, long cutoff);
    }

    /** Deletes up to the cut-off, with no day sealing first (tests of other things). */
    public VisitRetention(Database db) {
        this(db, (siteId, cutoff) -> cutoff);
    }

    public VisitRetention(Database db, Floor floor) {
        this.db = db;
        this.floor = floor;
    }

    /**
     * Deletes the site's ended visits started before {@code cutoffMillis}, or before the earlier
     * instant its {@link Floor} allows; returns how many.
     */
    public int deleteEndedBefore(String siteId, long cutoffMillis) {
        long beforeMillis;
        try {
            beforeMillis = Math.min(cutoffMillis, floor.deletableBefore(siteId, cutoffMillis));
        } catch (RuntimeException e) {
            // The days could not be sealed (store trouble): the visits wait for the next round, and the other sites go on.
            LOG.warn("visits_not_purged site={} reason={}", siteId, e.toString());
            return 0;
        }
        if (beforeMillis == Long.MIN_VALUE) {
            return 0;
        }
        int total = 0;
        while (true) {
            int deleted = db.inTransaction(c -> {
                List<String> ids = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT session_id FROM sessions WHERE site_id = ? AND started_at < ? "
                        + "AND ended_at IS NOT NULL ORDER BY started_at")) {
                    ps.setString(1, siteId);
                    ps.setLong(2, beforeMillis);
                    ps.setMaxRows(BATCH);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getString(1));
                        }
                    }
                }
                for (String table : List.of("pageviews", "intents", "sessions")) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE session_id = ?")) {
                        for (String id : ids) {
                            ps.setString(1, id);
                            ps.addBatch();
                        }
                        if (!ids.isEmpty()) {
                            ps.executeBatch();
                        }
                    }
                }
                return ids.size();
            });
            total += deleted;
            if (deleted < BATCH) {
                return total;
            }
        }
    }
}
