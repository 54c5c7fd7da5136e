package io.ringpool.call;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The one normalised model of a call, whatever provider reported it. Built only by
 * {@link CallStateMerger}; every field is derived from {@link #events()}, so a stored state can
 * always take one more event.
 *
 * <pre>
 *   RINGING ──> ANSWERED ──> COMPLETED
 *      │
 *      └──> MISSED | BUSY | FAILED        (terminal; COMPLETED is terminal too, and only an answered call's)
 * </pre>
 *
 * @param status          where the call is now
 * @param from            caller as the provider sent it (raw; normalise with {@link CallerNumber}), may be null
 * @param to              dialled tracking number as sent (raw), may be null
 * @param startedAt       earliest event time
 * @param answeredAt      when the business answered; null if never (or unknown)
 * @param endedAt         time of the final event; null while the call is live
 * @param answered        answered, or talked for a second or more
 * @param durationSeconds whole call length; null while unknown
 * @param talkSeconds     talk time; 0 for a call that ended unanswered; null while unknown
 * @param recordingUrl    the provider's recording, or null
 * @param events          one merged event per kind seen, the facts everything above comes from
 */
public record CallState(
        String provider,
        String providerCallId,
        Status status,
        String from,
        String to,
        Instant startedAt,
        Instant answeredAt,
        Instant endedAt,
        boolean answered,
        Integer durationSeconds,
        Integer talkSeconds,
        String recordingUrl,
        Map<CallEvent.Kind, CallEvent> events) {

    /** The call's status, in the API's words ({@link #wireName()}). */
    public enum Status {
        RINGING, ANSWERED, COMPLETED, MISSED, BUSY, FAILED;

        public boolean isTerminal() {
            return this != RINGING && this != ANSWERED;
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Whether the call was closed by Ringpool because its end was never reported
     * ({@link UnendedCalls}): final only by its {@code end_unknown} event, no provider's end. A
     * reported end arriving later makes this false again.
     */
    public boolean endUnknown() {
        return status.isTerminal() && events.keySet().stream().noneMatch(k -> k.isTerminal() && k != CallEvent.Kind.END_UNKNOWN);
    }

    public CallState {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(providerCallId, "providerCallId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(startedAt, "startedAt");
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a call state needs at least one event");
        }
        events = Collections.unmodifiableMap(new EnumMap<>(events));
    }
}
