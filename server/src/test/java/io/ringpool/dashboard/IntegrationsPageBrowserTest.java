package io.ringpool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import io.ringpool.testing.browser.HeadlessChromium;
import io.ringpool.webhook.Receiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The integrations page in headless Chromium (skipped without chromium and chromedriver): a
 * webhook whose receiver is down shows its failures, and the retry button delivers once it is up.
 */
class IntegrationsPageBrowserTest {
    /** One browser for both tests: each signs in on a server of its own, another origin, so nothing carries over. */
    @RegisterExtension
    static final HeadlessChromium chromium = HeadlessChromium.window(1280, 900);

    @TempDir
    Path dir;

    @Test
    void aFailedWebhookDeliveryIsShownAndItsRetryButtonDeliversIt() throws Exception {
        AtomicBoolean up = new AtomicBoolean(false);
        try (Receiver receiver = new Receiver(n -> up.get() ? 200 : 500);
                // The server's clock stands still, so the outbox's own backoff (first retry after
                // 5-10 s) never comes before the button on a slow machine: only the click retries.
                TestServer server = new TestServer(dir.resolve("store"), Map.of("outbound.allow", List.of("127.0.0.1")),
                        java.time.Clock.fixed(java.time.Instant.now(), java.time.ZoneOffset.UTC))) {
            Map<String, String> site = server.siteWithPool(List.of("+74957770001"));
            String webhookId = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                    Map.of("url", receiver.url("/crm"), "events", List.of("call.started"))).text("webhookId");
            server.post("/v1/sites/" + site.get("siteId") + "/feeds", site.get("apiKey"), Map.of("format", "yandex-calls", "target", true));
            String destinationId = server.post("/v1/sites/" + site.get("siteId") + "/destinations", site.get("apiKey"),
                    Map.of("type", "ga4", "measurementId", "G-PAGE12345", "apiSecret", "page-secret-0123456789",
                            "filter", Map.of("target", true, "tag", "sale"))).text("destinationId");
            String body = new String(Json.write(Map.of("callId", "page-1", "event", "ringing", "from", "+79160001234",
                    "to", "+74957770001")), StandardCharsets.UTF_8);
            server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (receiver.received().isEmpty() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(receiver.received()).hasSize(1);
            // Session 32: a destination held by its platform's Retry-After, and one event name stored by a version
            // before GA4's naming checks: the page says both where the destination is shown.
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                    io.ringpool.config.ConfigLoader.defaultH2Url(dir.resolve("store")));
                    java.sql.Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO outbox_holds(target_id, target_kind, held_until, created_at) VALUES ('" + destinationId
                        + "', 'destination', " + server.clock.instant().plusSeconds(120).toEpochMilli() + ", 0)");
                st.executeUpdate("UPDATE destinations SET settings_json = "
                        + "'{\"measurementId\":\"G-PAGE12345\",\"eventName\":\"ga_call\"}' WHERE destination_id = '" + destinationId + "'");
            }

            ChromeDriver driver = chromium.driver();
            chromium.signInWithKey(server.base(), site.get("apiKey"));
            driver.get(server.base() + "/dashboard/integrations.html");
            chromium.waitFor(d -> !d.findElements(By.cssSelector("tr[data-webhook='" + webhookId + "']")).isEmpty());

            WebElement row = driver.findElement(By.cssSelector("tr[data-webhook='" + webhookId + "']"));
            assertThat(row.getText()).contains(receiver.url("/crm")).contains("retrying").contains("HTTP 500").contains("1 pending");
            assertThat(row.findElements(By.cssSelector("[data-failing]"))).as("a failing webhook says so on its row (audit AN2 F5)")
                    .hasSize(1);
            assertThat(row.getText()).contains("failing").contains("every attempt since");
            assertThat(driver.findElements(By.cssSelector("#feeds tr[data-feed]"))).hasSize(1);
            assertThat(driver.findElement(By.cssSelector("#feeds tr[data-feed]")).getText()).contains("yandex-calls: target calls")
                    .as("who made it (audit AM2 F10)").contains("made by the site key");
            assertThat(driver.findElement(By.cssSelector("tr[data-destination='" + destinationId + "']")).getText())
                    .as("the destination's filter, which decides what counts as a conversion").contains("uploads: target calls, tag sale")
                    .contains("held until").contains("not sending").contains("'eventName' must not start with ga_");
            chromium.shot("integrations-1280x900", 1280, 900);

            up.set(true);
            row.findElement(By.cssSelector("button[data-retry]")).click();
            chromium.waitFor(d -> receiver.received().size() == 2);
            chromium.waitFor(d -> d.findElement(By.cssSelector("tr[data-webhook='" + webhookId + "']")).getText().contains("1 delivered"));
            assertThat(receiver.received().get(1).answered()).isEqualTo(200);
        }
    }

    /**
     * Session 37: after an outage the page could retry only the last delivery or one of the newest
     * 20; "Retry all failed" queues every failed one again and enables the disabled webhook.
     */
    @Test
    void retryAllFailedSendsEveryFailedDeliveryAgainAndEnablesTheWebhook() throws Exception {
        try (Receiver receiver = new Receiver(n -> 200);
                TestServer server = new TestServer(dir.resolve("store"), Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.paused", true),
                        java.time.Clock.fixed(java.time.Instant.now(), java.time.ZoneOffset.UTC))) {
            Map<String, String> site = server.siteWithPool(List.of("+74957770001", "+74957770002"));
            String webhookId = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                    Map.of("url", receiver.url("/crm"), "events", List.of("call.started"))).text("webhookId");
            for (String call : List.of("all-1", "all-2")) {
                String body = new String(Json.write(Map.of("callId", call, "event", "ringing", "from", "+79160001234",
                        "to", call.endsWith("1") ? "+74957770001" : "+74957770002")), StandardCharsets.UTF_8);
                server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                        Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
            }
            // As a day of failures leaves it (paused, so nothing was sent): disabled, both deliveries given up.
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                    io.ringpool.config.ConfigLoader.defaultH2Url(dir.resolve("store")));
                    java.sql.Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE webhooks SET disabled_at = 1, disabled_reason = 'every delivery failed for 24 h' "
                        + "WHERE webhook_id = '" + webhookId + "'");
                assertThat(st.executeUpdate("UPDATE outbox_deliveries SET state = 'failed', last_error = 'webhook disabled' "
                        + "WHERE target_id = '" + webhookId + "'")).isEqualTo(2);
            }

            ChromeDriver driver = chromium.driver();
            chromium.signInWithKey(server.base(), site.get("apiKey"));
            driver.get(server.base() + "/dashboard/integrations.html");
            chromium.waitFor(d -> !d.findElements(By.cssSelector("tr[data-webhook='" + webhookId + "']")).isEmpty());
            WebElement row = driver.findElement(By.cssSelector("tr[data-webhook='" + webhookId + "']"));
            assertThat(row.getText()).contains("disabled").contains("2 failed").contains("outbound paused");

            row.findElement(By.cssSelector("button[data-retry-all]")).click();
            chromium.waitFor(d -> d.findElement(By.id("status")).getText().contains("Queued 2 failed deliveries again"));
            chromium.waitFor(d -> d.findElement(By.cssSelector("tr[data-webhook='" + webhookId + "']")).getText().contains("2 pending"));
            assertThat(driver.findElement(By.cssSelector("tr[data-webhook='" + webhookId + "']")).getText()).contains("enabled");
            assertThat(driver.findElement(By.id("status")).getText()).contains("paused");
            assertThat(receiver.received()).as("paused: queued, not sent").isEmpty();
        }
    }
}
