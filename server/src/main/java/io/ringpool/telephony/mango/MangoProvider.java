package io.ringpool.telephony.mango;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.call.CallEvent;
import io.ringpool.telephony.FormField;
import io.ringpool.telephony.provider.Digests;
import io.ringpool.telephony.provider.OddValues;
import io.ringpool.telephony.provider.ProviderForms;
import io.ringpool.telephony.provider.ProviderJson;
import io.ringpool.telephony.provider.ProviderRoute;
import io.ringpool.telephony.provider.ProviderSettingsSpec;
import io.ringpool.telephony.provider.ReplayGuard;
import io.ringpool.telephony.provider.TelephonyProvider;
import io.ringpool.telephony.provider.WebhookCall;
import io.ringpool.telephony.provider.WebhookRefused;
import io.ringpool.telephony.provider.WebhookResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Mango Office (VPBX API): the PBX posts its events to {@code {our URL}/events/call},
 * {@code /events/summary} and {@code /events/recording} as a form with three fields:
 * {@code vpbx_api_key} (the account's key), {@code sign} = lower-case hex SHA-256 of
 * {@code vpbx_api_key + json + vpbx_api_salt}, and {@code json} (the event).
 *
 * <p>Mango's model: one incoming call is an <em>entry</em> ({@code entry_id}) with one or more
 * <em>calls</em> ({@code call_id}: the IVR leg, then each employee rung). {@code events/call}
 * reports each call's state changes ({@code Appeared}, {@code Connected}, {@code OnHold},
 * {@code Disconnected}) numbered by {@code seq}; {@code events/summary} reports the entry once it
 * ended. Ringpool's call is the entry:
 * <pre>
 * events/call     Appeared (any location)             -> ringing  at timestamp, from.number, to.line_number
 * events/call     Connected, location = abonent       -> answered at timestamp (an employee took it;
 *                                                        a Connected in the IVR is the robot answering)
 * events/call     Disconnected / OnHold / other       -> nothing (the summary says how the entry ended)
 * events/call     from.extension, no to.line_number   -> nothing: an employee's outgoing or internal call
 * events/summary  call_direction 1 (incoming)         -> ringing at create_time, then
 *                   entry_result 1                    -> answered at talk_time, completed at end_time
 *                   entry_result 0                    -> missed at end_time
 *                 (duration = end_time - create_time, talk = end_time - talk_time, from times the
 *                 call model keeps: a replaced create_time leaves the duration to the call's events)
 * events/recording recording_state Completed          -> completed with recording "mango-recording:{recording_id}"
 * </pre>
 * {@code seq} orders one call's notifications; Ringpool does not need it, because the call model
 * keeps the earliest time of each kind and never lets a late event undo a final one, so notices
 * merge the same in any order. It is shown in the diagnostics note.
 *
 * <p>Replays: the signature covers {@code json}, which carries the event's time, so a notice older
 * than {@link #WINDOW} is refused as stale. It covers nothing else (no time of sending, no nonce), so
 * Mango's own retry of a notice already accepted is the same request with the same {@code sign}:
 * answered 200 as the first time, nothing stored again ({@link ReplayGuard.Repeat#ANSWERED_AGAIN}).
 */
public final class MangoProvider implements TelephonyProvider {

    public static final String NAME = "mango";

    /**
     * How old a notice may be. Mango re-sends notices it could not deliver for a while, and a
     * summary is sent when the entry ends (its time is the end); an hour accepts those retries.
     */
    static final Duration WINDOW = Duration.ofHours(1);

    /** Mango's {@code location} of a call that reached an employee. */
    private static final String ABONENT = "abonent";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderSettingsSpec settings() {
        // apiUrl: the VPBX API base for downloading recordings (default https://app.mango-office.ru/vpbx).
        return ProviderSettingsSpec.of(ProviderSettingsSpec.Field.secret("apiKey"), ProviderSettingsSpec.Field.secret("apiSalt"),
                ProviderSettingsSpec.Field.plain("apiUrl").asCredential().optional().checked(ProviderSettingsSpec::httpUrl));
    }

    @Override
    public List<ProviderRoute> routes() {
        String base = "/v1/telephony/mango/{siteId}/events/";
        return List.of(
                ProviderRoute.post(base + "call", this::call),
                ProviderRoute.post(base + "summary", this::summary),
                ProviderRoute.post(base + "recording", this::recording));
    }

    /** A verified notice: its JSON and the key to remember it by. */
    record Notice(JsonNode json, String sign) {}

    /** Checks key and sign, and returns the parsed {@code json}; refuses otherwise. */
    static Notice verify(WebhookCall call) {
        List<FormField> fields = ProviderForms.fields(call.request().body());
        Map<String, String> form = ProviderForms.first(fields);
        String key = form.get("vpbx_api_key");
        String sign = form.get("sign");
        String json = form.get("json");
        if (key == null || sign == null || json == null) {
            throw WebhookRefused.missing("Mango posts vpbx_api_key, sign and json; one is missing");
        }
        if (!sign.strip().matches("[0-9a-fA-F]{64}")) {
            throw WebhookRefused.malformed("'sign' is not 64 hex digits (SHA-256)");
        }
        String apiKey = call.settings().get("apiKey");
        String expected = Digests.sha256Hex(apiKey + json + call.settings().get("apiSalt"));
        boolean keyMatches = Digests.sameText(key, apiKey);
        boolean signMatches = Digests.sameText(sign.strip().toLowerCase(java.util.Locale.ROOT), expected);
        if (!(keyMatches & signMatches)) {
            throw WebhookRefused.mismatch("vpbx_api_key or sign does not match this site's Mango key and salt");
        }
        return new Notice(ProviderJson.parseObject(json), expected);
    }

    /**
     * Refuses a notice whose time is outside the window, and tells the replay key. A time that is
     * no instant at all (null from {@link ProviderJson#epochSeconds}) is not checked: the replay key
     * still guards the notice.
     */
    private static WebhookResult guarded(WebhookCall call, Notice notice, Instant at, WebhookResult result) {
        if (at != null) {
            Instant now = call.clock().instant();
            if (at.isBefore(now.minus(WINDOW)) || at.isAfter(now.plus(WINDOW))) {
                throw WebhookRefused.stale("the notice's time " + at + " is more than " + WINDOW.toMinutes()
                        + " minutes from the server's clock");
            }
        }
        ReplayGuard.Key key = call.replays().contentKey(NAME, call.site().siteId(), notice.sign(), WINDOW.multipliedBy(2));
        return result.withReplayKeys(List.of(key));
    }

    private WebhookResult call(WebhookCall call) {
        Notice notice = verify(call);
        JsonNode j = notice.json();
        String entry = required(j, "entry_id");
        Instant ts = ProviderJson.epochSeconds(j, "timestamp");
        Instant at = ts == null ? call.clock().instant() : ts;
        String state = ProviderJson.text(j, "call_state");
        String location = ProviderJson.text(j, "location");
        String note = "call_id " + ProviderJson.text(j, "call_id") + " seq " + ProviderJson.text(j, "seq") + " " + state + " at "
                + location;
        if (placedByAnEmployee(j)) {
            return guarded(call, notice, ts, WebhookResult.ignored("an employee's outgoing or internal call (from extension "
                    + ProviderJson.text(j, "from", "extension") + ", no to.line_number): " + note, WebhookResult.Reply.OK_EMPTY));
        }
        List<CallEvent> events = new ArrayList<>();
        if ("Appeared".equals(state)) {
            events.add(new CallEvent(NAME, entry, CallEvent.Kind.RINGING, at, ProviderJson.text(j, "from", "number"),
                    ProviderJson.text(j, "to", "line_number"), null, null, null));
        } else if ("Connected".equals(state) && ABONENT.equals(location)) {
            events.add(new CallEvent(NAME, entry, CallEvent.Kind.ANSWERED, at, ProviderJson.text(j, "from", "number"),
                    ProviderJson.text(j, "to", "line_number"), null, null, null));
        }
        return guarded(call, notice, ts, new WebhookResult(events, WebhookResult.Reply.OK_EMPTY, note, List.of()));
    }

    /**
     * A call an employee placed (outgoing to a client, or internal to a colleague): its {@code from}
     * is an extension, and no line of the PBX received it, so it has no {@code to.line_number}. It
     * never becomes a tracked call: the tracking number is the line an incoming call came in on, and
     * every leg of an incoming entry comes from the caller's number with the line named. Stored, its
     * notices waited for a number for ever (audit AI1 #4).
     */
    static boolean placedByAnEmployee(JsonNode j) {
        return ProviderJson.text(j, "from", "extension") != null && ProviderJson.text(j, "to", "line_number") == null;
    }

    private WebhookResult summary(WebhookCall call) {
        Notice notice = verify(call);
        JsonNode j = notice.json();
        String entry = required(j, "entry_id");
        Instant sentEnd = time(call, j, "end_time");
        if (!"1".equals(ProviderJson.text(j, "call_direction"))) {
            return guarded(call, notice, sentEnd, WebhookResult.ignored("not an incoming entry (call_direction "
                    + ProviderJson.text(j, "call_direction") + ")", WebhookResult.Reply.OK_EMPTY));
        }
        // A summary is sent when the entry ends: without a usable end_time the end is now. Lengths come
        // only from times the call keeps (audit AB1 #1: a create_time of 123 was replaced by the receipt,
        // yet the duration was end − 1970). Without a usable create_time the start is unknown: the entry
        // rings at the earliest time it has, and its duration is left to the call's own events (at
        // least the talk). An odd time never loses the entry.
        Instant end = Optional.ofNullable(call.trustedTime(NAME, "end_time", sentEnd)).orElse(call.clock().instant());
        Instant create = call.trustedTime(NAME, "create_time", time(call, j, "create_time"));
        Instant talk = call.trustedTime(NAME, "talk_time", time(call, j, "talk_time"));
        String from = ProviderJson.text(j, "from", "number");
        String to = Optional.ofNullable(ProviderJson.text(j, "line_number")).orElse(ProviderJson.text(j, "to", "line_number"));
        Integer duration = create == null ? null : secondsBetween(create, end);
        boolean answered = "1".equals(ProviderJson.text(j, "entry_result")) && talk != null;
        Instant rang = create != null ? create : answered && talk.isBefore(end) ? talk : end;
        List<CallEvent> events = new ArrayList<>();
        events.add(new CallEvent(NAME, entry, CallEvent.Kind.RINGING, rang, from, to, null, null, null));
        if (answered) {
            events.add(new CallEvent(NAME, entry, CallEvent.Kind.ANSWERED, talk, from, to, null, null, null));
            events.add(new CallEvent(NAME, entry, CallEvent.Kind.COMPLETED, end, from, to, duration, secondsBetween(talk, end), null));
        } else {
            events.add(new CallEvent(NAME, entry, CallEvent.Kind.MISSED, end, from, to, duration, 0, null));
        }
        return guarded(call, notice, sentEnd, new WebhookResult(events, WebhookResult.Reply.OK_EMPTY,
                "entry_result " + ProviderJson.text(j, "entry_result"), List.of()));
    }

    private WebhookResult recording(WebhookCall call) {
        Notice notice = verify(call);
        JsonNode j = notice.json();
        String entry = required(j, "entry_id");
        Instant ts = ProviderJson.epochSeconds(j, "timestamp");
        String state = ProviderJson.text(j, "recording_state");
        String id = ProviderJson.text(j, "recording_id");
        if (!"Completed".equals(state) || id == null) {
            return guarded(call, notice, ts, WebhookResult.ignored("recording " + state, WebhookResult.Reply.OK_EMPTY));
        }
        Instant at = ts == null ? call.clock().instant() : ts;
        CallEvent event = new CallEvent(NAME, entry, CallEvent.Kind.COMPLETED, at, null, null, null, null, "mango-recording:" + id);
        return guarded(call, notice, ts, WebhookResult.of(List.of(event), WebhookResult.Reply.OK_EMPTY));
    }

    private static String required(JsonNode j, String field) {
        String v = ProviderJson.text(j, field);
        if (v == null) {
            throw WebhookRefused.invalidBody(field, "'" + field + "' is required in Mango's json");
        }
        return v; // any length: the store keeps a long id in its digest form
    }

    /** A summary's unix time, or null: Mango writes 0 for "never" (no talk); anything unusable is logged and left out. */
    private static Instant time(WebhookCall call, JsonNode j, String field) {
        Instant at = ProviderJson.epochSeconds(j, field);
        if (at != null && at.getEpochSecond() > 0) {
            return at;
        }
        String text = ProviderJson.text(j, field);
        if (text != null && !"0".equals(text)) {
            OddValues.ignored(NAME, call, field, "not unix seconds");
        }
        return null;
    }

    /** Whole seconds from {@code a} to {@code b}: 0 when b is earlier, null when no int holds it (no call lasts 68 years). */
    private static Integer secondsBetween(Instant a, Instant b) {
        long s = Math.max(0, Duration.between(a, b).toSeconds());
        return s > Integer.MAX_VALUE ? null : (int) s;
    }
}
