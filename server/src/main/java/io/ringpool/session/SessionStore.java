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

    static void insertVisit(Connection c, NewVisit v, Lease lease, String untrackedReason, String ownerNode) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions(session_id, site_id, visitor_id, pool_id, number, tracked, "
                + "untracked_reason, started_at, landing_page, referrer, title, source, medium, campaign, term, content, channel, "
                + "click_ids_json, client_ids_json, device_type, browser, os, pageviews, live_number, lease_expires_at, reused_cooling, "
                + "owner_node) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?,?)")) {
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
            ps.executeUpdate();
        }
    }

    /** An untracked visit gets its lease now: the row becomes tracked, its lease (and started_at) from {@code now}. */
    static void startLeaseLater(Connection c, String sessionId, Lease lease, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET pool_id = ?, number = ?, live_number = ?, tracked = TRUE, "
                + "untracked_reason = NULL, lease_expires_at = ?, reused_cooling = ?, started_at = ? WHERE session_id = ?")) {
            ps.setString(1, lease.poolId());
            ps.setString(2, lease.number());
            ps.setString(3, lease.number());
            ps.setLong(4, lease.expiresAt());
            ps.setBoolean(5, lease.reusedCooling());
            ps.setLong(6, now);
            ps.setString(7, sessionId);
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
