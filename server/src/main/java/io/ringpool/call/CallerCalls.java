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
