package io.ringpool.call;

import java.time.Instant;
import java.util.Objects;

/**
 * A span during which a tracking number was leased to one session, as the store remembers it.
 * Half-open: the lease covers {@code from <= t < to}; at {@code to} itself it has ended.
 *
 * @param visitorId  may be null when the store no longer knows it (erased); such sessions never
 *                   count as "the same visitor" as anyone
 * @param to         when the lease ended; null while it is still live
 */
public record LeaseInterval(String sessionId, String visitorId, String numberE164, Instant from, Instant to) {
    public LeaseInterval {
        if (sessionId == null || sessionId.isBlank()) {
            throw new IllegalArgumentException("sessionId must not be blank");
        }
        Objects.requireNonNull(numberE164, "numberE164");
        Objects.requireNonNull(from, "from");
        if (to != null && to.isBefore(from)) {
            throw new IllegalArgumentException("lease of " + sessionId + " ends " + to + " before it starts " + from);
        }
    }

    public boolean isLive() {
        return to == null;
    }

    /** True when the lease held the number at {@code t}. */
    public boolean covers(Instant t) {
        return !t.isBefore(from) && (to == null || t.isBefore(to));
    }
}
