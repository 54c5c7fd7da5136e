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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A visitor with a live session who lands again from a new ad click starts a new visit that keeps
 * the number on the page (audit G #3, t15_newclick.py): the call after the second landing is the
 * new click's, the call before it stays with the first, and nothing about the switch makes a call
 * ambiguous. A landing that brings no new source resumes the session, as before.
 */
class NewSourceOverHttpTest {
    static final String YANDEX = "https://example.com/landing?utm_source=yandex&utm_medium=cpc&yclid=Y1";
    static final String GOOGLE = "https://example.com/landing?gclid=G-NEW&utm_source=google&utm_medium=cpc&utm_campaign=retarget";

    @TempDir
    static Path dir;

    static TestServer server;
    static int numberBase = 300;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A site with a pool of {@code size} numbers; the lease TTL long enough for minutes of test clock. */
    record Site(String siteId, String apiKey, String publicKey, String secret, List<String> numbers) {}

    static Site site(int size) {
        List<String> numbers = new ArrayList<>();
        numberBase++;
        for (int i = 1; i <= size; i++) {
            numbers.add(String.format("+7495%03d%04d", numberBase, i));
        }
        Map<String, String> s = server.siteWithPool(numbers);
        Reply patched = server.send("PATCH", "/v1/sites/" + s.get("siteId"), s.get("apiKey"), "{\"leaseTtlSeconds\":3600}",
                "application/json", Map.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        return new Site(s.get("siteId"), s.get("apiKey"), s.get("publicKey"), s.get("webhookSecret"), numbers);
    }

    static Reply land(Site site, String visitorId, String url, String referrer, Boolean landing) {
        Map<String, Object> body = new HashMap<>();
        body.put("siteKey", site.publicKey());
        body.put("visitorId", visitorId);
        body.put("url", url);
        if (referrer != null) {
            body.put("referrer", referrer);
        }
        if (landing != null) {
            body.put("landing", landing);
        }
        return server.send("POST", "/v1/sessions", null, new String(Json.write(body), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
    }

    static Reply land(Site site, String visitorId, String url) {
        return land(site, visitorId, url, null, null);
    }

    static int seq;

    /** A call from {@code from} to {@code to} that rang at {@code at} and was talked 60 s; the call as answered. */
    static JsonNode call(Site site, String from, String to, Instant at) {
        String pbxId = "pbx-new-source-" + (++seq);
        event(site, pbxId, "ringing", from, to, at, null, null);
        return event(site, pbxId, "completed", from, to, at.plusSeconds(70), 70, 60);
    }

    static JsonNode event(Site site, String pbxId, String kind, String from, String to, Instant at, Integer duration, Integer talk) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", pbxId);
        e.put("event", kind);
        e.put("from", from);
        e.put("to", to);
        e.put("at", at.toString());
        if (duration != null) {
            e.put("durationSeconds", duration);
            e.put("talkSeconds", talk);
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.siteId() + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.secret(), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static void advance(Duration d) {
        server.clock.advance(d);
        server.app.sessions().sweep();
    }

    @Test
    void aNewAdClickDuringALiveSessionStartsANewVisitWithTheSameNumberAndTheCallIsTheNewClicks() {
        Site site = site(3);
        Reply first = land(site, "visitor-newclick-1", YANDEX);
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        String number = first.text("number");
        String oldSession = first.text("sessionId");
        advance(Duration.ofSeconds(30));
        Instant beforeSwitch = server.clock.instant();
        advance(Duration.ofSeconds(30));
        Instant switchedAt = server.clock.instant();

        Reply second = land(site, "visitor-newclick-1", GOOGLE, "https://www.google.com/", null);

        assertThat(second.status()).as(second.body()).isEqualTo(201);
        assertThat(second.text("number")).isEqualTo(number);
        assertThat(second.text("visitorId")).isEqualTo("visitor-newclick-1");
        String newSession = second.text("sessionId");
        assertThat(newSession).isNotEqualTo(oldSession);
        // The old session is over at once; the new one is live.
        assertThat(server.post("/v1/sessions/" + oldSession + "/heartbeat", null, Map.of()).status()).isEqualTo(410);
        Reply beat = server.post("/v1/sessions/" + newSession + "/heartbeat", null, Map.of());
        assertThat(beat.status()).as(beat.body()).isEqualTo(200);
        assertThat(beat.text("number")).isEqualTo(number);
        advance(Duration.ofSeconds(20));

        JsonNode after = call(site, "+79161110001", number, server.clock.instant());
        JsonNode a = after.get("attribution");
        assertThat(a.get("method").asText()).isEqualTo("active");
        assertThat(a.get("sessionId").asText()).isEqualTo(newSession);
        assertThat(a.get("source").asText()).isEqualTo("google");
        assertThat(a.get("medium").asText()).isEqualTo("cpc");
        assertThat(a.get("campaign").asText()).isEqualTo("retarget");
        assertThat(a.get("gclid").asText()).isEqualTo("G-NEW");
        // The old visit has no cool-down to claim the call with: the new visit is the only candidate.
        assertThat(a.get("candidates")).hasSize(1);

        JsonNode before = call(site, "+79161110002", number, beforeSwitch).get("attribution");
        assertThat(before.get("method").asText()).isEqualTo("active");
        assertThat(before.get("sessionId").asText()).isEqualTo(oldSession);
        assertThat(before.get("source").asText()).isEqualTo("yandex");
        assertThat(before.get("yclid").asText()).isEqualTo("Y1");

        // A second after the switch (this clock runs on with real time: the switch is a few ms after switchedAt).
        JsonNode justAfter = call(site, "+79161110003", number, switchedAt.plusSeconds(1)).get("attribution");
        assertThat(justAfter.get("method").asText()).isEqualTo("active");
        assertThat(justAfter.get("sessionId").asText()).isEqualTo(newSession);
        assertThat(justAfter.get("candidates")).hasSize(1);

        // The first caller calls again later: still the new visit, not ambiguous (the same visitor).
        advance(Duration.ofMinutes(5));
        JsonNode redial = call(site, "+79161110001", number, server.clock.instant()).get("attribution");
        assertThat(redial.get("method").asText()).isEqualTo("active");
        assertThat(redial.get("sessionId").asText()).isEqualTo(newSession);

        String range = range();
        Reply clicks = server.get("/v1/sites/" + site.siteId() + "/exports/google-ads-clicks.csv?" + range, site.apiKey());
        assertThat(clicks.status()).as(clicks.body()).isEqualTo(200);
        assertThat(clicks.body()).contains("G-NEW");
        Reply yandex = server.get("/v1/sites/" + site.siteId() + "/exports/yandex-calls.csv?idType=yclid&" + range, site.apiKey());
        assertThat(yandex.body()).contains("Y1");

        Reply sources = server.get("/v1/sites/" + site.siteId() + "/reports/sources?groupBy=source,medium&" + range, site.apiKey());
        assertThat(sources.status()).as(sources.body()).isEqualTo(200);
        assertThat(sources.json().get("totals").get("visits").asInt()).isEqualTo(2);
        Map<String, JsonNode> rows = new HashMap<>();
        sources.json().get("rows").forEach(r -> rows.put(r.get("key").get("source").asText(), r));
        assertThat(rows.get("google").get("visits").asInt()).isEqualTo(1);
        assertThat(rows.get("google").get("calls").asInt()).isEqualTo(3);
        assertThat(rows.get("yandex").get("visits").asInt()).isEqualTo(1);
        assertThat(rows.get("yandex").get("calls").asInt()).isEqualTo(1);
    }

    @Test
    void aLandingWithTheSameSourceOrNoTagsResumesTheSession() {
        Site site = site(2);
        Reply first = land(site, "visitor-same-source-1", YANDEX);
        String session = first.text("sessionId");
        advance(Duration.ofSeconds(30));

        Reply reload = land(site, "visitor-same-source-1", YANDEX);
        Reply internal = land(site, "visitor-same-source-1", "https://example.com/contacts", "https://example.com/landing", null);
        Reply direct = land(site, "visitor-same-source-1", "https://example.com/");
        Reply sameTagsOtherCase = land(site, "visitor-same-source-1", "https://example.com/x?utm_source=Yandex&utm_medium=CPC");

        for (Reply r : List.of(reload, internal, direct, sameTagsOtherCase)) {
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            assertThat(r.text("sessionId")).isEqualTo(session);
            assertThat(r.text("number")).isEqualTo(first.text("number"));
        }
    }

    @Test
    void aStartThatIsNoLandingResumesTheSessionWhateverTheTagsOfItsPage() {
        Site site = site(2);
        Reply yandex = land(site, "visitor-old-tab-1", YANDEX);
        Reply google = land(site, "visitor-old-tab-1", GOOGLE);
        assertThat(google.text("sessionId")).isNotEqualTo(yandex.text("sessionId"));

        // The first tab's heartbeat gets 410; the script starts again from that tab, whose URL still has yclid=Y1.
        assertThat(server.post("/v1/sessions/" + yandex.text("sessionId") + "/heartbeat", null, Map.of()).status()).isEqualTo(410);
        Reply again = land(site, "visitor-old-tab-1", YANDEX, null, false);

        assertThat(again.status()).as(again.body()).isEqualTo(201);
        assertThat(again.text("sessionId")).isEqualTo(google.text("sessionId"));
        assertThat(again.text("number")).isEqualTo(yandex.text("number"));
    }

    @Test
    void theOlderLandingReloadedIsNoNewSourceSoTheVisitDoesNotSwitchBack() {
        Site site = site(2);
        Reply yandex = land(site, "visitor-reload-old-1", YANDEX);
        Reply google = land(site, "visitor-reload-old-1", GOOGLE);
        assertThat(google.text("sessionId")).isNotEqualTo(yandex.text("sessionId"));

        // The Yandex tab reloaded: a landing, with the older click's tags. The last click keeps the visit.
        Reply reloaded = land(site, "visitor-reload-old-1", YANDEX);
        assertThat(reloaded.status()).as(reloaded.body()).isEqualTo(201);
        assertThat(reloaded.text("sessionId")).isEqualTo(google.text("sessionId"));
        assertThat(reloaded.text("number")).isEqualTo(yandex.text("number"));

        // A click the chain has not seen still starts a new visit.
        Reply third = land(site, "visitor-reload-old-1", "https://example.com/landing?utm_source=vk&utm_medium=social");
        assertThat(third.text("sessionId")).isNotIn(yandex.text("sessionId"), google.text("sessionId"));
        assertThat(third.text("number")).isEqualTo(yandex.text("number"));
    }

    @Test
    void theNumberPassesStraightOnSoNoOtherVisitorCanTakeItAndTheOldEndDoesNotFreeIt() {
        Site site = site(1);
        Reply yandex = land(site, "visitor-hold-1", YANDEX);
        Reply google = land(site, "visitor-hold-1", GOOGLE);
        assertThat(google.text("number")).isEqualTo(yandex.text("number"));

        // The old page's end beacon, then another visitor: the number is still the new visit's.
        server.send("POST", "/v1/sessions/" + yandex.text("sessionId") + "/end", null, "", "text/plain", Map.of());
        advance(Duration.ofMinutes(2));
        Reply other = land(site, "visitor-hold-2", "https://example.com/");
        assertThat(other.status()).as(other.body()).isEqualTo(200);
        assertThat(other.text("reason")).isEqualTo("pool_exhausted");
        Reply beat = server.post("/v1/sessions/" + google.text("sessionId") + "/heartbeat", null, Map.of());
        assertThat(beat.status()).as(beat.body()).isEqualTo(200);
    }

    @Test
    void aNewClickOfAnUntrackedVisitStartsANewVisitToo() {
        Site site = site(1);
        land(site, "visitor-full-1", "https://example.com/");
        Reply first = land(site, "visitor-untracked-1", YANDEX);
        assertThat(first.text("reason")).isEqualTo("pool_exhausted");

        Reply second = land(site, "visitor-untracked-1", GOOGLE);

        assertThat(second.text("sessionId")).isNotEqualTo(first.text("sessionId"));
        assertThat(second.text("visitorId")).isEqualTo("visitor-untracked-1");
        assertThat(server.post("/v1/sessions/" + first.text("sessionId") + "/heartbeat", null, Map.of()).status()).isEqualTo(410);
    }

    private static String range() {
        java.time.LocalDate today = server.clock.instant().atZone(java.time.ZoneId.of("Europe/Moscow")).toLocalDate();
        return "from=" + today.minusDays(1) + "&to=" + today.plusDays(1);
    }
}
