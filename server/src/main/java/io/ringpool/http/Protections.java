package io.ringpool.http;

import io.ringpool.security.TrustedProxies;

/**
 * What the HTTP layer does to protect the service besides its size limits: whose
 * {@code X-Forwarded-For} it believes, the throttle on wrong credentials, and the separate lane for
 * reports and exports. {@code authFailures} and {@code reports} may be null (none).
 */
public record Protections(TrustedProxies proxies, AuthFailureThrottle authFailures, ReportLane reports) {

    /** Only the trusted proxies (tests of the pipeline). */
    public static Protections proxiesOnly(TrustedProxies proxies) {
        return new Protections(proxies, null, null);
    }
}
