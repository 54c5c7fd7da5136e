package io.ringpool.account;

import io.ringpool.failure.DomainFailure;
import io.ringpool.http.Request;
import java.net.URI;
import java.util.Locale;

/**
 * Refuses a sign-in sent by another site's page (login CSRF, audit AG2 #4). A page elsewhere can
 * auto-submit a {@code text/plain} form to {@code POST /v1/auth/login} with its own account's
 * e-mail and password: no preflight, and the browser stores the answer's cookie even though it is
 * {@code SameSite=Strict}, so the visitor ends up working in the attacker's account. The CSRF
 * token cannot help, since there is no session yet; what tells the request apart is the browser's
 * own account of where it came from, which no page can forge:
 *
 * <ul>
 *   <li>{@code Sec-Fetch-Site: same-origin}: the server's own page; accepted whatever {@code Origin}
 *       says (a page with {@code Referrer-Policy: no-referrer} may send {@code Origin: null}).</li>
 *   <li>{@code Sec-Fetch-Site: cross-site}: refused.</li>
 *   <li>otherwise an {@code Origin} that is present must be the server's own: the origin of the
 *       public URL, or one whose host and port are the request's {@code Host} (the server reads no
 *       {@code X-Forwarded-Host}; behind a proxy that rewrites {@code Host}, the public URL is the
 *       one that matches). This covers browsers without fetch metadata and a sibling subdomain
 *       ({@code same-site}).</li>
 * </ul>
 *
 * <p>A request with neither header (curl, a script) is no browser's and is let through.
 */
final class CrossSiteSignIn {
    private final String publicOrigin;

    /** @param publicUrl the server's public URL (configured, or guessed from the port) */
    CrossSiteSignIn(String publicUrl) {
        this.publicOrigin = origin(publicUrl);
    }

    /** @throws DomainFailure 403 {@code cross_site_request} when a browser says another site sent the request */
    void check(Request request) {
        String fetchSite = request.header("sec-fetch-site");
        if (fetchSite != null && fetchSite.trim().equalsIgnoreCase("same-origin")) {
            return;
        }
        if (fetchSite != null && fetchSite.trim().equalsIgnoreCase("cross-site")) {
            throw refused();
        }
        String origin = request.header("origin");
        if (origin != null && !isOwn(origin.trim(), request.header("host"))) {
            throw refused();
        }
    }

    private boolean isOwn(String origin, String host) {
        String normalised = origin(origin);
        if (normalised == null) {
            return false; // "null" (a sandboxed frame, a data: URL) or garbage
        }
        if (normalised.equals(publicOrigin)) {
            return true;
        }
        return host != null && normalised.substring(normalised.indexOf("://") + 3).equals(host.trim().toLowerCase(Locale.ROOT));
    }

    /** {@code scheme://host[:port]} in lower case, or null when {@code url} has no scheme and host. */
    private static String origin(String url) {
        try {
            URI u = new URI(url);
            if (u.getScheme() == null || u.getHost() == null) {
                return null;
            }
            return (u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "")).toLowerCase(Locale.ROOT);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    private static DomainFailure refused() {
        return new DomainFailure(DomainFailure.Kind.FORBIDDEN, "cross_site_request",
                "sign in from this server's own pages: the browser says another site sent this request");
    }
}
