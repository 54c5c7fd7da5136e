package io.ringpool.site;

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
 * Site settings the audit of s27 found accepted against the documentation (items 5, 8 and 11):
 * numbers no phone can have, time zones that are fixed offsets, and domain names in Unicode,
 * which were refused although browsers send them (as punycode) every day.
 */
class SiteSettingsOverHttpTest {
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

    static Reply create(String json) {
        return server.send("POST", "/v1/sites", TestServer.ADMIN_KEY, json, "application/json", Map.of());
    }

    static Reply patch(Map<String, String> site, String json) {
        return server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), json, "application/json", Map.of());
    }

    static void assertInvalid(Reply r, String field, String saying) {
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.errorCode()).isEqualTo("invalid_value");
        assertThat(r.json().path("error").path("field").asText()).isEqualTo(field);
        assertThat(r.json().path("error").path("message").asText()).contains(saying);
    }

    /** Audit Z2 #3: forwardTo could be a tracking number, and a call to the site was forwarded back into a tracked number. */
    @Test
    void forwardingToATrackingNumberOfAnySiteIsRefusedNamingForwardTo() {
        Map<String, String> tracked = server.siteWithPool(List.of("+74950008801"));
        Map<String, String> other = server.siteWithPool(List.of("+74950008802"));

        Reply ownPool = patch(tracked, "{\"forwardTo\":\"+74950008801\"}");
        Reply othersPool = patch(tracked, "{\"forwardTo\":\"+74950008802\"}");
        Reply newSite = create("{\"name\":\"Loop\",\"domains\":[\"loop.example\"],\"defaultNumber\":\"+74950008899\","
                + "\"forwardTo\":\"+74950008802\",\"timeZone\":\"Europe/Moscow\"}");
        Reply businessLine = patch(tracked, "{\"forwardTo\":\"+74950008898\"}");

        for (Reply r : List.of(ownPool, othersPool, newSite)) {
            assertThat(r.status()).as(r.body()).isEqualTo(409);
            assertThat(r.errorCode()).isEqualTo("number_in_use");
            assertThat(r.json().get("error").get("field").asText()).isEqualTo("forwardTo");
        }
        assertThat(businessLine.status()).as(businessLine.body()).isEqualTo(200);
        assertThat(businessLine.json().get("forwardTo").asText()).isEqualTo("+74950008898");
    }

    /** The other order of Z2 #3: a number some site forwards its calls to, taken as a tracking number afterwards. */
    @Test
    void aNumberASiteForwardsToCannotBecomeATrackingNumberOfAnySite() {
        Map<String, String> forwarding = server.siteWithPool(List.of("+74950008811"));
        Map<String, String> other = server.siteWithPool(List.of("+74950008812"));
        assertThat(patch(forwarding, "{\"forwardTo\":\"+74950008813\"}").status()).isEqualTo(200);

        Reply ownPool = server.send("POST", "/v1/sites/" + forwarding.get("siteId") + "/pools/" + forwarding.get("poolId") + "/numbers",
                forwarding.get("apiKey"), "{\"numbers\":[\"+74950008813\"]}", "application/json", Map.of());
        Reply othersStatic = server.send("POST", "/v1/sites/" + other.get("siteId") + "/static-numbers", other.get("apiKey"),
                "{\"number\":\"+74950008813\",\"source\":\"billboard\"}", "application/json", Map.of());
        Reply othersPool = server.send("POST", "/v1/sites/" + other.get("siteId") + "/pools", other.get("apiKey"),
                "{\"name\":\"second\",\"numbers\":[\"+74950008814\",\"+74950008813\"]}", "application/json", Map.of());

        assertThat(ownPool.status()).as(ownPool.body()).isEqualTo(409);
        assertThat(ownPool.json().get("error").get("message").asText()).contains("this site forwards its calls");
        assertThat(othersStatic.json().get("error").get("message").asText()).contains("another site forwards its calls");
        for (Reply r : List.of(ownPool, othersStatic, othersPool)) {
            assertThat(r.status()).as(r.body()).isEqualTo(409);
            assertThat(r.errorCode()).isEqualTo("number_in_use");
        }
        assertThat(othersStatic.json().get("error").get("field").asText()).isEqualTo("number");
        assertThat(othersPool.json().get("error").get("field").asText()).isEqualTo("numbers[1]");

        // Once the site forwards elsewhere, the number is free to be tracked.
        assertThat(patch(forwarding, "{\"forwardTo\":\"+74950008815\"}").status()).isEqualTo(200);
        Reply freed = server.send("POST", "/v1/sites/" + other.get("siteId") + "/static-numbers", other.get("apiKey"),
                "{\"number\":\"+74950008813\",\"source\":\"billboard\"}", "application/json", Map.of());
        assertThat(freed.status()).as(freed.body()).isEqualTo(201);
    }

    @Test
    void aDefaultOrForwardingNumberNoPhoneCanHaveIs422NamingTheFieldAndSayingWhy() {
        // +7495777: seven digits where a Russian number has eleven.
        assertInvalid(create("{\"name\":\"x\",\"defaultNumber\":\"+7495777\"}"), "defaultNumber", "too short");
        assertInvalid(create("{\"name\":\"x\",\"defaultNumber\":\"+7 495 123-45-67-89\"}"), "defaultNumber", "this one has 12");
        assertInvalid(create("{\"name\":\"x\",\"defaultNumber\":\"+1 202 555 01234\"}"), "defaultNumber", "too long");
        assertInvalid(create("{\"name\":\"x\",\"defaultNumber\":\"+99912345678\"}"), "defaultNumber", "country");

        Map<String, String> site = server.siteWithPool(List.of());
        assertInvalid(patch(site, "{\"forwardTo\":\"+7495777\"}"), "forwardTo", "10 or 14 digits after the country code, this one has 6");
        assertInvalid(patch(site, "{\"defaultNumber\":\"+7495777\"}"), "defaultNumber", "too short");
        assertThat(server.get("/v1/sites/" + site.get("siteId"), site.get("apiKey")).text("defaultNumber")).isEqualTo("+74951234567");

        // Numbers libphonenumber does not know as assigned (fictional 555 numbers) are still taken.
        Reply fictional = create("{\"name\":\"US demo\",\"defaultNumber\":\"+15555550123\"}");
        assertThat(fictional.status()).as(fictional.body()).isEqualTo(201);
    }

    @Test
    void aTimeZoneMustBeAnIanaRegionNotAFixedOffset() {
        assertInvalid(create("{\"name\":\"tz\",\"defaultNumber\":\"+74957770200\",\"timeZone\":\"UTC+3\"}"), "timeZone", "IANA");
        Map<String, String> site = server.siteWithPool(List.of());
        for (String offset : List.of("+05:00", "UTC+03:00", "GMT+3", "Z", "Mars/Olympus")) {
            assertInvalid(patch(site, "{\"timeZone\":\"" + offset + "\"}"), "timeZone", "IANA");
        }
        assertThat(server.get("/v1/sites/" + site.get("siteId"), site.get("apiKey")).text("timeZone")).isEqualTo("Europe/Moscow");
        for (String zone : List.of("UTC", "Etc/GMT-3", "Asia/Yekaterinburg")) {
            Reply taken = patch(site, "{\"timeZone\":\"" + zone + "\"}");
            assertThat(taken.status()).as(zone + ": " + taken.body()).isEqualTo(200);
            assertThat(taken.text("timeZone")).isEqualTo(zone);
        }
    }

    @Test
    void aUnicodeDomainIsKeptInTheAsciiFormBrowsersSendAndAllowsTheirOrigin() {
        Map<String, String> site = server.siteWithPool(List.of("+74957771001", "+74957771002", "+74957771003"));
        Reply patched = patch(site, "{\"domains\":[\"пример.рф\", \"https://www.Магазин.пример.рф/каталог\"]}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().get("domains")).extracting(d -> d.asText())
                .containsExactly("xn--e1afmkfd.xn--p1ai", "xn--80aairftm.xn--e1afmkfd.xn--p1ai");

        // A browser on https://пример.рф sends the origin in ASCII; a subdomain is the site too.
        for (String origin : List.of("https://xn--e1afmkfd.xn--p1ai", "https://shop.xn--e1afmkfd.xn--p1ai")) {
            Reply start = startFrom(site, origin);
            assertThat(start.status()).as(origin + ": " + start.body()).isEqualTo(201);
        }
        Reply elsewhere = startFrom(site, "https://other.test");
        assertThat(elsewhere.status()).isEqualTo(403);
        assertThat(elsewhere.errorCode()).isEqualTo("origin_not_allowed");

        assertInvalid(patch(site, "{\"domains\":[\"пример .рф\"]}"), "domains[0]", "not a host name");
    }

    /**
     * Audit AG1 F6: heartbeat 10 s with a grace of 5 s was accepted, and closing one of a visitor's two
     * tabs ended the lease under the other before its next heartbeat. The grace must outlast a
     * heartbeat period; 0 (end at once) stays a choice, and the defaults (30 s, 45 s) pass.
     */
    @Test
    void anEndGraceNoLongerThanAHeartbeatIsRefusedNamingTheFieldThatChanged() {
        Map<String, String> site = server.siteWithPool(List.of("+74957772001"));

        assertInvalid(patch(site, "{\"heartbeatSeconds\":10,\"endGraceSeconds\":5,\"leaseTtlSeconds\":60}"), "endGraceSeconds",
                "'endGraceSeconds' (5) must be 0 or longer than 'heartbeatSeconds' (10)");
        assertInvalid(patch(site, "{\"endGraceSeconds\":30}"), "endGraceSeconds", "longer than 'heartbeatSeconds' (30)");
        // the default grace is 45 s: a heartbeat that long would leave it no longer than a period
        assertInvalid(patch(site, "{\"heartbeatSeconds\":45}"), "heartbeatSeconds", "'endGraceSeconds' (45)");

        Reply atOnce = patch(site, "{\"heartbeatSeconds\":10,\"endGraceSeconds\":0,\"leaseTtlSeconds\":60}");
        assertThat(atOnce.status()).as(atOnce.body()).isEqualTo(200);
        assertThat(atOnce.json().path("endGraceSeconds").asInt()).isZero();
        Reply longer = patch(site, "{\"endGraceSeconds\":11}");
        assertThat(longer.status()).as(longer.body()).isEqualTo(200);
        assertThat(longer.json().path("endGraceSeconds").asInt()).isEqualTo(11);
    }

    static Reply startFrom(Map<String, String> site, String origin) {
        return server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey") + "\",\"url\":\"" + origin + "/\"}",
                "application/json", Map.of("User-Agent", TestServer.CHROME, "Origin", origin));
    }
}
