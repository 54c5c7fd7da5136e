package io.ringpool.call;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The call log's SQL: a {@link CallQuery} as one keyset-paginated read of {@code calls}, newest
 * first. Every filter is a bound parameter; the column names are this class's own.
 */
final class CallLogQuery {

    /** The page, plus one more call when there is a next page. */
    List<StoredCall> read(Connection c, CallQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ").append(CallRows.READ_COLUMNS).append(" FROM calls WHERE site_id = ?");
        List<Object> params = new ArrayList<>();
        params.add(q.siteId());
        if (q.from() != null) {
            sql.append(" AND started_at >= ?");
            params.add(q.from().toEpochMilli());
        }
        if (q.to() != null) {
            sql.append(" AND started_at < ?");
            params.add(q.to().toEpochMilli());
        }
        equal(sql, params, "source", q.source());
        equal(sql, params, "medium", q.medium());
        equal(sql, params, "campaign", q.campaign());
        equal(sql, params, "channel", q.channel());
        equal(sql, params, "method", q.method() == null ? null : q.method().wireName());
        equal(sql, params, "status", q.status() == null ? null : q.status().wireName());
        equal(sql, params, "is_unique", q.unique());
        equal(sql, params, "target", q.target());
        if (q.tag() != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM call_tags t WHERE t.site_id = calls.site_id AND t.call_id = calls.call_id AND t.tag = ?)");
            params.add(q.tag());
        }
        equal(sql, params, "reviewed", q.reviewed());
        if (q.recording() != null) {
            sql.append(q.recording() ? " AND recording_state = 'stored'" : " AND (recording_state IS NULL OR recording_state <> 'stored')");
        }
        if (q.text() != null) {
            // A scan of the site's calls in the range: transcripts are searched by people, page by page,
            // not by machines; a full-text index is the next step if logs grow past what that serves.
            sql.append(" AND (LOWER(transcript) LIKE ? ESCAPE '!' OR LOWER(note) LIKE ? ESCAPE '!')");
            String like = "%" + q.text().toLowerCase(java.util.Locale.ROOT).replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
            params.add(like);
            params.add(like);
        }
        if (q.after() != null) {
            sql.append(" AND (started_at < ? OR (started_at = ? AND call_id < ?))");
            params.add(q.after().startedAt().toEpochMilli());
            params.add(q.after().startedAt().toEpochMilli());
            params.add(q.after().callId());
        }
        sql.append(" ORDER BY started_at DESC, call_id DESC");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                Object p = params.get(i);
                if (p instanceof Long l) {
                    ps.setLong(i + 1, l);
                } else if (p instanceof Boolean b) {
                    ps.setBoolean(i + 1, b);
                } else {
                    ps.setString(i + 1, (String) p);
                }
            }
            ps.setMaxRows(q.limit() + 1);
            List<StoredCall> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && out.size() <= q.limit()) {
                    out.add(CallRows.read(rs));
                }
            }
            return out;
        }
    }

    private static void equal(StringBuilder sql, List<Object> params, String column, Object value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            params.add(value);
        }
    }
}
