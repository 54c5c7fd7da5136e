package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers a site configures, typed as people write them in the site's country (audit s38: an
 * agency setting up a Russian client typed {@code 8 (495) 200-00-02} and got 422): read in the
 * site's {@code country}, stored and answered in E.164, one number whatever its form.
 */
class LocallyWrittenNumbersOverHttpTest {
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

    /** A site in RU: its default number is Moscow's, and no 'country' is given. */
    static Map<String, String> russianSite() {
        return server.siteWithPool(List.of());
    }

    static Map<String, String> site(Map<String, Object> body) {
        Reply r = server.post("/v1/sites", TestServer.ADMIN_KEY, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return Map.of("siteId", r.text("siteId"), "apiKey", r.text("apiKey"));
    }

    static Reply send(String method, Map<String, String> site, String path, String json) {
        return server.send(method, "/v1/sites/" + site.get("siteId") + path, site.get("apiKey"), json,
                json == null ? null : "application/json", Map.of());
    }

    static String inPath(String number) {
        return URLEncoder.encode(number, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static List<String> texts(Reply r, String field) {
        assertThat(r.json()).as(r.body()).isNotNull();
        return r.json().get(field).findValuesAsText("number").isEmpty()
                ? java.util.stream.StreamSupport.stream(r.json().get(field).spliterator(), false).map(n -> n.asText()).toList()
                : r.json().get(field).findValuesAsText("number");
    }

    static void assertRefused(Reply r, int status, String field, String saying) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().path("error").path("field").asText()).as(r.body()).isEqualTo(field);
        assertThat(r.json().path("error").path("message").asText()).contains(saying);
    }

    @Test
    void poolNumbersWrittenLocallyInRussiaAreStoredInE164() {
        Map<String, String> site = russianSite();
        Reply created = send("POST", site, "/pools",
                "{\"name\":\"moscow\",\"numbers\":[\"8 (495) 200-00-02\",\"495 200-00-03\",\"+7 495 200-00-04\",\"+74952000005\"]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(texts(created, "numbers")).containsExactly("+74952000002", "+74952000003", "+74952000004", "+74952000005");
        String poolId = created.text("poolId");

        Reply added = send("POST", site, "/pools/" + poolId + "/numbers", "{\"numbers\":[\"8-495-200-00-06\",\"(495) 2000007\"]}");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(texts(added, "added")).containsExactly("+74952000006", "+74952000007");

        assertThat(send("DELETE", site, "/pools/" + poolId + "/numbers/" + inPath("8 (495) 200-00-06"), null).status()).isEqualTo(204);
        Reply pool = send("GET", site, "/pools/" + poolId, null);
        assertThat(pool.json().get("retired").asInt()).as(pool.body()).isEqualTo(1);
        assertThat(texts(pool, "numbers")).doesNotContain("+74952000006").contains("+74952000007");
        assertRefused(send("DELETE", site, "/pools/" + poolId + "/numbers/" + inPath("abc"), null), 422, "number", "E.164");
    }

    @Test
    void oneNumberInTwoFormsIsOneNumberForTheRepeatAndInUseRules() {
        Map<String, String> site = russianSite();
        assertRefused(send("POST", site, "/pools", "{\"numbers\":[\"8 495 200-10-02\",\"+74952001002\"]}"),
                422, "numbers[1]", "repeats +74952001002");
        Reply pool = send("POST", site, "/pools", "{\"numbers\":[\"8 495 200-10-02\"]}");
        assertThat(pool.status()).as(pool.body()).isEqualTo(201);

        Reply again = send("POST", site, "/pools", "{\"numbers\":[\"+74952001002\"]}");
        assertRefused(again, 409, "numbers[0]", "already in a pool");
        assertThat(again.errorCode()).isEqualTo("number_in_use");
        assertRefused(send("POST", site, "/pools/" + pool.text("poolId") + "/numbers", "{\"numbers\":[\"495 200 10 02\"]}"),
                409, "numbers[0]", "already in a pool");
        assertThat(send("POST", site, "/static-numbers", "{\"number\":\"84952001002\",\"source\":\"billboard\"}").status())
                .isEqualTo(409);

        Map<String, String> other = russianSite();
        Reply elsewhere = send("POST", other, "/pools", "{\"numbers\":[\"8 (495) 200-10-02\"]}");
        assertThat(elsewhere.status()).as("one number, one site: " + elsewhere.body()).isEqualTo(409);
        assertThat(elsewhere.errorCode()).isEqualTo("number_in_use");
    }

    @Test
    void staticNumbersAreAddedAndNamedAsWrittenLocally() {
        Map<String, String> site = russianSite();
        Reply created = send("POST", site, "/static-numbers", "{\"number\":\"8 (495) 300-00-01\",\"source\":\"billboard\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.text("number")).isEqualTo("+74953000001");

        Reply read = send("GET", site, "/static-numbers/" + inPath("8 (495) 300-00-01"), null);
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        assertThat(read.text("number")).isEqualTo("+74953000001");
        Reply changed = send("PATCH", site, "/static-numbers/" + inPath("495 300 00 01"), "{\"source\":\"radio\"}");
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.text("source")).isEqualTo("radio");
        assertThat(send("GET", site, "/static-numbers/%2B74953000001", null).text("source")).isEqualTo("radio");
        assertRefused(send("POST", site, "/static-numbers", "{\"number\":\"+7 (495) 300-00-01\",\"source\":\"again\"}"),
                409, "number", "already a static number");

        assertThat(send("DELETE", site, "/static-numbers/84953000001", null).status()).isEqualTo(204);
        assertThat(send("GET", site, "/static-numbers/%2B74953000001", null).status()).isEqualTo(404);
        assertRefused(send("GET", site, "/static-numbers/" + inPath("call me"), null), 422, "number", "RU");
    }

    @Test
    void junkIs422NamingItsPlaceAndNothingIsStored() {
        Map<String, String> site = russianSite();
        assertRefused(send("POST", site, "/pools", "{\"name\":\"bad\",\"numbers\":[\"8 495 200-20-01\",\"abc\"]}"),
                422, "numbers[1]", "as written locally in the site's country (RU)");
        assertRefused(send("POST", site, "/pools", "{\"name\":\"bad\",\"numbers\":[\"8 495 200-20-01\",\"495 200\"]}"),
                422, "numbers[1]", "not a possible phone number");
        assertRefused(send("POST", site, "/pools", "{\"name\":\"bad\",\"numbers\":[\"200-20-01\"]}"), 422, "numbers[0]", "area code");
        assertRefused(send("POST", site, "/pools", "{\"name\":\"bad\",\"numbers\":[\"+7 495 CALL NOW\"]}"), 422, "numbers[0]", "E.164");
        assertRefused(send("POST", site, "/static-numbers", "{\"number\":\"12\",\"source\":\"billboard\"}"), 422, "number", "(got '12')");
        assertThat(send("GET", site, "/pools", null).json().get("pools")).isEmpty();
        assertThat(send("GET", site, "/static-numbers", null).json().get("staticNumbers")).isEmpty();
    }

    @Test
    void aUsSiteReadsAmericanFormsAndFictionalNumbersStillWork() {
        Map<String, String> site = site(Map.of("name", "US shop", "defaultNumber", "+14155550199"));
        Reply pool = send("POST", site, "/pools", "{\"numbers\":[\"(415) 555-0100\",\"1 415 555 0101\",\"+15555550123\"]}");
        assertThat(pool.status()).as(pool.body()).isEqualTo(201);
        assertThat(texts(pool, "numbers")).containsExactly("+14155550100", "+14155550101", "+15555550123");
        Reply staticNumber = send("POST", site, "/static-numbers", "{\"number\":\"415.555.0102\",\"source\":\"billboard\"}");
        assertThat(staticNumber.text("number")).as(staticNumber.body()).isEqualTo("+14155550102");
        // A Moscow number written the Russian way means something else in the US: it is no number there.
        assertRefused(send("POST", site, "/static-numbers", "{\"number\":\"8 (495) 200-30-01\",\"source\":\"x\"}"), 422, "number", "");
    }

    @Test
    void siteNumbersAreReadInTheSiteCountryOnceOneIsKnown() {
        Map<String, String> site = russianSite();
        Reply patched = send("PATCH", site, "", "{\"forwardTo\":\"8 (495) 400-00-01\",\"defaultNumber\":\"495 400-00-02\"}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.text("forwardTo")).isEqualTo("+74954000001");
        assertThat(patched.text("defaultNumber")).isEqualTo("+74954000002");
        assertRefused(send("PATCH", site, "", "{\"forwardTo\":\"abc\"}"), 422, "forwardTo", "RU");
        assertThat(send("GET", site, "", null).text("forwardTo")).isEqualTo("+74954000001");

        // A new site: the country given in the same body reads its numbers.
        Reply ru = server.post("/v1/sites", TestServer.ADMIN_KEY,
                Map.of("name", "RU", "country", "ru", "defaultNumber", "8 (495) 500-00-01", "forwardTo", "8 495 500 00 02"));
        assertThat(ru.status()).as(ru.body()).isEqualTo(201);
        assertThat(ru.text("defaultNumber")).isEqualTo("+74955000001");
        assertThat(ru.text("forwardTo")).isEqualTo("+74955000002");
        assertThat(ru.text("country")).isEqualTo("RU");
        Reply us = server.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("name", "US", "country", "US", "defaultNumber", "(415) 555-0110"));
        assertThat(us.status()).as(us.body()).isEqualTo(201);
        assertThat(us.text("defaultNumber")).isEqualTo("+14155550110");
        assertThat(us.text("forwardTo")).isEqualTo("+14155550110");

        // No country known: E.164 stays required, and the refusal says what a local form needs.
        assertRefused(server.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("name", "where?", "defaultNumber", "8 (495) 500-00-03")),
                422, "defaultNumber", "'country'");
        assertRefused(server.post("/v1/sites", TestServer.ADMIN_KEY,
                Map.of("name", "where?", "country", "XX", "defaultNumber", "8 (495) 500-00-03")), 422, "country", "ISO 3166");
        Reply e164 = server.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("name", "E.164", "defaultNumber", "+7 495 500-00-04"));
        assertThat(e164.status()).as(e164.body()).isEqualTo(201);
        assertThat(e164.text("country")).isEqualTo("RU");
    }
}
