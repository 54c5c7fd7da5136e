package io.ringpool.call;

import java.time.Instant;

/**
 * The visit the same caller's latest earlier call was attributed to, for the {@code repeat} method
 * and the redial rule ({@link Attribution}). The store decides how far back to look; both ids null
 * means "nothing usable". {@code number} is the tracking number that earlier call dialled,
 * {@code at} when it started and {@code visitStartedAt} when the visit it went to started, i.e. the
 * ad click (each null if unknown: the redial rule then does not apply, and without
 * {@code visitStartedAt} neither does {@code repeat}).
 */
public record PreviousAttribution(String sessionId, String visitorId, String number, Instant at, Instant visitStartedAt) {

    /** Without the number that earlier call dialled, nor its time; the visit started at {@code visitStartedAt}. */
    public PreviousAttribution(String sessionId, String visitorId, Instant visitStartedAt) {
        this(sessionId, visitorId, null, null, visitStartedAt);
    }
}
