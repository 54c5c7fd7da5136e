package io.ringpool.http;

/**
 * Who calls a route, which decides its body limit: the public site script gets a small limit,
 * telephony webhooks a medium one, the authenticated admin API the largest.
 */
public enum RouteKind {
    SCRIPT,
    WEBHOOK,
    ADMIN;

    public static RouteKind of(String path) {
        if (path.startsWith("/v1/sessions") || path.equals("/s.js")) {
            return SCRIPT;
        }
        if (path.startsWith("/v1/telephony/")) {
            return WEBHOOK;
        }
        return ADMIN;
    }
}
