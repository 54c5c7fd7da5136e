package io.ringpool.call;

import static io.ringpool.store.Columns.cap;
import static io.ringpool.store.Columns.intOrNull;
import static io.ringpool.store.Columns.setInt;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ringpool.store.Columns;
import io.ringpool.store.StorageJson;
import io.ringpool.visit.VisitSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.HashMap;
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
            + "answered, started_at, answered_at, ended_at, duration_seconds, talk_seconds, end_unknown, live_site_id, recording_url, "
            + "first_time, is_unique, target, unique_target, method, attributed_at, session_id, visitor_id, source, medium, campaign, term, content, "
            + "channel, landing_page, referrer, gclid, yclid, click_ids_json, client_ids_json, device_type, browser, os, "
            + "static_label, candidates_json, earlier_visits_json, tags_json, call_value, currency";

    /** {@code col = ?} for every column ingestion owns, in the order {@link #bindState} binds them. */
    static final String STATE_ASSIGNMENTS = "caller = ?, caller_valid = ?, number = ?, status = ?, "
            + "answered = ?, started_at = ?, answered_at = ?, ended_at = ?, duration_seconds = ?, talk_seconds = ?, "
            + "end_unknown = ?, live_site_id = ?, recording_url = ?, first_time = ?, is_unique = ?, target = ?, unique_target = ?, method = ?, attributed_at = ?, "
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

    /**
     * Where a call's column values go: a statement's parameters, or the row kept in memory by
     * {@link #asStored}. One binding code for both, so the copy in memory holds what the row holds.
     */
    interface Params {
        void string(int index, String value) throws SQLException;

        void flag(int index, boolean value) throws SQLException;

        /** A BIGINT; null writes NULL. */
        void number(int index, Long value) throws SQLException;

        void integer(int index, Integer value) throws SQLException;

        void decimal(int index, Double value) throws SQLException;

        static Params of(PreparedStatement ps) {
            return new Params() {
                @Override
                public void string(int index, String value) throws SQLException {
                    ps.setString(index, value);
                }

                @Override
                public void flag(int index, boolean value) throws SQLException {
                    ps.setBoolean(index, value);
                }

                @Override
                public void number(int index, Long value) throws SQLException {
                    if (value == null) {
                        ps.setNull(index, Types.BIGINT);
                    } else {
                        ps.setLong(index, value);
                    }
                }

                @Override
                public void integer(int index, Integer value) throws SQLException {
                    setInt(ps, index, value);
                }

                @Override
                public void decimal(int index, Double value) throws SQLException {
                    Columns.setDouble(ps, index, value);
                }
            };
        }
    }

    /** Binds every column of {@link #COLUMNS} from 1; returns the next index. */
    static int bindAll(PreparedStatement ps, StoredCall call) throws SQLException {
        return bindAll(Params.of(ps), call);
    }

    static int bindAll(Params ps, StoredCall call) throws SQLException {
        ps.string(1, call.callId());
        ps.string(2, call.siteId());
        ps.string(3, call.provider());
        ps.string(4, call.providerCallId());
        int i = bindState(ps, 5, call);
        ps.string(i++, StorageJson.write(call.tags()));
        ps.decimal(i++, call.value());
        ps.string(i++, call.currency());
        return i;
    }

    /** Binds caller … earlier_visits_json (the columns ingestion owns) from {@code i}; returns the next index. */
    static int bindState(PreparedStatement ps, int i, StoredCall call) throws SQLException {
        return bindState(Params.of(ps), i, call);
    }

    private static int bindState(Params ps, int i, StoredCall call) throws SQLException {
        ps.string(i++, call.caller());
        ps.flag(i++, call.callerValid());
        ps.string(i++, call.number());
        ps.string(i++, call.status().wireName());
        ps.flag(i++, call.answered());
        ps.number(i++, call.startedAt().toEpochMilli());
        ps.number(i++, millisOrNull(call.answeredAt()));
        ps.number(i++, millisOrNull(call.endedAt()));
        ps.integer(i++, call.durationSeconds());
        ps.integer(i++, call.talkSeconds());
        ps.flag(i++, call.endUnknown());
        // The site while the call is under way, else null: what UnendedCalls looks calls up by (V153). A
        // column of its own, so no index on status tempts the call log's status filter away from its plan.
        ps.string(i++, call.status().isTerminal() ? null : call.siteId());
        ps.string(i++, cap(call.recordingUrl(), URL_CHARS));
        CallClass k = call.classes();
        ps.flag(i++, k.firstTime());
        ps.flag(i++, k.unique());
        ps.flag(i++, k.target());
        ps.flag(i++, k.uniqueTarget());
        CallAttribution a = call.attribution();
        ps.string(i++, a.method().wireName());
        ps.number(i++, a.decidedFor().toEpochMilli());
        ps.string(i++, a.sessionId());
        ps.string(i++, a.visitorId());
        VisitSource v = a.visit();
        StaticNumberSource s = a.staticNumber();
        ps.string(i++, v != null ? v.source() : s != null ? s.source() : null);
        ps.string(i++, v != null ? v.medium() : s != null ? s.medium() : null);
        ps.string(i++, v != null ? v.campaign() : s != null ? s.campaign() : null);
        ps.string(i++, v == null ? null : v.term());
        ps.string(i++, v == null ? null : v.content());
        ps.string(i++, v != null ? v.channel() : s != null ? s.channel() : null);
        ps.string(i++, v == null ? null : v.landingPage());
        ps.string(i++, v == null ? null : v.referrer());
        ps.string(i++, v == null ? null : cap(v.clickIds().get("gclid"), CLICK_ID_CHARS));
        ps.string(i++, v == null ? null : cap(v.clickIds().get("yclid"), CLICK_ID_CHARS));
        ps.string(i++, v == null || v.clickIds().isEmpty() ? null : jsonOrNull(StorageJson.write(v.clickIds()), CLICK_IDS_JSON_CHARS));
        ps.string(i++, v == null || v.clientIds().isEmpty() ? null : jsonOrNull(StorageJson.write(v.clientIds()), CLIENT_IDS_JSON_CHARS));
        ps.string(i++, v == null ? null : v.deviceType());
        ps.string(i++, v == null ? null : v.browser());
        ps.string(i++, v == null ? null : v.os());
        ps.string(i++, s == null ? null : s.label());
        ps.string(i++, jsonWithin(a.candidates(), CANDIDATES_JSON_CHARS, Keep.FIRST));
        ps.string(i++, a.earlierVisits().isEmpty() ? null : jsonWithin(a.earlierVisits(), EARLIER_VISITS_JSON_CHARS, Keep.LAST));
        return i;
    }

    private static Long millisOrNull(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }

    /**
     * {@code call} as a read of its row returns it once written by {@link #bindAll} or
     * {@link #bindState}, with {@code review} (columns ingestion never writes): times to the
     * millisecond, text cut to its column, JSON history kept within its column, the visit's
     * session id not repeated. What ingestion answers with and hands the outbox, without reading
     * the row back on the group-commit thread (that read was a fifth of its time on call events).
     */
    static StoredCall asStored(StoredCall call, CallReview review) {
        RowInMemory row = new RowInMemory();
        try {
            bindAll(row, call);
            return read(row, review);
        } catch (SQLException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** The values a write would bind, by column name, read back as a stored row reads: one map serves both sides. */
    private static final class RowInMemory implements Params, Row {
        private final Map<String, Object> values = new HashMap<>(COLUMN_NAMES.size() * 2);

        private void put(int index, Object value) {
            values.put(COLUMN_NAMES.get(index - 1), value);
        }

        @Override public void string(int index, String value) { put(index, value); }
        @Override public void flag(int index, boolean value) { put(index, value); }
        @Override public void number(int index, Long value) { put(index, value); }
        @Override public void integer(int index, Integer value) { put(index, value); }
        @Override public void decimal(int index, Double value) { put(index, value); }

        @Override public String string(String column) { return (String) values.get(column); }
        @Override public boolean flag(String column) { return (Boolean) values.get(column); }
        @Override public Long number(String column) { return (Long) values.get(column); }
        @Override public Integer integer(String column) { return (Integer) values.get(column); }
        @Override public Double decimal(String column) { return (Double) values.get(column); }
    }

    /** The column names of {@link #COLUMNS}, in binding order. */
    private static final List<String> COLUMN_NAMES = java.util.Arrays.stream(COLUMNS.split(",")).map(String::strip).toList();

    /** A call's row being read: a result set's current row, or the row kept in memory. */
    interface Row {
        String string(String column) throws SQLException;

        boolean flag(String column) throws SQLException;

        /** A BIGINT; null for NULL. */
        Long number(String column) throws SQLException;

        Integer integer(String column) throws SQLException;

        Double decimal(String column) throws SQLException;

        static Row of(ResultSet rs) {
            return new Row() {
                @Override
                public String string(String column) throws SQLException {
                    return rs.getString(column);
                }

                @Override
                public boolean flag(String column) throws SQLException {
                    return rs.getBoolean(column);
                }

                @Override
                public Long number(String column) throws SQLException {
                    long v = rs.getLong(column);
                    return rs.wasNull() ? null : v;
                }

                @Override
                public Integer integer(String column) throws SQLException {
                    return intOrNull(rs, column);
                }

                @Override
                public Double decimal(String column) throws SQLException {
                    return Columns.doubleOrNull(rs, column);
                }
            };
        }
    }

    /**
     * A history column as stored, or {@code absent} when it cannot be read: servers before
     * {@link #jsonWithin} cut these columns mid-value, and such a row must still show its call
     * (the call's own columns are intact) instead of failing its call log page.
     */
    private static <T> T readable(Row rs, String column, Function<String, T> reader, T absent) throws SQLException {
        String json = rs.string(column);
        try {
            return reader.apply(json);
        } catch (IllegalStateException cut) {
            LOG.warn("call_column_unreadable call={} column={} chars={}", rs.string("call_id"), column, json.length());
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

    /** The call on the current row of a result that selected {@link #READ_COLUMNS}. */
    static StoredCall read(ResultSet rs) throws SQLException {
        return read(Row.of(rs), new CallReview(rs.getBoolean("reviewed"), rs.getString("note"), rs.getString("recording_state"),
                intOrNull(rs, "recording_seconds"), rs.getString("transcript"), AutoTags.read(rs.getString("auto_tags_json"))));
    }

    private static StoredCall read(Row rs, CallReview review) throws SQLException {
        String method = rs.string("method");
        String sessionId = rs.string("session_id");
        String source = rs.string("source");
        String medium = rs.string("medium");
        String campaign = rs.string("campaign");
        VisitSource visit = null;
        StaticNumberSource staticNumber = null;
        if (AttributionMethod.STATIC.wireName().equals(method)) {
            staticNumber = new StaticNumberSource(rs.string("number"), source, medium, campaign, rs.string("static_label"),
                    rs.string("channel"));
        } else if (sessionId != null && rs.string("channel") != null) {
            visit = new VisitSource(null, source, medium, campaign, rs.string("term"), rs.string("content"),
                    rs.string("channel"), rs.string("landing_page"), rs.string("referrer"),
                    readable(rs, "click_ids_json", StorageJson::readStringMap, Map.of()),
                    readable(rs, "client_ids_json", StorageJson::readStringMap, Map.of()),
                    rs.string("device_type"), rs.string("browser"), rs.string("os"));
        }
        CallAttribution attribution = new CallAttribution(
                AttributionMethod.valueOf(method.toUpperCase(Locale.ROOT)),
                Instant.ofEpochMilli(rs.number("attributed_at")),
                sessionId,
                rs.string("visitor_id"),
                visit,
                staticNumber,
                readable(rs, "candidates_json", json -> StorageJson.readList(json, CANDIDATES), List.of()),
                readable(rs, "earlier_visits_json", json -> StorageJson.readList(json, EARLIER_VISITS), List.of()));
        return new StoredCall(
                rs.string("call_id"),
                rs.string("site_id"),
                rs.string("provider"),
                rs.string("provider_call_id"),
                rs.string("caller"),
                rs.flag("caller_valid"),
                rs.string("number"),
                CallState.Status.valueOf(rs.string("status").toUpperCase(Locale.ROOT)),
                rs.flag("answered"),
                Instant.ofEpochMilli(rs.number("started_at")),
                instantOf(rs.number("answered_at")),
                instantOf(rs.number("ended_at")),
                rs.integer("duration_seconds"),
                rs.integer("talk_seconds"),
                rs.flag("end_unknown"),
                rs.string("recording_url"),
                new CallClass(rs.flag("first_time"), rs.flag("is_unique"), rs.flag("target"), rs.flag("unique_target")),
                attribution,
                StorageJson.readStrings(rs.string("tags_json")),
                rs.decimal("call_value"),
                rs.string("currency"),
                review);
    }

    private static Instant instantOf(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }
}
