package io.ringpool.call;

import io.ringpool.visit.VisitSource;
import static io.ringpool.store.Columns.cap;
import static io.ringpool.store.Columns.instantOrNull;
import static io.ringpool.store.Columns.intOrNull;
import static io.ringpool.store.Columns.setInstant;
import static io.ringpool.store.Columns.setInt;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ringpool.store.Columns;
import io.ringpool.store.StorageJson;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StoredCall} as a row of {@code calls} (V2__calls.sql) and back: the one place that
 * knows the columns, their widths and which of them hold JSON.
 */
final class CallRows {
    private static final Logger LOG = LoggerFactory.getLogger(CallRows.class);

    /** Every column of a call, in the order {@link #bindAll} binds them. */
    static final String COLUMNS = "call_id, site_id, provider, provider_call_id, caller, caller_valid, number, status, "
            + "answered, started_at, answered_at, ended_at, duration_seconds, talk_seconds, recording_url, first_time, is_unique, "
            + "target, unique_target, method, attributed_at, session_id, visitor_id, source, medium, campaign, term, content, "
            + "channel, landing_page, referrer, gclid, yclid, click_ids_json, client_ids_json, device_type, browser, os, "
            + "static_label, candidates_json, earlier_visits_json, tags_json, call_value, currency";

    /** {@code col = ?} for every column ingestion owns, in the order {@link #bindState} binds them. */
    static final String STATE_ASSIGNMENTS = "caller = ?, caller_valid = ?, number = ?, status = ?, "
            + "answered = ?, started_at = ?, answered_at = ?, ended_at = ?, duration_seconds = ?, talk_seconds = ?, "
            + "recording_url = ?, first_time = ?, is_unique = ?, target = ?, unique_target = ?, method = ?, attributed_at = ?, "
            + "session_id = ?, visitor_id = ?, source = ?, medium = ?, campaign = ?, term = ?, content = ?, channel = ?, "
            + "landing_page = ?, referrer = ?, gclid = ?, yclid = ?, click_ids_json = ?, client_ids_json = ?, device_type = ?, "
            + "browser = ?, os = ?, static_label = ?, candidates_json = ?, earlier_visits_json = ?";

    /** What a read selects: {@link #COLUMNS} and the review columns (V60), which ingestion never writes. */
    static final String READ_COLUMNS = COLUMNS + ", reviewed, note, recording_state, recording_seconds, transcript, auto_tags_json";

    static final int COLUMN_COUNT = COLUMNS.split(",").length;

    /** Column widths (V2__calls.sql); longer text is cut rather than refused, it comes from providers and browsers. */
    static final int URL_CHARS = 2000;
    private static final int CLICK_ID_CHARS = 500;
    private static final int CLICK_IDS_JSON_CHARS = 4000;
    private static final int CLIENT_IDS_JSON_CHARS = 2000;
    private static final int CANDIDATES_JSON_CHARS = 20000;
    private static final int EARLIER_VISITS_JSON_CHARS = 8000;

    private static final TypeReference<List<AttributionResult.Candidate>> CANDIDATES = new TypeReference<>() {};
    private static final TypeReference<List<CallAttribution.EarlierVisit>> EARLIER_VISITS = new TypeReference<>() {};

    private CallRows() {}

    /** Binds every column of {@link #COLUMNS} from 1; returns the next index. */
    static int bindAll(PreparedStatement ps, StoredCall call) throws SQLException {
        ps.setString(1, call.callId());
        ps.setString(2, call.siteId());
        ps.setString(3, call.provider());
        ps.setString(4, call.providerCallId());
        int i = bindState(ps, 5, call);
        ps.setString(i++, StorageJson.write(call.tags()));
        Columns.setDouble(ps, i++, call.value());
        ps.setString(i++, call.currency());
        return i;
    }

    /** Binds caller … earlier_visits_json (the columns ingestion owns) from {@code i}; returns the next index. */
    static int bindState(PreparedStatement ps, int i, StoredCall call) throws SQLException {
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
        ps.setString(i++, cap(call.recordingUrl(), URL_CHARS));
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
        VisitSource v = a.visit();
        StaticNumberSource s = a.staticNumber();
        ps.setString(i++, v != null ? v.source() : s != null ? s.source() : null);
        ps.setString(i++, v != null ? v.medium() : s != null ? s.medium() : null);
        ps.setString(i++, v != null ? v.campaign() : s != null ? s.campaign() : null);
        ps.setString(i++, v == null ? null : v.term());
        ps.setString(i++, v == null ? null : v.content());
        ps.setString(i++, v == null ? null : v.channel());
        ps.setString(i++, v == null ? null : v.landingPage());
        ps.setString(i++, v == null ? null : v.referrer());
        ps.setString(i++, v == null ? null : cap(v.clickIds().get("gclid"), CLICK_ID_CHARS));
        ps.setString(i++, v == null ? null : cap(v.clickIds().get("yclid"), CLICK_ID_CHARS));
        ps.setString(i++, v == null || v.clickIds().isEmpty() ? null : jsonOrNull(StorageJson.write(v.clickIds()), CLICK_IDS_JSON_CHARS));
        ps.setString(i++, v == null || v.clientIds().isEmpty() ? null : jsonOrNull(StorageJson.write(v.clientIds()), CLIENT_IDS_JSON_CHARS));
        ps.setString(i++, v == null ? null : v.deviceType());
        ps.setString(i++, v == null ? null : v.browser());
        ps.setString(i++, v == null ? null : v.os());
        ps.setString(i++, s == null ? null : s.label());
        ps.setString(i++, jsonWithin(a.candidates(), CANDIDATES_JSON_CHARS, Keep.FIRST));
        ps.setString(i++, a.earlierVisits().isEmpty() ? null : jsonWithin(a.earlierVisits(), EARLIER_VISITS_JSON_CHARS, Keep.LAST));
        return i;
    }

