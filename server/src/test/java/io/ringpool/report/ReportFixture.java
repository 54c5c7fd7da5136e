package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small site with known traffic and calls, put in through the public API only (session starts
 * as the site script sends them, signed call events as a PBX sends them), so report and export
 * figures can be checked against answers worked out by hand:
 *
 * <pre>
 * visitor A  A1 google/cpc/winter gclid=GCLID-A, ym=YM-A   (lease ends; 2 h later)
 *            A2 direct                                     call A: +79160000001, 60 s talk  → target, unique
 * visitor B  B1 yandex/cpc yclid=YCLID-B, ym=YM-B          call B1: +79160000002, 45 s talk → target, unique
 *                                                          call B2: same caller, missed    → neither
 * visitor C  C1 organic google (referrer)                  no call
 * visitor D  D1 facebook/social on an iPhone, tag payloads  call D: +79160000004, missed     → unique
 * nobody     a pool number never leased                    call E: +79160000005, 5 s talk   → unique, method none
 * </pre>
 * Site: Europe/Moscow, RUB, target calls from 30 s. A free-text payload (formula injection) sits in
 * D's campaign and in a tag on call D.
 */
public final class ReportFixture {
    public static final String IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            + "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

    public final TestServer server;
    public final String siteId;
    public final String apiKey;
    public final String publicKey;
    public final String secret;
    public final List<String> numbers = new ArrayList<>();
    /** Call start instants by fixture name (A, B1, B2, D, E). */
    public final Map<String, Instant> callAt = new LinkedHashMap<>();
    /** When each call ended: the conversion time of the exports and uploads. */
    public final Map<String, Instant> callEndedAt = new LinkedHashMap<>();
    /** Call ids by fixture name. */
    public final Map<String, String> callId = new LinkedHashMap<>();
    /** Visit start instants by fixture name (A1, A2, B1, C1, D1). */
    public final Map<String, Instant> visitAt = new LinkedHashMap<>();
    private final java.util.Set<String> leased = new java.util.HashSet<>();
    private int seq;

