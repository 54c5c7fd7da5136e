package io.ringpool.telephony.telnyx;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.call.CallEvent;
import io.ringpool.telephony.FormField;
import io.ringpool.telephony.TwilioForm;
import io.ringpool.telephony.TwiML;
import io.ringpool.telephony.provider.CallRecording;
import io.ringpool.telephony.provider.ProviderForms;
import io.ringpool.telephony.provider.ProviderJson;
import io.ringpool.telephony.provider.ProviderRoute;
import io.ringpool.telephony.provider.ProviderSettingsSpec;
import io.ringpool.telephony.provider.ReplayGuard;
import io.ringpool.telephony.provider.TelephonyProvider;
import io.ringpool.telephony.provider.WebhookCall;
import io.ringpool.telephony.provider.WebhookRefused;
import io.ringpool.telephony.provider.WebhookResult;
import io.ringpool.telephony.provider.Xml;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Telnyx, on one URL for both of its voice products:
 *
 * <p><b>Call Control</b> (JSON): {@code {"data": {"event_type", "occurred_at", "payload": {...}}}}.
 * The call id is {@code call_session_id}, shared by the caller's leg and every leg an application
 * transfers or dials to the business. The caller's leg is the one Telnyx says is {@code incoming}
 * ({@code direction} comes with {@code call.initiated} only), else the one whose {@code to} is a
 * tracking number of the site; any other leg is a leg to the business.
 * <pre>
 * call.initiated, caller's leg     -> ringing   (payload.from, payload.to)
 * call.answered, another leg       -> answered  (the business took the call)
 * call.answered, caller's leg      -> held: answered at that time once the caller's leg has ended,
 *                                     if no other leg was seen (a number routed straight to the
 *                                     business's SIP equipment); else it was the application
 *                                     greeting the caller, and it is no answer (audit AI1 #1)
 * call.hangup, caller's leg        -> by hangup_cause: user_busy: busy; normal_clearing, timeout,
 *                                     originator_cancel, no_answer: missed (the answer, if any,
 *                                     makes it completed); anything else: failed
 * call.hangup, another leg         -> normal_clearing: missed (the end of the business's
 *                                     conversation); other causes: nothing (a transfer that failed)
 * call.recording.saved             -> the recording (recording_urls.mp3, or public_recording_urls.mp3)
 * </pre>
 * Call Control takes no instructions in the answer (commands go to its API), so it gets 200.
 *
 * <p><b>TeXML</b> (form posts, Twilio-compatible): the first request of a call is answered with
 * TeXML that dials the site's {@code forwardTo} with {@code action} back to this URL; that action
 * request ({@code DialCallStatus}, {@code DialCallDuration} = talk) ends the call and is answered
 * {@code <Hangup/>}; a status callback with a final {@code CallStatus} is recorded and answered empty.
 *
 * <p>Both are signed: {@code telnyx-signature-ed25519} = base64 Ed25519 signature by Telnyx of
 * {@code telnyx-timestamp + "|" + raw body}, checked with the account's public key (Portal,
 * Keys &amp; Credentials, "Public Key", base64) and the JDK's Ed25519. A timestamp more than
 * {@link #TOLERANCE} from our clock is stale; a signature already accepted is a replay.
 */
public final class TelnyxProvider implements TelephonyProvider {

    public static final String NAME = "telnyx";

    private final CallControlSessions sessions = new CallControlSessions();

    /** Telnyx's SDKs accept signatures up to 300 s old. */
    static final Duration TOLERANCE = Duration.ofMinutes(5);

    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (OID 1.3.101.112); the raw 32-byte key follows. */
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderSettingsSpec settings() {
        return ProviderSettingsSpec.of(ProviderSettingsSpec.Field.plain("publicKey").asCredential().checked(k -> {
            try {
                publicKey(k);
                return Optional.empty();
            } catch (IllegalArgumentException e) {
                return Optional.of("must be the base64 Ed25519 public key shown in Telnyx's portal (32 bytes)");
            }
        }));
    }

    @Override
    public List<ProviderRoute> routes() {
        return List.of(ProviderRoute.answer("POST", "/v1/telephony/telnyx/{siteId}", this::webhook));
    }

    static PublicKey publicKey(String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not base64", e);
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
        }
        byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
        System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
        System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }

    private static ReplayGuard.Key verify(WebhookCall call) {
        String signature = call.request().header("telnyx-signature-ed25519");
        String timestamp = call.request().header("telnyx-timestamp");
        if (signature == null || signature.isBlank() || timestamp == null || timestamp.isBlank()) {
            throw WebhookRefused.missing("telnyx-signature-ed25519 and telnyx-timestamp are required");
        }
        if (!timestamp.strip().matches("[0-9]{1,12}")) {
            throw WebhookRefused.malformed("telnyx-timestamp is not unix seconds");
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signature.strip());
        } catch (IllegalArgumentException e) {
            throw WebhookRefused.malformed("telnyx-signature-ed25519 is not base64");
        }
        byte[] prefix = (timestamp.strip() + "|").getBytes(StandardCharsets.UTF_8);
        boolean valid;
        try {
            Signature ed = Signature.getInstance("Ed25519");
            ed.initVerify(publicKey(call.settings().get("publicKey")));
            ed.update(prefix);
            ed.update(call.request().body());
            valid = sig.length == 64 && ed.verify(sig);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            valid = false;
        }
        if (!valid) {
            throw WebhookRefused.mismatch("telnyx-signature-ed25519 does not verify with this site's Telnyx public key");
        }
        long t = Long.parseLong(timestamp.strip());
        long now = call.clock().instant().getEpochSecond();
        if (Math.abs(now - t) > TOLERANCE.toSeconds()) {
            throw WebhookRefused.stale("telnyx-timestamp is more than 5 minutes from the server's clock");
        }
        return call.replays().key(NAME, call.site().siteId(), signature.strip(), TOLERANCE.multipliedBy(2));
    }

    private WebhookResult webhook(WebhookCall call) {
        ReplayGuard.Key key = verify(call);
        WebhookResult result = call.request().mediaType().equals("application/x-www-form-urlencoded") ? texml(call) : callControl(call);
        return result.withReplayKeys(List.of(key));
    }

    // ---- Call Control ----

    private WebhookResult callControl(WebhookCall call) {
        JsonNode data = ProviderJson.parseObject(call.request().body()).path("data");
        String type = ProviderJson.text(data, "event_type");
        JsonNode p = data.path("payload");
        String id = ProviderJson.text(p, "call_session_id");
        if (type == null || id == null) { // an id of any length: the store keeps a long one in its digest form
            throw WebhookRefused.invalidBody("data.payload.call_session_id", "a Call Control event needs data.event_type and payload.call_session_id");
        }
        Instant at = time(ProviderJson.text(data, "occurred_at"), call);
        Instant now = call.clock().instant();
        String siteId = call.site().siteId();
        String direction = ProviderJson.text(p, "direction");
        boolean callersLeg = callersLeg(direction, ProviderJson.text(p, "to"), call);
        // Only call.initiated says which leg it is: Telnyx's call.answered and call.hangup carry no
        // direction, so the leg the business takes (from the tracking number to the business) looked
        // incoming, and its "to" was refused as no tracking number of the site (audit W #1). The
        // call's numbers come from its initiated event; a later event names them only when it says
        // it is of the incoming leg.
        boolean saysIncoming = "incoming".equalsIgnoreCase(direction);
        String laterFrom = saysIncoming ? ProviderJson.text(p, "from") : null;
        String laterTo = saysIncoming ? ProviderJson.text(p, "to") : null;
        if (!callersLeg && !type.equals("call.recording.saved")) {
            sessions.otherLeg(siteId, id, now);
        }
        List<CallEvent> events = new ArrayList<>();
        String note = type;
        switch (type) {
            case "call.initiated" -> {
                if (callersLeg) {
                    events.add(new CallEvent(NAME, id, CallEvent.Kind.RINGING, at, ProviderJson.text(p, "from"), ProviderJson.text(p, "to"),
                            null, null, null));
                } else {
                    note = "call.initiated of a leg to the business: its answer is the call's";
                }
            }
            case "call.answered" -> {
                if (!callersLeg) {
                    events.add(new CallEvent(NAME, id, CallEvent.Kind.ANSWERED, at, null, null, null, null, null));
                } else {
                    // The application greeting the caller, or the business's own equipment: which one
                    // is known when the caller's leg ends (CallControlSessions).
                    Optional<Instant> business = sessions.callerAnswered(siteId, id, at, now);
                    business.ifPresent(t -> events.add(new CallEvent(NAME, id, CallEvent.Kind.ANSWERED, t, laterFrom, laterTo, null, null, null)));
                    note = business.isPresent() ? type : "call.answered of the caller's leg: counted only if no other leg joins the session";
                }
            }
            case "call.hangup" -> {
                String cause = ProviderJson.text(p, "hangup_cause");
                if (callersLeg) {
                    events.add(new CallEvent(NAME, id, hangupKind(cause), at, laterFrom, laterTo, null, null, null));
                    sessions.callerEnded(siteId, id, now)
                            .ifPresent(t -> events.add(new CallEvent(NAME, id, CallEvent.Kind.ANSWERED, t, laterFrom, laterTo, null, null, null)));
                } else if ("normal_clearing".equalsIgnoreCase(cause)) {
                    // The business's leg ended after its conversation: the call ends with it at the latest.
                    events.add(new CallEvent(NAME, id, CallEvent.Kind.MISSED, at, null, null, null, null, null));
                } else {
                    // A transfer or dial that failed: the application may try another number, and the
                    // caller's leg's own hangup ends the call.
                    note = "call.hangup of a leg that did not connect (" + cause + "): the caller's leg ends the call";
                }
            }
            case "call.recording.saved" -> {
                String url = Optional.ofNullable(ProviderJson.text(p, "recording_urls", "mp3"))
                        .orElse(ProviderJson.text(p, "public_recording_urls", "mp3"));
                // A recording says nothing of the outcome (an application may record its greeting):
                // it joins the call without ending it.
                if (url != null) {
                    events.add(new CallEvent(NAME, id, CallEvent.Kind.RINGING, at, null, null, null, null, url));
                }
            }
            default -> {
                // call.bridged and the rest say nothing of who answered: Telnyx bridges the caller's
                // leg before anybody answers (ringback), and on a call straight to a SIP connection too.
            }
        }
        if (events.isEmpty()) {
            return WebhookResult.ignored(note.equals(type) ? type + " is not recorded" : note, WebhookResult.Reply.OK_EMPTY);
        }
        return new WebhookResult(events, WebhookResult.Reply.OK_EMPTY, type, List.of());
    }

    /**
     * Whether an event is of the caller's leg: the leg Telnyx says is incoming, else the leg to one of
     * the site's tracking numbers (the number the caller dialled). A leg to any other number is one
     * an application transferred or dialled to the business. An event naming no number is taken as
     * the caller's: its answer is then held like the caller's (never counted over another leg's).
     */
    private static boolean callersLeg(String direction, String to, WebhookCall call) {
        if (direction != null) {
            return !"outgoing".equalsIgnoreCase(direction);
        }
        return to == null || to.isBlank() || call.isTrackingNumber(to);
    }

    /**
     * The end of the caller's leg. {@code normal_clearing} only says the line was put down after it
     * was answered, which an application greeting the caller does too: it is the weakest end
     * ({@code missed}), which the call's answer, if the business gave one, turns into completed.
     */
    static CallEvent.Kind hangupKind(String cause) {
        return switch (cause == null ? "" : cause.toLowerCase(Locale.ROOT)) {
            case "normal_clearing" -> CallEvent.Kind.MISSED;
            case "user_busy" -> CallEvent.Kind.BUSY;
            case "timeout", "originator_cancel", "no_answer" -> CallEvent.Kind.MISSED;
            default -> CallEvent.Kind.FAILED;
        };
    }

    private static Instant time(String iso, WebhookCall call) {
        if (iso != null) {
            try {
                return OffsetDateTime.parse(iso).toInstant();
            } catch (DateTimeException unreadable) {
                // fall through
            }
        }
        return call.clock().instant();
    }

    // ---- TeXML ----

    private WebhookResult texml(WebhookCall call) {
        List<FormField> fields = ProviderForms.fields(call.request().body());
        TwilioForm form = new TwilioForm(fields);
        String sid = form.first("CallSid").filter(s -> !s.isBlank())
                .orElseThrow(() -> WebhookRefused.invalidBody("CallSid", "'CallSid' is required"));
        Instant now = call.clock().instant();
        Optional<String> recordingStatus = form.first("RecordingStatus");
        if (recordingStatus.isPresent() && form.first("DialCallStatus").isEmpty()) {
            // The recording status callback of <Dial record>: a completed recording joins the call.
            String url = form.first("RecordingUrl").filter(u -> u.matches("(?i)https?://.+")).orElse(null);
            if (!"completed".equalsIgnoreCase(recordingStatus.get()) || url == null) {
                return WebhookResult.ignored("recording " + recordingStatus.get(), WebhookResult.Reply.xml(Xml.PROLOG + "<Response></Response>"));
            }
            CallEvent e = new CallEvent(NAME, sid, CallEvent.Kind.COMPLETED, now, null, null, null, null, url);
            return WebhookResult.of(List.of(e), WebhookResult.Reply.xml(Xml.PROLOG + "<Response></Response>"));
        }
        Optional<String> dialStatus = form.first("DialCallStatus");
        if (dialStatus.isPresent()) {
            Integer talk = form.first("DialCallDuration").map(TelnyxProvider::seconds).orElse(null);
            CallEvent.Kind kind = TwilioForm.kindOf(dialStatus.get()).orElse(CallEvent.Kind.FAILED);
            CallEvent e = new CallEvent(NAME, sid, kind == CallEvent.Kind.RINGING ? CallEvent.Kind.MISSED : kind, now, null, null, null,
                    kind == CallEvent.Kind.COMPLETED ? talk : Integer.valueOf(0), form.first("RecordingUrl").orElse(null));
            return WebhookResult.of(List.of(e), WebhookResult.Reply.xml(Xml.PROLOG + "<Response><Hangup/></Response>"));
        }
        CallEvent.Kind kind = TwilioForm.kindOf(form.first("CallStatus").orElse(null)).orElse(CallEvent.Kind.RINGING);
        if (kind.isTerminal()) {
            Integer duration = form.first("CallDuration").map(TelnyxProvider::seconds).orElse(null);
            CallEvent e = new CallEvent(NAME, sid, kind == CallEvent.Kind.COMPLETED ? CallEvent.Kind.MISSED : kind, now,
                    form.first("From").orElse(null), form.first("To").orElse(null), duration, null, null);
            return WebhookResult.of(List.of(e), WebhookResult.Reply.xml(Xml.PROLOG + "<Response></Response>"));
        }
        CallEvent e = new CallEvent(NAME, sid, CallEvent.Kind.RINGING, now, form.first("From").orElse(null),
                form.first("To").orElse(null), null, null, null);
        return WebhookResult.of(List.of(e), WebhookResult.Reply.xml(dial(call)));
    }

    /**
     * TeXML dialling the site's real number with the outcome posted back here. When the site records:
     * the notice ({@code <Say>}/{@code <Play>}) first, and the {@code <Dial>} gets TeXML's
     * {@code record="record-from-answer-dual"} (both legs from the answer, one per channel) with
     * {@code recordingStatusCallback} back to this URL ({@code recordingStatusCallbackMethod="POST"},
     * {@code recordingStatusCallbackEvent="completed"}); the Dial action also carries {@code RecordingUrl}.
     */
    static String dial(WebhookCall call) {
        String to = call.forwardTo();
        if (to == null) {
            return Xml.PROLOG + "<Response><Reject reason=\"busy\"/></Response>";
        }
        CallRecording rec = call.recording();
        String record = !rec.record() ? "" : " record=\"record-from-answer-dual\" recordingStatusCallback=\""
                + Xml.escape(call.callbackUrl(NAME, "")) + "\" recordingStatusCallbackMethod=\"POST\" recordingStatusCallbackEvent=\"completed\"";
        return Xml.PROLOG + "<Response>" + TwiML.noticeVerb(rec.notice()) + "<Dial action=\"" + Xml.escape(call.callbackUrl(NAME, ""))
                + "\" method=\"POST\" timeout=\"30\"" + record + "><Number>"
                + Xml.escape(to) + "</Number></Dial></Response>";
    }

    private static Integer seconds(String s) {
        try {
            int v = Integer.parseInt(s.strip());
            return v >= 0 ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
