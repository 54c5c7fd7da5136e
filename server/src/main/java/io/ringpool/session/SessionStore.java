package io.ringpool.session;

import io.ringpool.pool.Lease;
import io.ringpool.visit.Device;
import io.ringpool.visit.TrafficSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import io.ringpool.store.Database;
import io.ringpool.store.StorageJson;

/** Session (visit) rows, page views and intents. Writes run inside the group-commit writer. */
final class SessionStore {

    /** What a session row needs beyond its lease. */
    record NewVisit(String sessionId, String siteId, String visitorId, long startedAt, String title, TrafficSource source,
            Device device, Map<String, String> clientIds) {}

    /** A session as the store knows it, for answering calls about sessions no longer in memory. */
    record StoredSession(String sessionId, String siteId, Long endedAt) {}

    /** Longest click-id and client-id JSON kept, characters: real ones are a few hundred. */
    static final int MAX_CLICK_IDS_JSON = 1000;
    static final int MAX_CLIENT_IDS_JSON = 1000;

    private final Database db;

    SessionStore(Database db) {
        this.db = db;
    }

    /** The database's own clock as an SQL expression (expiry between nodes is judged by it). */
    String dbNow() {
        return db.dialect().nowMillis();
    }

    /**
     * A live session of a visitor as the store holds it (several nodes): its lease, and whether its
     * stored expiry is still ahead of the database's clock.
     */
    record LiveClaim(String sessionId, String poolId, String number, String visitorId, long startedAt, long expiresAt,
            boolean reusedCooling, long epoch, String ownerNode, boolean unexpired, String landingPage) {}

    /**
     * @param ownerNode this node's id when several nodes share the store, else null. With it, a
     *     lease claims its visitor ({@code live_visitor}, unique per site on PostgreSQL), and a
     *     visit without a lease is refused with {@link VisitorLiveElsewhere} while the visitor has
     *     a live lease: in both cases the start then joins that session.
     */
    static void insertVisit(Connection c, NewVisit v, Lease lease, String untrackedReason, String ownerNode) throws SQLException {
        if (lease == null && ownerNode != null && hasClaim(c, v.siteId(), v.visitorId())) {
            throw new VisitorLiveElsewhere();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions(session_id, site_id, visitor_id, pool_id, number, tracked, "
                + "untracked_reason, started_at, landing_page, referrer, title, source, medium, campaign, term, content, channel, "
                + "click_ids_json, client_ids_json, device_type, browser, os, pageviews, live_number, lease_expires_at, reused_cooling, "
                + "owner_node, live_visitor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?,?,?)")) {
            TrafficSource s = v.source();
            ps.setString(1, v.sessionId());
            ps.setString(2, v.siteId());
            ps.setString(3, v.visitorId());
            ps.setString(4, lease == null ? null : lease.poolId());
            ps.setString(5, lease == null ? null : lease.number());
            ps.setBoolean(6, lease != null);
            ps.setString(7, lease == null ? untrackedReason : null);
            ps.setLong(8, v.startedAt());
            ps.setString(9, cap(s.landingPage(), 2000));
            ps.setString(10, cap(s.referrer(), 2000));
            ps.setString(11, cap(v.title(), 500));
            ps.setString(12, cap(s.source(), 500));
            ps.setString(13, cap(s.medium(), 500));
            ps.setString(14, cap(s.campaign(), 500));
            ps.setString(15, cap(s.term(), 500));
            ps.setString(16, cap(s.content(), 500));
            ps.setString(17, s.channel().wireName());
            ps.setString(18, s.clickIds().isEmpty() ? null : capJson(json(s.clickIds()), MAX_CLICK_IDS_JSON));
            ps.setString(19, v.clientIds().isEmpty() ? null : capJson(json(v.clientIds()), MAX_CLIENT_IDS_JSON));
            ps.setString(20, v.device().type());
            ps.setString(21, v.device().browser());
            ps.setString(22, v.device().os());
            ps.setString(23, lease == null ? null : lease.number());
            if (lease == null) {
                ps.setNull(24, Types.BIGINT);
            } else {
                ps.setLong(24, lease.expiresAt());
            }
            ps.setBoolean(25, lease != null && lease.reusedCooling());
            ps.setString(26, lease == null ? null : ownerNode);
            ps.setString(27, lease == null || ownerNode == null ? null : v.visitorId());
            ps.executeUpdate();
        }
    }

