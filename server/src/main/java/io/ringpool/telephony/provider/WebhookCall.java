package io.ringpool.telephony.provider;

import io.ringpool.site.Site;
import java.time.Clock;

/**
 * Everything a handler needs: the request, the site it names (from memory), the site's settings for
 * this provider (decrypted, from memory), the clock, the replay guard, the public base URL for
 * callback URLs in forwarding markup, and whether the site records calls (with its notice).
 */
public record WebhookCall(WebhookRequest request, Site site, ProviderSettings settings, Clock clock, ReplayGuard replays,
        String publicUrl, CallRecording recording) {

    public WebhookCall {
        recording = recording == null ? CallRecording.OFF : recording;
    }

    /** A call for a site that does not record. */
    public WebhookCall(WebhookRequest request, Site site, ProviderSettings settings, Clock clock, ReplayGuard replays, String publicUrl) {
        this(request, site, settings, clock, replays, publicUrl, CallRecording.OFF);
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
