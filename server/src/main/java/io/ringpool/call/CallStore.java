package io.ringpool.call;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Calls, call events and tags in the database (V2__calls.sql), plus the reads attribution needs
 * from the foundation table sessions (which holds each visit's lease). Every method works on the caller's connection,
 * so one ingestion is one transaction.
 */
final class CallStore {

    /** Longest text kept of a raw caller or dialled number in an event row. */
    private static final int RAW_NUMBER_CHARS = 100;

    /** A call of one caller, as classification needs it. */
    record CallerCall(String callId, Instant startedAt, boolean answered, Integer talkSeconds, CallClass classes) {}

    private static final String CALL_COLUMNS = "call_id, site_id, provider, provider_call_id, caller, caller_valid, number, status, "
            + "answered, started_at, answered_at, ended_at, duration_seconds, talk_seconds, recording_url, first_time, is_unique, "
            + "target, unique_target, method, attributed_at, session_id, visitor_id, source, medium, campaign, term, content, "
            + "channel, landing_page, referrer, gclid, yclid, click_ids_json, client_ids_json, device_type, browser, os, "
            + "static_label, candidates_json, earlier_visits_json, tags_json, call_value, currency";

    // ---- events ----------------------------------------------------------------------------

    static List<CallEvent> events(Connection c, String siteId, String provider, String providerCallId) throws SQLException {
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
    static void insertEvent(Connection c, String siteId, CallEvent e, String callId, long receivedAt) throws SQLException {
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
            ps.setString(11, cap(e.recordingUrl(), 2000));
            ps.setLong(12, receivedAt);
            ps.executeUpdate();
        }
    }

    /** Replaces an event with its join with a repeat that told us more. */
    static void updateEvent(Connection c, String siteId, CallEvent e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_events SET at = ?, from_raw = ?, to_raw = ?, duration_seconds = ?, "
                + "talk_seconds = ?, recording_url = ? WHERE site_id = ? AND provider = ? AND provider_call_id = ? AND kind = ?")) {
            ps.setLong(1, e.at().toEpochMilli());
            ps.setString(2, cap(e.from(), RAW_NUMBER_CHARS));
            ps.setString(3, cap(e.to(), RAW_NUMBER_CHARS));
            setInt(ps, 4, e.durationSeconds());
            setInt(ps, 5, e.talkSeconds());
            ps.setString(6, cap(e.recordingUrl(), 2000));
            ps.setString(7, siteId);
            ps.setString(8, e.provider());
            ps.setString(9, e.providerCallId());
            ps.setString(10, e.kind().wireName());
            ps.executeUpdate();
        }
    }

    static void linkEvents(Connection c, String siteId, String provider, String providerCallId, String callId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_events SET call_id = ? WHERE site_id = ? AND provider = ? "
                + "AND provider_call_id = ? AND call_id IS NULL")) {
            ps.setString(1, callId);
            ps.setString(2, siteId);
            ps.setString(3, provider);
            ps.setString(4, providerCallId);
            ps.executeUpdate();
        }
    }

    // ---- calls -----------------------------------------------------------------------------

    static Optional<StoredCall> callByProviderId(Connection c, String siteId, String provider, String providerCallId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CALL_COLUMNS
                + " FROM calls WHERE site_id = ? AND provider = ? AND provider_call_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, provider);
            ps.setString(3, providerCallId);
            return one(ps);
        }
    }

    static Optional<StoredCall> callById(Connection c, String siteId, String callId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CALL_COLUMNS + " FROM calls WHERE site_id = ? AND call_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, callId);
            return one(ps);
        }
    }

    private static Optional<StoredCall> one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(read(rs)) : Optional.empty();
        }
    }

    /** Inserts a call; a concurrent first delivery fails on UNIQUE (site_id, provider, provider_call_id). */
    static void insertCall(Connection c, StoredCall call, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO calls(" + CALL_COLUMNS + ", created_at, updated_at) VALUES ("
                + "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            int i = bindAll(ps, call);
            ps.setLong(i++, now);
            ps.setLong(i, now);
            ps.executeUpdate();
        }
    }

    /** Rewrites every column of an existing call but its identity, tags, value and currency. */
    static void updateCall(Connection c, StoredCall call, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET caller = ?, caller_valid = ?, number = ?, status = ?, "
                + "answered = ?, started_at = ?, answered_at = ?, ended_at = ?, duration_seconds = ?, talk_seconds = ?, "
                + "recording_url = ?, first_time = ?, is_unique = ?, target = ?, unique_target = ?, method = ?, attributed_at = ?, "
                + "session_id = ?, visitor_id = ?, source = ?, medium = ?, campaign = ?, term = ?, content = ?, channel = ?, "
                + "landing_page = ?, referrer = ?, gclid = ?, yclid = ?, click_ids_json = ?, client_ids_json = ?, device_type = ?, "
                + "browser = ?, os = ?, static_label = ?, candidates_json = ?, earlier_visits_json = ?, updated_at = ? "
                + "WHERE site_id = ? AND call_id = ?")) {
            int i = bindState(ps, 1, call);
            ps.setLong(i++, now);
            ps.setString(i++, call.siteId());
            ps.setString(i, call.callId());
            ps.executeUpdate();
        }
    }

    private static int bindAll(PreparedStatement ps, StoredCall call) throws SQLException {
        ps.setString(1, call.callId());
        ps.setString(2, call.siteId());
        ps.setString(3, call.provider());
        ps.setString(4, call.providerCallId());
        int i = bindState(ps, 5, call);
        ps.setString(i++, json(call.tags()));
        if (call.value() == null) {
            ps.setNull(i++, Types.DOUBLE);
        } else {
            ps.setDouble(i++, call.value());
        }
        ps.setString(i++, call.currency());
        return i;
    }

    /** Binds caller … earlier_visits_json (the columns ingestion owns) from {@code i}; returns the next index. */
    private static int bindState(PreparedStatement ps, int i, StoredCall call) throws SQLException {
        ps.setString(i++, call.caller());
        ps.setBoolean(i++, call.callerValid());
        ps.setString(i++, call.number());
        ps.setString(i++, call.status().wireName());
        ps.setBoolean(i++, call.answered());
        ps.setLong(i++, call.startedAt().toEpochMilli());
        setInstant(ps, i++, call.answeredAt());
        setInstant(ps, i++, call.endedAt());
        setInt(ps, i++, call.durationSeconds());
        setInt(ps, i++, call.talkSeconds());
        ps.setString(i++, cap(call.recordingUrl(), 2000));
        CallClass k = call.classes();
        ps.setBoolean(i++, k.firstTime());
        ps.setBoolean(i++, k.unique());
        ps.setBoolean(i++, k.target());
        ps.setBoolean(i++, k.uniqueTarget());
        CallAttribution a = call.attribution();
        ps.setString(i++, a.method().wireName());
        ps.setLong(i++, a.decidedFor().toEpochMilli());
        ps.setString(i++, a.sessionId());
        ps.setString(i++, a.visitorId());
        CallAttribution.Visit v = a.visit();
        StaticNumberSource s = a.staticNumber();
        ps.setString(i++, v != null ? v.source() : s != null ? s.source() : null);
        ps.setString(i++, v != null ? v.medium() : s != null ? s.medium() : null);
        ps.setString(i++, v != null ? v.campaign() : s != null ? s.campaign() : null);
        ps.setString(i++, v == null ? null : v.term());
        ps.setString(i++, v == null ? null : v.content());
        ps.setString(i++, v == null ? null : v.channel());
        ps.setString(i++, v == null ? null : v.landingPage());
        ps.setString(i++, v == null ? null : v.referrer());
        ps.setString(i++, v == null ? null : cap(v.clickIds().get("gclid"), 500));
        ps.setString(i++, v == null ? null : cap(v.clickIds().get("yclid"), 500));
        ps.setString(i++, v == null || v.clickIds().isEmpty() ? null : cap(json(v.clickIds()), 4000));
        ps.setString(i++, v == null || v.clientIds().isEmpty() ? null : cap(json(v.clientIds()), 2000));
        ps.setString(i++, v == null ? null : v.deviceType());
        ps.setString(i++, v == null ? null : v.browser());
        ps.setString(i++, v == null ? null : v.os());
        ps.setString(i++, s == null ? null : s.label());
        ps.setString(i++, cap(json(a.candidates()), 20000));
        ps.setString(i++, a.earlierVisits().isEmpty() ? null : cap(json(a.earlierVisits()), 8000));
        return i;
    }

    static StoredCall read(ResultSet rs) throws SQLException {
        String method = rs.getString("method");
        String sessionId = rs.getString("session_id");
        String source = rs.getString("source");
        String medium = rs.getString("medium");
        String campaign = rs.getString("campaign");
        CallAttribution.Visit visit = null;
        StaticNumberSource staticNumber = null;
        if (AttributionMethod.STATIC.wireName().equals(method)) {
            staticNumber = new StaticNumberSource(rs.getString("number"), source, medium, campaign, rs.getString("static_label"));
        } else if (sessionId != null && rs.getString("channel") != null) {
            visit = new CallAttribution.Visit(null, source, medium, campaign, rs.getString("term"), rs.getString("content"),
                    rs.getString("channel"), rs.getString("landing_page"), rs.getString("referrer"),
                    stringMap(rs.getString("click_ids_json")), stringMap(rs.getString("client_ids_json")),
                    rs.getString("device_type"), rs.getString("browser"), rs.getString("os"));
        }
        CallAttribution attribution = new CallAttribution(
                AttributionMethod.valueOf(method.toUpperCase(java.util.Locale.ROOT)),
                Instant.ofEpochMilli(rs.getLong("attributed_at")),
                sessionId,
                rs.getString("visitor_id"),
                visit,
                staticNumber,
                list(rs.getString("candidates_json"), new TypeReference<List<AttributionResult.Candidate>>() {}),
                list(rs.getString("earlier_visits_json"), new TypeReference<List<CallAttribution.EarlierVisit>>() {}));
        double value = rs.getDouble("call_value");
        Double callValue = rs.wasNull() ? null : value;
        return new StoredCall(
                rs.getString("call_id"),
                rs.getString("site_id"),
                rs.getString("provider"),
                rs.getString("provider_call_id"),
                rs.getString("caller"),
                rs.getBoolean("caller_valid"),
                rs.getString("number"),
                CallState.Status.valueOf(rs.getString("status").toUpperCase(java.util.Locale.ROOT)),
                rs.getBoolean("answered"),
                Instant.ofEpochMilli(rs.getLong("started_at")),
                instantOrNull(rs, "answered_at"),
                instantOrNull(rs, "ended_at"),
                intOrNull(rs, "duration_seconds"),
                intOrNull(rs, "talk_seconds"),
                rs.getString("recording_url"),
                new CallClass(rs.getBoolean("first_time"), rs.getBoolean("is_unique"), rs.getBoolean("target"),
                        rs.getBoolean("unique_target")),
                attribution,
                list(rs.getString("tags_json"), new TypeReference<List<String>>() {}),
                callValue,
                rs.getString("currency"));
    }

    // ---- classification --------------------------------------------------------------------

    /** Every call of one (valid) caller on a site: what uniqueness and first-time are decided from. */
    /**
     * On H2, lookups by caller name their index. Measured with the load simulator: from about
     * 300,000 visits on, H2 planned these lookups on another index of {@code calls} (statistics
     * refreshed or not), and 94% of the server's CPU went into scanning it; calls fell to ~40/s.
     * PostgreSQL plans them right on its own.
     */
    private static volatile boolean h2Hints;

    static void useH2IndexHints(boolean h2) {
        h2Hints = h2;
    }

    private static String callerIndexHint() {
        return h2Hints ? " USE INDEX (CALLS_SITE_CALLER)" : "";
    }

    static List<CallerCall> callerCalls(Connection c, String siteId, String caller) throws SQLException {
        List<CallerCall> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT call_id, started_at, answered, talk_seconds, first_time, is_unique, "
                + "target, unique_target FROM calls" + callerIndexHint() + " WHERE site_id = ? AND caller = ? AND caller_valid = TRUE")) {
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

    static void updateClass(Connection c, String siteId, String callId, CallClass k) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET first_time = ?, is_unique = ?, target = ?, unique_target = ? "
                + "WHERE site_id = ? AND call_id = ?")) {
            ps.setBoolean(1, k.firstTime());
            ps.setBoolean(2, k.unique());
            ps.setBoolean(3, k.target());
            ps.setBoolean(4, k.uniqueTarget());
            ps.setString(5, siteId);
            ps.setString(6, callId);
            ps.executeUpdate();
        }
    }

    // ---- what attribution reads -------------------------------------------------------------

    /**
     * The leases of {@code number} that could claim a call at {@code callAt}: started by then, and
     * live or ended at most {@code coolDown} before. A lease the sweeper has not ended yet but whose
     * expiry has passed is read as ended at its expiry: its heartbeats stopped then.
     */
    /** A bound on leases read for one call; reuse from cool-down makes a few overlap at most. */
    private static final int MAX_LEASES_READ = 64;

    static List<LeaseInterval> leases(Connection c, String siteId, String number, Instant callAt, long coolDownMillis)
            throws SQLException {
        List<LeaseInterval> out = new ArrayList<>();
        long t = callAt.toEpochMilli();
        // A number's leases follow one another, so reading back from the call time, newest first,
        // the first lease that ended before the cool-down window closes the search. Bounded reads
        // whatever the number's history: a number leased 10,000 times costs the same as a new one.
        try (PreparedStatement ps = c.prepareStatement("SELECT session_id, visitor_id, started_at, lease_expires_at, ended_at FROM sessions "
                + "WHERE site_id = ? AND number = ? AND started_at <= ? ORDER BY started_at DESC, session_id DESC")) {
            ps.setString(1, siteId);
            ps.setString(2, number);
            ps.setLong(3, t);
            ps.setFetchSize(16);
            ps.setMaxRows(MAX_LEASES_READ);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long from = rs.getLong(3);
                    long expires = rs.getLong(4);
                    boolean expiresNull = rs.wasNull();
                    long ended = rs.getLong(5);
                    Long to;
                    if (!rs.wasNull()) {
                        to = ended;
                    } else if (expiresNull) {
                        continue; // not a lease (an untracked visit has no number; defensive)
                    } else {
                        to = expires <= t ? Long.valueOf(expires) : null; // live, or expired but not swept yet
                    }
                    if (to != null && to < t - coolDownMillis) {
                        break; // ended before the cool-down window: this and every older lease are out
                    }
                    out.add(new LeaseInterval(rs.getString(1), rs.getString(2), number, Instant.ofEpochMilli(from),
                            to == null ? null : Instant.ofEpochMilli(Math.max(from, to))));
                }
            }
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /** The visit of {@code sessionId} on this site, if the store still has it. */
    static Optional<CallAttribution.Visit> visit(Connection c, String siteId, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT started_at, source, medium, campaign, term, content, channel, "
                + "landing_page, referrer, click_ids_json, client_ids_json, device_type, browser, os FROM sessions "
                + "WHERE site_id = ? AND session_id = ?")) {
            ps.setString(1, siteId);
            ps.setString(2, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new CallAttribution.Visit(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                        stringMap(rs.getString(10)), stringMap(rs.getString(11)), rs.getString(12), rs.getString(13),
                        rs.getString(14)));
            }
        }
    }

    /** The visitor's visits that started before {@code before}: the latest {@code max}, oldest first. */
    static List<CallAttribution.EarlierVisit> earlierVisits(Connection c, String siteId, String visitorId, Instant before, int max)
            throws SQLException {
        List<CallAttribution.EarlierVisit> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT session_id, started_at, source, medium, channel FROM sessions "
                + "WHERE site_id = ? AND visitor_id = ? AND started_at < ? ORDER BY started_at DESC, session_id DESC")) {
            ps.setString(1, siteId);
            ps.setString(2, visitorId);
            ps.setLong(3, before.toEpochMilli());
            ps.setMaxRows(max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && out.size() < max) {
                    out.add(new CallAttribution.EarlierVisit(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3),
                            rs.getString(4), rs.getString(5)));
                }
            }
        }
        Collections.reverse(out);
        return out;
    }

    /** The visit the caller's latest earlier attributed call went to, for method {@code repeat}; null if none. */
    static PreviousAttribution previousAttribution(Connection c, String siteId, String caller, Instant before, String exceptCallId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT session_id, visitor_id, number FROM calls" + callerIndexHint()
                + " WHERE site_id = ? AND caller = ? "
                + "AND caller_valid = TRUE AND started_at < ? AND call_id <> ? AND session_id IS NOT NULL "
                + "ORDER BY started_at DESC, call_id DESC")) {
            ps.setString(1, siteId);
            ps.setString(2, caller);
            ps.setLong(3, before.toEpochMilli());
            ps.setString(4, exceptCallId == null ? "" : exceptCallId);
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new PreviousAttribution(rs.getString(1), rs.getString(2), rs.getString(3)) : null;
            }
        }
    }

    // ---- call log, tags, erasure -------------------------------------------------------------

    static List<StoredCall> query(Connection c, CallQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ").append(CALL_COLUMNS).append(" FROM calls WHERE site_id = ?");
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
        for (Map.Entry<String, String> e : q.equalities().entrySet()) {
            sql.append(" AND ").append(e.getKey()).append(" = ?"); // keys come from CallQuery's fixed column list
            params.add(e.getValue());
        }
        if (q.unique() != null) {
            sql.append(" AND is_unique = ?");
            params.add(q.unique());
        }
        if (q.target() != null) {
            sql.append(" AND target = ?");
            params.add(q.target());
        }
        if (q.tag() != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM call_tags t WHERE t.site_id = calls.site_id AND t.call_id = calls.call_id AND t.tag = ?)");
            params.add(q.tag());
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
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    static void updateMarketing(Connection c, String siteId, String callId, List<String> tags, Double value, String currency, long now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET tags_json = ?, call_value = ?, currency = ?, updated_at = ? "
                + "WHERE site_id = ? AND call_id = ?")) {
            ps.setString(1, json(tags));
            if (value == null) {
                ps.setNull(2, Types.DOUBLE);
            } else {
                ps.setDouble(2, value);
            }
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
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO call_tags(site_id, call_id, tag) VALUES (?,?,?)")) {
            for (String tag : tags) {
                ps.setString(1, siteId);
                ps.setString(2, callId);
                ps.setString(3, tag);
                ps.addBatch();
            }
            if (!tags.isEmpty()) {
                ps.executeBatch();
            }
        }
    }

    /**
     * Replaces {@code caller} by {@link CallerNumber#ERASED} in the site's calls and their events.
     * Classification flags stay as they are, so counts do not change. Returns the calls touched.
     */
    static int eraseCaller(Connection c, String siteId, String caller) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_events SET from_raw = ? WHERE site_id = ? AND (from_raw = ? "
                + "OR call_id IN (SELECT call_id FROM calls WHERE site_id = ? AND caller = ?))")) {
            ps.setString(1, CallerNumber.ERASED);
            ps.setString(2, siteId);
            ps.setString(3, caller);
            ps.setString(4, siteId);
            ps.setString(5, caller);
            ps.executeUpdate();
        }
        // The call's copy of its visit's landing page, referrer and client ids is the person's data too.
        try (PreparedStatement ps = c.prepareStatement("UPDATE calls SET caller = ?, caller_valid = FALSE, landing_page = NULL, "
                + "referrer = NULL, client_ids_json = NULL WHERE site_id = ? AND caller = ?")) {
            ps.setString(1, CallerNumber.ERASED);
            ps.setString(2, siteId);
            ps.setString(3, caller);
            return ps.executeUpdate();
        }
    }

    /** Erases the caller of every call that started before {@code beforeMillis}; returns how many calls. */
    static int purgeCallersBefore(Connection c, String siteId, long beforeMillis) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE call_events SET from_raw = ? WHERE site_id = ? AND from_raw <> ? AND ("
                + "call_id IN (SELECT call_id FROM calls WHERE site_id = ? AND started_at < ?) OR (call_id IS NULL AND at < ?))")) {
            ps.setString(1, CallerNumber.ERASED);
            ps.setString(2, siteId);
            ps.setString(3, CallerNumber.ERASED);
            ps.setString(4, siteId);
            ps.setLong(5, beforeMillis);
            ps.setLong(6, beforeMillis);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE calls SET caller = ?, caller_valid = FALSE, landing_page = NULL, referrer = NULL, client_ids_json = NULL "
                        + "WHERE site_id = ? AND started_at < ? AND caller <> ?")) {
            ps.setString(1, CallerNumber.ERASED);
            ps.setString(2, siteId);
            ps.setLong(3, beforeMillis);
            ps.setString(4, CallerNumber.ERASED);
            return ps.executeUpdate();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    static String json(Object value) {
        return new String(Json.write(value), StandardCharsets.UTF_8);
    }

    private static <T> List<T> list(String json, TypeReference<List<T>> type) throws SQLException {
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable JSON column", e);
        }
    }

    private static Map<String, String> stringMap(String json) throws SQLException {
        if (json == null || json.isEmpty()) {
            return Map.of();
        }
        try {
            Map<String, String> out = new LinkedHashMap<>();
            Json.MAPPER.readTree(json).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable JSON column", e);
        }
    }

    private static String cap(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, v);
        }
    }

    private static void setInstant(PreparedStatement ps, int i, Instant v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v.toEpochMilli());
        }
    }

    private static Integer intOrNull(ResultSet rs, int column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static Integer intOrNull(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static Instant instantOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private CallStore() {}
}
