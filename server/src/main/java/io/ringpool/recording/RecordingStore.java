package io.ringpool.recording;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code call_recordings} (V60): one row per call with a recording, which is also the durable
 * fetch queue, and the recording columns of {@code calls} the call log filters on.
 *
 * <pre>
 *   reported ──► queued ──fetch ok──► stored ──retention / erasure──► deleted (file removed, location cleared)
 *                  │ ▲                                                  ▲
 *                  │ └─retryable failure, attempts left (backoff)       │
 *                  └──permanent failure or attempts used──► failed ─────┘ (erasure)
 * </pre>
 * A worker claims a due row by moving {@code next_attempt_at} forward with a compare-and-set
 * ({@link #claim}); a worker that dies holding a claim only delays the row until the claim lapses.
 */
final class RecordingStore {
    static final String QUEUED = "queued";
    static final String STORED = "stored";
    static final String FAILED = "failed";
    static final String DELETED = "deleted";

    /** A row as the fetcher and the player read it. */
    record Row(String siteId, String callId, String provider, String sourceUrl, String state, int attempts, long nextAttemptAt,
            String lastError, String sha256, String location, String contentType, Long sizeBytes, Integer durationSeconds) {}

    private static final String COLUMNS = "site_id, call_id, provider, source_url, state, attempts, next_attempt_at, last_error, "
            + "sha256, location, content_type, size_bytes, duration_seconds";

    /** Queues the call's recording, unless one is already stored or being fetched from the same URL. */
    void enqueue(Connection c, String siteId, String callId, String provider, String url, long now) throws SQLException {
        Optional<Row> existing = find(c, siteId, callId);
        if (existing.isPresent()) {
            Row r = existing.get();
            boolean sameSource = r.sourceUrl().equals(url);
            if (STORED.equals(r.state()) || DELETED.equals(r.state()) || (QUEUED.equals(r.state()) && sameSource)) {
                return; // kept already, deliberately gone, or on its way
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE call_recordings SET source_url = ?, provider = ?, state = ?, "
                    + "attempts = 0, next_attempt_at = ?, last_error = NULL, updated_at = ? WHERE site_id = ? AND call_id = ?")) {
                ps.setString(1, url);
                ps.setString(2, provider);
                ps.setString(3, QUEUED);
                ps.setLong(4, now);
                ps.setLong(5, now);
                ps.setString(6, siteId);
                ps.setString(7, callId);
                ps.executeUpdate();
            }
        } else {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO call_recordings(site_id, call_id, provider, source_url, state, "
                    + "attempts, next_attempt_at, created_at, updated_at) VALUES (?,?,?,?,?,0,?,?,?)")) {
                ps.setString(1, siteId);
                ps.setString(2, callId);
                ps.setString(3, provider);
                ps.setString(4, url);
                ps.setString(5, QUEUED);
                ps.setLong(6, now);
                ps.setLong(7, now);
                ps.setLong(8, now);
                ps.executeUpdate();
            }
        }
        callState(c, siteId, callId, QUEUED, null);
    }

    Optional<Row> find(Connection c, String siteId, String callId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM call_recordings WHERE site_id = ? AND call_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, callId);
            List<Row> rows = rows(ps);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
        }
    }

    /** Queued rows due by {@code now}, the longest waiting first. */
    List<Row> due(Connection c, long now, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM call_recordings WHERE state = ? "
                + "AND next_attempt_at <= ? ORDER BY next_attempt_at")) {
            ps.setString(1, QUEUED);
            ps.setLong(2, now);
            ps.setMaxRows(limit);
            return rows(ps);
        }
    }

    /** Takes a due row for one fetch: true when this worker won it (its next attempt is moved to {@code until}). */
    boolean claim(Connection c, Row row, long until) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_recordings SET next_attempt_at = ? WHERE site_id = ? AND call_id = ? "
                + "AND state = ? AND next_attempt_at = ?")) {
            ps.setLong(1, until);
            ps.setString(2, row.siteId());
            ps.setString(3, row.callId());
            ps.setString(4, QUEUED);
            ps.setLong(5, row.nextAttemptAt());
            return ps.executeUpdate() == 1;
        }
    }

    /** The fetch succeeded: the file is in place. False when the row left the queue meanwhile (erased). */
    boolean stored(Connection c, Row row, StoredFile file, Integer durationSeconds, long now) throws SQLException {
        int updated;
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_recordings SET state = ?, attempts = ?, last_error = NULL, "
                + "sha256 = ?, location = ?, content_type = ?, size_bytes = ?, duration_seconds = ?, updated_at = ? "
                + "WHERE site_id = ? AND call_id = ? AND state = ?")) {
            ps.setString(1, STORED);
            ps.setInt(2, row.attempts() + 1);
            ps.setString(3, file.sha256());
            ps.setString(4, file.location());
            ps.setString(5, file.contentType());
            ps.setLong(6, file.size());
            setInt(ps, 7, durationSeconds);
            ps.setLong(8, now);
            ps.setString(9, row.siteId());
            ps.setString(10, row.callId());
            ps.setString(11, QUEUED);
            updated = ps.executeUpdate();
        }
        if (updated == 1) {
            callState(c, row.siteId(), row.callId(), STORED, durationSeconds);
        }
        return updated == 1;
    }

    /** Another attempt later (retryable failure), or {@code failed} when {@code nextAttemptAt} is null. */
    void attemptFailed(Connection c, Row row, String error, Long nextAttemptAt, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_recordings SET state = ?, attempts = ?, next_attempt_at = ?, "
                + "last_error = ?, updated_at = ? WHERE site_id = ? AND call_id = ? AND state = ?")) {
            ps.setString(1, nextAttemptAt == null ? FAILED : QUEUED);
            ps.setInt(2, row.attempts() + 1);
            ps.setLong(3, nextAttemptAt == null ? now : nextAttemptAt);
            ps.setString(4, error.length() > 500 ? error.substring(0, 500) : error);
            ps.setLong(5, now);
            ps.setString(6, row.siteId());
            ps.setString(7, row.callId());
            ps.setString(8, QUEUED);
            if (ps.executeUpdate() == 1 && nextAttemptAt == null) {
                callState(c, row.siteId(), row.callId(), FAILED, null);
            }
        }
    }

    /** Marks these calls' recordings deleted (their files go after the commit); returns how many. */
    int markDeleted(Connection c, String siteId, List<String> callIds, String reason, long now) throws SQLException {
        int n = 0;
        for (String callId : callIds) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE call_recordings SET state = ?, last_error = ?, updated_at = ? "
                    + "WHERE site_id = ? AND call_id = ? AND state <> ?")) {
                ps.setString(1, DELETED);
                ps.setString(2, reason);
                ps.setLong(3, now);
                ps.setString(4, siteId);
                ps.setString(5, callId);
                ps.setString(6, DELETED);
                if (ps.executeUpdate() == 1) {
                    n++;
                    callState(c, siteId, callId, DELETED, null);
                }
            }
        }
        return n;
    }

    /** Calls of the site whose kept recording belongs to a call that started before {@code beforeMillis}. */
    List<String> storedBefore(Connection c, String siteId, long beforeMillis) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT r.call_id FROM call_recordings r JOIN calls k ON k.call_id = r.call_id "
                + "WHERE r.site_id = ? AND r.state IN (?, ?, ?) AND k.started_at < ?")) {
            ps.setString(1, siteId);
            ps.setString(2, STORED);
            ps.setString(3, QUEUED);
            ps.setString(4, FAILED);
            ps.setLong(5, beforeMillis);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Deleted rows of the site whose file is still on disk. */
    List<Row> filesToRemove(Connection c, String siteId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM call_recordings WHERE site_id = ? AND state = ? "
                + "AND location IS NOT NULL")) {
            ps.setString(1, siteId);
            ps.setString(2, DELETED);
            return rows(ps);
        }
    }

    /** Whether a kept recording other than {@code except} has this content (content-addressed files are shared). */
    boolean sharedElsewhere(Connection c, String sha256, String siteId, String callId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM call_recordings WHERE sha256 = ? AND state = ? "
                + "AND NOT (site_id = ? AND call_id = ?)")) {
            ps.setString(1, sha256);
            ps.setString(2, STORED);
            ps.setString(3, siteId);
            ps.setString(4, callId);
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    void clearLocation(Connection c, String siteId, String callId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_recordings SET location = NULL WHERE site_id = ? AND call_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, callId);
            ps.executeUpdate();
        }
    }

    private static void callState(Connection c, String siteId, String callId, String state, Integer seconds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET recording_state = ?, recording_seconds = ?, revision = revision + 1 "
                + "WHERE site_id = ? AND call_id = ?")) {
            ps.setString(1, state);
            setInt(ps, 2, seconds);
            ps.setString(3, siteId);
            ps.setString(4, callId);
            ps.executeUpdate();
        }
    }

    private static List<Row> rows(PreparedStatement ps) throws SQLException {
        List<Row> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long size = rs.getLong(12);
                Long sizeBytes = rs.wasNull() ? null : size;
                int d = rs.getInt(13);
                Integer duration = rs.wasNull() ? null : d;
                out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6),
                        rs.getLong(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11), sizeBytes, duration));
            }
        }
        return out;
    }

    private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, v);
        }
    }
}
