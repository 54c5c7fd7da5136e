package io.ringpool.telephony.provider;

import io.ringpool.failure.DomainFailure;

/**
 * A webhook refused before anything was stored. {@link #reason()} is the stable word used in the
 * metric {@code ringpool_webhooks_rejected_total{provider,reason}}, the {@code webhook_rejected} log
 * event and the diagnostics endpoint: {@code missing}, {@code malformed}, {@code mismatch},
 * {@code stale}, {@code replayed}, {@code not_configured}, {@code invalid_body}.
 */
public final class WebhookRefused extends DomainFailure {
    private static final long serialVersionUID = 1L;

    private final String reason;

    private WebhookRefused(Kind kind, String reason, String code, String message, String field) {
        super(kind, code, message, field);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    /** The credential (signature, token, password) is absent. */
    public static WebhookRefused missing(String message) {
        return new WebhookRefused(Kind.FORBIDDEN, "missing", "invalid_signature", message, null);
    }

    /** The credential cannot even be read. */
    public static WebhookRefused malformed(String message) {
        return new WebhookRefused(Kind.FORBIDDEN, "malformed", "invalid_signature", message, null);
    }

    /** The credential does not match the request under the site's secret. */
    public static WebhookRefused mismatch(String message) {
        return new WebhookRefused(Kind.FORBIDDEN, "mismatch", "invalid_signature", message, null);
    }

    /** Genuine but too old (or from the future) to be accepted. */
    public static WebhookRefused stale(String message) {
        return new WebhookRefused(Kind.FORBIDDEN, "stale", "stale_signature", message, null);
    }

    /** Genuine, and already accepted once. */
    public static WebhookRefused replayed(String message) {
        return new WebhookRefused(Kind.FORBIDDEN, "replayed", "replayed_signature", message, null);
    }

    /** The site has no settings for this provider: nothing to verify the request with. */
    public static WebhookRefused notConfigured(String code, String message) {
        return new WebhookRefused(Kind.FORBIDDEN, "not_configured", code, message, null);
    }

    /** HTTP Basic credentials absent or wrong (answered 401 with a challenge). */
    public static WebhookRefused unauthenticated(String reason, String message) {
        return new WebhookRefused(Kind.UNAUTHENTICATED, reason, "unauthorized", message, null);
    }

    /** Authenticated, but the body is not what this provider sends. */
    public static WebhookRefused invalidBody(String field, String message) {
        return new WebhookRefused(Kind.INVALID, "invalid_body", "invalid_value", message, field);
    }

    /**
     * Authenticated, but the JSON body is no one JSON object (broken, two documents, a key given twice
     * with different values): the API's {@code malformed_json}, {@code field} naming the key when one is at fault.
     */
    public static WebhookRefused brokenJson(String message, String field) {
        return new WebhookRefused(Kind.MALFORMED, "invalid_body", "malformed_json", message, field);
    }

    /** Authenticated, but the body (a form) cannot be read at all. */
    public static WebhookRefused unreadable(String message) {
        return new WebhookRefused(Kind.MALFORMED, "invalid_body", "malformed_body", message, null);
    }
}