    private static boolean hasClaim(Connection c, String siteId, String visitorId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sessions WHERE site_id = ? AND live_visitor = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, visitorId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The visitor's live claim on the site, or null. */
    LiveClaim liveClaim(String siteId, String visitorId) {
        String now = db.dialect().nowMillis();
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT session_id, pool_id, number, visitor_id, started_at, lease_expires_at, "
                    + "reused_cooling, lease_epoch, owner_node, CASE WHEN lease_expires_at > " + now + " THEN 1 ELSE 0 END, landing_page "
                    + "FROM sessions WHERE site_id = ? AND live_visitor = ? AND live_number IS NOT NULL")) {
                ps.setString(1, siteId);
                ps.setString(2, visitorId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    return new LiveClaim(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                            rs.getLong(6), rs.getBoolean(7), rs.getLong(8), rs.getString(9), rs.getInt(10) == 1, rs.getString(11));
                }
            }
        });
    }

    /**
     * Takes the live lease of {@code claim} over for {@code nodeId}: raises its fencing epoch (so
     * the node that held it can no longer renew or end it) and keeps it at least until
     * {@code expiresAt}. Only while the store still holds it as read and unexpired in database
     * time; false otherwise.
     */
    static boolean takeOver(Connection c, LiveClaim claim, String nodeId, long expiresAt, String dbNow) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET owner_node = ?, lease_epoch = lease_epoch + 1, "
                + "lease_expires_at = CASE WHEN lease_expires_at > ? THEN lease_expires_at ELSE ? END "
                + "WHERE session_id = ? AND live_visitor = ? AND live_number IS NOT NULL AND lease_epoch = ? "
                + "AND lease_expires_at > " + dbNow)) {
            ps.setString(1, nodeId);
            ps.setLong(2, expiresAt);
            ps.setLong(3, expiresAt);
            ps.setString(4, claim.sessionId());
            ps.setString(5, claim.visitorId());
            ps.setLong(6, claim.epoch());
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Writes a resumed session's renewal, fenced, and only while the lease still claims its
     * visitor; throws {@link LeaseTakenElsewhere} otherwise (telling whether the lease itself is
     * still this node's).
     */
    static void renewResumed(Connection c, io.ringpool.pool.LeaseExpiry expiry, String visitorId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET lease_expires_at = ? WHERE session_id = ? "
                + "AND live_number IS NOT NULL AND lease_epoch = ? AND live_visitor = ?")) {
            ps.setLong(1, expiry.expiresAt());
            ps.setString(2, expiry.sessionId());
            ps.setLong(3, expiry.epoch());
            ps.setString(4, visitorId);
            if (ps.executeUpdate() == 1) {
                return;
            }
        }
        throw new LeaseTakenElsewhere(io.ringpool.pool.PoolStore.storeExpiries(c, List.of(expiry)).isEmpty());
    }

    /** {@code sessions.end_reason} of a lease whose number passed to its visitor's next visit, a new source (docs/calls.md). */
    static final String HANDED_OVER = "source_changed";

    /**
     * Ends the live lease {@code from} at {@code at} because its number passes to the visitor's new
     * visit, written next in the same transaction: fenced by the epoch this node holds, and (several
     * nodes) only while the lease still claims {@code claimedVisitor}. No end grace, no cool-down:
     * {@code end_reason} {@value #HANDED_OVER} tells attribution the number went straight on to the
     * same visitor. Throws {@link LeaseTakenElsewhere} when the store no longer holds it for us, so
     * nothing of the hand-over is stored.
     */
    static void endHandedOver(Connection c, io.ringpool.pool.LeaseExpiry from, String claimedVisitor, long at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET ended_at = ?, lease_expires_at = ?, live_number = NULL, "
                + "live_visitor = NULL, end_reason = '" + HANDED_OVER + "' WHERE session_id = ? AND live_number IS NOT NULL "
                + "AND lease_epoch = ?" + (claimedVisitor == null ? "" : " AND live_visitor = ?"))) {
            ps.setLong(1, at);
            ps.setLong(2, at);
            ps.setString(3, from.sessionId());
            ps.setLong(4, from.epoch());
            if (claimedVisitor != null) {
                ps.setString(5, claimedVisitor);
            }
            if (ps.executeUpdate() == 1) {
                return;
            }
        }
        throw new LeaseTakenElsewhere(io.ringpool.pool.PoolStore.storeExpiries(c, List.of(from)).isEmpty());
    }

    /**
     * A claim whose stored expiry has passed in database time no longer holds its visitor: the
     * next start supersedes it. Only the claim goes; the number stays with the old lease until its
     * owner (or the reaper of a silent node) ends it, since the owner may have promised it a little
     * longer than the store knows.
     */
    static boolean supersede(Connection c, LiveClaim claim, String dbNow) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET live_visitor = NULL WHERE session_id = ? "
                + "AND live_visitor = ? AND lease_expires_at <= " + dbNow)) {
            ps.setString(1, claim.sessionId());
            ps.setString(2, claim.visitorId());
            return ps.executeUpdate() == 1;
        }
    }

    /** An untracked visit gets its lease now: the row becomes tracked, its lease (and started_at) from {@code now}. */
    static void startLeaseLater(Connection c, String sessionId, Lease lease, long now, String claimedVisitor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET pool_id = ?, number = ?, live_number = ?, tracked = TRUE, "
                + "untracked_reason = NULL, lease_expires_at = ?, reused_cooling = ?, started_at = ?, live_visitor = ? WHERE session_id = ?")) {
            ps.setString(1, lease.poolId());
            ps.setString(2, lease.number());
            ps.setString(3, lease.number());
            ps.setLong(4, lease.expiresAt());
            ps.setBoolean(5, lease.reusedCooling());
            ps.setLong(6, now);
            ps.setString(7, claimedVisitor);
            ps.setString(8, sessionId);
            ps.executeUpdate();
        }
    }

    /**
     * Counts a page view on its session and, when {@code store}, keeps its row (a session past its
     * cap of stored views is counted only). URL and title arrive minimised and capped.
     */
    static void insertPageview(Connection c, String siteId, String sessionId, String url, String title, long at, boolean store)
            throws SQLException {
        if (store) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO pageviews(site_id, session_id, url, title, at) VALUES (?,?,?,?,?)")) {
                ps.setString(1, siteId);
                ps.setString(2, sessionId);
                ps.setString(3, cap(url, 2000));
                if (title == null) {
                    ps.setNull(4, Types.VARCHAR);
                } else {
                    ps.setString(4, cap(title, 500));
                }
                ps.setLong(5, at);
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET pageviews = pageviews + 1 WHERE session_id = ?")) {
            ps.setString(1, sessionId);
            ps.executeUpdate();
        }
    }

    static void insertIntent(Connection c, String siteId, String sessionId, String kind, long at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO intents(site_id, session_id, kind, at) VALUES (?,?,?,?)")) {
            ps.setString(1, siteId);
            ps.setString(2, sessionId);
            ps.setString(3, kind);
            ps.setLong(4, at);
            ps.executeUpdate();
        }
    }

    static void endUntracked(Connection c, List<LiveSession> sessions, long endedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET ended_at = ? WHERE session_id = ? AND ended_at IS NULL")) {
            for (LiveSession s : sessions) {
                ps.setLong(1, Math.min(endedAt, s.untracked.expiresAt));
                ps.setString(2, s.sessionId);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    StoredSession find(String sessionId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT session_id, site_id, ended_at FROM sessions WHERE session_id = ?")) {
                ps.setString(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    long ended = rs.getLong(3);
                    return new StoredSession(rs.getString(1), rs.getString(2), rs.wasNull() ? null : ended);
                }
            }
        });
    }

    private static String json(Map<String, String> map) {
        return StorageJson.write(map);
    }

    /** JSON cut in the middle is no longer JSON: too long a map is dropped rather than cut. */
    private static String capJson(String json, int max) {
        return json.length() <= max ? json : null;
    }

    static String cap(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
