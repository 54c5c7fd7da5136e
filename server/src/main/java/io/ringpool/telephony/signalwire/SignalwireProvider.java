package io.ringpool.telephony.signalwire;

import io.ringpool.call.CallEvent;
import io.ringpool.telephony.FormField;
import io.ringpool.telephony.TwiML;
import io.ringpool.telephony.TwilioForm;
import io.ringpool.telephony.TwilioSignature;
import io.ringpool.telephony.provider.CallRecording;
import io.ringpool.telephony.provider.ProviderForms;
import io.ringpool.telephony.provider.ProviderRoute;
import io.ringpool.telephony.provider.ProviderSettingsSpec;
import io.ringpool.telephony.provider.TelephonyProvider;
import io.ringpool.telephony.provider.WebhookCall;
import io.ringpool.telephony.provider.WebhookRefused;
import io.ringpool.telephony.provider.WebhookResult;
import io.ringpool.telephony.provider.Xml;
import java.util.List;
import java.util.Optional;

/**
 * SignalWire's Compatibility API (cXML, Twilio-compatible): the same form posts as Twilio, signed
 * the same way ({@code base64(HMAC-SHA1(key, url + sorted name+value pairs))}, see
 * {@link TwilioSignature}) but in {@code X-SignalWire-Signature} and with the project's
 * <em>signing key</em> (Dashboard, API credentials), not an auth token.
 *
 * <p>{@code voice}: the incoming call; answered with cXML that dials the site's {@code forwardTo}
 * with status callbacks of the forwarded leg to {@code status}. Mapping as for Twilio
 * ({@link TwilioForm#toEvent}): the forwarded leg's callbacks carry {@code ParentCallSid} and are
 * filed under the caller's call; its {@code CallDuration} is the talk time. The signature has no
 * time in it: replays are only deduplicated.
 */
public final class SignalwireProvider implements TelephonyProvider {

    public static final String NAME = "signalwire";

    /** Seconds the business's phone rings before the dial gives up (the cXML default, written out). */
    static final int DIAL_TIMEOUT_SECONDS = 30;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderSettingsSpec settings() {
        return ProviderSettingsSpec.of(ProviderSettingsSpec.Field.secret("signingKey"));
    }

    @Override
    public String dialledNumberField() {
        return "To";
    }

    @Override
    public List<ProviderRoute> routes() {
        return List.of(
                ProviderRoute.answer("POST", "/v1/telephony/signalwire/{siteId}/voice", this::voice),
                ProviderRoute.post("/v1/telephony/signalwire/{siteId}/status", this::status),
                ProviderRoute.post("/v1/telephony/signalwire/{siteId}/recording", this::recording));
    }

    private static TwilioForm verified(WebhookCall call) {
        String header = call.request().header("x-signalwire-signature");
        if (header == null || header.isBlank()) {
            throw WebhookRefused.missing("the X-SignalWire-Signature header is missing");
        }
        List<FormField> fields = ProviderForms.fields(call.request().body());
        boolean valid = false;
        for (String url : call.request().signedUrls()) {
            valid |= TwilioSignature.verify(call.settings().get("signingKey"), url, fields, header);
        }
        if (!valid) {
            throw WebhookRefused.mismatch("the X-SignalWire-Signature does not match this request under the site's signing key"
                    + " (verified against " + call.request().signedUrls().iterator().next() + ")");
        }
        return new TwilioForm(fields);
    }

    /** Twilio's mapping, filed under our provider name. */
    private static Optional<CallEvent> event(TwilioForm form, WebhookCall call) {
        return form.toEvent(call.clock()).map(e -> new CallEvent(NAME, e.providerCallId(), e.kind(), e.at(), e.from(), e.to(),
                e.durationSeconds(), e.talkSeconds(), e.recordingUrl()));
    }

    private WebhookResult voice(WebhookCall call) {
        TwilioForm form = verified(call);
        String sid = form.first("CallSid").filter(s -> !s.isBlank())
                .orElseThrow(() -> WebhookRefused.invalidBody("CallSid", "'CallSid' is required"));
        CallEvent event = event(form, call).orElseGet(() -> new CallEvent(NAME, sid.strip(), CallEvent.Kind.RINGING,
                call.clock().instant(), form.first("From").orElse(null), form.first("To").orElse(null), null, null, null));
        return WebhookResult.of(List.of(event), WebhookResult.Reply.xml(forward(call)));
    }

    /** As Twilio's: a post that is no status callback is refused naming the field ({@link TwilioForm#statusFault}). */
    private WebhookResult status(WebhookCall call) {
        TwilioForm form = verified(call);
        form.statusFault().ifPresent(fault -> {
            throw WebhookRefused.invalidBody(fault.field(), fault.message());
        });
        return WebhookResult.of(List.of(event(form, call).orElseThrow()), WebhookResult.Reply.NO_CONTENT);
    }

    /**
     * The recording status callback of the {@code <Dial record>} (SignalWire's Compatibility API,
     * as Twilio's): {@code CallSid} (the caller's call), {@code RecordingUrl}, {@code RecordingStatus}.
     * A {@code completed} recording joins the call; other statuses ({@code in-progress}, {@code absent})
     * are acknowledged and change nothing.
     */
    private WebhookResult recording(WebhookCall call) {
        TwilioForm form = verified(call);
        String sid = form.first("CallSid").filter(s -> !s.isBlank())
                .orElseThrow(() -> WebhookRefused.invalidBody("CallSid", "'CallSid' is required"));
        String status = form.first("RecordingStatus").orElse("completed");
        String url = form.first("RecordingUrl").filter(u -> u.matches("(?i)https?://.+")).orElse(null);
        if (!"completed".equalsIgnoreCase(status) || url == null) {
            return WebhookResult.ignored("recording " + status, WebhookResult.Reply.NO_CONTENT);
        }
        CallEvent e = new CallEvent(NAME, sid.strip(), CallEvent.Kind.COMPLETED, call.clock().instant(), null, null, null, null, url);
        return WebhookResult.of(List.of(e), WebhookResult.Reply.NO_CONTENT);
    }

    /**
     * cXML dialling the site's real number, or a busy reject when the site has none. When the site
     * records: the notice first ({@code <Say>}/{@code <Play>}), then {@code <Dial record="record-from-answer-dual"
     * recordingStatusCallback=… recordingStatusCallbackMethod="POST" recordingStatusCallbackEvent="completed">}
     * (attribute names and values of SignalWire's cXML {@code <Dial>} reference, the same as TwiML's).
     */
    static String forward(WebhookCall call) {
        String to = call.forwardTo();
        if (to == null) {
            return Xml.PROLOG + "<Response><Reject reason=\"busy\"/></Response>";
        }
        CallRecording rec = call.recording();
        String record = !rec.record() ? "" : " record=\"record-from-answer-dual\" recordingStatusCallback=\""
                + Xml.escape(call.callbackUrl(NAME, "recording"))
                + "\" recordingStatusCallbackMethod=\"POST\" recordingStatusCallbackEvent=\"completed\"";
        return Xml.PROLOG + "<Response>" + TwiML.noticeVerb(rec.notice()) + "<Dial answerOnBridge=\"true\" timeout=\""
                + DIAL_TIMEOUT_SECONDS + "\"" + record + "><Number statusCallback=\""
                + Xml.escape(call.callbackUrl(NAME, "status"))
                + "\" statusCallbackEvent=\"initiated ringing answered completed\" statusCallbackMethod=\"POST\">"
                + Xml.escape(to) + "</Number></Dial></Response>";
    }
}
