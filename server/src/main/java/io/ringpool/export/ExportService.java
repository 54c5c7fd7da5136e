package io.ringpool.export;

import io.ringpool.call.AttributionMethod;
import io.ringpool.call.CallState;

import io.ringpool.site.Site;
import io.ringpool.store.Database;
import io.ringpool.store.StorageJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Writes call conversions in the formats of PRODUCT.md §4, one row per call as it is read from a
 * forward-only cursor, so memory does not grow with the number of calls (the destination stream
 * decides where the bytes go).
 *
 * <p>Leads follow the calls in the formats that have a place for them ({@code google-ads-clicks}:
 * a lead's GCLID; {@code google-enhanced}: its hashed e-mail and phone; {@code yandex-offline}: its
 * ClientId or yclid), under their own conversion name.
 *
 * <p>A call that lacks what the format needs to match it (a GCLID; a valid E.164 caller; a Yandex
 * ClientId or yclid) is left out and counted in {@link Result#skipped()}. A call still under way is
 * left out of the conversion formats ({@link ExportFormat#holdsFinalCallsOnly()}) and counted in
 * neither: it is not missing anything, it is written when it ends.
 *
 * <p>A row whose own visit lacks the id may take it from its visitor's earlier visits, by the rules
 * of {@link EarlierVisitIds} (a click id only after a direct return, from the visit the default
 * attribution credits).
 */
public final class ExportService {
    /** Google's time format, in the zone named on the {@code Parameters:TimeZone=} line. */
    private static final DateTimeFormatter GOOGLE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** The same with the offset, for the times of a repeated hour ({@link #google}). */
    private static final DateTimeFormatter GOOGLE_TIME_WITH_OFFSET = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssxx");

    /**
     * What was written: {@code rows} and {@code skipped} count calls and leads together;
     * {@code leadRows} and {@code leadsSkipped} are the leads among them.
     */
    public record Result(long rows, long skipped, long leadRows, long leadsSkipped) {
        /** Calls only. */
        public Result(long rows, long skipped) {
            this(rows, skipped, 0, 0);
        }
    }

    private final Database db;

    public ExportService(Database db) {
        this.db = db;
    }

    /** Writes the export to {@code stream}; an {@link UncheckedIOException} when the stream refuses. */
    public Result write(Site site, ExportQuery q, OutputStream stream) {
        return write(site, q, false, stream);
    }

    /**
     * The calls of the last {@code days} days up to {@code nowMillis} that pass {@code filters}, for
     * a feed that a platform fetches on its schedule (a rolling window, so each fetch overlaps the
     * last and the platform's own de-duplication drops repeats).
     */
    public Result writeRecent(Site site, ExportFormat format, int days, String conversionName, ExportFilters filters, boolean dataManagerLayout,
            long nowMillis, OutputStream stream) {
        ZoneId zone = site.settings().timeZone();
        long from = nowMillis - days * 86_400_000L;
        var range = new io.ringpool.report.ReportRange(from, nowMillis, java.time.LocalDate.ofInstant(Instant.ofEpochMilli(from), zone),
                java.time.LocalDate.ofInstant(Instant.ofEpochMilli(nowMillis - 1), zone), zone);
        return write(site, filters.query(format, range, conversionName), dataManagerLayout, stream);
    }

    /** The stored statuses of a call still ringing or talking (no final event yet). */
    private static final List<String> UNDER_WAY = Arrays.stream(CallState.Status.values()).filter(s -> !s.isTerminal())
            .map(CallState.Status::wireName).toList();

    /** The calls' read of an export: its SQL, the parameters appended to {@code params}. */
    static String callSql(String siteId, ExportQuery q, String hint, List<Object> params) {
        StringBuilder sql = new StringBuilder("SELECT call_id, caller, caller_valid, started_at, ended_at, talk_seconds, duration_seconds, "
                + "answered, gclid, yclid, client_ids_json, first_time, method, tags_json, call_value, currency, landing_page, "
                + "recording_url, visitor_id, session_id, channel, status FROM calls" + hint
                + " WHERE site_id = ? AND started_at >= ? AND started_at < ?");
        params.add(siteId);
        params.add(q.range().from());
        params.add(q.range().to());
        if (q.target() != null) {
            sql.append(" AND target = ?");
            params.add(q.target());
        }
        if (q.unique() != null) {
            sql.append(" AND is_unique = ?");
            params.add(q.unique());
        }
        if (q.uniqueTarget() != null) {
            sql.append(" AND unique_target = ?");
            params.add(q.uniqueTarget());
        }
        if (q.status() != null) {
            sql.append(" AND status = ?");
            params.add(q.status().wireName());
        }
        if (q.method() != null) {
            sql.append(" AND method = ?");
            params.add(q.method().wireName());
        }
        if (q.ambiguous() != null) {
            sql.append(q.ambiguous() ? " AND method = ?" : " AND method <> ?");
            params.add(AttributionMethod.AMBIGUOUS.wireName());
        }
        if (q.caller() != null) {
            // Exact, as the call log's: both sides E.164, normalised the same way.
            sql.append(" AND caller = ?");
            params.add(q.caller());
        }
        if (q.format().holdsFinalCallsOnly()) {
            // A call under way has no conversion time yet: it enters these formats once, when final
            // (ExportFormat#holdsFinalCallsOnly), and until then is neither a row nor skipped.
            sql.append(" AND status NOT IN (").append(String.join(", ", Collections.nCopies(UNDER_WAY.size(), "?"))).append(')');
            params.addAll(UNDER_WAY);
        }
        if (q.tag() != null) {
            // Without regard to case, as the call log's tag filter (CallLogQuery): probed per call by
            // call_tags' primary key, by the row's id alone (ids are unique across sites).
            sql.append(" AND EXISTS (SELECT 1 FROM call_tags t WHERE t.call_id = calls.call_id AND LOWER(t.tag) = LOWER(?))");
            params.add(q.tag());
        }
        // The index's own order, site_id included (one value here): H2 then walks calls_site_started instead of
        // sorting, which is what lets its lazy execution hand rows over as it goes; without it H2 built the
        // whole result of 2,000,000 calls before the first row (past the request timeout).
        sql.append(" ORDER BY site_id, started_at, call_id");
        return sql.toString();
    }

    /**
     * As {@link #write(Site, ExportQuery, OutputStream)}; with {@code dataManagerLayout} the Google
     * formats are laid out for Google Ads Data Manager, which reads the header on the first line and
     * no {@code Parameters:TimeZone=} line: times are ISO-8601 with the zone's offset instead.
     */
    public Result write(Site site, ExportQuery q, boolean dataManagerLayout, OutputStream stream) {
        ZoneId zone = site.settings().timeZone();
        String siteCurrency = site.settings().currency();
        List<Object> params = new ArrayList<>();
        String sql = callSql(site.siteId(), q, db.dialect().indexHint("CALLS_SITE_STARTED"), params);
        // A cursor: millions of calls pass through a few thousand rows of memory.
        return db.readStreaming(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql);
                    CsvWriter csv = new CsvWriter(stream, q.format() == ExportFormat.YANDEX_CONVERSION_CENTER ? ';' : ',');
                    EarlierVisitIds lookup = new EarlierVisitIds(site.siteId(), c)) {
                for (int i = 0; i < params.size(); i++) {
                    ps.setObject(i + 1, params.get(i));
                }
                ps.setFetchSize(1_000);
                header(q, dataManagerLayout, zone, csv);
                long rows = 0;
                long skipped = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (row(q, dataManagerLayout, zone, siteCurrency, rs, csv, lookup)) {
                            rows++;
                        } else {
                            skipped++;
                        }
                    }
                }
                long leadRows = 0;
                long leadsSkipped = 0;
                if (q.includesLeads()) {
                    try (PreparedStatement leads = leadQuery(site, q, c)) {
                        try (ResultSet rs = leads.executeQuery()) {
                            while (rs.next()) {
                                if (leadRow(q, dataManagerLayout, zone, siteCurrency, rs, csv, lookup)) {
                                    leadRows++;
                                } else {
                                    leadsSkipped++;
                                }
                            }
                        }
                    }
                }
                csv.flush();
                return new Result(rows + leadRows, skipped + leadsSkipped, leadRows, leadsSkipped);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static void header(ExportQuery q, boolean dataManagerLayout, ZoneId zone, CsvWriter csv) throws IOException {
        if (q.format().google() && !dataManagerLayout) {
            csv.rawLine("Parameters:TimeZone=" + zone.getId());
        }
        String id = q.idType() == ExportQuery.IdType.YCLID ? "Yclid" : "ClientId";
        switch (q.format()) {
            case GOOGLE_ADS_CLICKS -> csv.header("Google Click ID", "Conversion Name", "Conversion Time", "Conversion Value",
                    "Conversion Currency");
            case GOOGLE_ADS_CALLS -> csv.header("Caller's Phone Number", "Call Start Time", "Conversion Name", "Conversion Time",
                    "Conversion Value", "Conversion Currency");
            case GOOGLE_ENHANCED -> csv.header("Email", "Phone Number", "Conversion Name", "Conversion Time", "Conversion Value",
                    "Conversion Currency");
            case YANDEX_CALLS -> csv.header(id, "DateTime", "StaticCall", "Price", "Currency", "PhoneNumber", "TalkDuration",
                    "HoldDuration", "CallMissed", "Tag", "FirstTimeCaller", "URL", "CallTrackerURL");
            case YANDEX_OFFLINE -> csv.header(id, "Target", "DateTime", "Price", "Currency");
            case YANDEX_CONVERSION_CENTER -> csv.header("id", "create_date_time", "client_uniq_id", "client_ids", "phones", "order_status",
                    "revenue");
        }
    }

    /** Writes one call; false when the call lacks the format's id and is skipped. */
    private static boolean row(ExportQuery q, boolean dataManagerLayout, ZoneId zone, String siteCurrency, ResultSet rs, CsvWriter csv,
            EarlierVisitIds lookup) throws SQLException, IOException {
        String caller = rs.getBoolean("caller_valid") ? rs.getString("caller") : null;
        long started = rs.getLong("started_at");
        long ended = rs.getLong("ended_at");
        boolean hasEnd = !rs.wasNull();
        // When the call converted: its end, its start when the end is unknown. The same instant as the
        // uploads' (CallConversion.convertedAt), so a platform that gets a call by both drops the repeat.
        // The conversion formats read final calls only, so the start stands there only for a final call
        // without a known end.
        long converted = hasEnd && ended >= started ? ended : started;
        BigDecimal value = rs.getBigDecimal("call_value");
        String money = value == null ? "" : value.stripTrailingZeros().toPlainString();
        String currency = rs.getString("currency") == null ? siteCurrency : rs.getString("currency");
        // A call still ringing or talking (no final event yet) reaches only yandex-calls, which describes
        // the call: whether it was missed and how long it talked are not known yet, and are not guessed.
        boolean underWay = !CallState.Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)).isTerminal();
        switch (q.format()) {
            case YANDEX_CONVERSION_CENTER -> {
                // One order per call: the call id, its start in the site's zone (the tag's zone should match it), the
                // visit's Metrica ClientID and the caller's digits to match on, PAID for an answered call, CANCELLED
                // otherwise: Metrica's own status ids, which need no mapping on the counter. Final calls only.
                String clientId = lookup.clientId(rs, started);
                String phone = caller == null ? null : caller.substring(1);
                if ((clientId == null || clientId.isBlank()) && phone == null) {
                    return false;
                }
                csv.text(rs.getString("call_id")).value(localForYandex(converted, zone)).value(phone == null ? "" : phone)
                        .text(clientId == null ? "" : clientId).value(phone == null ? "" : phone)
                        .value(rs.getBoolean("answered") ? "PAID" : "CANCELLED").value(money).endRow();
            }
            case GOOGLE_ADS_CLICKS -> {
                String gclid = lookup.clickId(rs, started, "gclid");
                if (gclid == null || gclid.isBlank()) {
                    return false;
                }
                csv.text(gclid).text(q.conversionName()).value(googleTime(dataManagerLayout, converted, zone)).value(money).value(currency)
                        .endRow();
            }
            case GOOGLE_ADS_CALLS -> {
                if (caller == null) {
                    return false;
                }
                csv.phone(caller).value(googleTime(dataManagerLayout, started, zone)).text(q.conversionName())
                        .value(googleTime(dataManagerLayout, converted, zone)).value(money).value(currency).endRow();
            }
            case GOOGLE_ENHANCED -> {
                if (caller == null) {
                    return false;
                }
                csv.value("").value(sha256(caller)).text(q.conversionName()).value(googleTime(dataManagerLayout, converted, zone)).value(money)
                        .value(currency).endRow();
            }
            case YANDEX_CALLS, YANDEX_OFFLINE -> {
                String id = q.idType() == ExportQuery.IdType.YCLID ? lookup.clickId(rs, started, "yclid") : lookup.clientId(rs, started);
                if (id == null || id.isBlank()) {
                    return false;
                }
                if (q.format() == ExportFormat.YANDEX_OFFLINE) {
                    csv.text(id).text(q.conversionName()).value(Long.toString(Math.floorDiv(converted, 1000L))).value(money)
                            .value(money.isEmpty() ? "" : currency).endRow();
                    return true;
                }
                // Metrica's call upload dates the call itself (its start), as the upload_calls destination does.
                String unix = Long.toString(Math.floorDiv(started, 1000L));
                int talk = rs.getInt("talk_seconds");
                int duration = rs.getInt("duration_seconds");
                csv.text(id).value(unix).value("static".equals(rs.getString("method")) ? "1" : "0")
                        .value(money).value(money.isEmpty() ? "" : currency)
                        .phone(caller == null ? "" : caller)
                        .value(underWay ? "" : Integer.toString(talk)).value(underWay ? "" : Integer.toString(Math.max(0, duration - talk)))
                        .value(rs.getBoolean("answered") ? "0" : underWay ? "" : "1")
                        .text(tags(rs.getString("tags_json")))
                        .value(rs.getBoolean("first_time") ? "1" : "0")
                        .text(rs.getString("landing_page")).text(rs.getString("recording_url")).endRow();
            }
        }
        return true;
    }

    /**
     * Google's template time, or ISO-8601 with the zone's offset for Data Manager (which has no
     * TimeZone line to read). In the hour a fall-back repeats, the local time alone names two
     * instants (two calls an hour apart read alike, and one of them an hour before its click), so
     * such a time carries its offset ({@code 2027-11-07 01:30:52-0500}), a form Google's import
     * reads beside the TimeZone line; every other time stays as PRODUCT.md §4 gives it.
     */
    static String googleTime(boolean dataManagerLayout, long epochMillis, ZoneId zone) {
        if (dataManagerLayout) {
            return ISO_OFFSET.format(Instant.ofEpochMilli(epochMillis).atZone(zone));
        }
        return google(epochMillis, zone);
    }

    private static final DateTimeFormatter ISO_OFFSET = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");

    /**
     * Google's template time: {@code yyyy-MM-dd HH:mm:ss} in the zone of the {@code Parameters}
     * line (PRODUCT.md §4). Inside an hour that the zone repeats when its clocks go back, a local
     * time alone names two instants an hour apart (audit F #3: one of two calls then read an hour
     * off, possibly before its click), so there the offset follows ({@code 2027-11-07 01:30:52-0500}):
     * Google reads a time zone written in the cell before the {@code Parameters} line's, and
     * {@code +hhmm}/{@code -hhmm} is one of the forms its "Conversion Time" column takes.
     */
    static String google(long epochMillis, ZoneId zone) {
        ZonedDateTime t = Instant.ofEpochMilli(epochMillis).atZone(zone);
        return repeated(t) ? GOOGLE_TIME_WITH_OFFSET.format(t) : GOOGLE_TIME.format(t);
    }

    /**
     * The conversion centre's {@code create_date_time}: a local time in the Metrica tag's zone,
     * which has no place for an offset (Metrica's date formats are local times only). In a
     * repeated hour the first pass is written as it is (read either exactly or an hour late); the
     * second pass, which as a bare local time would read an hour early (before the visit it
     * converts), is written as the end of the repeated hour, the first unambiguous time after it
     * (at most an hour late, never before the visit; and two calls an hour apart no longer share
     * one time).
     */
    static String localForYandex(long epochMillis, ZoneId zone) {
        ZonedDateTime t = Instant.ofEpochMilli(epochMillis).atZone(zone);
        if (repeated(t)) {
            ZoneOffsetTransition back = zone.getRules().getTransition(t.toLocalDateTime());
            if (!t.getOffset().equals(back.getOffsetBefore())) {
                return GOOGLE_TIME.format(back.getDateTimeBefore());
            }
        }
        return GOOGLE_TIME.format(t);
    }

    /** Whether the local time of {@code t} happens twice in its zone (the hour repeated when clocks go back). */
    private static boolean repeated(ZonedDateTime t) {
        return t.getZone().getRules().getValidOffsets(t.toLocalDateTime()).size() > 1;
    }

    static String sha256(String e164) {
        return EnhancedConversions.sha256(e164);
    }

    /**
     * The leads of the range the formats with a place for them carry (after the calls): not spam,
     * {@code tag} and {@code unique} applied as to calls, {@code caller} to the lead's phone. The
     * call-only filters (target, status, method) do not apply: see {@link ExportQuery#includesLeads()}.
     */
    static String leadSql(String siteId, ExportQuery q, List<Object> params) {
        StringBuilder sql = new StringBuilder("SELECT lead_id, at, phone, phone_valid, email, email_valid, gclid, yclid, client_ids_json, "
                + "visitor_id, session_id, channel, lead_value, currency FROM leads WHERE site_id = ? AND at >= ? AND at < ? AND status <> 'spam'");
        params.addAll(List.of(siteId, q.range().from(), q.range().to()));
        if (q.unique() != null) {
            sql.append(" AND is_unique = ?");
            params.add(q.unique());
        }
        if (q.caller() != null) {
            // The same person: a lead that gave the caller's phone (stored E.164 when valid, as callers are).
            sql.append(" AND phone = ?");
            params.add(q.caller());
        }
        if (q.tag() != null) {
            // As for calls: without regard to case, probed per lead by lead_tags' primary key.
            sql.append(" AND EXISTS (SELECT 1 FROM lead_tags t WHERE t.lead_id = leads.lead_id AND LOWER(t.tag) = LOWER(?))");
            params.add(q.tag());
        }
        sql.append(" ORDER BY at, lead_id");
        return sql.toString();
    }

    private static PreparedStatement leadQuery(Site site, ExportQuery q, java.sql.Connection c) throws SQLException {
        List<Object> params = new ArrayList<>();
        PreparedStatement ps = c.prepareStatement(leadSql(site.siteId(), q, params));
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
        ps.setFetchSize(1_000);
        return ps;
    }

    /** Writes one lead; false when the lead lacks the format's id (a GCLID; a valid phone or e-mail; a ClientId or yclid). */
    private static boolean leadRow(ExportQuery q, boolean dataManagerLayout, ZoneId zone, String siteCurrency, ResultSet rs, CsvWriter csv,
            EarlierVisitIds lookup)
            throws SQLException, IOException {
        long at = rs.getLong("at");
        BigDecimal value = rs.getBigDecimal("lead_value");
        String money = value == null ? "" : value.stripTrailingZeros().toPlainString();
        String currency = rs.getString("currency") == null ? siteCurrency : rs.getString("currency");
        String name = q.leadConversionName();
        switch (q.format()) {
            case GOOGLE_ADS_CLICKS -> {
                String gclid = lookup.clickId(rs, at, "gclid");
                if (gclid == null || gclid.isBlank()) {
                    return false;
                }
                csv.text(gclid).text(name).value(googleTime(dataManagerLayout, at, zone)).value(money).value(currency).endRow();
            }
            case GOOGLE_ENHANCED -> {
                String phone = rs.getBoolean("phone_valid") ? rs.getString("phone") : null;
                String email = rs.getBoolean("email_valid") ? EnhancedConversions.normaliseEmail(rs.getString("email")) : null;
                if (phone == null && email == null) {
                    return false;
                }
                csv.value(email == null ? "" : sha256(email)).value(phone == null ? "" : sha256(phone)).text(name)
                        .value(googleTime(dataManagerLayout, at, zone)).value(money).value(currency).endRow();
            }
            case YANDEX_OFFLINE -> {
                String id = q.idType() == ExportQuery.IdType.YCLID ? lookup.clickId(rs, at, "yclid") : lookup.clientId(rs, at);
                if (id == null || id.isBlank()) {
                    return false;
                }
                csv.text(id).text(name).value(Long.toString(Math.floorDiv(at, 1000L))).value(money).value(money.isEmpty() ? "" : currency)
                        .endRow();
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The call's tags as one cell ({@link TagList}); empty when it has none or they cannot be read (one bad row must not stop the file). */
    private static String tags(String tagsJson) {
        try {
            return TagList.cell(StorageJson.readStrings(tagsJson));
        } catch (RuntimeException unreadable) {
            return "";
        }
    }
}
