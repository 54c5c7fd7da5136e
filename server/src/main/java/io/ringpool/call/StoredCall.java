package io.ringpool.call;

import java.time.Instant;
import java.util.List;

/**
 * A call as the store keeps it and the call log shows it: merged state, classification,
 * attribution, and the marketer's tags and value.
 *
 * @param caller      E.164 when {@code callerValid}; else the provider's text, or {@link CallerNumber#ERASED}
 * @param number      the tracking number dialled (E.164)
 * @param endUnknown  Ringpool closed the call because its end never came ({@link CallState#endUnknown})
 * @param value       the marketer's value of the call (≥ 0), or null
 * @param currency    ISO 4217 code of {@code value}, or null
 * @param review      reviewed flag, note, recording state, transcript, automatic tags (V60)
 */
public record StoredCall(
        String callId,
        String siteId,
        String provider,
        String providerCallId,
        String caller,
        boolean callerValid,
        String number,
        CallState.Status status,
        boolean answered,
        Instant startedAt,
        Instant answeredAt,
        Instant endedAt,
        Integer durationSeconds,
        Integer talkSeconds,
        boolean endUnknown,
        String recordingUrl,
        CallClass classes,
        CallAttribution attribution,
        List<String> tags,
        Double value,
        String currency,
        CallReview review) {

    public StoredCall {
        tags = tags == null ? List.of() : List.copyOf(tags);
        review = review == null ? CallReview.NONE : review;
    }

    /** A call as ingestion builds it: the review part is the store's own and is not written by ingestion. */
    public StoredCall(String callId, String siteId, String provider, String providerCallId, String caller, boolean callerValid,
            String number, CallState.Status status, boolean answered, Instant startedAt, Instant answeredAt, Instant endedAt,
            Integer durationSeconds, Integer talkSeconds, boolean endUnknown, String recordingUrl, CallClass classes,
            CallAttribution attribution, List<String> tags, Double value, String currency) {
        this(callId, siteId, provider, providerCallId, caller, callerValid, number, status, answered, startedAt, answeredAt,
                endedAt, durationSeconds, talkSeconds, endUnknown, recordingUrl, classes, attribution, tags, value, currency, CallReview.NONE);
    }
}