    /**
     * A history column as stored, or {@code absent} when it cannot be read: servers before
     * {@link #jsonWithin} cut these columns mid-value, and such a row must still show its call
     * (the call's own columns are intact) instead of failing its call log page.
     */
    private static <T> T readable(ResultSet rs, String column, Function<String, T> reader, T absent) throws SQLException {
        String json = rs.getString(column);
        try {
            return reader.apply(json);
        } catch (IllegalStateException cut) {
            LOG.warn("call_column_unreadable call={} column={} chars={}", rs.getString("call_id"), column, json.length());
            return absent;
        }
    }

    /** Which end of a list matters most when not all of it fits its column. */
    enum Keep { FIRST, LAST }

    /**
     * The JSON array of {@code items} in at most {@code maxChars}, leaving out whole items from the
     * end that matters least. Never cut mid-value: a cut array cannot be read back, and one such
     * call made the call itself and every call log page holding it fail. The items are visitors'
     * sources and ids, so their width is for browsers to choose (ten visits with 500-character
     * sources are 11,000 characters of earlier visits).
     */
    static <T> String jsonWithin(List<T> items, int maxChars, Keep keep) {
        String json = StorageJson.write(items);
        int from = 0;
        int to = items.size();
        while (json.length() > maxChars && from < to) {
            if (keep == Keep.FIRST) {
                to--;
            } else {
                from++;
            }
            json = StorageJson.write(items.subList(from, to));
        }
        return json.length() <= maxChars ? json : "[]";
    }

    /** A JSON object kept whole or not at all (see {@link #jsonWithin}). */
    private static String jsonOrNull(String json, int maxChars) {
        return json.length() <= maxChars ? json : null;
    }

    /** The call on the current row of a result that selected {@link #COLUMNS}. */
    static StoredCall read(ResultSet rs) throws SQLException {
        String method = rs.getString("method");
        String sessionId = rs.getString("session_id");
        String source = rs.getString("source");
        String medium = rs.getString("medium");
        String campaign = rs.getString("campaign");
        VisitSource visit = null;
        StaticNumberSource staticNumber = null;
        if (AttributionMethod.STATIC.wireName().equals(method)) {
            staticNumber = new StaticNumberSource(rs.getString("number"), source, medium, campaign, rs.getString("static_label"));
        } else if (sessionId != null && rs.getString("channel") != null) {
            visit = new VisitSource(null, source, medium, campaign, rs.getString("term"), rs.getString("content"),
                    rs.getString("channel"), rs.getString("landing_page"), rs.getString("referrer"),
                    readable(rs, "click_ids_json", StorageJson::readStringMap, Map.of()),
                    readable(rs, "client_ids_json", StorageJson::readStringMap, Map.of()),
                    rs.getString("device_type"), rs.getString("browser"), rs.getString("os"));
        }
        CallAttribution attribution = new CallAttribution(
                AttributionMethod.valueOf(method.toUpperCase(Locale.ROOT)),
                Instant.ofEpochMilli(rs.getLong("attributed_at")),
                sessionId,
                rs.getString("visitor_id"),
                visit,
                staticNumber,
                readable(rs, "candidates_json", json -> StorageJson.readList(json, CANDIDATES), List.of()),
                readable(rs, "earlier_visits_json", json -> StorageJson.readList(json, EARLIER_VISITS), List.of()));
        return new StoredCall(
                rs.getString("call_id"),
                rs.getString("site_id"),
                rs.getString("provider"),
                rs.getString("provider_call_id"),
                rs.getString("caller"),
                rs.getBoolean("caller_valid"),
                rs.getString("number"),
                CallState.Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
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
                StorageJson.readStrings(rs.getString("tags_json")),
                Columns.doubleOrNull(rs, "call_value"),
                rs.getString("currency"),
                new CallReview(rs.getBoolean("reviewed"), rs.getString("note"), rs.getString("recording_state"),
                        intOrNull(rs, "recording_seconds"), rs.getString("transcript"), AutoTags.read(rs.getString("auto_tags_json"))));
    }
}
