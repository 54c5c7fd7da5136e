package io.ringpool.telephony.plivo;

import io.ringpool.call.CallEvent;
import io.ringpool.telephony.FormField;
import io.ringpool.telephony.provider.CallRecording;
import io.ringpool.telephony.provider.ProviderForms;
import io.ringpool.telephony.provider.ProviderRoute;
import io.ringpool.telephony.provider.ProviderSettingsSpec;
import io.ringpool.telephony.provider.ReplayGuard;
import io.ringpool.telephony.provider.TelephonyProvider;
import io.ringpool.telephony.provider.WallClockTime;
import io.ringpool.telephony.provider.WebhookCall;
import io.ringpool.telephony.provider.WebhookRefused;
import io.ringpool.telephony.provider.WebhookResult;
import io.ringpool.telephony.provider.Xml;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Plivo Voice: the application's Answer URL ({@code answer}) and Hangup URL ({@code hangup}),
 * both POST, signed with {@code X-Plivo-Signature-V3} (see {@link PlivoSignature}).
 *
 * <p>{@code answer} (the incoming call: {@code CallUUID}, {@code From}, {@code To}) records the call
 * and answers Plivo XML that dials the site's {@code forwardTo}, with the dial's events
 * ({@code callbackUrl}) sent to {@code hangup}:
 * <pre>
 * answer                          -> ringing
 * hangup, DialAction=answer       -> answered (the business picked up)
 * hangup, DialAction=hangup       -> completed with talk = DialBLegDuration when the business
 *                                    answered (DialBLegStatus / a positive duration)
 * hangup (the call's own), by CallStatus: completed -> missed unless answered (Plivo answers every
 *                                    call it runs XML for, so "completed" says nothing about the
 *                                    business), busy -> busy, failed -> failed, timeout / no-answer /
 *                                    cancel -> missed; Duration is the call's duration
 * </pre>
 * Plivo's numbers have no {@code +}; the dialled number is written without it, as Plivo expects.
 *
 * <p>Replays: the nonce is random per request, so a nonce already accepted is refused for
 * {@link #NONCE_MEMORY} (there is no timestamp to bound it otherwise).
 */
public final class PlivoProvider implements TelephonyProvider {

    public static final String NAME = "plivo";

    /** How long an accepted nonce is remembered: Plivo gives no timestamp, so a day, bounded in count by the guard. */
    static final Duration NONCE_MEMORY = Duration.ofDays(1);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderSettingsSpec settings() {
        return ProviderSettingsSpec.of(ProviderSettingsSpec.Field.secret("authToken"));
    }

    @Override
    public String dialledNumberField() {
        return "To";
    }

    @Override
    public List<ProviderRoute> routes() {
        return List.of(
                ProviderRoute.answer("POST", "/v1/telephony/plivo/{siteId}/answer", this::answer),
                ProviderRoute.post("/v1/telephony/plivo/{siteId}/hangup", this::hangup),
                ProviderRoute.post("/v1/telephony/plivo/{siteId}/recording", this::recording));
    }

    /** The form once its signature checks out, and the nonce's replay key. */
    record Verified(Map<String, String> form, ReplayGuard.Key nonceKey) {}

    static Verified verify(WebhookCall call) {
        String header = call.request().header("x-plivo-signature-v3");
        String nonce = call.request().header("x-plivo-signature-v3-nonce");
        if (header == null || header.isBlank() || nonce == null || nonce.isBlank()) {
            throw WebhookRefused.missing("X-Plivo-Signature-V3 and X-Plivo-Signature-V3-Nonce are required");
        }
        List<FormField> fields = ProviderForms.fields(call.request().body());
        Map<String, List<String>> params = new LinkedHashMap<>();
        for (FormField f : fields) {
            params.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(f.value());
        }
        boolean valid = false;
        for (String url : call.request().signedUrls()) {
            try {
                valid |= PlivoSignature.verify(call.settings().get("authToken"), PlivoSignature.base(call.request().method(), url, params),
                        nonce, header);
            } catch (URISyntaxException notAUrl) {
                // another candidate may be fine
            }
        }
        if (!valid) {
            throw WebhookRefused.mismatch("X-Plivo-Signature-V3 does not match this request under the site's auth token");
        }
        return new Verified(ProviderForms.first(fields),
                call.replays().key(NAME, call.site().siteId(), nonce.strip(), NONCE_MEMORY));
    }

    private WebhookResult answer(WebhookCall call) {
        Verified v = verify(call);
        String id = callId(v.form(), "CallUUID");
        CallEvent e = new CallEvent(NAME, id, CallEvent.Kind.RINGING, time(v.form().get("StartTime"), call), v.form().get("From"),
                v.form().get("To"), null, null, null);
        return WebhookResult.of(List.of(e), WebhookResult.Reply.xml(dial(call))).withReplayKeys(List.of(v.nonceKey()));
    }

    private WebhookResult hangup(WebhookCall call) {
        Verified v = verify(call);
        Map<String, String> f = v.form();
        Instant now = call.clock().instant();
        CallEvent e;
        String action = f.get("DialAction");
        if (action != null) {
            String id = callId(f, f.containsKey("DialALegUUID") ? "DialALegUUID" : "CallUUID");
            Integer talk = seconds(f.get("DialBLegDuration"));
            boolean bAnswered = "answer".equalsIgnoreCase(f.get("DialBLegStatus")) || (talk != null && talk > 0);
            e = switch (action.toLowerCase(Locale.ROOT)) {
                case "answer", "connected" -> new CallEvent(NAME, id, CallEvent.Kind.ANSWERED, now, null, null, null, null, null);
                case "hangup" -> bAnswered ? new CallEvent(NAME, id, CallEvent.Kind.COMPLETED, now, null, null, null, talk, null)
                        : unanswered(id, f.get("DialBLegHangupCause"), now);
                default -> null;
            };
        } else {
            String id = callId(f, "CallUUID");
            String status = f.getOrDefault("CallStatus", "").toLowerCase(Locale.ROOT);
            CallEvent.Kind kind = switch (status) {
                case "busy" -> CallEvent.Kind.BUSY;
                case "failed" -> CallEvent.Kind.FAILED;
                default -> CallEvent.Kind.MISSED; // completed, timeout, no-answer, cancel: answered only if the dial said so
            };
            String recording = f.get("RecordUrl");
            if (recording != null && !recording.toLowerCase(Locale.ROOT).matches("https?://.+")) {
                recording = null;
            }
            e = new CallEvent(NAME, id, kind, time(f.get("EndTime"), call), f.get("From"), f.get("To"), seconds(f.get("Duration")),
                    null, recording);
        }
        WebhookResult result = e == null ? WebhookResult.ignored("dial event " + action, WebhookResult.Reply.OK_EMPTY)
                : WebhookResult.of(List.of(e), WebhookResult.Reply.OK_EMPTY);
        return result.withReplayKeys(List.of(v.nonceKey()));
    }

    /**
     * The business leg's end when it did not answer, as the other providers' business leg reads
     * (audit AN3 F8): busy is busy, a rejection failed, and anything else (no answer, the caller
     * hanging up first) nothing, left to the caller's hangup, which makes the call missed. Plivo
     * answers the caller's leg itself to run the XML, so that hangup says {@code completed}: only
     * this cause knows the line was busy.
     */
    private static CallEvent unanswered(String id, String hangupCause, Instant now) {
        String cause = hangupCause == null ? "" : hangupCause.strip().toUpperCase(Locale.ROOT);
        CallEvent.Kind kind = switch (cause) {
            case "USER_BUSY" -> CallEvent.Kind.BUSY;
            case "CALL_REJECTED" -> CallEvent.Kind.FAILED;
            default -> null;
        };
        return kind == null ? null : new CallEvent(NAME, id, kind, now, null, null, null, 0, null);
    }

    /**
     * The {@code action} of the {@code <Record>}: Plivo posts {@code RecordUrl}, {@code RecordingID},
     * {@code CallUUID} and the durations when the recording starts (with {@code startOnDialAnswer}:
     * when the business answers), before the file is complete; the download queue retries a 404
     * until it is there. The URL joins the call like every provider's recording.
     */
    private WebhookResult recording(WebhookCall call) {
        Verified v = verify(call);
        Map<String, String> f = v.form();
        String id = callId(f, "CallUUID");
        String url = f.get("RecordUrl");
        WebhookResult result;
        if (url == null || !url.toLowerCase(Locale.ROOT).matches("https?://.+")) {
            result = WebhookResult.ignored("no RecordUrl", WebhookResult.Reply.xml(Xml.PROLOG + "<Response></Response>"));
        } else {
            CallEvent e = new CallEvent(NAME, id, CallEvent.Kind.COMPLETED, call.clock().instant(), null, null, null, null, url.strip());
            result = WebhookResult.of(List.of(e), WebhookResult.Reply.xml(Xml.PROLOG + "<Response></Response>"));
        }
        return result.withReplayKeys(List.of(v.nonceKey()));
    }

    /** Seconds Plivo may record: its default {@code maxLength} is 60, far too short for a call. 4 hours. */
    static final int RECORD_MAX_SECONDS = 14_400;

    /**
     * Plivo XML dialling the site's real number (no '+'), or a busy hangup when the site has none.
     * When the site records: the notice ({@code <Speak>} text or {@code <Play>} a URL), then
     * {@code <Record action=… method="POST" redirect="false" startOnDialAnswer="true" fileFormat="mp3"
     * maxLength=…/>} (Plivo's {@code <Record>} reference: {@code startOnDialAnswer} records both legs
     * from the moment the dialled number answers, without a beep; {@code redirect="false"} makes Plivo
     * only notify the action URL and go on to the {@code <Dial>}).
     */
    static String dial(WebhookCall call) {
        String to = call.forwardTo();
        if (to == null) {
            return Xml.PROLOG + "<Response><Hangup reason=\"busy\"/></Response>";
        }
        String number = to.startsWith("+") ? to.substring(1) : to;
        CallRecording rec = call.recording();
        StringBuilder x = new StringBuilder(Xml.PROLOG).append("<Response>");
        if (rec.notice() != null) {
            x.append(rec.noticeIsAudio() ? "<Play>" + Xml.escape(rec.notice()) + "</Play>" : "<Speak>" + Xml.escape(rec.notice()) + "</Speak>");
        }
        if (rec.record()) {
            x.append("<Record action=\"").append(Xml.escape(call.callbackUrl(NAME, "recording")))
                    .append("\" method=\"POST\" redirect=\"false\" startOnDialAnswer=\"true\" fileFormat=\"mp3\" maxLength=\"")
                    .append(RECORD_MAX_SECONDS).append("\"/>");
        }
        return x + "<Dial callbackUrl=\"" + Xml.escape(call.callbackUrl(NAME, "hangup"))
                + "\" callbackMethod=\"POST\"><Number>" + Xml.escape(number) + "</Number></Dial></Response>";
    }

    private static String callId(Map<String, String> f, String field) {
        String id = f.get(field);
        // Any length: the store keeps an over-long id in its digest form (CallEvent.storedCallId).
        if (id == null || id.isBlank()) {
            throw WebhookRefused.invalidBody(field, "'" + field + "' is required");
        }
        return id.strip();
    }

    private static Instant time(String text, WebhookCall call) {
        if (text != null && !text.isBlank()) {
            try {
                // Plivo's callbacks: yyyy-MM-dd HH:mm:ss in UTC
                return WallClockTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeException unreadable) {
                // fall through: an unreadable time must not lose the event
            }
        }
        return call.clock().instant();
    }

    private static Integer seconds(String s) {
        try {
            int v = Integer.parseInt(s == null ? "" : s.strip());
            return v >= 0 ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