    public ReportFixture(TestServer server, int numberBase) {
        this.server = server;
        for (int i = 1; i <= 10; i++) {
            numbers.add(String.format("+7495%03d%04d", numberBase, i));
        }
        Map<String, String> s = server.siteWithPool(numbers);
        siteId = s.get("siteId");
        apiKey = s.get("apiKey");
        publicKey = s.get("publicKey");
        secret = s.get("webhookSecret");
        Reply patched = server.send("PATCH", "/v1/sites/" + siteId, apiKey, "{\"targetCallSeconds\":30,\"leaseTtlSeconds\":3600}", "application/json", Map.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    }

    private ReportFixture(TestServer server, ReportFixture site) {
        this.server = server;
        numbers.addAll(site.numbers);
        siteId = site.siteId;
        apiKey = site.apiKey;
        publicKey = site.publicKey;
        secret = site.secret;
        visitAt.putAll(site.visitAt);
        callAt.putAll(site.callAt);
        callEndedAt.putAll(site.callEndedAt);
        callId.putAll(site.callId);
    }

    /** The same site on another server over the same store (a restart). */
    public ReportFixture on(TestServer other) {
        return new ReportFixture(other, this);
    }

    /** Builds the whole story above. */
    public ReportFixture build() {
        String a1 = visit("visitor-A-0001", "https://example.com/boots?utm_source=google&utm_medium=cpc&utm_campaign=winter&gclid=GCLID-A",
                null, Map.of("ym", "YM-A"), TestServer.CHROME, "A1").get("sessionId");
        server.send("POST", "/v1/sessions/" + a1 + "/end", null, "", "text/plain", Map.of());
        advance(Duration.ofHours(2));
        String a2Number = visit("visitor-A-0001", "https://example.com/", null, Map.of("ym", "YM-A"), TestServer.CHROME, "A2").get("number");
        call("A", "+79160000001", a2Number, 60);
        advance(Duration.ofMinutes(3));
        String b1Number = visit("visitor-B-0001", "https://example.com/boots?utm_source=yandex&utm_medium=cpc&yclid=YCLID-B", null,
                Map.of("ym", "YM-B"), TestServer.CHROME, "B1").get("number");
        call("B1", "+79160000002", b1Number, 45);
        advance(Duration.ofMinutes(2));
        call("B2", "+79160000002", b1Number, 0);
        advance(Duration.ofMinutes(1));
        visit("visitor-C-0001", "https://example.com/", "https://www.google.com/", Map.of(), TestServer.CHROME, "C1");
        advance(Duration.ofMinutes(1));
        String d1Number = visit("visitor-D-0001", "https://example.com/sale?utm_source=facebook&utm_medium=social&utm_campaign=%3DHYPERLINK(%22x%22)",
                null, Map.of("ym", "@SUM(1)"), IPHONE, "D1").get("number");
        call("D", "+79160000004", d1Number, 0);
        advance(Duration.ofMinutes(1));
        String unused = numbers.stream().filter(n -> !leased.contains(n)).reduce((x, y) -> y).orElseThrow();
        call("E", "+79160000005", unused, 5);
        Reply tagged = server.send("PATCH", "/v1/sites/" + siteId + "/calls/" + callId.get("D"), apiKey,
                "{\"tags\":[\"=HYPERLINK(\\\"x\\\")\",\"+1\",\"-1\",\"@SUM(1)\"]}", "application/json", Map.of());
        assertThat(tagged.status()).as(tagged.body()).isEqualTo(200);
        Reply valued = server.send("PATCH", "/v1/sites/" + siteId + "/calls/" + callId.get("A"), apiKey,
                "{\"tags\":[\"lead\"],\"value\":1500}", "application/json", Map.of());
        assertThat(valued.status()).as(valued.body()).isEqualTo(200);
        return this;
    }

    public void advance(Duration d) {
        server.clock.advance(d);
        server.app.sessions().sweep();
    }

    public Map<String, String> visit(String visitorId, String url, String referrer, Map<String, String> clientIds, String userAgent,
            String name) {
        Map<String, Object> body = new HashMap<>();
        body.put("siteKey", publicKey);
        body.put("visitorId", visitorId);
        body.put("url", url);
        if (referrer != null) {
            body.put("referrer", referrer);
        }
        body.put("clientIds", clientIds);
        Reply r = server.send("POST", "/v1/sessions", null, new String(Json.write(body), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", userAgent));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        visitAt.put(name, server.clock.instant());
        leased.add(r.text("number"));
        return Map.of("sessionId", r.text("sessionId"), "number", r.text("number"));
    }

    /** A call that rings now and, with talk time, is answered and completed a little later. */
    public String call(String name, String from, String to, int talkSeconds) {
        String pbxId = "pbx-" + siteId + "-" + (++seq);
        Instant start = server.clock.instant();
        Reply ringing = event(pbxId, "ringing", from, to, start, null, null);
        assertThat(ringing.status()).as(ringing.body()).isEqualTo(200);
        if (talkSeconds > 0) {
            Reply done = event(pbxId, "completed", from, to, start.plusSeconds(talkSeconds + 10), talkSeconds + 10, talkSeconds);
            assertThat(done.status()).as(done.body()).isEqualTo(200);
        } else {
            Reply missed = event(pbxId, "missed", from, to, start.plusSeconds(20), 20, 0);
            assertThat(missed.status()).as(missed.body()).isEqualTo(200);
        }
        callAt.put(name, start);
        callEndedAt.put(name, start.plusSeconds(talkSeconds > 0 ? talkSeconds + 10 : 20));
        callId.put(name, ringing.text("callId"));
        return ringing.text("callId");
    }

    private Reply event(String pbxId, String kind, String from, String to, Instant at, Integer duration, Integer talk) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", pbxId);
        e.put("event", kind);
        e.put("from", from);
        e.put("to", to);
        e.put("at", at.toString());
        if (duration != null) {
            e.put("durationSeconds", duration);
        }
        if (talk != null) {
            e.put("talkSeconds", talk);
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        return server.send("POST", "/v1/telephony/" + siteId + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(secret, server.clock.instant().getEpochSecond(), body)));
    }

    public Reply get(String path) {
        return server.get("/v1/sites/" + siteId + path, apiKey);
    }

    /** from/to covering the whole fixture (a day either side, in the site's zone). */
    public String range() {
        java.time.ZoneId zone = java.time.ZoneId.of("Europe/Moscow");
        return "from=" + visitAt.values().iterator().next().atZone(zone).toLocalDate().minusDays(1) + "&to="
                + server.clock.instant().atZone(zone).toLocalDate().plusDays(1);
    }
}
