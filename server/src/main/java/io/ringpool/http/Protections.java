package io.ringpool.http;

import io.ringpool.security.TrustedProxies;

/**
 * What the HTTP layer does to protect the service besides its size limits: whose
 * {@code X-Forwarded-For} it believes, the throttle on wrong credentials, and the separate lane for
 * reports and exports. {@code authFailures} and {@code reports} may be null (none).
 */
public record Protections(TrustedProxies proxies, AuthFailureThrottle authFailures, ReportLane reports,
        java.util.function.Predicate<Router.Route> credentialed) {

    /**
     * @param credentialed the routes that answer 401 to a request without a bearer token or a cookie
     *        whatever its body says: such a request is refused from its headers ({@link RequestGate})
     */
    public Protections {
        credentialed = credentialed == null ? route -> false : credentialed;
    }

    public Protections(TrustedProxies proxies, AuthFailureThrottle authFailures, ReportLane reports) {
        this(proxies, authFailures, reports, null);
    }

    /** Only the trusted proxies (tests of the pipeline). */
    public static Protections proxiesOnly(TrustedProxies proxies) {
        return new Protections(proxies, null, null);
    }
}
