package io.ringpool.call;

import static io.ringpool.store.Columns.intOrNull;

import io.ringpool.store.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Every call of one caller on a site, and their classification: what {@link CallClassifier} reads and writes. */
final class CallerCalls {

    /** A call of one caller, as classification needs it. */
    record CallerCall(String callId, Instant startedAt, boolean answered, Integer talkSeconds, CallClass classes) {}

    private final String select;

    CallerCalls(Dialect dialect) {
        this.select = "SELECT call_id, started_at, answered, talk_seconds, first_time, is_unique, target, unique_target FROM calls"
                + dialect.indexHint("CALLS_SITE_CALLER") + " WHERE site_id = ? AND caller = ? AND caller_valid = TRUE";
    }

    /** Every call of one (valid) caller on a site: what uniqueness and first-time are decided from. */
    List<CallerCall> of(Connection c, String siteId, String caller) throws SQLException {
        List<CallerCall> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(select)) {
            ps.setString(1, siteId);
            ps.setString(2, caller);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new CallerCall(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getBoolean(3),
                            intOrNull(rs, 4), new CallClass(rs.getBoolean(5), rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8))));
                }
            }
        }
        return out;
    }

    /**
     * A call of any caller, as a site-wide reclassification reads it: with whether its caller is a
     * real number (an anonymous or erased caller's calls are classified alone).
     */
    record SiteCall(String caller, boolean callerValid, CallerCall call) {}

    /** Up to {@code limit} of the site's callers after {@code after} (null: from the first), in order. */
    List<String> callersAfter(Connection c, String siteId, String after, int limit) throws SQLException {
        String sql = "SELECT DISTINCT caller FROM calls WHERE site_id = ?" + (after == null ? "" : " AND caller > ?")
                + " ORDER BY caller LIMIT " + limit;
        List<String> out = new ArrayList<>(limit);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, siteId);
            if (after != null) {
                ps.setString(2, after);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Every call of the callers from {@code first} to {@code last} (inclusive), one index range of {@code calls_site_caller}. */
    List<SiteCall> ofCallers(Connection c, String siteId, String first, String last) throws SQLException {
        List<SiteCall> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT call_id, started_at, answered, talk_seconds, first_time, is_unique, "
                + "target, unique_target, caller, caller_valid FROM calls WHERE site_id = ? AND caller >= ? AND caller <= ?")) {
            ps.setString(1, siteId);
            ps.setString(2, first);
            ps.setString(3, last);
            ps.setFetchSize(5_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new SiteCall(rs.getString(9), rs.getBoolean(10), new CallerCall(rs.getString(1),
                            Instant.ofEpochMilli(rs.getLong(2)), rs.getBoolean(3), intOrNull(rs, 4),
                            new CallClass(rs.getBoolean(5), rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8)))));
                }
            }
        }
        return out;
    }

    /**
     * As {@link #updateClass}, and moves {@code updated_at}: the report facts re-read a caller's calls
     * when one of them has a newer {@code updated_at} (an event's own row always does; a
     * reclassification after a settings change has no event row to carry it).
     */
    void updateClassAt(Connection c, String siteId, String callId, CallClass k, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET first_time = ?, is_unique = ?, target = ?, unique_target = ?, "
                + "updated_at = ?, revision = revision + 1 WHERE site_id = ? AND call_id = ?")) {
            ps.setBoolean(1, k.firstTime());
            ps.setBoolean(2, k.unique());
            ps.setBoolean(3, k.target());
            ps.setBoolean(4, k.uniqueTarget());
            ps.setLong(5, now);
            ps.setString(6, siteId);
            ps.setString(7, callId);
            ps.executeUpdate();
        }
    }

    void updateClass(Connection c, String siteId, String callId, CallClass k) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET first_time = ?, is_unique = ?, target = ?, unique_target = ?, "
                + "revision = revision + 1 WHERE site_id = ? AND call_id = ?")) {
            ps.setBoolean(1, k.firstTime());
            ps.setBoolean(2, k.unique());
            ps.setBoolean(3, k.target());
            ps.setBoolean(4, k.uniqueTarget());
            ps.setString(5, siteId);
            ps.setString(6, callId);
            ps.executeUpdate();
        }
    }
}
