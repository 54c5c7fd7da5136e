package io.ringpool.call;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** The review columns of a call (V60): reviewed, note, transcript and the tags keyword rules set. */
final class CallReviews {
    /** Longest transcript kept, characters (the column's width); a longer one is cut. */
    static final int MAX_TRANSCRIPT_CHARS = 100_000;

    void write(Connection c, String siteId, String callId, boolean reviewed, String note, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET reviewed = ?, note = ?, updated_at = ?, revision = revision + 1 WHERE site_id = ? AND call_id = ?")) {
            ps.setBoolean(1, reviewed);
            ps.setString(2, note);
            ps.setLong(3, now);
            ps.setString(4, siteId);
            ps.setString(5, callId);
            ps.executeUpdate();
        }
    }

    void writeTranscript(Connection c, String siteId, String callId, String transcript, String autoTagsJson, long now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET transcript = ?, auto_tags_json = ?, updated_at = ?, revision = revision + 1 "
                + "WHERE site_id = ? AND call_id = ?")) {
            ps.setString(1, transcript);
            ps.setString(2, autoTagsJson);
            ps.setLong(3, now);
            ps.setString(4, siteId);
            ps.setString(5, callId);
            ps.executeUpdate();
        }
    }
}
