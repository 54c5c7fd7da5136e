package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit J #3: a visitor who came by a Google ad left the tab in the background past the lease;
 * back on it, the script started a new visit (landing false: a continued page), which showed no
 * tags and was filed "(direct)", so a call a minute later lost its click. Such a start now carries
 * the tags of the visitor's visit that lapsed; a real landing without tags stays direct.
 */
class LapsedVisitContinuedOverHttpTest {
    @TempDir
    Path dir;

    @Test
    void aContinuedPageAfterTheVisitLapsedKeepsItsAdClickAndARealLandingDoesNot() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74957776001", "+74957776002"));
            Reply patched = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    "{\"endGraceSeconds\":0,\"coolDownSeconds\":0}", "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            Reply first = start(server, site, "lapsed-visitor-01", "https://example.com/?utm_source=Google&utm_medium=CPC"
                    + "&utm_campaign=Black-Friday_RU&utm_term=Red+Sofa&utm_content=Banner-A&gclid=Cj0KCQlapsedClick01", null, true);
            server.post("/v1/sessions/" + first.text("sessionId") + "/end", null, null);
            server.clock.advance(Duration.ofSeconds(1));
            server.app.sessions().sweep();

            Reply back = start(server, site, "lapsed-visitor-01", "https://example.com/prices", "https://example.com/", false);
            assertThat(back.status()).as(back.body()).isEqualTo(201);
            assertThat(back.text("sessionId")).isNotEqualTo(first.text("sessionId"));
            JsonNode attribution = call(server, site, back.text("number"), "lapsed-call-1");
            assertThat(attribution.get("source").asText()).isEqualTo("Google");
            assertThat(attribution.get("gclid").asText()).isEqualTo("Cj0KCQlapsedClick01");
            // Audit AM4 F4: all five tags carried as the landing wrote them (they were lower-cased, and term and content lost).
            assertThat(attribution.get("medium").asText()).isEqualTo("CPC");
            assertThat(attribution.get("campaign").asText()).isEqualTo("Black-Friday_RU");
            assertThat(attribution.get("term").asText()).isEqualTo("Red Sofa");
            assertThat(attribution.get("content").asText()).isEqualTo("Banner-A");

            // Another visitor typing the address in a new tab (a landing) is direct, whatever came before.
            Reply other = start(server, site, "lapsed-visitor-02", "https://example.com/?utm_source=yandex&utm_medium=cpc", null, true);
            server.post("/v1/sessions/" + other.text("sessionId") + "/end", null, null);
            server.clock.advance(Duration.ofSeconds(1));
            server.app.sessions().sweep();
            Reply typed = start(server, site, "lapsed-visitor-02", "https://example.com/", null, true);
            JsonNode direct = call(server, site, typed.text("number"), "lapsed-call-2");
            assertThat(direct.get("source").asText()).isEqualTo("(direct)");
        }
    }

    /**
     * Audit AN1 F5: in a single-page app the referrer stays the ad's (pushState does not change
     * document.referrer), so the continued start after a hidden tab's lapse showed an outside
     * referrer and was filed as that referrer's "referral"/"organic", the yclid lost. The script's
     * landing false is what says the page continues a visit, whatever its referrer.
     */
    @Test
    void aSinglePageAppsContinuedStartKeepsTheAdClickThoughItsReferrerIsTheAdsOwn() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74957776011", "+74957776012"));
            Reply patched = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    "{\"endGraceSeconds\":0,\"coolDownSeconds\":0}", "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            Reply first = start(server, site, "spa-visitor-01", "https://example.com/spa?utm_source=yandex&utm_medium=cpc&utm_campaign=spa"
                    + "&yclid=4242", "https://yandex.ru/", true);
            server.post("/v1/sessions/" + first.text("sessionId") + "/end", null, null);
            server.clock.advance(Duration.ofSeconds(1));
            server.app.sessions().sweep();

            Reply back = start(server, site, "spa-visitor-01", "https://example.com/contacts", "https://yandex.ru/", false);
            JsonNode attribution = call(server, site, back.text("number"), "spa-call-1");
            assertThat(attribution.get("source").asText()).as(attribution.toString()).isEqualTo("yandex");
            assertThat(attribution.get("medium").asText()).isEqualTo("cpc");
            assertThat(attribution.get("campaign").asText()).isEqualTo("spa");
            assertThat(attribution.get("yclid").asText()).isEqualTo("4242");

            // A real landing from the same outside referrer without tags is that referrer's, as before.
            Reply other = start(server, site, "spa-visitor-02", "https://example.com/spa?utm_source=google&utm_medium=cpc", null, true);
            server.post("/v1/sessions/" + other.text("sessionId") + "/end", null, null);
            server.clock.advance(Duration.ofSeconds(1));
            server.app.sessions().sweep();
            Reply organic = start(server, site, "spa-visitor-02", "https://example.com/", "https://yandex.ru/", true);
            JsonNode fromSearch = call(server, site, organic.text("number"), "spa-call-2");
            assertThat(fromSearch.get("medium").asText()).as(fromSearch.toString()).isEqualTo("organic");
        }
    }

    static Reply start(TestServer server, Map<String, String> site, String visitorId, String url, String referrer, boolean landing) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("siteKey", site.get("publicKey"));
        body.put("visitorId", visitorId);
        body.put("url", url);
        if (referrer != null) {
            body.put("referrer", referrer);
        }
        body.put("landing", landing);
        return server.send("POST", "/v1/sessions", null, new String(Json.write(body), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
    }

    static JsonNode call(TestServer server, Map<String, String> site, String number, String callId) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", "ringing");
        e.put("from", "+79165557001");
        e.put("to", number);
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("attribution");
    }
}
