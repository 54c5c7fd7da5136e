package io.ringpool.outbox;

import java.time.Instant;
import java.util.List;

/**
 * One event's delivery to one target, as the delivery log shows it.
 *
 * @param state {@code pending} (waiting or being attempted), {@code delivered}, or {@code failed}
 *              (given up after its deadline, or its target was disabled or deleted)
 * @param log   the attempts, oldest first
 */
public record Delivery(
        String deliveryId,
        String eventId,
        String type,
        String subjectId,
        String targetId,
        String state,
        int attempts,
        Instant createdAt,
        Instant nextAttemptAt,
        Instant lastAttemptAt,
        Integer lastStatus,
        String lastError,
        Instant deliveredAt,
        List<LoggedAttempt> log) {

    /** One attempt of the delivery log. */
    public record LoggedAttempt(int attempt, Instant at, long durationMillis, Integer statusCode, String error, String response) {}
}
