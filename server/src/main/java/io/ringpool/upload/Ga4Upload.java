package io.ringpool.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringpool.outbound.OutboundHttp;
import io.ringpool.visit.AnalyticsClientIds;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * GA4 Measurement Protocol: {@code POST /mp/collect?measurement_id=<G-…>&api_secret=<secret>} with
 * {@code {"client_id", "timestamp_micros", "events": [{"name", "params"}]}} as JSON, one request
 * per call because a request carries one client id. The client id is the visit's {@code _ga}
 * cookie without its {@code GA1.1.} prefix. GA4 answers 2xx whatever it thinks of the event (use
 * the {@code /debug/mp/collect} base path to validate: an answer with {@code validationMessages}
 * is then a failed upload); events older than 72 hours are refused, so older calls are sent
 * without their time (GA4 then dates them on receipt).
 */
final class Ga4Upload implements Platform {
    /** The answer goes up with the call ({@link Platform#takesUnanswered}). */
    @Override
    public boolean takesUnanswered() {
        return true;
    }

    /** The path that validates rather than records: its answer lists what GA4 would drop. */
    static final String DEBUG_PATH = "/debug/mp/collect";
    /**
     * Event names GA4 keeps: a letter, then letters, digits and underscores, 40 at most; not one of
     * its reserved names nor with a reserved prefix. Any other is answered 2xx and silently
     * dropped (audit N #4), so a destination is refused one at creation. Reserved names and
     * prefixes are refused in any case: GA4 names are case-sensitive, but "Session_Start" is no
     * name anyone means to send.
     */
    private static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,39}");
    static final Set<String> RESERVED_EVENTS = Set.of("ad_activeview", "ad_click", "ad_exposure", "ad_impression", "ad_query",
            "ad_reward", "adunit_exposure", "app_background", "app_clear_data", "app_exception", "app_remove", "app_store_refund",
            "app_store_subscription_cancel", "app_store_subscription_convert", "app_store_subscription_renew", "app_update",
            "app_upgrade", "dynamic_link_app_open", "dynamic_link_app_update", "dynamic_link_first_open", "error", "first_open",
            "first_visit", "in_app_purchase", "notification_dismiss", "notification_foreground", "notification_open",
            "notification_receive", "os_update", "session_start", "session_start_with_rollout", "user_engagement");
    private static final List<String> RESERVED_PREFIXES = List.of("_", "ga_", "google_", "firebase_");

    /** Why GA4 would drop an event named {@code name}, or null when it keeps it. */
    static String eventNameProblem(String name) {
        if (!EVENT_NAME.matcher(name).matches()) {
            return "starts with a letter and holds only letters, digits and underscores, 40 at most";
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (RESERVED_EVENTS.contains(lower)) {
            return "must not be a name GA4 reserves (" + lower + ")";
        }
        for (String prefix : RESERVED_PREFIXES) {
            if (lower.startsWith(prefix)) {
                return "must not start with " + prefix + ", which GA4 reserves";
            }
        }
        return null;
    }

    /** An event name GA4 would drop, found in a destination made before names were checked at creation. */
    @Override
    public List<DestinationProblem> problems(Destination d) {
        List<DestinationProblem> out = new ArrayList<>();
        for (String event : List.of("eventName", "leadEventName")) {
            String problem = d.setting(event) == null ? null : eventNameProblem(d.setting(event));
            if (problem != null) {
                out.add(new DestinationProblem(event, "'" + event + "' " + problem + ": GA4 drops other events without a word"));
            }
        }
        return out;
    }

    /** GA4's recommended event for a lead (it carries {@code value} and {@code currency}). */
    static final String LEAD_EVENT = "generate_lead";
    static final String TYPE = "ga4";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** GA4 accepts events backdated by at most this much. */
    private static final Duration BACKDATE_MAX = Duration.ofHours(72);

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<String> required() {
        return Set.of("measurementId");
    }

    @Override
    public Set<String> optional() {
        return Set.of("eventName", "leadEventName", "collectPath");
    }

    @Override
    public Set<String> secrets() {
        return Set.of("apiSecret");
    }

    @Override
    public String defaultBaseUrl() {
        return "https://www.google-analytics.com";
    }

    @Override
    public boolean takesLeads() {
        return true;
    }

    @Override
    public int maxBatch() {
        return 1; // a request carries one client id; a failed batch would resend the others (GA4 does not de-duplicate)
    }

    @Override
    public UploadOutcome upload(Destination d, List<CallConversion> calls, ZoneId zone, String currency, Instant now,
            UploadSender sender) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        int skipped = 0;
        OutboundHttp.Response last = null;
        for (CallConversion c : calls) {
            String clientId = clientId(c.gaClientId());
            if (clientId == null) {
                skipped++;
                continue;
            }
            Map<String, Object> params = new LinkedHashMap<>();
            params.put(c.lead() ? "lead_id" : "call_id", c.callId());
            if (c.value() != null) {
                params.put("value", c.value());
                params.put("currency", c.currency() != null ? c.currency() : currency);
            }
            if (!c.lead()) {
                params.put("call_duration", c.talkSeconds() == null ? 0 : c.talkSeconds());
                params.put("call_answered", c.answered() ? 1 : 0);
                params.put("first_time_caller", c.firstTime() ? 1 : 0);
            }
            if (c.source() != null) {
                params.put("source", c.source());
            }
            if (c.medium() != null) {
                params.put("medium", c.medium());
            }
            if (c.campaign() != null) {
                params.put("campaign", c.campaign());
            }
            if (c.gaSessionId() != null) {
                // GA4 gives the event the session's source, medium and campaign only with the session's id
                // (Measurement Protocol, "Session attribution"; audit AN2 F10): without it a call is "(not set)".
                params.put("session_id", c.gaSessionId());
            }
            params.put("engagement_time_msec", 1); // GA4 shows events without engagement time only in some reports
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("name", c.lead() ? (d.setting("leadEventName") != null ? d.setting("leadEventName") : LEAD_EVENT)
                    : d.setting("eventName") != null ? d.setting("eventName") : "phone_call");
            event.put("params", params);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("client_id", clientId);
            Instant at = c.convertedAt();
            if (Duration.between(at, now).compareTo(BACKDATE_MAX) < 0) {
                body.put("timestamp_micros", at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000);
            }
            body.put("events", List.of(event));
            rows.add(body);
            String path = d.setting("collectPath") != null ? d.setting("collectPath") : "/mp/collect";
            String url = Platform.base(d, this) + path + "?measurement_id=" + URLEncoder.encode(d.setting("measurementId"),
                    StandardCharsets.UTF_8) + "&api_secret=" + URLEncoder.encode(d.secret("apiSecret"), StandardCharsets.UTF_8);
            byte[] json = JSON.writeValueAsBytes(body);
            try {
                last = sender.send(new OutboundHttp.Request("POST", URI.create(url), Map.of("Content-Type", "application/json"), json));
            } catch (IOException e) {
                return UploadOutcome.unreachable(rows, skipped, e);
            }
            if (last != null && !last.isSuccess()) {
                return new UploadOutcome(rows, skipped, false, last.status(), last.bodyText(), GoogleErrorText.of(last.status(), last.bodyText()));
            }
            String refused = last == null || !path.equals(DEBUG_PATH) ? null : validationMessages(last);
            if (refused != null) {
                return new UploadOutcome(rows, skipped, false, last.status(), last.bodyText(), "GA4 would drop the event: " + refused);
            }
        }
        return last == null ? new UploadOutcome(rows, skipped, true, null, null, null)
                : new UploadOutcome(rows, skipped, true, last.status(), last.bodyText(), null);
    }

    /**
     * The debug endpoint's {@code validationMessages} ({@code [{"fieldPath", "description",
     * "validationCode"}]}) joined, or null when there are none: GA4 answers 200 either way, and a
     * message means the event would not be recorded.
     */
    static String validationMessages(OutboundHttp.Response r) {
        try {
            JsonNode messages = JSON.readTree(r.body()).path("validationMessages");
            if (!messages.isArray() || messages.isEmpty()) {
                return null;
            }
            List<String> out = new ArrayList<>();
            messages.forEach(m -> out.add(m.path("validationCode").asText("") + " " + m.path("fieldPath").asText("") + ": "
                    + m.path("description").asText("")));
            return String.join("; ", out);
        } catch (IOException e) {
            return null; // not the debug endpoint's JSON: nothing it says can be read as a refusal
        }
    }

    /** {@code GA1.1.1234567890.1700000000} (the _ga cookie) → {@code 1234567890.1700000000}; an id already in that form stays. */
    static String clientId(String ga) {
        return ga == null || ga.isBlank() ? null : AnalyticsClientIds.gaClientId(ga);
    }
}
