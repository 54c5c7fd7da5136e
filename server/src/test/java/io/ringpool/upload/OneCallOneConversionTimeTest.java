package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
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
 * Audit F #4: a call that rang at 10:00:00 and ended five minutes later went to Google and Metrica
 * with its end from the upload destinations but with its start from the exports and feeds, so a
 * site using both (or moving from one to the other) had each call counted twice. Every path now
 * dates a conversion by the call's end (its start while the end is unknown).
 */
class OneCallOneConversionTimeTest {
    @TempDir
    Path dir;

    static final Instant RANG = Instant.parse("2027-03-02T07:00:00Z"); // 10:00:00 in Moscow
    static final Instant ENDED = RANG.plus(Duration.ofMinutes(5));

    @Test
    void theExportsAndTheUploadsDateACallByTheSameInstant() throws Exception {
        try (PlatformDouble platform = new PlatformDouble();
                TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20),
                        Clock.fixed(RANG.minusSeconds(30), ZoneOffset.UTC))) {
            Map<String, String> site = server.siteWithPool(List.of("+74955550001"));
            String sitePath = "/v1/sites/" + site.get("siteId");
            Map<String, Object> clicks = new LinkedHashMap<>(Map.of("type", "google-ads-clicks", "customerId", "123-456-7890",
                    "conversionAction", "555", "clientId", PlatformDouble.GOOGLE_CLIENT_ID, "clientSecret", PlatformDouble.GOOGLE_CLIENT_SECRET,
                    "refreshToken", PlatformDouble.GOOGLE_REFRESH, "developerToken", PlatformDouble.DEVELOPER_TOKEN, "baseUrl", platform.base(),
                    "tokenUrl", platform.base() + "/token"));
            assertThat(server.post(sitePath + "/destinations", site.get("apiKey"), clicks).status()).isEqualTo(201);
            assertThat(server.post(sitePath + "/destinations", site.get("apiKey"), Map.of("type", "yandex-metrica-offline", "counterId",
                    "22222222", "target", "phone_call", "oauthToken", PlatformDouble.YANDEX_TOKEN, "baseUrl", platform.base())).status())
                    .isEqualTo(201);

            Reply visit = server.send("POST", "/v1/sessions", null, new String(Json.write(Map.of("siteKey", site.get("publicKey"),
                    "visitorId", "visitor-one-time", "url", "https://example.com/?gclid=Cj0KCQ-one-time",
                    "clientIds", Map.of("ym", "1700000000123456789"))), StandardCharsets.UTF_8), "application/json",
                    Map.of("User-Agent", TestServer.CHROME));
            assertThat(visit.status()).as(visit.body()).isEqualTo(201);
            server.clock.advance(Duration.between(server.clock.instant(), RANG));
            event(server, site, "ringing", visit.text("number"));
            server.clock.advance(Duration.between(server.clock.instant(), ENDED));
            event(server, site, "completed", visit.text("number"));

            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (metricaUpload(platform) == null && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            server.clock.advance(GoogleTooRecent.HOLD); // Google Ads takes the call only then (GoogleAdsSixHourRuleTest)
            server.app.outbox().deliverDueNow();
            while (adsUpload(platform) == null && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            JsonNode uploaded = adsUpload(platform);
            assertThat(uploaded).as("uploaded to Google Ads").isNotNull();
            String uploadedTime = uploaded.get("conversions").get(0).get("conversionDateTime").asText();
            assertThat(uploadedTime).isEqualTo("2027-03-02 10:05:00+03:00");
            String metricaRow = metricaUpload(platform);
            assertThat(metricaRow).isEqualTo("1700000000123456789,phone_call," + ENDED.getEpochSecond() + ",,");

            String range = "?from=2027-03-01&to=2027-03-03";
            String google = server.get(sitePath + "/exports/google-ads-clicks.csv" + range, site.get("apiKey")).body();
            assertThat(google.split("\r\n")[2]).isEqualTo("Cj0KCQ-one-time,Phone call,2027-03-02 10:05:00,,RUB");
            String yandex = server.get(sitePath + "/exports/yandex-offline.csv" + range + "&conversionName=phone_call", site.get("apiKey"))
                    .body();
            assertThat(yandex.split("\r\n")[1]).isEqualTo(metricaRow);
            String enhanced = server.get(sitePath + "/exports/google-enhanced.csv" + range, site.get("apiKey")).body();
            assertThat(enhanced.split("\r\n")[2]).contains(",2027-03-02 10:05:00,");
            String centre = server.get(sitePath + "/exports/yandex-conversion-center.csv" + range, site.get("apiKey")).body();
            assertThat(centre.split("\r\n")[1]).contains(";2027-03-02 10:05:00;");
        }
    }

    static JsonNode adsUpload(PlatformDouble platform) {
        return platform.seen().stream().filter(s -> s.path().endsWith(":uploadClickConversions")).map(s -> (JsonNode) s.parsed())
                .findFirst().orElse(null);
    }

    static String metricaUpload(PlatformDouble platform) {
        return platform.seen().stream().filter(s -> s.path().endsWith("/offline_conversions/upload"))
                .map(s -> ((List<?>) s.parsed()).get(1).toString()).findFirst().orElse(null);
    }

    static void event(TestServer server, Map<String, String> site, String kind, String to) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", "one-time-1");
        e.put("event", kind);
        e.put("from", "+79161112233");
        e.put("to", to);
        if (kind.equals("completed")) {
            e.put("talkSeconds", 280);
            e.put("durationSeconds", 300);
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
}
