package io.ringpool.telephony.provider;

import io.ringpool.site.Site;
import java.time.Clock;

/**
 * Everything a handler needs: the request, the site it names (from memory), the site's settings for
 * this provider (decrypted, from memory), the clock, the replay guard, and the public base URL for
 * callback URLs in forwarding markup.
 */
public record WebhookCall(WebhookRequest request, Site site, ProviderSettings settings, Clock clock, ReplayGuard replays,
        String publicUrl) {

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
