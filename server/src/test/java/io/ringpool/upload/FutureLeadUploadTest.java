package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit N #5: a lead may be dated up to 5 minutes ahead of the server (a CRM whose clock runs
 * fast), and it went up at once with that future time; Metrica refuses a DateTime not yet reached,
 * and the refused file was retried with every call batched with it. The upload now dates such a
 * conversion at the moment it is sent.
 */
class FutureLeadUploadTest {
    @TempDir
    Path dir;

    static final Instant NOW = Instant.parse("2027-03-02T07:00:00Z"); // 10:00:00 in Moscow
    static final Instant AHEAD = NOW.plus(Duration.ofMinutes(4));

    @Test
    void aLeadDatedAheadOfTheServerGoesUpAsOfTheUploadNotInTheFuture() throws Exception {
        try (PlatformDouble platform = new PlatformDouble();
                TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20),
                        Clock.fixed(NOW, ZoneOffset.UTC))) {
            Map<String, String> site = server.siteWithPool(List.of("+74955550001"));
            String sitePath = "/v1/sites/" + site.get("siteId");
            String key = site.get("apiKey");
            Map<String, Object> clicks = new LinkedHashMap<>(Map.of("type", "google-ads-clicks", "customerId", "123-456-7890",
                    "conversionAction", "555", "clientId", PlatformDouble.GOOGLE_CLIENT_ID, "clientSecret", PlatformDouble.GOOGLE_CLIENT_SECRET,
                    "refreshToken", PlatformDouble.GOOGLE_REFRESH, "developerToken", PlatformDouble.DEVELOPER_TOKEN, "baseUrl", platform.base(),
                    "tokenUrl", platform.base() + "/token"));
            assertThat(server.post(sitePath + "/destinations", key, clicks).status()).isEqualTo(201);
            assertThat(server.post(sitePath + "/destinations", key, Map.of("type", "yandex-metrica-offline", "counterId", "22222222",
                    "target", "lead", "oauthToken", PlatformDouble.YANDEX_TOKEN, "baseUrl", platform.base())).status()).isEqualTo(201);
            assertThat(server.post(sitePath + "/destinations", key, Map.of("type", "ga4", "measurementId", "G-FUTURE123", "apiSecret",
                    PlatformDouble.GA4_SECRET, "baseUrl", platform.base())).status()).isEqualTo(201);

            Reply visit = server.send("POST", "/v1/sessions", null, new String(Json.write(Map.of("siteKey", site.get("publicKey"),
                    "visitorId", "visitor-future", "url", "https://example.com/?gclid=Cj0KCQ-future-lead",
                    "clientIds", Map.of("ym", "1700000000123456789", "ga", "GA1.1.123456789.1700000000"))), StandardCharsets.UTF_8),
                    "application/json", Map.of("User-Agent", TestServer.CHROME));
            assertThat(visit.status()).as(visit.body()).isEqualTo(201);
            Reply lead = server.post(sitePath + "/leads", key, Map.of("sessionId", visit.text("sessionId"), "phone", "+79161118801",
                    "at", AHEAD.toString()));
            assertThat(lead.status()).as(lead.body()).isEqualTo(201);
            assertThat(lead.text("at")).as("the lead keeps the time it was sent with").isEqualTo(AHEAD.toString());

            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!(sent(platform, "/offline_conversions/upload") && sent(platform, "/mp/collect")) && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            // Google Ads takes the lead 6 h 10 min later (GoogleAdsSixHourRuleTest), when its time has passed: it goes up with it.
            server.clock.advance(GoogleTooRecent.HOLD);
            server.app.outbox().deliverDueNow();
            while (!sent(platform, ":uploadClickConversions") && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            JsonNode google = (JsonNode) seen(platform, ":uploadClickConversions").parsed();
            assertThat(google.at("/conversions/0/conversionDateTime").asText()).isEqualTo("2027-03-02 10:04:00+03:00");
            String metrica = ((List<?>) seen(platform, "/offline_conversions/upload").parsed()).get(1).toString();
            assertThat(metrica).isEqualTo("1700000000123456789,lead," + NOW.getEpochSecond() + ",,");
            JsonNode ga4 = (JsonNode) seen(platform, "/mp/collect").parsed();
            assertThat(ga4.get("timestamp_micros").asLong()).isEqualTo(NOW.toEpochMilli() * 1000);
            assertThat(platform.seen()).allSatisfy(s -> assertThat(s.problems()).as(s.path()).isEmpty());
        }
    }

    static boolean sent(PlatformDouble platform, String pathEnd) {
        return platform.seen().stream().anyMatch(s -> s.path().endsWith(pathEnd));
    }

    static PlatformDouble.Seen seen(PlatformDouble platform, String pathEnd) {
        return platform.seen().stream().filter(s -> s.path().endsWith(pathEnd)).findFirst().orElseThrow();
    }
}
