package io.ringpool.outbox;

import java.time.Instant;
import java.util.List;

/**
 * One event's delivery to one target, as the delivery log shows it.
 *
 * @param state {@code pending} (waiting or being attempted), {@code delivered}, or {@code failed}
 *              (given up after its deadline, or its target was disabled or deleted)
 * @param nextAttemptAt when a pending delivery is tried next, as the worker will: no sooner than its
 *                      target's hold, nor than the deliveries of the same subject it waits behind
 * @param waitingFor    the earlier pending delivery of the same subject to the same target that goes
 *                      first (one call's events go out in order), or null when it waits for none
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
        String waitingFor,
        Instant lastAttemptAt,
        Integer lastStatus,
        String lastError,
        Instant deliveredAt,
        List<LoggedAttempt> log) {

    /** One attempt of the delivery log. */
    public record LoggedAttempt(int attempt, Instant at, long durationMillis, Integer statusCode, String error, String response) {}
}
