package io.ringpool.telephony.uis;

import io.ringpool.call.CallEvent;
import io.ringpool.telephony.provider.Digests;
import io.ringpool.telephony.provider.OddValues;
import io.ringpool.telephony.provider.ProviderRoute;
import io.ringpool.telephony.provider.ProviderSettingsSpec;
import io.ringpool.telephony.provider.TelephonyProvider;
import io.ringpool.telephony.provider.WallClockTime;
import io.ringpool.telephony.provider.WebhookCall;
import io.ringpool.telephony.provider.WebhookRefused;
import io.ringpool.telephony.provider.WebhookResult;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * UIS / CoMagic and other PBXs whose HTTP notifications are built from a template the customer
 * fills in, and carry no signature (MegaFon's and MTS's cloud PBX post a fixed form of their own:
 * {@code telephony.megapbx}). The credential is the URL:
 * {@code /v1/telephony/uis/{siteId}/{token}} with the site's secret token (at least
 * {@value #MIN_TOKEN} characters, compared in constant time), so keep it out of logs and use HTTPS.
 *
 * <p>A notification may be a GET (query), a form POST or a JSON POST, with these fields (our
 * names first, then the UIS template variable names we also read):
 * <pre>
 * event           ringing | answered | completed | missed | busy | failed  (one notification per event)
 * callId          | call_session_id        the PBX's id of the call, the same in every notification
 * from            | contact_phone_number   the caller
 * to              | virtual_phone_number   the tracking number dialled
 * at              | notification_time      ISO-8601 (with offset, or local in the site's time zone, seconds with or
 *                                          without a fraction), or unix seconds
 * durationSeconds | total_time_duration    whole call, seconds
 * talkSeconds     | talk_time_duration     conversation, seconds
 * recordingUrl    | file_link              http(s) link to the recording
 * </pre>
 * A final event without a time ({@code «Завершение звонка»} has no {@code notification_time}) is
 * dated on receipt, and the length it states dates the call's start, as on the generic route
 * ({@link io.ringpool.call.CallService#ingestWithImpliedStart}).
 *
 * <p>Only an unknown {@code event} or a missing call id is refused (422): a duration, time or link
 * the template filled in wrongly is left out of the call (logged as {@code webhook_value_ignored}),
 * which is kept. Without a timestamp or nonce there is no replay protection beyond deduplication
 * of events.
 */
public final class UisProvider implements TelephonyProvider {

    public static final String NAME = "uis";

    /** Shortest accepted token: 16 characters of a random token are ~95 bits, enough for a URL secret. */
    static final int MIN_TOKEN = 16;

    private static final Map<String, String> ALIASES = Map.of(
            "callId", "call_session_id", "from", "contact_phone_number", "to", "virtual_phone_number", "at", "notification_time",
            "durationSeconds", "total_time_duration", "talkSeconds", "talk_time_duration", "recordingUrl", "file_link");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderSettingsSpec settings() {
        return ProviderSettingsSpec.of(ProviderSettingsSpec.Field.secret("token").checked(
                t -> t.length() >= MIN_TOKEN && t.matches("[A-Za-z0-9_-]+") ? Optional.empty()
                        : Optional.of("must be at least " + MIN_TOKEN + " letters, digits, '-' or '_' (it goes into a URL)")));
    }

    @Override
    public List<ProviderRoute> routes() {
        String path = "/v1/telephony/uis/{siteId}/{token}";
        return List.of(ProviderRoute.post(path, this::notification),
                new ProviderRoute("GET", path, ProviderRoute.Kind.EVENT, this::notification));
    }

    private WebhookResult notification(WebhookCall call) {
        if (!Digests.sameText(call.request().pathParams().get("token"), call.settings().get("token"))) {
            throw WebhookRefused.mismatch("the token in the URL is not this site's UIS token");
        }
        Map<String, String> f = fields(call);
        String kindText = get(f, "event");
        CallEvent.Kind kind = CallEvent.Kind.fromWire(kindText).orElseThrow(() -> WebhookRefused.invalidBody("event",
                "'event' must be one of ringing, answered, completed, missed, busy, failed (got '" + kindText + "')"));
        String id = get(f, "callId");
        if (id == null) { // any length: the store keeps a long id in its digest form
            throw WebhookRefused.invalidBody("callId", "'callId' (or call_session_id) is required");
        }
        String recording = get(f, "recordingUrl");
        if (recording != null && !recording.toLowerCase(Locale.ROOT).matches("https?://.+")) {
            OddValues.ignored(NAME, call, "recordingUrl", "not an http(s) URL");
            recording = null;
        }
        Instant sentAt = at(get(f, "at"), call);
        Instant at = sentAt != null ? sentAt : call.clock().instant();
        CallEvent e = new CallEvent(NAME, id, kind, at, get(f, "from"), get(f, "to"),
                seconds(f, "durationSeconds", call), seconds(f, "talkSeconds", call), recording);
        WebhookResult result = WebhookResult.of(List.of(e), WebhookResult.Reply.OK_EMPTY);
        // «Завершение звонка» has no notification_time: a call reported only at its end is dated by
        // the length it states, as the generic route dates it (audit AI1 #2).
        Integer length = e.durationSeconds();
        return sentAt == null && kind.isTerminal() && length != null && length > 0
                ? result.withImpliedStart(e, at.minusSeconds(length)) : result;
    }

    private static Map<String, String> fields(WebhookCall call) {
        return call.request().flatFields();
    }

    /** Our name, else the UIS variable; blank and unfilled template variables ({{...}}) count as absent. */
    private static String get(Map<String, String> f, String name) {
        String v = f.get(name);
        if ((v == null || v.isBlank()) && ALIASES.containsKey(name)) {
            v = f.get(ALIASES.get(name));
        }
        if (v == null || v.isBlank() || v.contains("{{")) {
            return null;
        }
        return v.strip();
    }

    /** Whole seconds, or null (logged) when the template filled in something else: the call is kept without them. */
    private static Integer seconds(Map<String, String> f, String name, WebhookCall call) {
        String v = get(f, name);
        if (v == null) {
            return null;
        }
        double s;
        try {
            s = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            s = Double.NaN;
        }
        if (!(s >= 0 && s <= Integer.MAX_VALUE)) { // also NaN
            OddValues.ignored(NAME, call, name, "not whole seconds from 0 to 2^31-1");
            return null;
        }
        return (int) s;
    }

    /** The notification's time, or null when it has none or one that cannot be read (logged): then it is dated on receipt. */
    private static Instant at(String text, WebhookCall call) {
        if (text == null) {
            return null;
        }
        try {
            if (text.matches("[0-9]{9,11}")) {
                return Instant.ofEpochSecond(Long.parseLong(text));
            }
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeException local) {
                // UIS writes "2026-11-30 12:00:00.234" in the account's zone: read it in the site's.
                return WallClockTime.parse(text).atZone(call.site().settings().timeZone()).toInstant();
            }
        } catch (DateTimeException e) {
            OddValues.ignored(NAME, call, "at", "not ISO-8601, 'yyyy-MM-dd HH:mm:ss[.SSS]' or unix seconds");
            return null;
        }
    }
}
