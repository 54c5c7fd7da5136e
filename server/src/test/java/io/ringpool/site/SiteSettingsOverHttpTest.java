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

/** Site settings the audit of s27 found accepted against the documentation (item 5): numbers no phone can have. */
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
}
