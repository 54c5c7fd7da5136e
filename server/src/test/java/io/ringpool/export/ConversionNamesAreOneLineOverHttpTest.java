package io.ringpool.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A conversion name (a Metrica goal) is one line: it goes into every CSV row and upload, and a
 * line break or tab in it names no conversion action at the platform, so every row carrying it
 * failed there. Refused with 422 naming the field, in the export's query, a feed's body and a
 * destination's settings alike (audit AK2 F1); bytes that are not UTF-8 are 400 before that.
 */
class ConversionNamesAreOneLineOverHttpTest {
    @TempDir
    Path dir;

    TestServer server;
    Map<String, String> site;

    @BeforeEach
    void start() {
        server = new TestServer(dir);
        site = server.siteWithPool(List.of("+74951110001"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String sitePath() {
        return "/v1/sites/" + site.get("siteId");
    }

    @Test
    void anExportRefusesALineBreakOrTabInAConversionName() {
        for (String format : List.of("google-ads-calls", "yandex-calls", "yandex-offline", "google-ads-clicks")) {
            for (String name : List.of("conversionName", "leadConversionName")) {
                for (String value : List.of("a%0Ab,c", "a%0Db", "a%09b", "ab%0A")) {
                    Reply r = server.get(sitePath() + "/exports/" + format + ".csv?" + name + "=" + value, site.get("apiKey"));
                    assertThat(r.status()).as(format + " " + name + "=" + value + ": " + r.body()).isEqualTo(422);
                    assertThat(r.json().path("error").path("field").asText()).isEqualTo(name);
                    assertThat(r.json().path("error").path("message").asText()).contains("line break");
                }
            }
        }
        Reply fine = server.get(sitePath() + "/exports/google-ads-calls.csv?conversionName=Phone%20call%20%E2%80%94%20%D0%B7%D0%B2",
                site.get("apiKey"));
        assertThat(fine.status()).as(fine.body()).isEqualTo(200);
    }

    @Test
    void anExportRefusesAConversionNameWhoseEscapesAreNotUtf8() {
        Reply r = server.get(sitePath() + "/exports/google-ads-calls.csv?conversionName=%ff%fe", site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("malformed_query");
        assertThat(r.json().path("error").path("field").asText()).isEqualTo("conversionName");
    }

    @Test
    void aFeedRefusesALineBreakOrTabInAConversionName() {
        for (String name : List.of("conversionName", "leadConversionName")) {
            for (String value : List.of("a\nb", "a\rb", "a\tb")) {
                Reply r = server.post(sitePath() + "/feeds", site.get("apiKey"), Map.of("format", "google-ads-calls", name, value));
                assertThat(r.status()).as(name + " " + r.body()).isEqualTo(422);
                assertThat(r.json().path("error").path("field").asText()).isEqualTo(name);
            }
        }
        assertThat(server.get(sitePath() + "/feeds", site.get("apiKey")).json().path("feeds")).isEmpty();
        Reply fine = server.post(sitePath() + "/feeds", site.get("apiKey"), Map.of("format", "google-ads-calls", "conversionName",
                "Phone call"));
        assertThat(fine.status()).as(fine.body()).isEqualTo(201);
    }

    @Test
    void aDestinationRefusesALineBreakInAGoalName() {
        for (String name : List.of("target", "leadTarget")) {
            Map<String, Object> body = new java.util.HashMap<>(Map.of("type", "yandex-metrica-offline", "counterId", "22222222",
                    "target", "phone_call", "oauthToken", "y0_token-for-tests", "dryRun", true));
            body.put(name, "phone\ncall");
            Reply r = server.post(sitePath() + "/destinations", site.get("apiKey"), body);
            assertThat(r.status()).as(name + " " + r.body()).isEqualTo(422);
            assertThat(r.json().path("error").path("field").asText()).isEqualTo(name);
        }
    }
}
