package io.ringpool.http;

import io.ringpool.security.TrustedProxies;

/**
 * What the HTTP layer does to protect the service besides its size limits: whose
 * {@code X-Forwarded-For} it believes, the throttle on wrong credentials, and the separate lane for
 * reports and exports. {@code authFailures} and {@code reports} may be null (none).
 */
public record Protections(TrustedProxies proxies, AuthFailureThrottle authFailures, ReportLane reports,
        java.util.function.Predicate<Router.Route> credentialed, java.util.function.Function<Request, String> presentedCredential) {

    /**
     * @param credentialed         the routes that answer 401 to a request without a bearer token or a cookie
     *                             whatever its body says: such a request is refused from its headers ({@link RequestGate})
     * @param presentedCredential  the kind of credential a request carried (a key, a password…, as a fixed word for the
     *                             metric), or null for none: only such a request's 401 counts as a wrong credential in
     *                             {@code authFailures}. A request with none (a dashboard tab polling after its session
     *                             ended) guesses nothing, and counting it let a few dozen lock a shared address out,
     *                             keys and sign-ins included. Null: every 401 counts, as "other".
     */
    public Protections {
        credentialed = credentialed == null ? route -> false : credentialed;
        presentedCredential = presentedCredential == null ? request -> "other" : presentedCredential;
    }

    public Protections(TrustedProxies proxies, AuthFailureThrottle authFailures, ReportLane reports) {
        this(proxies, authFailures, reports, null, null);
    }

    /** Only the trusted proxies (tests of the pipeline). */
    public static Protections proxiesOnly(TrustedProxies proxies) {
        return new Protections(proxies, null, null);
    }
}
