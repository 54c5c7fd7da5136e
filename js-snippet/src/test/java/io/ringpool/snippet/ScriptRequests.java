package io.ringpool.snippet;

import java.util.List;

/**
 * Every request the site script makes, as a blocker sees it: URL and request type. {@code base} is
 * where {@code /s.js} was loaded from (the script sends its API calls there, see {@code apiBase} in
 * ringpool.js). The end beacon and leads go by {@code navigator.sendBeacon} (type {@code ping}) and,
 * when it refuses, by {@code fetch} keepalive (type {@code xmlhttprequest}), so both are listed.
 */
final class ScriptRequests {
    /** A session id as the server makes them ({@code Keys.timeOrdered("s_", …)}: 22 bytes, URL-safe base64). */
    static final String SESSION_ID = "s_AZLxN2kqV3mT8cQ1bW0eYfHdR9uJ";
    /** The page the visitor is on. */
    static final String PAGE = "https://shop.example/catalog/item-42?utm_source=newsletter";

    /** Where Ringpool can be, as the page sees it. */
    enum Placement {
        THIRD_PARTY_TRACK_HOST("https://track.example-agency.com/"),
        THIRD_PARTY_NEUTRAL_HOST("https://calls.example-agency.com/"),
        FIRST_PARTY_PREFIX("https://shop.example/rp/"),
        FIRST_PARTY_ROOT("https://shop.example/");

        final String base;

        Placement(String base) {
            this.base = base;
        }
    }

    private ScriptRequests() {
    }

    static List<FilterRule.Request> from(String base) {
        String session = base + "v1/sessions/" + SESSION_ID;
        return List.of(
                new FilterRule.Request(base + "s.js", "script", PAGE),
                // a cache-busting query an operator may add; the script ignores it (apiBase drops it)
                new FilterRule.Request(base + "s.js?v=2", "script", PAGE),
                new FilterRule.Request(base + "v1/sessions", "xmlhttprequest", PAGE),
                new FilterRule.Request(session + "/heartbeat", "xmlhttprequest", PAGE),
                new FilterRule.Request(session + "/pageviews", "xmlhttprequest", PAGE),
                new FilterRule.Request(session + "/intent", "xmlhttprequest", PAGE),
                new FilterRule.Request(session + "/end", "ping", PAGE),
                new FilterRule.Request(session + "/end", "xmlhttprequest", PAGE),
                new FilterRule.Request(session + "/leads", "ping", PAGE),
                new FilterRule.Request(session + "/leads", "xmlhttprequest", PAGE));
    }
}
