package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit G #4: {@code reports/pools} tells the three outcomes of a full pool apart — a visit that
 * got a free number of a lower-priority pool is {@code nextPool}, not {@code reusedCooling}
 * (which means ambiguous attribution) — and the range counts an exhaustion at once, as the pool's
 * own {@code now.exhaustions} does, not after the tally's next write.
 */
class PoolExhaustionOutcomesOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void visitsThatWentToTheNextPoolAreNextPoolNotReusedCoolingAndCountAtOnce() {
        Map<String, String> site = server.siteWithPool(List.of("+74957775001", "+74957775002", "+74957775003", "+74957775004"));
        Reply google = server.post("/v1/sites/" + site.get("siteId") + "/pools", site.get("apiKey"),
                Map.of("name", "google", "priority", 10, "match", Map.of("utm_source", "google"), "numbers", List.of("+74957775101")));
        assertThat(google.status()).as(google.body()).isEqualTo(201);
        String googlePool = google.text("poolId");

        List<String> numbers = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Reply v = server.startSession(site.get("publicKey"), "visitor-next-pool-" + i, "https://example.com/?utm_source=google&utm_medium=cpc");
            assertThat(v.status()).as(v.body()).isEqualTo(201);
            numbers.add(v.text("number"));
        }
        assertThat(numbers.get(0)).isEqualTo("+74957775101");
        assertThat(numbers.subList(1, 4)).doesNotContain("+74957775101").doesNotHaveDuplicates();

        LocalDate today = LocalDate.ofInstant(server.clock.instant(), ZoneId.of("Europe/Moscow"));
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/reports/pools?from=" + today + "&to=" + today, site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode pool = null;
        for (JsonNode p : r.json().get("pools")) {
            if (p.get("poolId").asText().equals(googlePool)) {
                pool = p;
            }
        }
        assertThat(pool).isNotNull();
        JsonNode ex = pool.get("exhaustions");
        assertThat(ex.get("total").asLong()).as(ex.toString()).isEqualTo(3);
        assertThat(ex.get("nextPool").asLong()).as(ex.toString()).isEqualTo(3);
        assertThat(ex.get("reusedCooling").asLong()).as(ex.toString()).isZero();
        assertThat(ex.get("untracked").asLong()).as(ex.toString()).isZero();
        assertThat(pool.get("now").get("exhaustions").asLong()).isEqualTo(ex.get("total").asLong());
        long inBuckets = 0;
        for (JsonNode b : pool.get("buckets")) {
            inBuckets += b.get("exhaustions").asLong();
        }
        assertThat(inBuckets).isEqualTo(3);
    }

    /**
     * Audit AC1 #5: a Google visit that found both {@code google} and the catch-all without a free
     * number, and got a cooling number of {@code google}, was counted {@code reusedCooling} in the
     * catch-all too, whose cooling number stayed with its visitor. Each full pool the visit tried
     * counts the exhaustion; {@code reusedCooling} only the pool whose number was reissued, and
     * {@code nextPool} every other one (another pool's number served the visit).
     */
    @Test
    void aCoolingReuseIsCreditedToThePoolWhoseNumberWasReusedOnly() {
        Map<String, String> site = server.siteWithPool(List.of("+74957775301"));
        String sitePath = "/v1/sites/" + site.get("siteId");
        Reply settings = server.send("PATCH", sitePath, site.get("apiKey"), new String(io.ringpool.http.Json.write(
                Map.of("coolDownSeconds", 600, "endGraceSeconds", 0, "exhaustionPolicy", "reuse_cooling")),
                java.nio.charset.StandardCharsets.UTF_8), "application/json", Map.of());
        assertThat(settings.status()).as(settings.body()).isEqualTo(200);
        Reply google = server.post(sitePath + "/pools", site.get("apiKey"), Map.of("name", "google", "priority", 10,
                "match", Map.of("utm_source", "google"), "numbers", List.of("+74957775401", "+74957775402")));
        assertThat(google.status()).as(google.body()).isEqualTo(201);
        String googlePool = google.text("poolId");
        String allPool = site.get("poolId");
        String fromGoogle = "https://example.com/?utm_source=google&utm_medium=cpc";

        Reply g1 = server.startSession(site.get("publicKey"), "cool-g1", fromGoogle);
        assertThat(g1.text("number")).isEqualTo("+74957775401");
        assertThat(server.startSession(site.get("publicKey"), "cool-g2", fromGoogle).text("number")).isEqualTo("+74957775402");
        Reply b = server.startSession(site.get("publicKey"), "cool-b", "https://example.com/?utm_source=newsletter");
        assertThat(b.text("number")).isEqualTo("+74957775301");
        leave(site, googlePool, g1.text("sessionId"), 1);
        leave(site, allPool, b.text("sessionId"), 1);

        // google: 401 cooling, 402 leased; all: 301 cooling. google is first in the cooling walk too.
        Reply e = server.startSession(site.get("publicKey"), "cool-e", fromGoogle);
        assertThat(e.text("number")).as(e.body()).isEqualTo("+74957775401");
        // google: nothing cooling now; all's 301 is the only cooling number left.
        Reply f = server.startSession(site.get("publicKey"), "cool-f", fromGoogle);
        assertThat(f.text("number")).as(f.body()).isEqualTo("+74957775301");
        // Nothing free or cooling anywhere: untracked, an exhaustion of both pools it matched.
        Reply g = server.startSession(site.get("publicKey"), "cool-g", fromGoogle);
        assertThat(g.json().get("tracked").asBoolean()).as(g.body()).isFalse();

        LocalDate today = LocalDate.ofInstant(server.clock.instant(), ZoneId.of("Europe/Moscow"));
        Reply r = server.get(sitePath + "/reports/pools?from=" + today + "&to=" + today, site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode googleReport = null;
        JsonNode allReport = null;
        for (JsonNode p : r.json().get("pools")) {
            if (p.get("poolId").asText().equals(googlePool)) {
                googleReport = p;
            } else if (p.get("poolId").asText().equals(allPool)) {
                allReport = p;
            }
        }
        assertThat(googleReport).isNotNull();
        assertThat(allReport).isNotNull();
        JsonNode googleEx = googleReport.get("exhaustions");
        assertThat(googleEx.toString()).as("e reused google's 401; f got all's 301; g got nothing")
                .isEqualTo("{\"total\":3,\"reusedCooling\":1,\"nextPool\":1,\"untracked\":1}");
        JsonNode allEx = allReport.get("exhaustions");
        assertThat(allEx.toString()).as("e got google's 401; f reused all's 301; g got nothing")
                .isEqualTo("{\"total\":3,\"reusedCooling\":1,\"nextPool\":1,\"untracked\":1}");

        for (String poolId : List.of(googlePool, allPool)) {
            Reply pool = server.get(sitePath + "/pools/" + poolId, site.get("apiKey"));
            assertThat(pool.status()).as(pool.body()).isEqualTo(200);
            assertThat(pool.json().get("exhaustions").asLong()).as(pool.body()).isEqualTo(3);
        }
    }

    /** Ends the session at once (no grace) and waits until its number is cooling. */
    private static void leave(Map<String, String> site, String poolId, String sessionId, int coolingAfter) {
        assertThat(server.send("POST", "/v1/sessions/" + sessionId + "/end", null, null, null, Map.of()).status()).isEqualTo(204);
        server.app.sessions().sweep();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (server.get("/v1/sites/" + site.get("siteId") + "/pools/" + poolId, site.get("apiKey")).json().get("coolingDown").asInt()
                < coolingAfter && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(server.get("/v1/sites/" + site.get("siteId") + "/pools/" + poolId, site.get("apiKey")).json().get("coolingDown").asInt())
                .isEqualTo(coolingAfter);
    }

    @Test
    void visitsTheAddressCapTurnedAwayAreCountedApartFromExhaustionsAndSurviveARestart() {
        // audit U #8: on a 3-number pool the cap is one number an address; the second person behind
        // one office address was untracked while numbers sat free, and no report showed it.
        Path capDir = dir.resolve("address-cap");
        Map<String, String> site;
        try (TestServer own = new TestServer(capDir)) {
            site = own.siteWithPool(List.of("+74957775201", "+74957775202", "+74957775203"));
            assertThat(startFrom(own, site, "office-1", "203.0.113.7").json().get("tracked").asBoolean()).isTrue();
            Reply second = startFrom(own, site, "office-2", "203.0.113.7");
            assertThat(second.json().get("tracked").asBoolean()).isFalse();
            assertThat(second.text("reason")).isEqualTo("address_cap");
            assertThat(startFrom(own, site, "elsewhere", "198.51.100.9").json().get("tracked").asBoolean()).isTrue();

            JsonNode counted = poolReport(own, site);
            assertThat(counted.get("addressCapped").asLong()).as(counted.toString()).isEqualTo(1);
            assertThat(counted.get("exhaustions").get("total").asLong()).as("the pool had numbers: no exhaustion").isZero();
            assertThat(counted.get("now").get("exhaustions").asLong()).isZero();
        }
        // A clean stop writes the tally's counts; the report then reads them from the store.
        try (TestServer again = new TestServer(capDir)) {
            JsonNode stored = poolReport(again, site);
            assertThat(stored.get("addressCapped").asLong()).as(stored.toString()).isEqualTo(1);
            assertThat(stored.get("exhaustions").get("total").asLong()).isZero();
            assertThat(stored.get("now").get("exhaustions").asLong()).as("not reloaded as an exhaustion").isZero();
        }
    }

    private static Reply startFrom(TestServer on, Map<String, String> site, String visitorId, String clientAddress) {
        String body = new String(io.ringpool.http.Json.write(Map.of("siteKey", site.get("publicKey"), "visitorId", visitorId,
                "url", "https://example.com/")), java.nio.charset.StandardCharsets.UTF_8);
        // loopback is a trusted proxy: X-Forwarded-For names the client
        Reply r = on.send("POST", "/v1/sessions", null, body, "application/json",
                Map.of("User-Agent", TestServer.CHROME, "X-Forwarded-For", clientAddress));
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        return r;
    }

    private static JsonNode poolReport(TestServer on, Map<String, String> site) {
        LocalDate today = LocalDate.ofInstant(on.clock.instant(), ZoneId.of("Europe/Moscow"));
        Reply r = on.get("/v1/sites/" + site.get("siteId") + "/reports/pools?from=" + today + "&to=" + today, site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("pools").get(0);
    }
}
