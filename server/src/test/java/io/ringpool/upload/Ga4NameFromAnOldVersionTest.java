package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.config.ConfigLoader;
import io.ringpool.webhook.Receiver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session 32, conversions out #3: a GA4 destination made before session 31 checked event names
 * could keep one GA4 drops without a word ("Session_Start", "phone call"); its uploads went out
 * and vanished. It now shows the problem, sends nothing (each upload failed, with the reason), and
 * a PATCH that fixes the name sends what it held back (session 33: until then each delivery was
 * retried by hand), while a delivery that went out and failed stays failed.
 */
class Ga4NameFromAnOldVersionTest {
    @TempDir
    Path dir;

    static final Instant T0 = Instant.parse("2027-03-02T07:00:00Z");

    @Test
    void aDestinationWithANameGa4DropsShowsTheProblemSendsNothingAndAPatchFixesIt() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20),
                Clock.fixed(T0, ZoneOffset.UTC));
                Receiver ga4 = new Receiver(n -> 204)) {
            Map<String, String> site = server.siteWithPool(List.of("+74956670001"));
            String key = site.get("apiKey");
            Reply created = server.post("/v1/sites/" + site.get("siteId") + "/destinations", key, Map.of("type", "ga4",
                    "measurementId", "G-TEST12345", "apiSecret", PlatformDouble.GA4_SECRET, "baseUrl", ga4.url("")));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(created.json().get("problems")).isEmpty();
            String id = created.text("destinationId");
            String one = "/v1/sites/" + site.get("siteId") + "/destinations/" + id;
            // As a version before session 31 stored it: a name GA4 reserves, which POST now refuses.
            try (Connection c = DriverManager.getConnection(ConfigLoader.defaultH2Url(dir));
                    PreparedStatement ps = c.prepareStatement("UPDATE destinations SET settings_json = ? WHERE destination_id = ?")) {
                ps.setString(1, "{\"measurementId\":\"G-TEST12345\",\"baseUrl\":\"" + ga4.url("") + "\",\"eventName\":\"Session_Start\"}");
                ps.setString(2, id);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }

            JsonNode shown = server.get(one, key).json();
            assertThat(shown.get("problems")).hasSize(1);
            assertThat(shown.get("problems").get(0).get("field").asText()).isEqualTo("eventName");
            assertThat(shown.get("problems").get(0).get("message").asText()).contains("session_start");
            JsonNode listed = server.get("/v1/sites/" + site.get("siteId") + "/destinations", key).json().get("destinations").get(0);
            assertThat(listed.get("problems").get(0).get("field").asText()).isEqualTo("eventName");

            UploadRetriedDuringItsAttemptTest.visitAndCall(server, site, "old-name-1");
            EndpointHeldByRetryAfterTest.await(() -> EndpointHeldByRetryAfterTest.deliveries(server, site, one).size() == 1
                    && EndpointHeldByRetryAfterTest.deliveries(server, site, one).get(0).get("state").asText().equals("failed"));
            assertThat(ga4.received()).as("nothing sent under a name GA4 drops").isEmpty();
            JsonNode delivery = EndpointHeldByRetryAfterTest.deliveries(server, site, one).get(0);
            assertThat(delivery.get("attempts").asInt()).as("given up at once: no retry fixes a setting").isEqualTo(1);
            assertThat(delivery.get("lastError").asText()).contains("eventName").contains("PATCH");
            JsonNode upload = server.get(one + "/uploads", key).json().get("uploads").get(0);
            assertThat(upload.get("status").asText()).isEqualTo("failed");
            assertThat(upload.get("error").asText()).startsWith("not sent: 'eventName'");

            Reply stillBad = server.send("PATCH", one, key, "{\"eventName\": \"phone call\"}", "application/json", Map.of());
            assertThat(stillBad.status()).as(stillBad.body()).isEqualTo(422);
            assertThat(stillBad.json().get("error").get("field").asText()).isEqualTo("eventName");
            Reply typeChange = server.send("PATCH", one, key, "{\"type\": \"google-ads-calls\"}", "application/json", Map.of());
            assertThat(typeChange.status()).isEqualTo(422);
            Reply unknown = server.send("PATCH", one, key, "{\"counterId\": \"123\"}", "application/json", Map.of());
            assertThat(unknown.status()).isEqualTo(400);

            Reply fixed = server.send("PATCH", one, key, "{\"eventName\": \"phone_call_answered\"}", "application/json", Map.of());
            assertThat(fixed.status()).as(fixed.body()).isEqualTo(200);
            assertThat(fixed.json().get("problems")).isEmpty();
            assertThat(fixed.json().get("settings").get("eventName").asText()).isEqualTo("phone_call_answered");
            assertThat(fixed.json().get("settings").get("measurementId").asText()).as("the rest stays").isEqualTo("G-TEST12345");
            assertThat(server.get(one, key).json().get("problems")).isEmpty();

            server.app.outbox().deliverDueNow();
            EndpointHeldByRetryAfterTest.await(() -> EndpointHeldByRetryAfterTest.deliveries(server, site, one).get(0).get("state")
                    .asText().equals("delivered"));
            assertThat(EndpointHeldByRetryAfterTest.deliveries(server, site, one).get(0).get("deliveryId").asText())
                    .as("the delivery held back, sent by the fix alone").isEqualTo(delivery.get("deliveryId").asText());
            assertThat(ga4.received()).hasSize(1);
            assertThat(ga4.received().get(0).body()).contains("\"name\":\"phone_call_answered\"");
            assertThat(ga4.received().get(0).path()).as("the credentials kept through the PATCH")
                    .contains("api_secret=" + PlatformDouble.GA4_SECRET);
        }
    }
}
