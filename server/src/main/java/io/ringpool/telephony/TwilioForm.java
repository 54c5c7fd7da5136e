package io.ringpool.telephony;

import io.ringpool.call.CallEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A Twilio webhook body ({@code application/x-www-form-urlencoded}, UTF-8), and its mapping to a
 * normalised {@link CallEvent}.
 *
 * <p>Field order and repeated names are kept, because the signature is computed over all of them
 * ({@link TwilioSignature#verify}).
 *
 * <p>Two kinds of posts arrive (API.md, Telephony):
 * <ul>
 *   <li>the voice webhook for the incoming call, and the status callbacks of that call when the
 *       number's "Call status changes" URL points at us: {@code CallSid} of the caller's call,
 *       {@code From} = caller, {@code To} = our tracking number;</li>
 *   <li>status callbacks of the {@code <Number>} we dial (see {@link TwiML}): that forwarded leg
 *       has its own {@code CallSid} and names the caller's call in {@code ParentCallSid}. Its
 *       {@code From}/{@code To} describe the forward (To = the site's real number), so they are
 *       dropped, and the event is filed under the parent sid so both posts make one call. Its
 *       {@code CallDuration} is the time the business talked, so it is the talk time, not the
 *       call's duration.</li>
 * </ul>
 *
 * <p>Only the forwarded leg says whether the business answered. The caller's own call is answered
 * by Twilio to run our TwiML (at once when a recording notice plays before the {@code <Dial>}),
 * and it is {@code completed} when that TwiML has run, whether or not anybody picked up. So that
 * leg's {@code in-progress} is no answer (it stays ringing) and its {@code completed} ends the
 * call as missed with the call's duration; the merger makes it {@code completed} when the
 * forwarded leg answered, and the forwarded leg's {@code busy} or {@code failed} outranks it.
 * Plivo, Vonage and Telnyx TeXML read their providers' parent legs the same way.
 */
public record TwilioForm(List<FormField> fields) {

    /** Provider name in {@link CallEvent#provider()} and dedup keys. */
    public static final String PROVIDER = "twilio";

    /** Twilio's {@code Timestamp} field, e.g. {@code Thu, 26 Nov 2026 04:30:00 +0000}. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.RFC_1123_DATE_TIME;

    public TwilioForm {
        fields = List.copyOf(fields);
    }

    /**
     * Parses a form body. Both {@code +} and {@code %20} decode to a space, as the form encoding says.
     *
     * @throws IllegalArgumentException on a broken percent escape (answer 400: not from Twilio)
     */
    public static TwilioForm parse(String body) {
        List<FormField> fields = new ArrayList<>();
        if (body == null || body.isEmpty()) {
            return new TwilioForm(fields);
        }
        for (String pair : body.split("&", -1)) {
            if (pair.isEmpty()) {
                continue; // "a=1&&b=2" or a trailing '&': nothing there
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            fields.add(new FormField(decode(name), decode(value)));
        }
        return new TwilioForm(fields);
    }

    /** {@link #parse(String)} over the raw UTF-8 body bytes. */
    public static TwilioForm parse(byte[] body) {
        return parse(body == null ? "" : new String(body, StandardCharsets.UTF_8));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The first value of {@code name}, or empty. */
    public Optional<String> first(String name) {
        for (FormField f : fields) {
            if (f.name().equals(name)) {
                return Optional.of(f.value());
            }
        }
        return Optional.empty();
    }

    /** All values of {@code name}, in body order. */
    public List<String> all(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).map(FormField::value).toList();
    }

    /**
     * Maps Twilio's {@code CallStatus} to a normalised kind; empty for a status we do not know
     * (log and ignore it rather than guess).
     *
     * <pre>
     * queued, initiated, ringing -> RINGING   (the call exists, nobody answered yet)
     * in-progress                -> ANSWERED
     * completed                  -> COMPLETED
     * busy                       -> BUSY
     * failed                     -> FAILED
     * no-answer, canceled        -> MISSED    (canceled = the caller hung up before an answer)
     * </pre>
     */
    public static Optional<CallEvent.Kind> kindOf(String callStatus) {
        if (callStatus == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(switch (callStatus.trim().toLowerCase(Locale.ROOT)) {
            case "queued", "initiated", "ringing" -> CallEvent.Kind.RINGING;
            case "in-progress" -> CallEvent.Kind.ANSWERED;
            case "completed" -> CallEvent.Kind.COMPLETED;
            case "busy" -> CallEvent.Kind.BUSY;
            case "failed" -> CallEvent.Kind.FAILED;
            case "no-answer", "canceled" -> CallEvent.Kind.MISSED;
            default -> null;
        });
    }

    /**
     * Why this post cannot be recorded as a status callback, naming the field at fault, or empty
     * when it can. Twilio always sends {@code CallSid} and {@code CallStatus} (one of the statuses
     * {@link #kindOf} maps) and, when it sends {@code CallDuration}, whole seconds; a post that
     * breaks this is no status callback of Twilio's, and answering it {@code 204} would tell the
     * sender an event was kept when nothing was. The voice webhook does not use this: a caller is
     * put through whatever else its post carries.
     */
    public Optional<Fault> statusFault() {
        if (first("CallSid").filter(s -> !s.isBlank()).isEmpty()) {
            return Optional.of(new Fault("missing_field", "CallSid", "'CallSid' is required"));
        }
        Optional<String> status = first("CallStatus").filter(s -> !s.isBlank());
        if (status.isEmpty()) {
            return Optional.of(new Fault("missing_field", "CallStatus", "'CallStatus' is required"));
        }
        if (kindOf(status.get()).isEmpty()) {
            return Optional.of(new Fault("invalid_value", "CallStatus", "'CallStatus' must be one of queued, initiated, ringing,"
                    + " in-progress, completed, busy, failed, no-answer, canceled"));
        }
        Optional<String> duration = first("CallDuration").filter(s -> !s.isBlank());
        if (duration.isPresent() && seconds(duration.get()) == null) {
            return Optional.of(new Fault("invalid_value", "CallDuration", "'CallDuration' must be whole seconds from 0 to "
                    + Integer.MAX_VALUE));
        }
        return Optional.empty();
    }

    /**
     * What makes a post unusable.
     *
     * @param code    {@code missing_field} or {@code invalid_value}, as API.md's errors name them
     * @param field   the form field at fault
     * @param message for humans
     */
    public record Fault(String code, String field, String message) {}

    /**
     * The normalised event, or empty when the post has no {@code CallSid} or an unknown
     * {@code CallStatus}. The caller's own call never claims an answer (see the class comment):
     * its {@code in-progress} is ringing and its {@code completed} is missed, with the call's duration.
     *
     * @param clock used for {@code at} when {@code Timestamp} is missing or unreadable
     */
    public Optional<CallEvent> toEvent(Clock clock) {
        Objects.requireNonNull(clock, "clock");
        Optional<String> parent = first("ParentCallSid").filter(s -> !s.isBlank());
        Optional<String> sid = parent.or(() -> first("CallSid")).filter(s -> !s.isBlank());
        Optional<CallEvent.Kind> status = kindOf(first("CallStatus").orElse(null));
        if (sid.isEmpty() || status.isEmpty()) {
            return Optional.empty();
        }
        boolean forwardedLeg = parent.isPresent();
        CallEvent.Kind kind = forwardedLeg ? status.get() : switch (status.get()) {
            case ANSWERED -> CallEvent.Kind.RINGING;
            case COMPLETED -> CallEvent.Kind.MISSED;
            default -> status.get();
        };
        Integer callDuration = first("CallDuration").map(TwilioForm::seconds).orElse(null);
        return Optional.of(new CallEvent(
                PROVIDER,
                sid.get().trim(),
                kind,
                timestamp(clock),
                forwardedLeg ? null : first("From").orElse(null),
                forwardedLeg ? null : first("To").orElse(null),
                forwardedLeg ? null : callDuration,
                forwardedLeg && kind == CallEvent.Kind.COMPLETED ? callDuration : null,
                first("RecordingUrl").filter(s -> !s.isBlank()).orElse(null)));
    }

    private Instant timestamp(Clock clock) {
        Optional<String> ts = first("Timestamp").filter(s -> !s.isBlank());
        if (ts.isPresent()) {
            try {
                return ZonedDateTime.parse(ts.get().trim(), TIMESTAMP).toInstant();
            } catch (DateTimeParseException unreadable) {
                // Fall through: an unreadable time must not lose the event.
            }
        }
        return clock.instant();
    }

    /** Non-negative whole seconds (digits only), or null for anything else (never fails the event). */
    private static Integer seconds(String s) {
        String digits = s.trim();
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException tooLarge) {
            return null;
        }
    }
}
