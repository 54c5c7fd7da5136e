package io.ringpool.telephony;

import io.ringpool.call.CallEvent;
import io.ringpool.http.ApiException;
import io.ringpool.http.JsonBody;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;

/**
 * Our documented JSON call event (API.md, Telephony; docs/calls.md), as a normalised
 * {@link CallEvent} of provider {@value #PROVIDER}:
 * <pre>{@code
 * {"callId": "pbx-1700000000.42", "event": "ringing|answered|completed|missed|busy|failed",
 *  "from": "+79161234567", "to": "+74950000001", "at": "2026-11-26T03:15:00Z",
 *  "durationSeconds": 95, "talkSeconds": 80, "recordingUrl": "https://..."}
 * }</pre>
 * Fields we do not know are ignored, so providers can send more than we read. Every problem is a
 * 422 naming the field.
 */
public final class GenericEvent {

    /** Provider name in {@link CallEvent#provider()} and in the dedup key. */
    public static final String PROVIDER = "generic";

    /** Longest provider call id we keep: plenty for uniqueids, UUIDs and composite ids. */
    static final int MAX_CALL_ID = 100;

    /** A caller or dialled number longer than this is not a phone number. */
    static final int MAX_NUMBER_CHARS = 100;

    /** Longest duration accepted, in seconds (about 115 days): anything longer is a unit mix-up. */
    static final int MAX_SECONDS = 10_000_000;

    private GenericEvent() {}

    /**
     * @param clock gives {@code at} when the event does not say
     */
    public static CallEvent parse(JsonBody body, Clock clock) {
        String callId = body.requiredString("callId", MAX_CALL_ID);
        String kindText = body.requiredString("event", 20);
        CallEvent.Kind kind = CallEvent.Kind.fromWire(kindText).orElseThrow(() -> ApiException.invalid("event",
                "'event' must be one of ringing, answered, completed, missed, busy, failed (got '" + kindText + "')"));
        String from = body.optionalString("from", MAX_NUMBER_CHARS);
        String to = body.optionalString("to", MAX_NUMBER_CHARS);
        Instant at = at(body, clock);
        Integer duration = body.optionalInt("durationSeconds", 0, MAX_SECONDS);
        Integer talk = body.optionalInt("talkSeconds", 0, MAX_SECONDS);
        String recording = body.optionalString("recordingUrl", 2000);
        if (recording != null && !recording.isEmpty()) {
            String lower = recording.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("https://") && !lower.startsWith("http://")) {
                throw ApiException.invalid("recordingUrl", "'recordingUrl' must be an http(s) URL");
            }
        }
        return new CallEvent(PROVIDER, callId, kind, at, from, to == null || to.isEmpty() ? null : to, duration, talk,
                recording == null || recording.isEmpty() ? null : recording);
    }

    /** ISO-8601 with an offset ({@code 2026-11-26T03:15:00Z}, {@code ...+03:00}), or unix seconds; default now. */
    private static Instant at(JsonBody body, Clock clock) {
        if (!body.has("at")) {
            return clock.instant();
        }
        String text;
        try {
            text = body.optionalString("at", 64);
        } catch (ApiException notText) {
            Double seconds = body.optionalNumber("at", 0, 1e11);
            return Instant.ofEpochMilli(Math.round(seconds * 1000));
        }
        if (text == null || text.isEmpty()) {
            return clock.instant();
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            throw ApiException.invalid("at", "'at' must be an ISO-8601 time with an offset, such as 2026-11-26T03:15:00Z (got '"
                    + text + "')");
        }
    }
}
