package io.ringpool.telephony;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * {@code ringpool_webhooks_rejected_total{provider,reason}}, counted by every route that refuses a
 * telephony webhook. Every provider's series exist at 0 from the start ({@link #fromZero}):
 * Prometheus' {@code increase()} cannot see the first value of a series, so a series that appeared
 * at 1 hid the first refusal after each restart from every alert (audit P #10).
 */
public final class WebhookRejections {
    /** The reasons a webhook is refused for: {@code WebhookRefused}'s words and the routes' own. */
    public static final List<String> REASONS = List.of("missing", "malformed", "mismatch", "stale", "replayed", "not_configured",
            "invalid_body", "unknown_number", "unknown_site");

    private WebhookRejections() {}

    public static void count(MeterRegistry registry, String provider, String reason) {
        counter(registry, provider, reason).increment();
    }

    /** Registers every provider's series at 0. */
    public static void fromZero(MeterRegistry registry, List<String> providers) {
        for (String provider : providers) {
            for (String reason : REASONS) {
                counter(registry, provider, reason);
            }
        }
    }

    private static Counter counter(MeterRegistry registry, String provider, String reason) {
        return Counter.builder("ringpool.webhooks.rejected").description("telephony webhooks refused, by provider and reason")
                .tag("provider", provider).tag("reason", reason).register(registry);
    }
}
