package io.ringpool.telephony.megapbx;

import io.ringpool.call.CallEvent;
import io.ringpool.telephony.provider.Digests;
import io.ringpool.telephony.provider.ProviderRoute;
import io.ringpool.telephony.provider.ProviderSettingsSpec;
import io.ringpool.telephony.provider.TelephonyProvider;
import io.ringpool.telephony.provider.WebhookCall;
import io.ringpool.telephony.provider.WebhookRefused;
import io.ringpool.telephony.provider.WebhookResult;
import io.ringpool.telephony.provider.WebhookResult.Reply;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The operators' cloud PBX built on ITooLabs' platform (MegaFon «Виртуальная АТС», megapbx.ru; MTS
 * «Виртуальная АТС»; the white-label PBXs on the same platform), through its «API для CRM»: the PBX
 * posts a fixed form to the one CRM URL, {@code /v1/telephony/megapbx/{siteId}}.
 *
 * <p>Every request carries {@code crm_token}, the key the PBX shows for "your CRM", compared in
 * constant time with the site's {@code crmToken} before anything else is read from the request.
 * There is no signature, time or nonce: a repeat is ingested again and changes nothing.
 *
 * <pre>
 * cmd=event    type INCOMING | ACCEPTED | COMPLETED | CANCELLED | OUTGOING | TRANSFERRED, phone (the caller),
 *              diversion (the number dialled), user (the employee whose phone it is), direction in | out, callid
 * cmd=history  type in | out, status Success | missed | Busy | NotAvailable | ..., phone, diversion,
 *              start (UTC, yyyyMMddTHHmmssZ), wait (ringing, seconds), duration (conversation, seconds), link, callid
 * cmd=contact  phone, callid: asks for the caller's name and responsible employee
 * </pre>
 *
 * <p>The PBX sends {@code event}s per employee: in a group or a hunt every phone that rang gets its
 * {@code INCOMING} and, unless it answered, its {@code CANCELLED}, while another employee may still
 * answer. So {@code CANCELLED} says nothing of the call (read as {@code missed}, an answer after it
 * would be no answer at all: {@link io.ringpool.call.CallStateMerger}); the one {@code history}
 * after the call says how it ended. {@code ACCEPTED} and {@code COMPLETED} say when the talk began
 * and ended. Outgoing calls never reach a tracking number and are ignored.
 */
public final class MegapbxProvider implements TelephonyProvider {

    public static final String NAME = "megapbx";

    /** Shortest accepted key: the PBX generates a UUID (36 characters); 16 random characters are already ~95 bits. */
    static final int MIN_TOKEN = 16;

    /**
     * The answer to {@code contact}: the PBX reads a JSON object with {@code contact_name} and
     * {@code responsible} (the employee to route to); an empty object is "not known", and the
     * call is routed as the PBX's own rules say. Ringpool knows neither.
     */
    static final Reply CONTACT_UNKNOWN = Reply.json("{}");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderSettingsSpec settings() {
        return ProviderSettingsSpec.of(ProviderSettingsSpec.Field.secret("crmToken").checked(
                t -> t.strip().length() >= MIN_TOKEN ? Optional.empty()
                        : Optional.of("must be the PBX's key for your CRM, at least " + MIN_TOKEN + " characters")));
    }

    @Override
    public List<ProviderRoute> routes() {
        String path = "/v1/telephony/megapbx/{siteId}";
        return List.of(ProviderRoute.post(path, this::request),
                new ProviderRoute("GET", path, ProviderRoute.Kind.EVENT, this::request));
    }

    @Override
    public String dialledNumberField() {
        return "diversion";
    }

    private WebhookResult request(WebhookCall call) {
        MegapbxFields f = MegapbxFields.of(call);
        String token = f.get("crm_token");
        if (token == null) {
            throw WebhookRefused.missing("no crm_token: the PBX sends its key for the CRM with every request");
        }
        if (!Digests.sameText(token, call.settings().get("crmToken").strip())) {
            throw WebhookRefused.mismatch("crm_token is not this site's megapbx crmToken");
        }
        String cmd = f.get("cmd") == null ? "" : f.get("cmd").toLowerCase(Locale.ROOT);
        return switch (cmd) {
            case "event" -> event(f, call);
            case "history" -> history(f, call);
            case "contact" -> WebhookResult.ignored("contact: answered {} (Ringpool knows no contact name or responsible employee)",
                    CONTACT_UNKNOWN);
            default -> WebhookResult.ignored("cmd '" + shorten(f.get("cmd")) + "' is not event, history or contact", Reply.OK_EMPTY);
        };
    }

