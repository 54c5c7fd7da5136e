package io.ringpool.lead;

/**
 * A form the site script saw submitted ({@code POST /v1/sessions/{sessionId}/leads}). The session
 * is the only credential: it names the site and the visit.
 *
 * @param clientIp the client address (the proxy's X-Forwarded-For client when behind one), for the flood cap
 * @param origin   the browser's Origin header, or null
 */
public record ScriptLead(String sessionId, LeadKind kind, String formId, String pageUrl, String phone, String email, String name,
        String message, String clientIp, String origin) {}
