package io.ringpool.upload;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What an upload needs of a call or a lead, read from the event's {@code data} (the call or lead
 * as the API shows it). A lead has no caller, duration or answer; its time is when it was made.
 *
 * @param lead       a lead ({@code callId} is then the lead id), not a call
 * @param caller     E.164, or null when the caller is unknown, not a valid number, or erased
 * @param ymClientId the visit's Yandex Metrica ClientID, or null
 * @param gaClientId the visit's GA client id as the {@code _ga} cookie holds it, or null
 * @param gbraid     Google's click id for an app conversion from iOS, sent in place of a missing gclid; or null
 * @param wbraid     Google's click id for a web conversion from iOS, sent in place of a missing gclid and gbraid; or null
 * @param target     the call's class as it ended (a lead: false); {@link DestinationFilter} reads these three
 * @param ambiguous  the call was attributed {@code ambiguous}: one of several visits that could have made it was chosen
 *                   (a lead: false, its visit is its own); {@link DestinationFilter} reads it too
 * @param gaSessionId the visit's GA4 session id ({@link #gaSessionId(String)}), or null when the visit did not report it
 */
record CallConversion(String callId, String caller, Instant startedAt, Instant endedAt, boolean answered, Integer talkSeconds,
        Integer durationSeconds, Double value, String currency, List<String> tags, boolean firstTime, boolean staticCall,
        String landingPage, String recordingUrl, String gclid, String yclid, String ymClientId, String gaClientId, String source,
        String medium, String campaign, boolean lead, String gbraid, String wbraid, boolean target, boolean unique,
        boolean uniqueTarget, boolean ambiguous, String gaSessionId) {

    /*
     * The shapes of the ids the platforms match on. Any text reaches the store from a landing URL or
     * the script (audit F #7: "=2+5" as a Metrica ClientID, "=cmd|' /C calc'!A0" as a gclid), and a
     * platform refuses a row whose id is not of its kind, turning a whole upload "partial" or
     * "failed" in the log. An id of the wrong shape is treated as no id: the row is skipped and
     * counted, as one without the id is. The call keeps what was captured (the API, the exports).
     */
    /** Google's click ids (gclid, and the gbraid/wbraid that stand in for it) are URL-safe base64. */
    private static final Pattern GCLID = Pattern.compile("[A-Za-z0-9_-]{10,512}");
    /** Metrica's ClientID and Yandex's yclid are decimal numbers. */
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,40}");
    /** GA's client id, as the {@code _ga} cookie holds it ({@code GA1.1.123.456}) or bare ({@code 123.456}). */
    private static final Pattern GA_CLIENT_ID = Pattern.compile("(GA[0-9]+\\.[0-9]+\\.)?[0-9]{1,20}\\.[0-9]{1,20}");

    /**
     * The {@code clientIds} key under which a visit (or a lead) reports its GA4 session: the session
     * id itself ({@code 1700000123}, what {@code gtag('get', <id>, 'session_id', …)} gives) or the
     * {@code _ga_<container>} cookie as it is ({@code GS1.1.1700000123.4.1.…} or
     * {@code GS2.1.s1700000123$o4$g1…}), whose session id is the number after {@code GS1.1.} or {@code s}.
     */
    static final String GA_SESSION = "gaSession";
    private static final Pattern GA_SESSION_COOKIE = Pattern.compile("GS\\d+\\.\\d+\\.s?([0-9]{1,20})([.$].*)?");

    /** The GA4 session id in {@code reported} (either form above), or null. */
    static String gaSessionId(String reported) {
        if (reported == null) {
            return null;
        }
        String s = reported.strip();
        if (s.matches("[0-9]{1,20}")) {
            return s;
        }
        java.util.regex.Matcher cookie = GA_SESSION_COOKIE.matcher(s);
        return cookie.matches() ? cookie.group(1) : null;
    }

    private static String shaped(Pattern shape, String id) {
        return id != null && shape.matcher(id.strip()).matches() ? id.strip() : null;
    }

    static CallConversion of(JsonNode call) {
        JsonNode a = call.path("attribution");
        String caller = text(call, "caller");
        List<String> tags = new ArrayList<>();
        call.path("tags").forEach(t -> tags.add(t.asText()));
        String gclid = shaped(GCLID, text(a, "gclid") != null ? text(a, "gclid") : text(a.path("clickIds"), "gclid"));
        String yclid = shaped(DIGITS, text(a, "yclid") != null ? text(a, "yclid") : text(a.path("clickIds"), "yclid"));
        return new CallConversion(text(call, "callId"), caller != null && caller.matches("\\+[1-9][0-9]{6,14}") ? caller : null,
                instant(call, "startedAt"), instant(call, "endedAt"), "completed".equals(text(call, "status"))
                        || call.path("talkSeconds").asInt(0) > 0,
                integer(call, "talkSeconds"), integer(call, "durationSeconds"),
                call.hasNonNull("value") ? call.get("value").asDouble() : null, text(call, "currency"), List.copyOf(tags),
                call.path("firstTime").asBoolean(false), "static".equals(text(a, "method")), text(a, "landingPage"),
                text(call, "recordingUrl"), gclid, yclid, shaped(DIGITS, text(a.path("clientIds"), "ym")),
                shaped(GA_CLIENT_ID, text(a.path("clientIds"), "ga")),
                text(a, "source"), text(a, "medium"), text(a, "campaign"), false, shaped(GCLID, text(a.path("clickIds"), "gbraid")),
                shaped(GCLID, text(a.path("clickIds"), "wbraid")), call.path("target").asBoolean(false), call.path("unique").asBoolean(false),
                call.path("uniqueTarget").asBoolean(false), "ambiguous".equals(text(a, "method")),
                gaSessionId(text(a.path("clientIds"), GA_SESSION)));
    }

    static CallConversion ofLead(JsonNode lead) {
        JsonNode a = lead.path("attribution");
        List<String> tags = new ArrayList<>();
        lead.path("tags").forEach(t -> tags.add(t.asText()));
        String gclid = shaped(GCLID, text(a, "gclid") != null ? text(a, "gclid") : text(a.path("clickIds"), "gclid"));
        String yclid = shaped(DIGITS, text(a, "yclid") != null ? text(a, "yclid") : text(a.path("clickIds"), "yclid"));
        return new CallConversion(text(lead, "leadId"), null, instant(lead, "at"), null, false, null, null,
                lead.hasNonNull("value") ? lead.get("value").asDouble() : null, text(lead, "currency"), List.copyOf(tags),
                lead.path("unique").asBoolean(false), false, text(a, "landingPage"), null, gclid, yclid,
                shaped(DIGITS, text(a.path("clientIds"), "ym")), shaped(GA_CLIENT_ID, text(a.path("clientIds"), "ga")), text(a, "source"),
                text(a, "medium"), text(a, "campaign"), true, shaped(GCLID, text(a.path("clickIds"), "gbraid")),
                shaped(GCLID, text(a.path("clickIds"), "wbraid")), false, lead.path("unique").asBoolean(false), false, false,
                gaSessionId(text(a.path("clientIds"), GA_SESSION)));
    }

    /**
     * The same call with no time later than {@code now}. A lead may be dated up to 5 minutes ahead
     * of the server (a CRM whose clock runs fast), and Metrica refuses a DateTime not yet reached
     * (audit N #5): such a time goes up as the moment of the upload, which is also closer to when
     * the lead really came than the fast clock's.
     */
    CallConversion notAfter(Instant now) {
        Instant start = startedAt != null && startedAt.isAfter(now) ? now : startedAt;
        Instant end = endedAt != null && endedAt.isAfter(now) ? now : endedAt;
        if (start == startedAt && end == endedAt) {
            return this;
        }
        return new CallConversion(callId, caller, start, end, answered, talkSeconds, durationSeconds, value, currency, tags, firstTime,
                staticCall, landingPage, recordingUrl, gclid, yclid, ymClientId, gaClientId, source, medium, campaign, lead, gbraid, wbraid,
                target, unique, uniqueTarget, ambiguous, gaSessionId);
    }

    /** Whether the row lacks an id {@link #withEarlierIds} could give it. */
    boolean lacksIds() {
        return (gclid == null && yclid == null) || ymClientId == null;
    }

    /**
     * This row with the ids its visitor's earlier visits give it where it has none of its own, by
     * the rules of export.EarlierVisitIds (a click id only after a direct return); each is taken
     * only if it has its platform's shape, as an own id is.
     */
    CallConversion withEarlierIds(String earlierGclid, String earlierYclid, String earlierYmClientId) {
        String g = gclid != null ? gclid : shaped(GCLID, earlierGclid);
        String y = yclid != null ? yclid : shaped(DIGITS, earlierYclid);
        String ym = ymClientId != null ? ymClientId : shaped(DIGITS, earlierYmClientId);
        if (g == gclid && y == yclid && ym == ymClientId) {
            return this;
        }
        return new CallConversion(callId, caller, startedAt, endedAt, answered, talkSeconds, durationSeconds, value, currency, tags, firstTime,
                staticCall, landingPage, recordingUrl, g, y, ym, gaClientId, source, medium, campaign, lead, gbraid, wbraid,
                target, unique, uniqueTarget, ambiguous, gaSessionId);
    }

    /** This row with the tags, value and currency its call or lead has now ({@link MarksAtUpload}). */
    CallConversion withMarks(List<String> nowTags, Double nowValue, String nowCurrency) {
        return new CallConversion(callId, caller, startedAt, endedAt, answered, talkSeconds, durationSeconds, nowValue, nowCurrency,
                nowTags == null ? List.of() : List.copyOf(nowTags), firstTime, staticCall, landingPage, recordingUrl, gclid, yclid, ymClientId,
                gaClientId, source, medium, campaign, lead, gbraid, wbraid, target, unique, uniqueTarget, ambiguous, gaSessionId);
    }

    /** When the call converted: its end, or its start while the end is unknown. */
    Instant convertedAt() {
        return endedAt == null ? startedAt : endedAt != null && !endedAt.isBefore(startedAt) ? endedAt : startedAt;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }

    private static Integer integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asInt();
    }

    private static Instant instant(JsonNode n, String field) {
        String t = text(n, field);
        return t == null ? null : Instant.parse(t);
    }
}
