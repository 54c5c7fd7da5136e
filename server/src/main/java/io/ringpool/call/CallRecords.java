package io.ringpool.call;

import static io.ringpool.store.Columns.cap;
import static io.ringpool.store.Columns.intOrNull;
import static io.ringpool.store.Columns.setInt;

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
 * Calls and their events as ingestion reads and writes them ({@code calls}, {@code call_events}).
 * Every method works on the caller's connection, so one ingestion is one transaction; the unique
 * keys are what make concurrent first deliveries of one call safe across nodes.
 */
final class CallRecords {
    /** Longest text kept of a raw caller or dialled number in an event row. */
    private static final int RAW_NUMBER_CHARS = 100;

    private static final String INSERT_CALL = "INSERT INTO calls(" + CallRows.COLUMNS + ", created_at, updated_at) VALUES ("
            + String.join(",", Collections.nCopies(CallRows.COLUMN_COUNT + 2, "?")) + ")";

    // ---- events ------------------------------------------------------------------------------

    /** Every stored event of one provider call, whether or not it has a call yet. */
    List<CallEvent> events(Connection c, String siteId, String provider, String providerCallId) throws SQLException {
        List<CallEvent> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT kind, at, from_raw, to_raw, duration_seconds, talk_seconds, "
                + "recording_url FROM call_events WHERE site_id = ? AND provider = ? AND provider_call_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, provider);
            ps.setString(3, providerCallId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String kindText = rs.getString(1);
                    CallEvent.Kind kind = CallEvent.Kind.fromWire(kindText).orElseThrow(
                            () -> new SQLException("unknown event kind in call_events: " + kindText));
                    out.add(new CallEvent(provider, providerCallId, kind, Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3),
                            rs.getString(4), intOrNull(rs, 5), intOrNull(rs, 6), rs.getString(7)));
                }
            }
        }
        return out;
    }

    /** Inserts a new event; a concurrent insert of the same kind fails on the primary key. */
    void insertEvent(Connection c, String siteId, CallEvent e, String callId, long receivedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO call_events(site_id, provider, provider_call_id, kind, call_id, "
                + "at, from_raw, to_raw, duration_seconds, talk_seconds, recording_url, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, siteId);
            ps.setString(2, e.provider());
            ps.setString(3, e.providerCallId());
            ps.setString(4, e.kind().wireName());
            ps.setString(5, callId);
            ps.setLong(6, e.at().toEpochMilli());
            ps.setString(7, cap(e.from(), RAW_NUMBER_CHARS));
            ps.setString(8, cap(e.to(), RAW_NUMBER_CHARS));
            setInt(ps, 9, e.durationSeconds());
            setInt(ps, 10, e.talkSeconds());
            ps.setString(11, cap(e.recordingUrl(), CallRows.URL_CHARS));
            ps.setLong(12, receivedAt);
            ps.executeUpdate();
        }
    }

    /** Replaces an event with its join with a repeat that told us more. */
    void updateEvent(Connection c, String siteId, CallEvent e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_events SET at = ?, from_raw = ?, to_raw = ?, duration_seconds = ?, "
                + "talk_seconds = ?, recording_url = ? WHERE site_id = ? AND provider = ? AND provider_call_id = ? AND kind = ?")) {
            ps.setLong(1, e.at().toEpochMilli());
            ps.setString(2, cap(e.from(), RAW_NUMBER_CHARS));
            ps.setString(3, cap(e.to(), RAW_NUMBER_CHARS));
            setInt(ps, 4, e.durationSeconds());
            setInt(ps, 5, e.talkSeconds());
            ps.setString(6, cap(e.recordingUrl(), CallRows.URL_CHARS));
            ps.setString(7, siteId);
            ps.setString(8, e.provider());
            ps.setString(9, e.providerCallId());
            ps.setString(10, e.kind().wireName());
            ps.executeUpdate();
        }
    }

    /** Points the events that waited for their call (no dialled number yet) at it. */
    void linkEvents(Connection c, String siteId, String provider, String providerCallId, String callId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_events SET call_id = ? WHERE site_id = ? AND provider = ? "
                + "AND provider_call_id = ? AND call_id IS NULL")) {
            ps.setString(1, callId);
            ps.setString(2, siteId);
            ps.setString(3, provider);
            ps.setString(4, providerCallId);
            ps.executeUpdate();
        }
    }

    // ---- calls -------------------------------------------------------------------------------

    Optional<StoredCall> byProviderId(Connection c, String siteId, String provider, String providerCallId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CallRows.READ_COLUMNS
                + " FROM calls WHERE site_id = ? AND provider = ? AND provider_call_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, provider);
            ps.setString(3, providerCallId);
            return one(ps);
        }
    }

    /** A call of this site; another site's call id finds nothing. */
    Optional<StoredCall> byId(Connection c, String siteId, String callId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CallRows.READ_COLUMNS + " FROM calls WHERE site_id = ? AND call_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, callId);
            return one(ps);
        }
    }

    private static Optional<StoredCall> one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(CallRows.read(rs)) : Optional.empty();
        }
    }

    /** Inserts a call; a concurrent first delivery fails on UNIQUE (site_id, provider, provider_call_id). */
    void insert(Connection c, StoredCall call, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_CALL)) {
            int i = CallRows.bindAll(ps, call);
            ps.setLong(i++, now);
            ps.setLong(i, now);
            ps.executeUpdate();
        }
    }

    /** Rewrites every column of an existing call but its identity, tags, value and currency. */
    void update(Connection c, StoredCall call, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET " + CallRows.STATE_ASSIGNMENTS + ", updated_at = ? "
                + "WHERE site_id = ? AND call_id = ?")) {
            int i = CallRows.bindState(ps, 1, call);
            ps.setLong(i++, now);
            ps.setString(i++, call.siteId());
            ps.setString(i, call.callId());
            ps.executeUpdate();
        }
    }
}
