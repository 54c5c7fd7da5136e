package io.ringpool.telephony.provider;

import io.ringpool.site.Site;
import java.time.Clock;
import java.util.function.Predicate;

/**
 * Everything a handler needs: the request, the site it names (from memory), the site's settings for
 * this provider (decrypted, from memory), the clock, the replay guard, the public base URL for
 * callback URLs in forwarding markup, whether the site records calls (with its notice), and which
 * numbers are the site's tracking numbers.
 */
public record WebhookCall(WebhookRequest request, Site site, ProviderSettings settings, Clock clock, ReplayGuard replays,
        String publicUrl, CallRecording recording, Predicate<String> trackingNumbers) {

    public WebhookCall {
        recording = recording == null ? CallRecording.OFF : recording;
        trackingNumbers = trackingNumbers == null ? number -> false : trackingNumbers;
    }

    /** A call for a site that does not record, which knows none of the site's tracking numbers. */
    public WebhookCall(WebhookRequest request, Site site, ProviderSettings settings, Clock clock, ReplayGuard replays, String publicUrl) {
        this(request, site, settings, clock, replays, publicUrl, CallRecording.OFF, null);
    }

    /**
     * Whether a number as the provider wrote it is one of the site's tracking numbers (from the
     * pools in memory, never the store): tells the caller's leg of a call (to the number the caller
     * dialled) from a leg the provider dialled to the business.
     */
    public boolean isTrackingNumber(String raw) {
        return raw != null && !raw.isBlank() && trackingNumbers.test(raw);
    }

    /**
     * {@code at} when the call model keeps it as sent ({@link io.ringpool.call.CallEventTimes#keepsTime}),
     * else null, logged {@code webhook_value_ignored}: a time the model would replace by the receipt
     * is no time to compute a call's length from.
     *
     * @param field the provider's name of the time, for the log
     */
    public java.time.Instant trustedTime(String provider, String field, java.time.Instant at) {
        if (at == null || io.ringpool.call.CallEventTimes.keepsTime(at, clock.instant(), site.settings().retentionDays())) {
            return at;
        }
        OddValues.ignored(provider, this, field, "not a time the call can have (before the site's retention, or in the future)");
        return null;
    }

    /** The number the site forwards calls to (its {@code forwardTo}, else its default number), or null. */
    public String forwardTo() {
        String to = site.settings().forwardTo();
        return to != null && !to.isBlank() ? to : site.settings().defaultNumber();
    }

    /** {@code publicUrl + /v1/telephony/{provider}/{siteId}/{tail}}, the site id encoded as a path segment. */
    public String callbackUrl(String provider, String tail) {
        String segment = java.net.URLEncoder.encode(site.siteId(), java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        return publicUrl + "/v1/telephony/" + provider + "/" + segment + (tail.isEmpty() ? "" : "/" + tail);
    }
}
