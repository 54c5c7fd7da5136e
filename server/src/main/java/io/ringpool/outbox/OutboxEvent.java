package io.ringpool.outbox;

import java.nio.charset.StandardCharsets;

/**
 * An event that leaves Ringpool.
 *
 * @param subjectId the call or lead the event is about; one subject's events reach a target in order
 * @param payload   the exact JSON body a webhook receives: {@code {"id","type","createdAt","data"}}
 */
public record OutboxEvent(String eventId, String siteId, String type, String subjectId, long createdAt, byte[] payload) {

    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
