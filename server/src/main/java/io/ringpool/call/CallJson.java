package io.ringpool.call;

import io.ringpool.visit.VisitSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API shape of a call (API.md, "Reports and call log"). Fields the contract lists are always
 * present, null when unknown (the API writes nulls); a few more are added
 * (uniqueTarget, times, clickIds, earlierVisits).
 */
public final class CallJson {

    private CallJson() {}

    /** The call without {@code leads}: for answers that are not "the call as the API shows it" (a provider's event answer). */
    public static Map<String, Object> of(StoredCall call) {
        return of(call, null);
    }

    /**
     * The call with {@code "leads"}: the leads the caller's phone sent at or before the call
     * ({@code [{"leadId", "kind", "at"}]}, empty when none; {@link ContactLeads}). This is the call
     * as the API shows it, in the call log, GET, PATCH's answer and webhook events alike. With
     * {@code leads} null the field is left out: an answer that did not look them up must not claim
     * there are none.
     */
    public static Map<String, Object> of(StoredCall call, List<ContactLeads.Lead> leads) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("callId", call.callId());
        out.put("provider", call.provider());
        out.put("providerCallId", call.providerCallId());
        out.put("caller", call.caller());
        out.put("number", call.number());
        out.put("startedAt", call.startedAt());
        out.put("answeredAt", call.answeredAt());
        out.put("endedAt", call.endedAt());
        out.put("status", call.status().wireName());
        out.put("durationSeconds", call.durationSeconds());
        out.put("talkSeconds", call.talkSeconds());
        out.put("endUnknown", call.endUnknown());
        out.put("recordingUrl", call.recordingUrl());
        out.put("firstTime", call.classes().firstTime());
        out.put("unique", call.classes().unique());
        out.put("target", call.classes().target());
        out.put("uniqueTarget", call.classes().uniqueTarget());
        out.put("tags", call.tags());
        out.put("value", money(call.value()));
        out.put("currency", call.currency());
        CallReview review = call.review();
        out.put("reviewed", review.reviewed());
        out.put("note", review.note());
        out.put("recording", recording(call));
        out.put("recordingStatus", review.recordingState());
        out.put("transcript", review.transcript());
        out.put("autoTags", review.autoTags());
        // What a PATCH sends back in If-Match so that it cannot replace an edit made since (audit AI4 F10).
        out.put("etag", CallChanges.version(call).etag());
        out.put("attribution", attribution(call.attribution()));
        if (leads != null) {
            List<Map<String, Object>> linked = new ArrayList<>();
            for (ContactLeads.Lead l : leads) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("leadId", l.leadId());
                m.put("kind", l.kind());
                m.put("at", l.at());
                linked.add(m);
            }
            out.put("leads", linked);
        }
        return out;
    }

    /**
     * {@code {"durationSeconds", "url"}} of a kept recording, or null (none reported, not fetched yet,
     * failed or deleted: {@code recordingStatus} says which). The URL needs the site key.
     */
    static Map<String, Object> recording(StoredCall call) {
        if (!call.review().recordingPlayable()) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("durationSeconds", call.review().recordingSeconds());
        out.put("url", "/v1/sites/" + segment(call.siteId()) + "/calls/" + segment(call.callId()) + "/recording");
        return out;
    }

    private static String segment(String id) {
        return java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * An attribution (a call's or a lead's, as shown) without the ids of visits and visitors, for a
     * role that sees callers masked: a live session id is the only credential of the script's
     * routes, so a viewer holding one could end the visitor's session or post leads as that visit
     * (audit AN1 F12), which their role does not allow. The source data stays; only the ids go.
     */
    @SuppressWarnings("unchecked")
    public static void hideVisitIds(Map<String, Object> attribution) {
        if (attribution == null) {
            return;
        }
        attribution.put("sessionId", null);
        attribution.put("visitorId", null);
        if (attribution.get("candidates") instanceof List<?> candidates) {
            for (Object candidate : candidates) {
                if (candidate instanceof Map<?, ?> m) {
                    ((Map<String, Object>) m).put("sessionId", null);
                    ((Map<String, Object>) m).put("visitorId", null);
                }
            }
        }
        if (attribution.get("earlierVisits") instanceof List<?> earlier) {
            List<Map<String, Object>> shown = new ArrayList<>();
            for (Object visit : earlier) {
                if (visit instanceof CallAttribution.EarlierVisit v) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("sessionId", null);
                    m.put("startedAt", v.startedAt());
                    m.put("source", v.source());
                    m.put("medium", v.medium());
                    m.put("channel", v.channel());
                    shown.add(m);
                }
            }
            attribution.put("earlierVisits", shown);
        }
    }

    public static Map<String, Object> attribution(CallAttribution a) {
        Map<String, Object> out = new LinkedHashMap<>();
        VisitSource v = a.visit();
        StaticNumberSource s = a.staticNumber();
        out.put("method", a.method().wireName());
        out.put("sessionId", a.sessionId());
        out.put("visitorId", a.visitorId());
        out.put("source", v != null ? v.source() : s != null ? s.source() : null);
        out.put("medium", v != null ? v.medium() : s != null ? s.medium() : null);
        out.put("campaign", v != null ? v.campaign() : s != null ? s.campaign() : null);
        out.put("term", v == null ? null : v.term());
        out.put("content", v == null ? null : v.content());
        out.put("channel", v != null ? v.channel() : s != null ? s.channel() : null);
        out.put("landingPage", v == null ? null : v.landingPage());
        out.put("referrer", v == null ? null : v.referrer());
        out.put("gclid", v == null ? null : v.clickIds().get("gclid"));
        out.put("yclid", v == null ? null : v.clickIds().get("yclid"));
        out.put("clickIds", v == null ? Map.of() : v.clickIds());
        out.put("clientIds", v == null ? Map.of() : v.clientIds());
        out.put("device", v == null ? null : v.deviceType());
        out.put("browser", v == null ? null : v.browser());
        out.put("os", v == null ? null : v.os());
        if (s != null) {
            out.put("label", s.label());
        }
        List<Map<String, Object>> candidates = new ArrayList<>();
        for (AttributionResult.Candidate c : a.candidates()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sessionId", c.sessionId());
            m.put("visitorId", c.visitorId());
            m.put("chosen", c.sessionId() != null && c.sessionId().equals(a.sessionId()));
            m.put("score", c.score());
            m.put("reason", c.reason());
            candidates.add(m);
        }
        out.put("candidates", candidates);
        out.put("earlierVisits", a.earlierVisits());
        out.put("decidedFor", a.decidedFor());
        return out;
    }

    /**
     * A money value as JSON shows it: {@code 1500} as given, not {@code 1500.0} (a double's own
     * rendering), and {@code 1499.5} as it is. Kept a double in the domain; only the rendering changes.
     */
    public static Object money(Double value) {
        if (value == null) {
            return null;
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? (Object) value.longValue() : value;
    }
}