    private static WebhookResult event(MegapbxFields f, WebhookCall call) {
        String type = f.get("type") == null ? "" : f.get("type").toUpperCase(Locale.ROOT);
        if (f.is("direction", "out") || type.equals("OUTGOING")) {
            return WebhookResult.ignored("an outgoing call's event: it reaches no tracking number", Reply.OK_EMPTY);
        }
        CallEvent.Kind kind = switch (type) {
            case "INCOMING" -> CallEvent.Kind.RINGING;
            case "ACCEPTED" -> CallEvent.Kind.ANSWERED;
            case "COMPLETED" -> CallEvent.Kind.COMPLETED;
            default -> null;
        };
        if (kind == null) {
            String why = type.equals("CANCELLED")
                    ? "CANCELLED: one employee's phone stopped ringing; another may answer, the history says how the call ended"
                    : "event type '" + shorten(f.get("type")) + "' says nothing Ringpool records";
            return WebhookResult.ignored(why, Reply.OK_EMPTY);
        }
        String id = callId(f);
        // The call's numbers come from INCOMING (or an event that says it is incoming): without a direction an
        // ACCEPTED or COMPLETED may be an outgoing call's, whose diversion can be a tracking number.
        boolean numbers = kind == CallEvent.Kind.RINGING || f.is("direction", "in");
        CallEvent e = new CallEvent(NAME, id, kind, call.clock().instant(), numbers ? f.get("phone") : null,
                numbers ? f.get("diversion") : null, null, null, null);
        return WebhookResult.of(List.of(e), Reply.OK_EMPTY);
    }

    private static WebhookResult history(MegapbxFields f, WebhookCall call) {
        String type = f.get("type") == null ? "" : f.get("type").toLowerCase(Locale.ROOT);
        if (type.equals("out") || type.equals("outgoing")) {
            return WebhookResult.ignored("an outgoing call's history: it reaches no tracking number", Reply.OK_EMPTY);
        }
        if (!type.equals("in") && !type.equals("incoming")) {
            return WebhookResult.ignored("history type '" + shorten(f.get("type")) + "' is neither in nor out", Reply.OK_EMPTY);
        }
        String id = callId(f);
        String from = f.get("phone");
        String to = f.get("diversion");
        Instant start = f.start();
        CallEvent.Kind end = endOf(f.get("status"));
        if (end == null) {
            CallEvent ringing = new CallEvent(NAME, id, CallEvent.Kind.RINGING, start != null ? start : call.clock().instant(), from, to,
                    null, null, f.link());
            return new WebhookResult(List.of(ringing), Reply.OK_EMPTY, "history without a status: the call's end is left to its events",
                    List.of());
        }
        Integer wait = f.seconds("wait");
        Integer duration = f.seconds("duration");
        boolean talked = end == CallEvent.Kind.COMPLETED;
        // duration is the conversation; wait, when sent, the ringing before it. A call nobody answered talked 0 s,
        // and its duration (if the PBX counts one) is its ringing.
        Integer talk = talked ? duration : Integer.valueOf(0);
        Integer length = talked ? (wait != null && duration != null ? Integer.valueOf(wait + duration) : null)
                : (wait != null ? wait : duration);
        int span = length != null ? length : talk != null ? talk : 0;
        String link = f.link();
        if (start != null) {
            Instant endedAt = call.trustedTime(NAME, "start", start.plusSeconds(span));
            CallEvent ringing = new CallEvent(NAME, id, CallEvent.Kind.RINGING, start, from, to, null, null, null);
            CallEvent last = new CallEvent(NAME, id, end, endedAt != null ? endedAt : call.clock().instant(), from, to, length, talk, link);
            return WebhookResult.of(List.of(ringing, last), Reply.OK_EMPTY);
        }
        // Without a start the history is dated on receipt, its hang-up at the latest: the length it states dates the
        // call's start, as on the generic route (docs/calls.md, "A final event without at").
        Instant now = call.clock().instant();
        CallEvent last = new CallEvent(NAME, id, end, now, from, to, length, talk, link);
        WebhookResult result = WebhookResult.of(List.of(last), Reply.OK_EMPTY);
        return span > 0 ? result.withImpliedStart(last, now.minusSeconds(span)) : result;
    }

    /** How the history's {@code status} ends the call; null when it has none. */
    private static CallEvent.Kind endOf(String status) {
        if (status == null) {
            return null;
        }
        return switch (status.toLowerCase(Locale.ROOT)) {
            case "success" -> CallEvent.Kind.COMPLETED;
            case "missed" -> CallEvent.Kind.MISSED;
            case "busy" -> CallEvent.Kind.BUSY;
            default -> CallEvent.Kind.FAILED; // NotAvailable, NotAllowed, NotFound, ...: the call did not get through
        };
    }

    private static String callId(MegapbxFields f) {
        String id = f.get("callid");
        if (id == null) { // any length: the store keeps a long id in its digest form
            throw WebhookRefused.invalidBody("callid", "'callid' is required");
        }
        return id;
    }

    /** A value the PBX sent, cut for a diagnostics note. */
    private static String shorten(String v) {
        if (v == null) {
            return "";
        }
        return v.length() <= 40 ? v : v.substring(0, 40) + "…";
    }
}
