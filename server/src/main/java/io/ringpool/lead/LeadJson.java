package io.ringpool.lead;

import io.ringpool.call.CallJson;
import io.ringpool.visit.VisitSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API shape of a lead (API.md "Leads"). Every field is present, null when unknown (the API
 * writes nulls, as for calls); the attribution has the call's field names so one client reads both.
 */
public final class LeadJson {

    private LeadJson() {}

    /**
     * The lead as {@code GET /v1/sites/{siteId}/leads/{leadId}} shows it, its {@code calls}
     * read on the caller's connection: a webhook event's {@code data}, written inside the
     * transaction of the change and so seeing it (API.md: "the call or lead as the API shows it").
     */
    public static Map<String, Object> shown(Connection c, StoredLead lead) throws SQLException {
        return of(lead, LeadService.callsAfter(c, lead));
    }

    /**
     * The fields of the lead's API shape whose values differ between {@code before} and
     * {@code after}, in the shape's order: a {@code lead.updated} event's {@code changes}, so a
     * receiver that copies only the named fields misses nothing (a merged duplicate that filled
     * the e-mail names {@code email}, not only {@code submissions}). {@code calls} is left out: it
     * is not the lead's own, and follows from calls, not from this change; so is {@code etag}.
     */
    public static List<String> changedFields(StoredLead before, StoredLead after) {
        Map<String, Object> was = of(before, List.of());
        Map<String, Object> is = of(after, List.of());
        List<String> out = new java.util.ArrayList<>();
        for (Map.Entry<String, Object> field : is.entrySet()) {
            // etag follows from tags, value and status, which are named themselves.
            if (!field.getKey().equals("calls") && !field.getKey().equals("etag") && !java.util.Objects.equals(was.get(field.getKey()), field.getValue())) {
                out.add(field.getKey());
            }
        }
        return out;
    }

    /** A lead, with the calls it led to (the same phone, later). */
    static Map<String, Object> of(StoredLead lead, List<LeadService.LinkedCall> calls) {
        Map<String, Object> out = new LinkedHashMap<>();
        Contact k = lead.contact();
        out.put("leadId", lead.leadId());
        out.put("kind", lead.kind().wireName());
        out.put("origin", lead.origin().wireName());
        out.put("formId", lead.formId());
        out.put("url", lead.pageUrl());
        out.put("at", lead.at());
        out.put("lastAt", lead.lastAt());
        out.put("submissions", lead.submissions());
        out.put("phone", k.phone());
        out.put("phoneValid", k.phoneValid());
        out.put("email", k.email());
        out.put("emailValid", k.emailValid());
        out.put("name", lead.name());
        out.put("message", lead.message());
        out.put("status", lead.status().wireName());
        out.put("unique", lead.unique());
        out.put("erased", lead.erased());
        out.put("tags", lead.tags());
        out.put("value", CallJson.money(lead.value()));
        out.put("currency", lead.currency());
        // What a PATCH sends back in If-Match so that it cannot replace an edit made since (audit AI4 F10).
        out.put("etag", LeadPatch.version(lead).etag());
        out.put("attribution", attribution(lead.attribution()));
        out.put("calls", calls.stream().map(LeadJson::call).toList());
        return out;
    }

    static Map<String, Object> call(LeadService.LinkedCall c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("callId", c.callId());
        m.put("startedAt", c.startedAt());
        return m;
    }

    static Map<String, Object> attribution(LeadAttribution a) {
        VisitSource v = a.visit();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("method", a.method().wireName());
        out.put("sessionId", a.sessionId());
        out.put("visitorId", a.visitorId());
        out.put("source", v == null ? null : v.source());
        out.put("medium", v == null ? null : v.medium());
        out.put("campaign", v == null ? null : v.campaign());
        out.put("term", v == null ? null : v.term());
        out.put("content", v == null ? null : v.content());
        out.put("channel", v == null ? null : v.channel());
        out.put("landingPage", v == null ? null : v.landingPage());
        out.put("referrer", v == null ? null : v.referrer());
        out.put("gclid", a.gclid());
        out.put("yclid", a.yclid());
        out.put("clickIds", v == null ? Map.of() : v.clickIds());
        out.put("clientIds", a.clientIds());
        out.put("device", v == null ? null : v.deviceType());
        out.put("browser", v == null ? null : v.browser());
        out.put("os", v == null ? null : v.os());
        out.put("contactOf", a.contactOf());
        return out;
    }
}
