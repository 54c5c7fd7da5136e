package io.ringpool.call;

import io.ringpool.visit.VisitSource;
import io.ringpool.pool.PoolState;
import io.ringpool.store.Dialect;
import io.ringpool.store.StorageJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * What attribution reads: a number's lease history and the visits behind it (the foundation table
 * {@code sessions}, which holds each visit's lease), and the caller's earlier calls. Read inside
 * the ingesting transaction, on its connection.
 */
final class AttributionReads {
    /** A bound on leases read for one call; reuse from cool-down makes a few overlap at most. */
    private static final int MAX_LEASES_READ = 64;

    private final String previousAttributionSelect;

    AttributionReads(Dialect dialect) {
        this.previousAttributionSelect = "SELECT session_id, visitor_id, number FROM calls" + dialect.indexHint("CALLS_SITE_CALLER")
                + " WHERE site_id = ? AND caller = ? AND caller_valid = TRUE AND started_at < ? AND call_id <> ? "
                + "AND session_id IS NOT NULL ORDER BY started_at DESC, call_id DESC";
    }

    /**
     * The leases of {@code number} that could claim a call at {@code callAt}: started by then, and
     * live or ended at most {@code coolDown} before. A lease the sweeper has not ended yet but whose
     * expiry has passed is read as ended at its expiry: its heartbeats stopped then. The lease this
     * node holds live on the number ({@code live}, may be null) is read with its in-memory expiry:
     * renewals reach the store late (a single node writes one only when the stored expiry nears),
     * so the store's copy can be older than the last heartbeat.
     */
    List<LeaseInterval> leases(Connection c, String siteId, String number, Instant callAt, long coolDownMillis,
            PoolState.LiveHolder live) throws SQLException {
        List<LeaseInterval> out = new ArrayList<>();
        long t = callAt.toEpochMilli();
        // A number's leases follow one another, so reading back from the call time, newest first,
        // the first lease that ended before the cool-down window closes the search. Bounded reads
        // whatever the number's history: a number leased 10,000 times costs the same as a new one.
        try (PreparedStatement ps = c.prepareStatement("SELECT session_id, visitor_id, started_at, lease_expires_at, ended_at FROM sessions "
                + "WHERE site_id = ? AND number = ? AND started_at <= ? ORDER BY started_at DESC, session_id DESC")) {
            ps.setString(1, siteId);
            ps.setString(2, number);
            ps.setLong(3, t);
            ps.setFetchSize(16);
            ps.setMaxRows(MAX_LEASES_READ);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long from = rs.getLong(3);
                    long expires = rs.getLong(4);
                    boolean expiresNull = rs.wasNull();
                    if (live != null && live.sessionId().equals(rs.getString(1))) {
                        expires = live.expiresAt();
                        expiresNull = false;
                    }
                    long ended = rs.getLong(5);
                    Long to;
                    if (!rs.wasNull()) {
                        to = ended;
                    } else if (expiresNull) {
                        continue; // not a lease (an untracked visit has no number; defensive)
                    } else {
                        to = expires <= t ? Long.valueOf(expires) : null; // live, or expired but not swept yet
                    }
                    if (to != null && to < t - coolDownMillis) {
                        break; // ended before the cool-down window: this and every older lease are out
                    }
                    out.add(new LeaseInterval(rs.getString(1), rs.getString(2), number, Instant.ofEpochMilli(from),
                            to == null ? null : Instant.ofEpochMilli(Math.max(from, to))));
                }
            }
        }
        Collections.reverse(out);
        return out;
    }

    /** The visit of {@code sessionId} on this site, if the store still has it. */
    Optional<VisitSource> visit(Connection c, String siteId, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT started_at, source, medium, campaign, term, content, channel, "
                + "landing_page, referrer, click_ids_json, client_ids_json, device_type, browser, os FROM sessions "
                + "WHERE site_id = ? AND session_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new VisitSource(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                        StorageJson.readStringMap(rs.getString(10)), StorageJson.readStringMap(rs.getString(11)), rs.getString(12),
                        rs.getString(13), rs.getString(14)));
            }
        }
    }

    /** The visitor's visits that started before {@code before}: the latest {@code max}, oldest first. */
    List<CallAttribution.EarlierVisit> earlierVisits(Connection c, String siteId, String visitorId, Instant before, int max)
            throws SQLException {
        List<CallAttribution.EarlierVisit> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT session_id, started_at, source, medium, channel FROM sessions "
                + "WHERE site_id = ? AND visitor_id = ? AND started_at < ? ORDER BY started_at DESC, session_id DESC")) {
            ps.setString(1, siteId);
            ps.setString(2, visitorId);
            ps.setLong(3, before.toEpochMilli());
            ps.setMaxRows(max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && out.size() < max) {
                    out.add(new CallAttribution.EarlierVisit(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3),
                            rs.getString(4), rs.getString(5)));
                }
            }
        }
        Collections.reverse(out);
        return out;
    }

    /** The visit the caller's latest earlier attributed call went to, for method {@code repeat}; null if none. */
    PreviousAttribution previousAttribution(Connection c, String siteId, String caller, Instant before, String exceptCallId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(previousAttributionSelect)) {
            ps.setString(1, siteId);
            ps.setString(2, caller);
            ps.setLong(3, before.toEpochMilli());
            ps.setString(4, exceptCallId == null ? "" : exceptCallId);
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new PreviousAttribution(rs.getString(1), rs.getString(2), rs.getString(3)) : null;
            }
        }
    }
}
