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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Calls and their events as ingestion reads and writes them ({@code calls}; {@code call_events},
 * filed under the call; {@code call_events_waiting}, events of a call not created yet).
 * Every method works on the caller's connection, so one ingestion is one transaction; the unique
 * keys are what make concurrent first deliveries of one call safe across nodes.
 */
final class CallRecords {
    /** Longest text kept of a raw caller or dialled number in an event row. */
    private static final int RAW_NUMBER_CHARS = 100;

    private static final String INSERT_CALL = "INSERT INTO calls(" + CallRows.COLUMNS + ", created_at, updated_at) VALUES ("
            + String.join(",", Collections.nCopies(CallRows.COLUMN_COUNT + 2, "?")) + ")";

    // ---- events ------------------------------------------------------------------------------

    /** An event still waiting for its call, with when it was first received (kept when it is filed). */
    record WaitingEvent(CallEvent event, long receivedAt) {}

    /**
     * What the store holds of one provider call's events: those filed under its call
     * ({@code call_events}) and those still waiting for it ({@code call_events_waiting}). Both are
     * read even when the call exists: a node that had not yet seen the call may have stored an event
     * as waiting just after another node created it, and the next event of the call files it.
     */
    record StoredEvents(List<CallEvent> filed, List<WaitingEvent> waiting) {
        static final StoredEvents NONE = new StoredEvents(List.of(), List.of());

        /** One event a kind; a kind both filed and waiting (that race) is joined. */
        List<CallEvent> merged() {
            if (waiting.isEmpty()) {
                return filed;
            }
            Map<CallEvent.Kind, CallEvent> byKind = new EnumMap<>(CallEvent.Kind.class);
            for (CallEvent e : filed) {
                byKind.put(e.kind(), e);
            }
            for (WaitingEvent w : waiting) {
                byKind.merge(w.event().kind(), w.event(), CallStateMerger::join);
            }
            return List.copyOf(byKind.values());
        }

        Optional<CallEvent> filed(CallEvent.Kind kind) {
            return filed.stream().filter(e -> e.kind() == kind).findFirst();
        }

        long receivedAt(CallEvent.Kind kind, long otherwise) {
            return waiting.stream().filter(w -> w.event().kind() == kind).mapToLong(WaitingEvent::receivedAt).findFirst()
                    .orElse(otherwise);
        }
    }

