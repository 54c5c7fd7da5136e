package io.ringpool.telephony.provider;

import java.util.Objects;

/**
 * One webhook of a provider.
 *
 * @param method   {@code GET} or {@code POST}
 * @param template the full path template; must contain {@code {siteId}}
 * @param kind     whether the provider waits for call instructions in the answer
 * @param handler  authenticates and maps the request
 */
public record ProviderRoute(String method, String template, Kind kind, WebhookHandler handler) {

    /** What the answer to this webhook means to the provider. */
    public enum Kind {
        /** The provider only reports; a 2xx tells it the event was kept (5xx makes it retry). */
        EVENT,
        /**
         * The provider asks what to do with a live call: the markup is answered even when the event
         * cannot be stored (store down, number not tracked), because a caller is waiting.
         */
        ANSWER
    }

    public ProviderRoute {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(handler, "handler");
        if (!template.contains("{siteId}")) {
            throw new IllegalArgumentException("a provider route names its site: " + template);
        }
    }

    public static ProviderRoute post(String template, WebhookHandler handler) {
        return new ProviderRoute("POST", template, Kind.EVENT, handler);
    }

    public static ProviderRoute answer(String method, String template, WebhookHandler handler) {
        return new ProviderRoute(method, template, Kind.ANSWER, handler);
    }
}
