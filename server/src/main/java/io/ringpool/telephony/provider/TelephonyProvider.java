package io.ringpool.telephony.provider;

import java.util.List;

/**
 * One telephony provider: what it needs from a site ({@link #settings()}) and the webhooks it calls
 * ({@link #routes()}). A provider lives in its own package ({@code io.ringpool.telephony.<name>}) and
 * is known to the server through one line in {@code telephony.ProviderCatalog}; nothing else changes to add one.
 *
 * <p>Every handler of {@link #routes()} must (a) authenticate the request exactly as the provider
 * documents it, refusing with {@link WebhookRefused} before it reads anything else, (b) map what the
 * provider said to {@link io.ringpool.call.CallEvent}s, and (c) where the provider asks what to do
 * with the call, answer forwarding in the provider's own markup built from memory (the site's
 * settings), so a call is forwarded even while the store is down.
 */
public interface TelephonyProvider {

    /** Lower-case name: the path segment after {@code /v1/telephony/}, the settings key, the call's provider. */
    String name();

    /** The per-site settings this provider reads ({@code PATCH /v1/sites/{id} {"providers": {name: {...}}}}). */
    ProviderSettingsSpec settings();

    /** The webhooks, each under {@code /v1/telephony/{name}/{siteId}...}. Empty for a provider Ringpool dials out to. */
    List<ProviderRoute> routes();

    /**
     * The provider's own name of the dialled number's field, which a {@code 422 unknown_number}
     * names (audit AB1 #8: SignalWire's form field {@code To} was reported as {@code to}).
     */
    default String dialledNumberField() {
        return "to";
    }
}
