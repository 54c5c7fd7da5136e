package io.ringpool.telephony.zadarma;

import io.ringpool.call.CallEvent;
import io.ringpool.telephony.provider.Digests;
import io.ringpool.telephony.provider.ProviderForms;
import io.ringpool.telephony.provider.ProviderRoute;
import io.ringpool.telephony.provider.ProviderSettingsSpec;
import io.ringpool.telephony.provider.TelephonyProvider;
import io.ringpool.telephony.provider.WallClockTime;
import io.ringpool.telephony.provider.WebhookCall;
import io.ringpool.telephony.provider.WebhookRefused;
import io.ringpool.telephony.provider.WebhookResult;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Zadarma (and Novofon, the same platform): one URL for every PBX notification.
 *
 * <p>When the URL is saved in Zadarma's console, Zadarma checks it with
 * {@code GET ?zd_echo=<random>} and expects the value back as the body. Notifications are form
 * posts with {@code event} and a {@code Signature} header: base64 of the <em>lower-case hex</em>
 * HMAC-SHA1 (as PHP's {@code base64_encode(hash_hmac('sha1', $data, $secret))} produces) of fields
 * concatenated per event, as Zadarma's own SDK ({@code zadarma/user-api-v1}, lib/Webhook) builds them:
 * <pre>
 * NOTIFY_START   caller_id + called_did + call_start   -> ringing   (from caller_id, to called_did)
 * NOTIFY_ANSWER  caller_id + destination + call_start  -> answered  (an employee picked up)
 * NOTIFY_END     caller_id + called_did + call_start   -> by disposition: answered -> completed
 *                                                         (talk = duration), busy -> busy,
 *                                                         cancel / no answer -> missed, else failed
 * NOTIFY_RECORD  pbx_call_id + call_id_with_rec        -> completed with recording
 *                                                         "zadarma-recording:{call_id_with_rec}"
 * </pre>
 * The call id is {@code pbx_call_id} (stable across the scenario, per Zadarma). Times are our
 * receipt times: Zadarma's {@code call_start} is in the account's time zone, which it does not send.
 * A NOTIFY_END that arrives alone still dates its call's start ({@link #impliedStart}): by
 * {@code call_start} read in the site's time zone when that agrees with {@code duration}, else by
 * {@code duration}.
 *
 * <p>The signature covers only the fields above, not {@code duration} or {@code disposition}, and
 * carries no time: a captured notification can be replayed (harmless, events are deduplicated) and
 * its unsigned fields changed; use HTTPS. Other notifications (outgoing, internal, IVR) are
 * acknowledged and not recorded.
 */
public final class ZadarmaProvider implements TelephonyProvider {

    public static final String NAME = "zadarma";

    /** Zadarma's echo values are short random tokens; anything else is not echoed. */
    private static final String ECHO_PATTERN = "[A-Za-z0-9_-]{1,100}";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderSettingsSpec settings() {
        // apiKey (write-only) with the secret signs API requests: downloading recordings. apiUrl: Zadarma's
        // https://api.zadarma.com by default; Novofon's is https://api.novofon.com.
        return ProviderSettingsSpec.of(ProviderSettingsSpec.Field.secret("secret"), ProviderSettingsSpec.Field.secret("apiKey").optional(),
                ProviderSettingsSpec.Field.plain("apiUrl").asCredential().optional().checked(ProviderSettingsSpec::httpUrl));
    }

    @Override
    public String dialledNumberField() {
        return "called_did";
    }

    @Override
    public List<ProviderRoute> routes() {
        return List.of(
                ProviderRoute.answer("GET", "/v1/telephony/zadarma/{siteId}", this::echo),
                ProviderRoute.post("/v1/telephony/zadarma/{siteId}", this::notification));
    }

    private WebhookResult echo(WebhookCall call) {
        String echo = call.request().queryParam("zd_echo");
        if (echo == null || !echo.matches(ECHO_PATTERN)) {
            throw WebhookRefused.invalidBody("zd_echo", "Zadarma checks the URL with ?zd_echo=<token>");
        }
        return WebhookResult.ignored("zd_echo check answered", WebhookResult.Reply.text(echo));
    }

    /** The value Zadarma sends in {@code Signature} for {@code data}. */
    static String signature(String secret, String data) {
        String hex = HexFormat.of().formatHex(Digests.hmac("HmacSHA1", secret, data));
        return Base64.getEncoder().encodeToString(hex.getBytes(StandardCharsets.US_ASCII));
    }

    private WebhookResult notification(WebhookCall call) {
        Map<String, String> f = ProviderForms.first(ProviderForms.fields(call.request().body()));
        String event = f.getOrDefault("event", "");
        String signed = switch (event) {
            // NOTIFY_IVR is a NOTIFY_START with the IVR's fields (Zadarma's own library signs it so)
            case "NOTIFY_START", "NOTIFY_END", "NOTIFY_INTERNAL", "NOTIFY_IVR" -> v(f, "caller_id") + v(f, "called_did") + v(f, "call_start");
            case "NOTIFY_ANSWER" -> v(f, "caller_id") + v(f, "destination") + v(f, "call_start");
            case "NOTIFY_OUT_START", "NOTIFY_OUT_END" -> v(f, "internal") + v(f, "destination") + v(f, "call_start");
            case "NOTIFY_RECORD" -> v(f, "pbx_call_id") + v(f, "call_id_with_rec");
            default -> null;
        };
        if (signed == null) {
            throw WebhookRefused.invalidBody("event", "unknown Zadarma event '" + event + "'");
        }
        String header = call.request().header("signature");
        if (header == null || header.isBlank()) {
            throw WebhookRefused.missing("the Signature header is missing (Zadarma sends it once an API key and secret exist)");
        }
        if (!Digests.sameText(header.strip(), signature(call.settings().get("secret"), signed))) {
            throw WebhookRefused.mismatch("the Signature does not match this site's Zadarma secret");
        }
        String id = f.get("pbx_call_id");
        if (id == null || id.isBlank()) { // any length: the store keeps a long id in its digest form
            throw WebhookRefused.invalidBody("pbx_call_id", "'pbx_call_id' is required");
        }
        Instant now = call.clock().instant();
        CallEvent e = switch (event) {
            case "NOTIFY_START" -> new CallEvent(NAME, id, CallEvent.Kind.RINGING, now, f.get("caller_id"), f.get("called_did"),
                    null, null, null);
            case "NOTIFY_ANSWER" -> new CallEvent(NAME, id, CallEvent.Kind.ANSWERED, now, f.get("caller_id"), null, null, null, null);
            case "NOTIFY_END" -> end(f, id, now);
            case "NOTIFY_RECORD" -> new CallEvent(NAME, id, CallEvent.Kind.COMPLETED, now, null, null, null, null,
                    "zadarma-recording:" + f.get("call_id_with_rec"));
            default -> null;
        };
        if (e == null) {
            return WebhookResult.ignored(event + " is not an incoming call's event", WebhookResult.Reply.OK_EMPTY);
        }
        WebhookResult result = new WebhookResult(List.of(e), WebhookResult.Reply.OK_EMPTY, event, List.of());
        Instant start = "NOTIFY_END".equals(event) ? impliedStart(f, now, call.site().settings().timeZone()) : null;
        return start == null ? result : result.withImpliedStart(e, start);
    }

    /**
     * When the call of a NOTIFY_END began, for an end that arrives alone (its NOTIFY_START lost):
     * dated on receipt, it would be attributed at the hang-up, to whoever held the number then
     * (audit AI1 #2). {@code call_start} says when, in the account's time zone, which Zadarma does not
     * send: it is read in the site's, and taken only when it agrees with {@code duration} and the
     * receipt (it lies at least {@code duration} before the receipt, less a minute of clock
     * difference, and at most {@link #RING_ALLOWANCE} more). Read in a zone other than the
     * account's, it is off by 15 minutes or more (zones differ by at least that), which this bound
     * refuses unless the call rang for 15 minutes. Otherwise receipt − {@code duration}: the answer
     * when it counts the talk alone, still within the call, not after it. Null without either.
     * {@link io.ringpool.call.CallService#ingestWithImpliedStart} then decides as it does for the
     * generic route's final event without {@code at}.
     */
    static Instant impliedStart(Map<String, String> f, Instant received, ZoneId siteZone) {
        Integer duration = seconds(f.get("duration"));
        Instant stated = localTime(f.get("call_start"), siteZone);
        if (stated != null) {
            Duration before = Duration.between(stated, received);
            Duration length = Duration.ofSeconds(duration == null ? 0 : duration);
            if (before.compareTo(length.minus(CLOCK_DIFFERENCE)) >= 0 && before.compareTo(length.plus(RING_ALLOWANCE)) <= 0) {
                return stated;
            }
        }
        return duration != null && duration > 0 ? received.minusSeconds(duration) : null;
    }

    /**
     * How much longer than its {@code duration} a call may have lasted before NOTIFY_END: ringing, an
     * IVR, a queue. Less than the 15 minutes by which time zones differ.
     */
    static final Duration RING_ALLOWANCE = Duration.ofMinutes(10);

    /** Zadarma's clock against ours, and its whole seconds. */
    static final Duration CLOCK_DIFFERENCE = Duration.ofMinutes(1);

    /** {@code call_start} ({@code yyyy-MM-dd HH:mm:ss}, a fraction read too) in {@code zone}, or null when absent or unreadable. */
    private static Instant localTime(String text, ZoneId zone) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return WallClockTime.parse(text).atZone(zone).toInstant();
        } catch (DateTimeException unreadable) {
            return null;
        }
    }

    private static CallEvent end(Map<String, String> f, String id, Instant now) {
        String disposition = f.getOrDefault("disposition", "").strip().toLowerCase(Locale.ROOT);
        Integer seconds = seconds(f.get("duration"));
        CallEvent.Kind kind = switch (disposition) {
            case "answered" -> CallEvent.Kind.COMPLETED;
            case "busy" -> CallEvent.Kind.BUSY;
            case "cancel", "no answer" -> CallEvent.Kind.MISSED;
            default -> CallEvent.Kind.FAILED;
        };
        Integer talk = kind == CallEvent.Kind.COMPLETED ? seconds : Integer.valueOf(0);
        return new CallEvent(NAME, id, kind, now, f.get("caller_id"), f.get("called_did"), null, talk, null);
    }

    private static String v(Map<String, String> f, String name) {
        return f.getOrDefault(name, "");
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
