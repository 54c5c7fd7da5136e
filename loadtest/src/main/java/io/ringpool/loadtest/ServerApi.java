package io.ringpool.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Ringpool's HTTP API as the loadtest uses it: the admin calls (sites, pools, test clock) the way
 * an operator does, the script calls the way the browser snippet does, and signed call events the
 * way a PBX does. Nothing here knows server classes; only the documented wire format.
 */
final class ServerApi {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String BROWSER_UA =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
    static final String BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    /** A site created for one run, with its secrets. */
    record Site(String siteId, String publicKey, String apiKey, String webhookSecret) {}

    private final LoadClient http;
    private final String adminKey;

    ServerApi(LoadClient http, String adminKey) {
        this.http = http;
        this.adminKey = adminKey;
    }

    LoadClient http() {
        return http;
    }

    static JsonNode parse(LoadClient.Reply r) {
        try {
            return JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("not JSON (" + r.status() + "): " + r.text(), e);
        }
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private JsonNode expect(LoadClient.Reply r, int status, String what) {
        if (r.status() != status) {
            throw new IllegalStateException(what + ": HTTP " + r.status() + " " + r.text());
        }
        return r.body().length == 0 ? null : parse(r);
    }

    private Map<String, String> bearer(String key) {
        return Map.of("Authorization", "Bearer " + key);
    }

    // ---- operator ----

    Site createSite(String name, String defaultNumber) {
        var body = Map.of("name", name, "domains", List.of("example.com"), "defaultNumber", defaultNumber,
                "timeZone", "Europe/Moscow");
        JsonNode n = expect(http.post("/v1/sites", bearer(adminKey), json(body)).join(), 201, "create site");
        return new Site(n.get("siteId").asText(), n.get("publicKey").asText(), n.get("apiKey").asText(),
                n.get("webhookSecret").asText());
    }

    void patchSite(Site site, Map<String, Object> settings) {
        var r = http.send(io.netty.handler.codec.http.HttpMethod.PATCH, "/v1/sites/" + site.siteId(), bearer(adminKey),
                json(settings).getBytes(StandardCharsets.UTF_8)).join();
        if (r.status() != 200) {
            throw new IllegalStateException("patch site: HTTP " + r.status() + " " + r.text());
        }
    }

    /** Creates a catch-all pool with {@code numbers}, in requests of at most 10,000 numbers. */
    String createPool(Site site, List<String> numbers) {
        int chunk = 10_000;
        List<String> first = numbers.subList(0, Math.min(chunk, numbers.size()));
        var body = Map.of("name", "loadtest", "priority", 0, "match", Map.of(), "numbers", first);
        JsonNode n = expect(http.post("/v1/sites/" + site.siteId() + "/pools", bearer(site.apiKey()), json(body)).join(),
                201, "create pool");
        String poolId = n.get("poolId").asText();
        for (int i = chunk; i < numbers.size(); i += chunk) {
            var more = Map.of("numbers", numbers.subList(i, Math.min(i + chunk, numbers.size())));
            var r = http.post("/v1/sites/" + site.siteId() + "/pools/" + poolId + "/numbers", bearer(site.apiKey()),
                    json(more)).join();
            if (r.status() / 100 != 2) {
                throw new IllegalStateException("add numbers: HTTP " + r.status() + " " + r.text());
            }
        }
        return poolId;
    }

    JsonNode pool(Site site, String poolId) {
        return expect(http.get("/v1/sites/" + site.siteId() + "/pools/" + poolId, bearer(site.apiKey())).join(), 200, "pool");
    }

    /** Moves the server's test clock forward (0 = read it); the server sweeps once. */
    Instant advanceClock(long seconds) {
        JsonNode n = expect(http.post("/v1/test/clock", bearer(adminKey), "{\"advanceSeconds\":" + seconds + "}").join(),
                200, "test clock (start the server with RINGPOOL_TEST_CLOCK=true)");
        return Instant.parse(n.get("now").asText());
    }

    /**
     * {@link #advanceClock}, riding out a busy server: the server moves its clock before it sweeps,
     * so a 503 from the sweep (its writes queued behind a burst) means the clock moved; the retries
     * only read it (and sweep again) until the server answers.
     */
    Instant advanceClockPatiently(long seconds) {
        long step = seconds;
        for (int attempt = 0; ; attempt++) {
            try {
                return advanceClock(step);
            } catch (IllegalStateException e) {
                if (attempt >= 60 || !e.getMessage().contains("HTTP 503")) {
                    throw e;
                }
                System.err.printf("%ntest clock answered 503 (busy server); asking again in 2 s%n");
                step = 0;
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    String metrics() {
        return http.get("/metrics", null).join().text();
    }

    // ---- site script ----

    /** @param visitorId null for a first page view, which names none: the server makes the id */
    static String sessionBody(String siteKey, String visitorId, String url, String referrer) {
        return "{\"siteKey\":\"" + siteKey + "\"," + (visitorId == null ? "" : "\"visitorId\":\"" + visitorId + "\",") + "\"url\":\"" + url
                + "\",\"referrer\":\"" + referrer + "\",\"title\":\"Example\"}";
    }

    static Map<String, String> scriptHeaders(String ip, boolean bot) {
        Map<String, String> h = new HashMap<>(4);
        h.put("User-Agent", bot ? BOT_UA : BROWSER_UA);
        h.put("X-Forwarded-For", ip);
        h.put("Origin", "https://example.com");
        return h;
    }

    CompletableFuture<LoadClient.Reply> startSession(Site site, String visitorId, String url, String referrer, String ip, boolean bot) {
        return http.post("/v1/sessions", scriptHeaders(ip, bot), sessionBody(site.publicKey(), visitorId, url, referrer));
    }

    CompletableFuture<LoadClient.Reply> heartbeat(String sessionId, String ip) {
        return http.post("/v1/sessions/" + sessionId + "/heartbeat", scriptHeaders(ip, false), "{}");
    }

    CompletableFuture<LoadClient.Reply> pageview(String sessionId, String ip, String url) {
        return http.post("/v1/sessions/" + sessionId + "/pageviews", scriptHeaders(ip, false),
                "{\"url\":\"" + url + "\",\"title\":\"Page\"}");
    }

    CompletableFuture<LoadClient.Reply> intent(String sessionId, String ip) {
        return http.post("/v1/sessions/" + sessionId + "/intent", scriptHeaders(ip, false), "{\"kind\":\"tel_click\"}");
    }

    CompletableFuture<LoadClient.Reply> end(String sessionId, String ip) {
        return http.post("/v1/sessions/" + sessionId + "/end", scriptHeaders(ip, false), "{}");
    }

    // ---- telephony ----

    /** A signed generic JSON event; {@code serverNow} is the server's clock (the signature must be within 5 min of it). */
    static Map<String, String> signed(String secret, long serverNowSeconds, String body) {
        try {
            Mac mac = MACS.get();
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] sig = mac.doFinal((serverNowSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return Map.of("X-Ringpool-Signature", "t=" + serverNowSeconds + ",v1=" + HexFormat.of().formatHex(sig));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });

    static String callBody(String callId, String event, String from, String to, Instant at, long duration, long talk) {
        StringBuilder b = new StringBuilder(200);
        b.append("{\"callId\":\"").append(callId).append("\",\"event\":\"").append(event).append("\",\"from\":\"")
                .append(from).append("\",\"to\":\"").append(to).append("\",\"at\":\"").append(at).append('"');
        if (duration >= 0) {
            b.append(",\"durationSeconds\":").append(duration).append(",\"talkSeconds\":").append(talk);
        }
        return b.append('}').toString();
    }

    CompletableFuture<LoadClient.Reply> callEvent(Site site, long serverNowSeconds, String body) {
        return http.post("/v1/telephony/" + site.siteId() + "/events", signed(site.webhookSecret(), serverNowSeconds, body), body);
    }

    /** Reads the attribution of a call event answer. */
    static AccuracyClassifier.ServerAttribution attribution(JsonNode call) {
        JsonNode a = call.path("attribution");
        List<String> candidates = new ArrayList<>();
        for (JsonNode c : a.path("candidates")) {
            if (c.hasNonNull("sessionId")) {
                candidates.add(c.get("sessionId").asText());
            }
        }
        return new AccuracyClassifier.ServerAttribution(a.path("method").asText("none"), text(a, "sessionId"),
                text(a, "visitorId"), candidates);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** Numbers of one three-digit prefix: seven digits follow it. */
    private static final long PER_PREFIX = 10_000_000L;

    /**
     * {@code count} (at most ten million) distinct E.164 numbers {@code +7<prefix><7 digits>} starting
     * at {@code first}, wrapping past {@code 9999999} to {@code 0000000}: always the eleven digits of
     * a Russian number, which the server requires (a run's block near the top of the range used to
     * spill into eight digits, a number no phone can have).
     */
    static List<String> numbers(String prefix, long first, int count) {
        if (prefix.length() != 3 || count > PER_PREFIX) {
            throw new IllegalArgumentException("a three-digit prefix and at most " + PER_PREFIX + " numbers: " + prefix + ", " + count);
        }
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add("+7" + prefix + String.format("%07d", Math.floorMod(first + i, PER_PREFIX)));
        }
        return out;
    }

    /** A per-visitor client address, so the per-IP session limit sees many clients (loopback is a trusted proxy). */
    static String ipOf(long visitor) {
        return "10." + ((visitor >> 16) & 255) + "." + ((visitor >> 8) & 255) + "." + (visitor & 255);
    }
}