    /** The events of one provider call; {@code callId} is its call's id, or null while it has none. */
    StoredEvents events(Connection c, String siteId, String provider, String providerCallId, String callId) throws SQLException {
        List<CallEvent> filed = new ArrayList<>();
        if (callId != null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT kind, at, from_raw, to_raw, duration_seconds, talk_seconds, "
                    + "recording_url FROM call_events WHERE call_id = ?")) {
                ps.setString(1, callId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        filed.add(readEvent(rs, provider, providerCallId));
                    }
                }
            }
        }
        List<WaitingEvent> waiting = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT kind, at, from_raw, to_raw, duration_seconds, talk_seconds, "
                + "recording_url, received_at FROM call_events_waiting WHERE site_id = ? AND provider = ? AND provider_call_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, provider);
            ps.setString(3, providerCallId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    waiting.add(new WaitingEvent(readEvent(rs, provider, providerCallId), rs.getLong(8)));
                }
            }
        }
        return filed.isEmpty() && waiting.isEmpty() ? StoredEvents.NONE : new StoredEvents(filed, waiting);
    }

    private static CallEvent readEvent(ResultSet rs, String provider, String providerCallId) throws SQLException {
        String kindText = rs.getString(1);
        CallEvent.Kind kind = CallEvent.Kind.fromStored(kindText).orElseThrow(
                () -> new SQLException("unknown event kind in the call's events: " + kindText));
        return new CallEvent(provider, providerCallId, kind, Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
                intOrNull(rs, 5), intOrNull(rs, 6), rs.getString(7));
    }

    /**
     * Stores an event of a call that does not exist yet, unless its kind already waits or the call
     * was created since the plan was read (another node): returns false then, and nothing is
     * written. A concurrent insert that is not committed yet still fails on the primary key.
     */
    boolean waitIfAbsent(Connection c, String siteId, CallEvent e, long receivedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO call_events_waiting(site_id, provider, provider_call_id, kind, "
                + "at, from_raw, to_raw, duration_seconds, talk_seconds, recording_url, received_at) SELECT ?,?,?,?,?,?,?,?,?,?,? "
                + "WHERE NOT EXISTS (SELECT 1 FROM call_events_waiting WHERE site_id = ? AND provider = ? AND provider_call_id = ? "
                + "AND kind = ?) AND NOT EXISTS (SELECT 1 FROM calls WHERE site_id = ? AND provider = ? AND provider_call_id = ?)")) {
            ps.setString(1, siteId);
            ps.setString(2, e.provider());
            ps.setString(3, e.providerCallId());
            ps.setString(4, e.kind().wireName());
            int i = bindValues(ps, 5, e);
            ps.setLong(i++, receivedAt);
            ps.setString(i++, siteId);
            ps.setString(i++, e.provider());
            ps.setString(i++, e.providerCallId());
            ps.setString(i++, e.kind().wireName());
            ps.setString(i++, siteId);
            ps.setString(i++, e.provider());
            ps.setString(i, e.providerCallId());
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Replaces a waiting event {@code was} with its join {@code e} only if the row still holds
     * {@code was} (the plan's view); returns false, writing nothing, when another node changed it.
     */
    boolean updateWaitingIfUnchanged(Connection c, String siteId, CallEvent e, CallEvent was) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_events_waiting SET at = ?, from_raw = ?, to_raw = ?, "
                + "duration_seconds = ?, talk_seconds = ?, recording_url = ? WHERE " + WAITING_ROW_AS_READ)) {
            int i = bindValues(ps, 1, e);
            bindWaitingRowAsRead(ps, i, siteId, was);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Takes the waiting events the plan read out of the waiting table, before they are filed under
     * their call.
     *
     * @throws StaleEvents when one of them changed or went since it was read (another node); the
     *                     transaction must then be rolled back and the event planned again
     */
    void unwait(Connection c, String siteId, List<WaitingEvent> waiting) throws SQLException {
        if (waiting.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM call_events_waiting WHERE " + WAITING_ROW_AS_READ)) {
            for (WaitingEvent w : waiting) {
                bindWaitingRowAsRead(ps, 1, siteId, w.event());
                if (ps.executeUpdate() != 1) {
                    throw new StaleEvents();
                }
            }
        }
    }

    /**
     * Files {@code events} (the call's, one a kind, as the plan decided them) under {@code callId}:
     * kinds not filed yet are inserted, filed ones that changed are updated. The caller has made
     * sure nothing else writes the call meanwhile (a new call's unique key, an existing call's
     * revision), so the filed rows are as {@code stored} read them.
     */
    void file(Connection c, String siteId, String callId, StoredEvents stored, List<CallEvent> events, long now) throws SQLException {
        for (CallEvent e : events) {
            Optional<CallEvent> was = stored.filed(e.kind());
            if (was.isEmpty()) {
                insertFiled(c, siteId, callId, e, stored.receivedAt(e.kind(), now));
            } else if (!was.get().equals(e)) {
                updateFiled(c, callId, e);
            }
        }
    }

    private static void insertFiled(Connection c, String siteId, String callId, CallEvent e, long receivedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO call_events(call_id, kind, site_id, at, from_raw, to_raw, "
                + "duration_seconds, talk_seconds, recording_url, received_at) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, callId);
            ps.setString(2, e.kind().wireName());
            ps.setString(3, siteId);
            int i = bindValues(ps, 4, e);
            ps.setLong(i, receivedAt);
            ps.executeUpdate();
        }
    }

    private static void updateFiled(Connection c, String callId, CallEvent e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_events SET at = ?, from_raw = ?, to_raw = ?, duration_seconds = ?, "
                + "talk_seconds = ?, recording_url = ? WHERE call_id = ? AND kind = ?")) {
            int i = bindValues(ps, 1, e);
            ps.setString(i++, callId);
            ps.setString(i, e.kind().wireName());
            ps.executeUpdate();
        }
    }

    /** Binds an event's time and values from {@code index}; returns the next index. */
    private static int bindValues(PreparedStatement ps, int index, CallEvent e) throws SQLException {
        int i = index;
        ps.setLong(i++, e.at().toEpochMilli());
        ps.setString(i++, cap(e.from(), RAW_NUMBER_CHARS));
        ps.setString(i++, cap(e.to(), RAW_NUMBER_CHARS));
        setInt(ps, i++, e.durationSeconds());
        setInt(ps, i++, e.talkSeconds());
        ps.setString(i++, cap(e.recordingUrl(), CallRows.URL_CHARS));
        return i;
    }

    private static final String WAITING_ROW_AS_READ = "site_id = ? AND provider = ? AND provider_call_id = ? AND kind = ? "
            + "AND at = ? AND from_raw IS NOT DISTINCT FROM ? AND to_raw IS NOT DISTINCT FROM ? "
            + "AND duration_seconds IS NOT DISTINCT FROM ? AND talk_seconds IS NOT DISTINCT FROM ? "
            + "AND recording_url IS NOT DISTINCT FROM ?";

    private static void bindWaitingRowAsRead(PreparedStatement ps, int index, String siteId, CallEvent was) throws SQLException {
        ps.setString(index, siteId);
        ps.setString(index + 1, was.provider());
        ps.setString(index + 2, was.providerCallId());
        ps.setString(index + 3, was.kind().wireName());
        bindValues(ps, index + 4, was);
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

    /** A call as stored, with the revision a write must find unchanged ({@link #updateAtRevision}). */
    record Revised(StoredCall call, long revision) {}

    Optional<Revised> byProviderIdRevised(Connection c, String siteId, String provider, String providerCallId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CallRows.READ_COLUMNS
                + ", revision FROM calls WHERE site_id = ? AND provider = ? AND provider_call_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, provider);
            ps.setString(3, providerCallId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Revised(CallRows.read(rs), rs.getLong("revision"))) : Optional.empty();
            }
        }
    }

    /**
     * As {@link #update}, and raises the revision, but only while the call is still at
     * {@code revision}; returns false, writing nothing, when it moved on since it was read.
     */
    boolean updateAtRevision(Connection c, StoredCall call, long revision, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET " + CallRows.STATE_ASSIGNMENTS + ", updated_at = ?, "
                + "revision = revision + 1 WHERE site_id = ? AND call_id = ? AND revision = ?")) {
            int i = CallRows.bindState(ps, 1, call);
            ps.setLong(i++, now);
            ps.setString(i++, call.siteId());
            ps.setString(i++, call.callId());
            ps.setLong(i, revision);
            return ps.executeUpdate() == 1;
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

    /**
     * As {@link #byId}, with the row locked until the transaction ends (both stores take {@code FOR
     * UPDATE} on one table): a person's edit reads what it changes without another edit in between.
     */
    Optional<StoredCall> byIdForEdit(Connection c, String siteId, String callId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CallRows.READ_COLUMNS
                + " FROM calls WHERE site_id = ? AND call_id = ? FOR UPDATE")) {
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
