package io.ringpool.call;

import io.ringpool.store.Columns;
import io.ringpool.store.StorageJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The marketer's side of a call: its tags, value and currency. Tags live twice: as JSON on the
 * call (read with it) and as rows of {@code call_tags} (what the log's tag filter joins on).
 */
final class CallTags {

    void write(Connection c, String siteId, String callId, List<String> tags, Double value, String currency, long now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET tags_json = ?, call_value = ?, currency = ?, updated_at = ?, revision = revision + 1 "
                + "WHERE site_id = ? AND call_id = ?")) {
            ps.setString(1, StorageJson.write(tags));
            Columns.setDouble(ps, 2, value);
            ps.setString(3, currency);
            ps.setLong(4, now);
            ps.setString(5, siteId);
            ps.setString(6, callId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM call_tags WHERE site_id = ? AND call_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, callId);
            ps.executeUpdate();
        }
        if (tags.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO call_tags(site_id, call_id, tag) VALUES (?,?,?)")) {
            for (String tag : tags) {
                ps.setString(1, siteId);
                ps.setString(2, callId);
                ps.setString(3, tag);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
