package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pools and static numbers as the audit of s27 found them (items 5, 9 and 10): numbers no phone
 * can have were taken, a channel rule could name no channel, and a retired number could not come
 * back to its own pool.
 */
class PoolNumbersOverHttpTest {
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

    static Reply post(Map<String, String> site, String path, String json) {
        return server.send("POST", "/v1/sites/" + site.get("siteId") + path, site.get("apiKey"), json, "application/json", Map.of());
    }

    static Reply retire(Map<String, String> site, String poolId, String number) {
        return server.send("DELETE", "/v1/sites/" + site.get("siteId") + "/pools/" + poolId + "/numbers/%2B" + number.substring(1),
                site.get("apiKey"), null, null, Map.of());
    }

    static Reply pool(Map<String, String> site, String poolId) {
        return server.get("/v1/sites/" + site.get("siteId") + "/pools/" + poolId, site.get("apiKey"));
    }

    static void assertRefused(Reply r, int status, String field, String saying) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().path("error").path("field").asText()).isEqualTo(field);
        assertThat(r.json().path("error").path("message").asText()).contains(saying);
    }

    @Test
    void aNumberNoPhoneCanHaveIs422NamingItsPlaceAndSayingWhy() {
        Map<String, String> site = server.siteWithPool(List.of("+74957772001"));
        assertRefused(post(site, "/pools", "{\"name\":\"bad\",\"numbers\":[\"+74957772002\",\"+7495777\"]}"), 422, "numbers[1]", "too short");
        assertRefused(post(site, "/pools/" + site.get("poolId") + "/numbers", "{\"numbers\":[\"+99912345678\"]}"), 422, "numbers[0]", "country");
        assertRefused(post(site, "/static-numbers", "{\"number\":\"+749577720099\",\"source\":\"billboard\"}"), 422, "number", "this one has 11");
        assertThat(pool(site, site.get("poolId")).json().get("numbers")).hasSize(1);
        assertThat(server.get("/v1/sites/" + site.get("siteId") + "/pools", site.get("apiKey")).json().get("pools")).hasSize(1);
    }

    /** Audit L #2: a pool without numbers was made, and counted an exhaustion on every visit it matched. */
    @Test
    void aPoolWithoutNumbersIsRefusedNamingNumbers() {
        Map<String, String> site = server.siteWithPool(List.of("+74957772101"));
        assertRefused(post(site, "/pools", "{\"name\":\"empty\"}"), 422, "numbers", "required");
        assertRefused(post(site, "/pools", "{\"name\":\"empty\",\"numbers\":[]}"), 422, "numbers", "required");
        assertRefused(post(site, "/pools", "{\"name\":\"empty\",\"numbers\":null}"), 422, "numbers", "required");
    }

    @Test
    void aChannelRuleMustNameAChannelVisitsCanHave() {
        Map<String, String> site = server.siteWithPool(List.of());
        assertRefused(post(site, "/pools", "{\"name\":\"p\",\"match\":{\"channel\":\"bogus\"},\"numbers\":[\"+74957773001\"]}"),
                422, "match.channel", "paid, organic, social, referral, email, direct");
        assertRefused(post(site, "/pools", "{\"name\":\"p\",\"match\":{\"channel\":\"pai*\"},\"numbers\":[\"+74957773001\"]}"),
                422, "match.channel", "must be a channel");
        Reply paid = post(site, "/pools", "{\"name\":\"paid\",\"match\":{\"channel\":\" Paid \"},\"numbers\":[\"+74957773001\"]}");
        assertThat(paid.status()).as(paid.body()).isEqualTo(201);
        assertThat(paid.json().get("match").get("channel").asText()).isEqualTo("paid");
    }

    @Test
    void aReferrerHostRuleMatchesItsWwwAndEverySubdomainAndRefusesAStarBeforeTheEnd() {
        Map<String, String> site = server.siteWithPool(List.of("+74957778001", "+74957778002", "+74957778003", "+74957778004"));
        assertRefused(post(site, "/pools", "{\"name\":\"vk\",\"match\":{\"referrer_host\":\"*.vk.com\"},\"numbers\":[\"+74957778101\"]}"),
                422, "match.referrer_host", "write 'vk.com'");
        assertRefused(post(site, "/pools", "{\"name\":\"vk\",\"match\":{\"referrer_host\":\"v*.com\"},\"numbers\":[\"+74957778101\"]}"),
                422, "match.referrer_host", "only at the end");
        Reply vk = post(site, "/pools", "{\"name\":\"vk\",\"priority\":10,\"match\":{\"referrer_host\":\"WWW.VK.com\"},"
                + "\"numbers\":[\"+74957778101\",\"+74957778102\",\"+74957778103\",\"+74957778104\"]}");
        assertThat(vk.status()).as(vk.body()).isEqualTo(201);
        assertThat(vk.json().get("match").get("referrer_host").asText()).isEqualTo("vk.com");

        List<String> vkNumbers = List.of("+74957778101", "+74957778102", "+74957778103", "+74957778104");
        int i = 0;
        for (String referrer : List.of("https://vk.com/x", "https://www.vk.com/", "https://m.vk.com/wall", "https://AWAY.VK.COM/away.php")) {
            assertThat(sessionFrom(site, "vk-visitor-" + i++, referrer)).as(referrer).isIn(vkNumbers);
        }
        for (String referrer : List.of("https://notvk.com/", "https://vk.com.evil.example/")) {
            assertThat(sessionFrom(site, "other-visitor-" + i++, referrer)).as(referrer).isNotIn(vkNumbers);
        }
    }

    /**
     * Audit AM1 F3/F4: numbers as people paste them. The trunk 0 in brackets after a country code
     * ({@code +44 (0)20…}) is no part of the number, {@code 00} is the international prefix, and a
     * dash copied from a web page (U+2011, U+2013) is a dash; each is stored as the E.164 number a
     * provider posts, so its calls are attributed.
     */
    @Test
    void numbersAsPeoplePasteThemAreStoredAsTheNumberAProviderPosts() {
        Map<String, String> site = server.siteWithPool(List.of());
        Reply created = post(site, "/pools", "{\"name\":\"pasted\",\"numbers\":[\"+44 (0)20 7946 0257\",\"0044 20 7946 1257\","
                + "\"+7 495 777\u201120\u201108\",\"+7 495 777\u201321\u201398\",\"+49 030 12345678\"]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("numbers").toString()).contains("\"+442079460257\"", "\"+442079461257\"", "\"+74957772008\"",
                "\"+74957772198\"", "\"+493012345678\"");
        Reply start = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\",\"visitorId\":\"pasted-1\","
                + "\"url\":\"https://example.com/\"}", "application/json", Map.of("User-Agent", TestServer.CHROME));
        assertThat(start.status()).as(start.body()).isEqualTo(201);
        String body = "{\"callId\":\"pasted-call\",\"event\":\"ringing\",\"from\":\"+79161110001\",\"to\":\"" + start.text("number") + "\"}";
        Reply event = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", io.ringpool.call.Signing.ringpool(site.get("webhookSecret"),
                        server.clock.instant().getEpochSecond(), body)));
        assertThat(event.status()).as(event.body()).isEqualTo(200);
    }

    /**
     * Audit AM1 F2: a pool whose numbers are all retired is out of use (a pool is never deleted).
     * Visits its rule matches go to the next pool, and it counts no exhaustion: nothing ran out.
     */
    @Test
    void aPoolWhoseNumbersAreAllRetiredTakesNoVisitAndCountsNoExhaustion() {
        Map<String, String> site = server.siteWithPool(List.of("+74957779001", "+74957779002", "+74957779003"));
        Reply google = post(site, "/pools", "{\"name\":\"google\",\"priority\":10,\"match\":{\"source\":\"google\"},"
                + "\"numbers\":[\"+74957779101\"]}");
        assertThat(google.status()).as(google.body()).isEqualTo(201);
        String googlePool = google.text("poolId");
        assertThat(retire(site, googlePool, "+74957779101").status()).isEqualTo(204);
        for (int i = 0; i < 3; i++) {
            Reply r = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\",\"visitorId\":\"g-" + i
                    + "\",\"url\":\"https://example.com/?utm_source=google&utm_medium=cpc\"}", "application/json",
                    Map.of("User-Agent", TestServer.CHROME));
            assertThat(r.json().path("tracked").asBoolean()).as(r.body()).isTrue();
        }
        assertThat(pool(site, googlePool).json().path("exhaustions").asInt()).isZero();
    }

    static String sessionFrom(Map<String, String> site, String visitorId, String referrer) {
        Reply r = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\",\"visitorId\":\"" + visitorId
                + "\",\"url\":\"https://example.com/\",\"referrer\":\"" + referrer + "\"}", "application/json",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.text("number");
    }

    @Test
    void aRetiredNumberAddedBackToItsPoolIsGivenOutAgain() {
        String number = "+74957774001";
        Map<String, String> site = server.siteWithPool(List.of(number));
        String poolId = site.get("poolId");
        assertThat(retire(site, poolId, number).status()).isEqualTo(204);
        assertThat(pool(site, poolId).json().get("retired").asInt()).isEqualTo(1);
        Reply none = server.startSession(site.get("publicKey"), "before-return", "https://example.com/");
        assertThat(none.json().get("tracked").asBoolean()).as("the pool's only number is retired").isFalse();

        Reply back = post(site, "/pools/" + poolId + "/numbers", "{\"numbers\":[\"" + number + "\"]}");
        assertThat(back.status()).as(back.body()).isEqualTo(201);
        assertThat(back.json().get("added")).extracting(n -> n.asText()).containsExactly(number);
        Reply after = pool(site, poolId);
        assertThat(after.json().get("numbers")).extracting(n -> n.asText()).containsExactly(number);
        assertThat(after.json().get("size").asInt()).isEqualTo(1);
        assertThat(after.json().get("retired").asInt()).isZero();
        Reply tracked = server.startSession(site.get("publicKey"), "after-return", "https://example.com/");
        assertThat(tracked.status()).as(tracked.body()).isEqualTo(201);
        assertThat(tracked.text("number")).isEqualTo(number);

        // Once back it is in use again, and it can be retired again.
        assertRefused(post(site, "/pools/" + poolId + "/numbers", "{\"numbers\":[\"" + number + "\"]}"), 409, "numbers[0]",
                "already in a pool of this site");
        assertThat(retire(site, poolId, number).status()).isEqualTo(204);
    }

    @Test
    void aRetiredNumberComesBackOnlyToThePoolThatKeepsItsHistory() {
        String number = "+74957775001";
        Map<String, String> site = server.siteWithPool(List.of(number));
        assertThat(retire(site, site.get("poolId"), number).status()).isEqualTo(204);

        Reply other = post(site, "/pools", "{\"name\":\"second\",\"numbers\":[\"" + number + "\"]}");
        assertRefused(other, 409, "numbers[0]", "retired from pool 'main'");
        assertThat(other.errorCode()).isEqualTo("number_in_use");
        assertRefused(post(site, "/static-numbers", "{\"number\":\"" + number + "\",\"source\":\"billboard\"}"), 409, "number",
                "add it back to that pool");
    }

    @Test
    void aRetiredNumberStillLeasedIsCountedApartSoTheCountsAddUpToTheSize() {
        // audit U #7: the pool read "size 1, leased 1, free 1" once its leased number was retired
        Map<String, String> site = server.siteWithPool(List.of("+74957776101", "+74957776102"));
        String poolId = site.get("poolId");
        Reply visit = server.startSession(site.get("publicKey"), "retired-while-leased", "https://example.com/");
        assertThat(visit.status()).as(visit.body()).isEqualTo(201);
        assertThat(retire(site, poolId, visit.text("number")).status()).isEqualTo(204);

        var counts = pool(site, poolId).json();
        assertThat(counts.get("size").asInt()).isEqualTo(1);
        assertThat(counts.get("leased").asInt()).isZero();
        assertThat(counts.get("coolingDown").asInt() + counts.get("free").asInt()).isEqualTo(1);
        assertThat(counts.get("retired").asInt()).isEqualTo(1);
        assertThat(counts.get("retiredLeased").asInt()).as("its lease runs to its end").isEqualTo(1);
        String metrics = server.get("/metrics", null).body();
        assertThat(metrics).contains("ringpool_pool_leased{pool=\"" + poolId + "\",site=\"" + site.get("siteId") + "\"} 0.0");

        assertThat(server.send("POST", "/v1/sessions/" + visit.text("sessionId") + "/end", null, "", "text/plain", Map.of()).status())
                .isEqualTo(204);
    }
}
