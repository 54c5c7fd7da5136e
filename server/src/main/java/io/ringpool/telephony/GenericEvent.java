package io.ringpool.telephony;

import io.ringpool.call.CallEvent;
import io.ringpool.failure.DomainFailure;
import io.ringpool.inbound.StorableText;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Locale;

/**
 * Our documented JSON call event (API.md, Telephony; docs/calls.md) as a provider sent it, before
 * its values are judged:
 * <pre>{@code
 * {"callId": "pbx-1700000000.42", "event": "ringing|answered|completed|missed|busy|failed",
 *  "from": "+79161234567", "to": "+74950000001", "at": "2026-11-26T03:15:00Z",
 *  "durationSeconds": 95, "talkSeconds": 80, "recordingUrl": "https://..."}
 * }</pre>
 * {@code TelephonyApi} reads the JSON into this record (fields we do not know are ignored, so
 * providers can send more than we read); {@link #toCallEvent} turns it into a normalised
 * {@link CallEvent} of provider {@value #PROVIDER}, or fails naming the field.
 *
 * @param at        ISO-8601 with an offset, when {@code at} was sent as text
 * @param atSeconds unix seconds, when {@code at} was sent as a number
 */
public record GenericEvent(String callId, String event, String from, String to, String at, Double atSeconds,
        Integer durationSeconds, Integer talkSeconds, String recordingUrl) {

    /** Provider name in {@link CallEvent#provider()} and in the dedup key. */
    public static final String PROVIDER = "generic";

    /**
     * Longest call id read: the webhook body's own limit (64 KiB by default) is the real bound. A
     * signed sender is believed about its ids, as every provider is: an id longer than the store's
     * column is kept in its digest form ({@link CallEvent#storedCallId}), never refused, because a
     * refused event is a lost call.
     */
    public static final int MAX_CALL_ID = 65_536;

    /** A caller or dialled number longer than this is not a phone number. */
    public static final int MAX_NUMBER_CHARS = 100;

    /** Longest duration accepted, in seconds (about 115 days): anything longer is a unit mix-up, and no call keeps it. */
    static final int MAX_SECONDS = io.ringpool.call.CallLengths.MAX_SECONDS;

    /** Latest unix time accepted for {@code at}, in seconds (year 5138): a larger number is milliseconds sent by mistake. */
    static final double MAX_AT_SECONDS = 1e11;

    /**
     * @param clock gives {@code at} when the event does not say
     */
    public CallEvent toCallEvent(Clock clock) {
        if (callId == null || callId.isBlank()) {
            throw DomainFailure.missing("callId");
        }
        if (!StorableText.isStorable(callId)) {
            // Our own schema, so refused rather than rewritten: the sender can fix it, and an id is no place for a NUL.
            throw DomainFailure.invalid("callId", "'callId' must be text without control characters (such as NUL) or unpaired"
                    + " surrogates");
        }
        if (event == null || event.isBlank()) {
            throw DomainFailure.missing("event");
        }
        CallEvent.Kind kind = CallEvent.Kind.fromWire(event).orElseThrow(() -> DomainFailure.invalid("event",
                "'event' must be one of ringing, answered, completed, missed, busy, failed (got '" + event + "')"));
        if (recordingUrl != null && !recordingUrl.isEmpty()) {
            String lower = recordingUrl.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("https://") && !lower.startsWith("http://")) {
                throw DomainFailure.invalid("recordingUrl", "'recordingUrl' must be an http(s) URL");
            }
        }
        Integer duration = seconds("durationSeconds", durationSeconds);
        Integer talk = seconds("talkSeconds", talkSeconds);
        if (duration != null && talk != null && talk > duration) {
            // The talk is part of the call: more talk than call is a mix-up, and it would count as a target call.
            throw DomainFailure.invalid("talkSeconds", "'talkSeconds' (" + talk + ") must not exceed 'durationSeconds' (" + duration
                    + "), the call's whole length");
        }
        return new CallEvent(PROVIDER, callId, kind, instant(clock), from, to == null || to.isEmpty() ? null : to, duration, talk,
                recordingUrl == null || recordingUrl.isEmpty() ? null : recordingUrl);
    }

    /** Whether the sender dated the event ({@code at}); otherwise it is dated on receipt. */
    public boolean dated() {
        return atSeconds != null || (at != null && !at.isEmpty());
    }

    private Instant instant(Clock clock) {
        if (atSeconds != null) {
            if (!(atSeconds >= 0 && atSeconds <= MAX_AT_SECONDS)) {
                throw DomainFailure.invalid("at", "'at' must be between 0.0 and " + MAX_AT_SECONDS);
            }
            return Instant.ofEpochMilli(Math.round(atSeconds * 1000));
        }
        if (at == null || at.isEmpty()) {
            return clock.instant();
        }
        try {
            return IsoOffsetTime.parse(at);
        } catch (DateTimeException e) {
            throw DomainFailure.invalid("at", "'at' must be an ISO-8601 time with an offset, such as 2026-11-26T03:15:00Z (got '"
                    + at + "')");
        }
    }

    private static Integer seconds(String field, Integer value) {
        if (value != null && (value < 0 || value > MAX_SECONDS)) {
            throw DomainFailure.invalid(field, "'" + field + "' must be between 0 and " + MAX_SECONDS);
        }
        return value;
    }
}
