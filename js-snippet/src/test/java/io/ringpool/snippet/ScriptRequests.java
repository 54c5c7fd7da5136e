package io.ringpool.snippet;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Every request the site script makes, as a blocker sees it: URL and request type. {@code base} is
 * where {@code /s.js} was loaded from (the script sends its API calls there, see {@code sessionsUrl}
 * in ringpool.js). The end beacon and leads leave by one of two ways ({@code postBeforeLeaving}):
 * {@code fetch} with keepalive (type {@code xmlhttprequest}) or {@code navigator.sendBeacon} (type
 * {@code ping}), and which goes first depends on the origin and the browser:
 * <ul>
 * <li>{@link #from}: a current browser (Chromium, Firefox from 133, Safari). On another origin than
 * the page's, fetch only (sendBeacon would follow only if fetch threw at once, which it does not
 * there). On the page's own origin, sendBeacon, and fetch when sendBeacon refuses: both listed.
 * <li>{@link #withoutKeepalive}: a browser whose fetch does not keep requests alive (Firefox before
 * 133): sendBeacon first wherever Ringpool is, and fetch when it refuses.
 * </ul>
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

    /** What a current browser sends with Ringpool at {@code base}. */
    static List<FilterRule.Request> from(String base) {
        return requests(base, !sameOrigin(base, PAGE));
    }

    /** What a browser without fetch keepalive sends with Ringpool at {@code base}. */
    static List<FilterRule.Request> withoutKeepalive(String base) {
        return requests(base, false);
    }

    private static List<FilterRule.Request> requests(String base, boolean fetchOnly) {
        String session = base + "v1/sessions/" + SESSION_ID;
        List<FilterRule.Request> requests = new ArrayList<>(List.of(
                new FilterRule.Request(base + "s.js", "script", PAGE),
                // a cache-busting query an operator may add; the script ignores it (sessionsUrl drops it)
                new FilterRule.Request(base + "s.js?v=2", "script", PAGE),
                new FilterRule.Request(base + "v1/sessions", "xmlhttprequest", PAGE),
                new FilterRule.Request(session + "/heartbeat", "xmlhttprequest", PAGE),
                new FilterRule.Request(session + "/pageviews", "xmlhttprequest", PAGE),
                new FilterRule.Request(session + "/intent", "xmlhttprequest", PAGE)));
        for (String beforeLeaving : List.of(session + "/end", session + "/leads")) {
            if (!fetchOnly) requests.add(new FilterRule.Request(beforeLeaving, "ping", PAGE));
            requests.add(new FilterRule.Request(beforeLeaving, "xmlhttprequest", PAGE));
        }
        return List.copyOf(requests);
    }

    /** The script's test: {@code sessionsUrl.indexOf(location.origin + '/')}, scheme, host and port. */
    static boolean sameOrigin(String base, String page) {
        return base.startsWith(origin(page) + "/");
    }

    private static String origin(String url) {
        URI u = URI.create(url);
        return u.getScheme() + "://" + u.getRawAuthority();
    }
}
