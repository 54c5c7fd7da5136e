package io.ringpool.webhook;

import io.ringpool.account.CreatedBy;
import java.time.Instant;
import java.util.List;

/**
 * A site's webhook endpoint. The secret is never part of it (shown once at creation).
 *
 * @param disabledReason why deliveries stopped (a day of failures), or null while enabled
 * @param failingSince   the first failure since the last success, or null when the last attempt succeeded
 * @param createdBy      who made it (V157); null for the webhooks made before
 */
public record Webhook(
        String webhookId,
        String siteId,
        String url,
        List<String> events,
        Instant createdAt,
        Instant disabledAt,
        String disabledReason,
        Instant failingSince,
        Instant lastSuccessAt,
        Instant lastFailureAt,
        CreatedBy createdBy) {

    public Webhook {
        events = List.copyOf(events);
    }

    public boolean enabled() {
        return disabledAt == null;
    }
}
