package io.ringpool.telephony.freeswitch;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.call.CallEvent;
import io.ringpool.telephony.provider.Digests;
import io.ringpool.telephony.provider.OddValues;
import io.ringpool.telephony.provider.ProviderForms;
import io.ringpool.telephony.provider.ProviderJson;
import io.ringpool.telephony.provider.ProviderRoute;
import io.ringpool.telephony.provider.ProviderSettingsSpec;
import io.ringpool.telephony.provider.TelephonyProvider;
import io.ringpool.telephony.provider.WebhookCall;
import io.ringpool.telephony.provider.WebhookRefused;
import io.ringpool.telephony.provider.WebhookResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * FreeSWITCH's {@code mod_json_cdr}: at the end of each call leg the switch POSTs that leg's CDR as
 * one JSON document (raw {@code application/json}, or form field {@code cdr=} when the module's
 * {@code encode} option is on), with HTTP Basic credentials from its {@code cred} option.
 *
 * <p>Only inbound legs are calls to a tracking number; the bridged (outbound) legs are acknowledged
 * and not recorded. From an inbound leg's {@code variables} (times are unix seconds):
 * <pre>
 * uuid                                  -> the call id
 * caller_id_number, destination_number  -> from, to (else the first callflow's caller_profile)
 * start_epoch                           -> ringing (the end when absent or unreadable)
 * billsec &gt; 0 and bridged              -> answered at bridge_epoch, completed at end_epoch (now when
 *   (bridge_epoch &gt; 0, or bridge_uuid /    absent or unreadable); duration = duration, talk = end -
 *   last_bridge_to named)                  bridge (bridge_uepoch to end_uepoch when given); without a
 *                                          usable bridge_epoch, answered at answer_epoch, talk = billsec
 * billsec &gt; 0, never bridged            -> missed: the switch answered (IVR, voicemail), no person did
 * otherwise by hangup_cause             -> USER_BUSY: busy; NO_ANSWER, NO_USER_RESPONSE,
 *                                          ORIGINATOR_CANCEL, NORMAL_CLEARING, ALLOTTED_TIMEOUT: missed; else failed
 * ringpool_recording_url (if the dialplan sets it to an http(s) URL) -> the recording
 * </pre>
 * A CDR carries no time of sending, so replays are only deduplicated; use HTTPS.
 */
public final class FreeswitchProvider implements TelephonyProvider {

    public static final String NAME = "freeswitch";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderSettingsSpec settings() {
        return ProviderSettingsSpec.of(ProviderSettingsSpec.Field.plain("username").asCredential().checked(
                        u -> u.contains(":") ? java.util.Optional.of("must not contain ':' (HTTP Basic)") : java.util.Optional.empty()),
                ProviderSettingsSpec.Field.secret("password"));
    }

    @Override
    public String dialledNumberField() {
        return "variables.destination_number";
    }

    @Override
    public List<ProviderRoute> routes() {
        return List.of(ProviderRoute.post("/v1/telephony/freeswitch/{siteId}/cdr", this::cdr));
    }

    private void authenticate(WebhookCall call) {
        String auth = call.request().header("authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw WebhookRefused.unauthenticated("missing", "HTTP Basic credentials are required (mod_json_cdr 'cred' user:password)");
        }
        String given;
        try {
            given = new String(Base64.getDecoder().decode(auth.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw WebhookRefused.unauthenticated("malformed", "the Basic credentials are not base64");
        }
        String expected = call.settings().get("username") + ":" + call.settings().get("password");
        if (!Digests.sameText(given, expected)) {
            throw WebhookRefused.unauthenticated("mismatch", "wrong user name or password for this site's FreeSWITCH settings");
        }
    }

    private WebhookResult cdr(WebhookCall call) {
        authenticate(call);
        byte[] body = call.request().body();
        JsonNode cdr;
        if (call.request().mediaType().equals("application/x-www-form-urlencoded")) {
            String json = ProviderForms.first(ProviderForms.fields(body)).get("cdr");
            if (json == null) {
                throw WebhookRefused.unreadable("a form-encoded CDR comes in the field 'cdr'");
            }
            cdr = ProviderJson.parseObject(json);
        } else if (call.request().mediaType().equals("application/x-www-form-base64-encoded")) {
            cdr = ProviderJson.parseObject(base64Cdr(body));
        } else {
            cdr = ProviderJson.parseObject(body);
        }
        JsonNode vars = percentDecoded(cdr.path("variables"));
        JsonNode profile = cdr.path("callflow").isArray() ? cdr.path("callflow").path(0).path("caller_profile")
                : cdr.path("callflow").path("caller_profile");
        String direction = first(ProviderJson.text(vars, "direction"), ProviderJson.text(cdr, "channel_data", "direction"));
        String uuid = first(ProviderJson.text(vars, "uuid"), ProviderJson.text(profile, "uuid"));
        if (uuid == null) { // any length: the store keeps a long id in its digest form
            throw WebhookRefused.invalidBody("variables.uuid", "the CDR has no usable variables.uuid");
        }
        if (!"inbound".equalsIgnoreCase(direction)) {
            return WebhookResult.ignored("leg " + uuid + " is " + direction + ", not a call to a tracking number", WebhookResult.Reply.OK_EMPTY);
        }
        String from = first(ProviderJson.text(vars, "caller_id_number"), ProviderJson.text(profile, "caller_id_number"));
        String to = first(ProviderJson.text(vars, "destination_number"), ProviderJson.text(profile, "destination_number"));
        // A CDR is posted when its leg ends: without a readable end_epoch the end is now, and
        // without a start_epoch the start is the end. Unreadable times never lose the call.
        Instant end = epoch(call, vars, "end_epoch");
        if (end == null) {
            end = call.clock().instant();
        }
        Instant sentStart = epoch(call, vars, "start_epoch");
        Instant start = sentStart != null ? sentStart : end;
        Integer duration = seconds(call, vars, "duration");
        Integer billsec = seconds(call, vars, "billsec");
        String recording = ProviderJson.text(vars, "ringpool_recording_url");
        if (recording != null && !recording.toLowerCase(Locale.ROOT).matches("https?://.+")) {
            recording = null;
        }
        // Without the leg's own duration, the span of its times, when both are times the call keeps;
        // else unknown, left to the call's events (audit AB1 #1: a span from a wrong start is wrong).
        Integer total = duration != null ? duration : sentStart == null ? null
                : (int) Math.max(0, Math.min(Integer.MAX_VALUE, Duration.between(start, end).toSeconds()));
        List<CallEvent> events = new ArrayList<>();
        events.add(new CallEvent(NAME, uuid, CallEvent.Kind.RINGING, start, from, to, null, null, null));
        boolean pbxAnswered = billsec != null && billsec > 0;
        Bridge bridge = Bridge.of(call, vars);
        String note = "hangup_cause " + ProviderJson.text(vars, "hangup_cause");
        if (pbxAnswered && bridge.happened()) {
            Instant answer = bridge.at();
            Integer talk = billsec;
            if (answer == null) { // bridged, but not when: the switch's own answer is the best time there is
                answer = epoch(call, vars, "answer_epoch");
            } else {
                talk = talkSince(vars, answer, end, billsec);
            }
            if (answer == null) {
                Instant estimate = end.minusSeconds(billsec);
                answer = estimate.isBefore(start) ? start : estimate;
            }
            events.add(new CallEvent(NAME, uuid, CallEvent.Kind.ANSWERED, answer, from, to, null, null, null));
            events.add(new CallEvent(NAME, uuid, CallEvent.Kind.COMPLETED, end, from, to, total, talk, recording));
        } else if (pbxAnswered) {
            // The switch answered (an IVR, voicemail) and never bridged the caller to anyone: nobody at
            // the business took the call (audit AI1 #3), however long the greeting or the message.
            events.add(new CallEvent(NAME, uuid, CallEvent.Kind.MISSED, end, from, to, total, 0, recording));
            note = "answered by the switch (" + ProviderJson.text(vars, "last_app") + "), never bridged: " + note;
        } else {
            String cause = first(ProviderJson.text(vars, "hangup_cause"), "").toUpperCase(Locale.ROOT);
            CallEvent.Kind kind = switch (cause) {
                case "USER_BUSY" -> CallEvent.Kind.BUSY;
                case "NO_ANSWER", "NO_USER_RESPONSE", "ORIGINATOR_CANCEL", "NORMAL_CLEARING", "ALLOTTED_TIMEOUT" -> CallEvent.Kind.MISSED;
                default -> CallEvent.Kind.FAILED;
            };
            events.add(new CallEvent(NAME, uuid, kind, end, from, to, total, 0, recording));
        }
        return new WebhookResult(events, WebhookResult.Reply.OK_EMPTY, note, List.of());
    }

    /**
     * Whether, and when, the inbound leg was bridged to another leg: to a person, since a call to an
     * extension, a ring group or a queue's agent reaches them through a bridge (the B-leg). The
     * switch's own answer ({@code answer_epoch}, {@code billsec}) is no such sign: an IVR or voicemail
     * answers the caller's leg itself. FreeSWITCH sets {@code bridge_epoch} (0 when never bridged,
     * {@code bridge_uepoch} in microseconds) and names the other leg in {@code bridge_uuid} and
     * {@code last_bridge_to} (switch_types.h {@code SWITCH_BRIDGE_UUID_VARIABLE},
     * {@code SWITCH_LAST_BRIDGE_VARIABLE}).
     *
     * @param happened the leg was bridged
     * @param at       when (null when bridged but {@code bridge_epoch} is not a usable time)
     */
    record Bridge(boolean happened, Instant at) {
        static Bridge of(WebhookCall call, JsonNode vars) {
            Instant at = epoch(call, vars, "bridge_epoch");
            boolean named = ProviderJson.text(vars, "bridge_uuid") != null || ProviderJson.text(vars, "last_bridge_to") != null;
            return new Bridge(at != null || named, at);
        }
    }

    /**
     * The conversation: from the bridge to the end, to the microsecond when the CDR has both
     * ({@code bridge_uepoch}, {@code end_uepoch}) as FreeSWITCH computes {@code billsec}, so a call
     * bridged at its answer keeps exactly its {@code billsec}; never more than {@code billsec}.
     */
    private static int talkSince(JsonNode vars, Instant bridged, Instant end, int billsec) {
        Long bridgedMicros = micros(vars, "bridge_uepoch");
        Long endMicros = micros(vars, "end_uepoch");
        long seconds = bridgedMicros != null && endMicros != null && endMicros >= bridgedMicros
                ? (endMicros - bridgedMicros) / 1_000_000 : Math.max(0, Duration.between(bridged, end).toSeconds());
        return (int) Math.min(seconds, billsec);
    }

    /** A positive whole microsecond count, or null. */
    private static Long micros(JsonNode vars, String name) {
        String text = ProviderJson.text(vars, name);
        if (text == null || !text.strip().matches("[0-9]{1,18}")) {
            return null;
        }
        long v = Long.parseLong(text.strip());
        return v > 0 ? v : null;
    }

    /**
     * The module's {@code encode=base64} option: {@code cdr=} followed by the CDR in base64 (the
     * module's own encoder, which may wrap lines).
     */
    private static String base64Cdr(byte[] body) {
        String text = new String(body, StandardCharsets.US_ASCII).strip();
        String encoded = text.startsWith("cdr=") ? text.substring(4) : text;
        encoded = java.net.URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.US_ASCII).replaceAll("\\s", "");
        try {
            return new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw WebhookRefused.unreadable("an encode=base64 CDR comes as cdr=<base64>; this one is not base64");
        }
    }

    /**
     * The leg's variables with their values percent-decoded. mod_json_cdr URL-encodes every
     * variable's value unless the module's {@code encode-values} is false, its default being true
     * (audit I #2: the dialplan's {@code ringpool_recording_url} arrived as {@code https%3A//…} and
     * was dropped; a caller id with {@code +} arrives as {@code %2B…}). Only {@code %XX} is decoded,
     * not {@code +} (the module writes a space as {@code %20}), so a value sent unencoded reads the same.
     */
    static JsonNode percentDecoded(JsonNode vars) {
        if (!vars.isObject()) {
            return vars;
        }
        com.fasterxml.jackson.databind.node.ObjectNode out = ((com.fasterxml.jackson.databind.node.ObjectNode) vars).deepCopy();
        vars.fieldNames().forEachRemaining(name -> {
            JsonNode value = vars.get(name);
            if (value.isTextual() && value.asText().indexOf('%') >= 0) {
                out.put(name, percentDecode(value.asText()));
            }
        });
        return out;
    }

    /** {@code %XX} sequences as the UTF-8 bytes they name; anything malformed left as it is. */
    static String percentDecode(String value) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(value.length());
        byte[] raw = value.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%' && i + 2 < raw.length && Character.digit(raw[i + 1], 16) >= 0 && Character.digit(raw[i + 2], 16) >= 0) {
                bytes.write(Character.digit(raw[i + 1], 16) * 16 + Character.digit(raw[i + 2], 16));
                i += 2;
            } else {
                bytes.write(raw[i]);
            }
        }
        String decoded = bytes.toString(StandardCharsets.UTF_8);
        return decoded.indexOf('\uFFFD') >= 0 && value.indexOf('\uFFFD') < 0 ? value : decoded;
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }

    /**
     * A variable's unix seconds, or null (logged when present but unusable, or a time the call model
     * would replace, which no length may be computed from): FreeSWITCH writes 0 for "never".
     */
    private static Instant epoch(WebhookCall call, JsonNode vars, String name) {
        Instant at = ProviderJson.epochSeconds(vars, name);
        if (at != null && at.getEpochSecond() > 0) {
            return call.trustedTime(NAME, "variables." + name, at);
        }
        if (ProviderJson.text(vars, name) != null && !"0".equals(ProviderJson.text(vars, name))) {
            OddValues.ignored(NAME, call, "variables." + name, "not unix seconds");
        }
        return null;
    }

    /** A variable's whole seconds, or null (logged when present but unusable). */
    private static Integer seconds(WebhookCall call, JsonNode vars, String name) {
        Integer s = ProviderJson.seconds(vars, name);
        if (s == null && ProviderJson.text(vars, name) != null) {
            OddValues.ignored(NAME, call, "variables." + name, "not whole seconds from 0 to 2^31-1");
        }
        return s;
    }
}
