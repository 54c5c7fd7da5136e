package io.ringpool.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ringpool.app.Ringpool;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Audit P #6 and #10: a restored copy started beside the live server sent the live server's pending
 * deliveries at once, and the backlog of a dead endpoint was visible only per webhook. With
 * {@code outbound.paused} nothing is sent and the start says so; {@code ringpool_outbox_pending{kind}}
 * shows the backlog, read by the outbox poller rather than on every scrape.
 */
class OutboundPausedTest {
    @TempDir
    Path dir;

    @Test
    void aPausedServerSendsNothingKeepsItPendingAndTheNextStartSendsIt() throws Exception {
        Map<String, Object> paused = Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20, "outbound.paused", true);
        Logger startLog = (Logger) LoggerFactory.getLogger(Ringpool.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        startLog.addAppender(log);
        String deliveries;
        Map<String, String> site;
        try (Receiver receiver = new Receiver(n -> 200)) {
            try (TestServer server = new TestServer(dir, paused)) {
                assertThat(log.list).anyMatch(e -> e.getFormattedMessage().startsWith("outbound_paused pending={} (outbound.paused"));
                assertThat(server.app.registry().scrape()).contains("ringpool_outbox_pending{kind=\"webhook\",state=\"waiting\"} 0.0")
                        .contains("ringpool_outbox_pending{kind=\"destination\",state=\"waiting\"} 0.0");
                site = server.siteWithPool(List.of("+74957770001", "+74957770002"));
                Reply created = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                        Map.of("url", receiver.url("/hook"), "events", List.of("call.started")));
                assertThat(created.status()).as(created.body()).isEqualTo(201);
                deliveries = "/v1/sites/" + site.get("siteId") + "/webhooks/" + created.text("webhookId") + "/deliveries";
                WebhookDisabledWhileItsOtherAttemptRecordsTest.callStarted(server, site, "paused-1", "+74957770011");

                server.clock.advance(Duration.ofSeconds(11)); // the gauge is read every 10 s of the server's clock
                WebhookDisabledWhileItsOtherAttemptRecordsTest.waitFor(() -> server.app.registry().scrape()
                        .contains("ringpool_outbox_pending{kind=\"webhook\",state=\"waiting\"} 1.0"), Duration.ofSeconds(10));
                assertThat(server.app.registry().scrape()).contains("ringpool_outbox_pending{kind=\"webhook\",state=\"waiting\"} 1.0");
                Thread.sleep(500); // 25 polls
                assertThat(receiver.received()).as("paused: nothing sent").isEmpty();
                assertThat(RetryWhileInFlightTest.state(server, deliveries, site)).isEqualTo("pending");
            }
            log.list.clear();
            try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20))) {
                Map<String, String> s = site;
                String d = deliveries;
                assertThat(log.list).noneMatch(e -> e.getFormattedMessage().startsWith("outbound_paused"));
                WebhookDisabledWhileItsOtherAttemptRecordsTest.waitFor(() -> "delivered".equals(RetryWhileInFlightTest.state(server, d, s)),
                        Duration.ofSeconds(10));
                assertThat(receiver.received()).hasSize(1);
            }
        } finally {
            startLog.detachAppender(log);
        }
    }

    /**
     * Session 37, audit finding 5: while paused, a webhook showed enabled and not held, its
     * deliveries due in the past, and a retry answered 202 "sent again now" and sent nothing. The
     * pause shows on webhooks and destinations, and a retry's answer says it only queued.
     */
    @Test
    void aPausedServerSaysSoOnItsWebhooksDestinationsAndRetries() throws Exception {
        Map<String, Object> paused = Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20, "outbound.paused", true);
        try (Receiver receiver = new Receiver(n -> 200); TestServer server = new TestServer(dir, paused)) {
            Map<String, String> site = server.siteWithPool(List.of("+74957770001", "+74957770002"));
            String key = site.get("apiKey");
            Reply created = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", key,
                    Map.of("url", receiver.url("/hook"), "events", List.of("call.started")));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(created.json().get("paused").asBoolean()).isTrue();
            String webhook = "/v1/sites/" + site.get("siteId") + "/webhooks/" + created.text("webhookId");
            assertThat(server.get(webhook, key).json().get("paused").asBoolean()).isTrue();
            assertThat(server.get("/v1/sites/" + site.get("siteId") + "/webhooks", key).json().get("webhooks").get(0).get("paused")
                    .asBoolean()).isTrue();
            Reply destination = server.post("/v1/sites/" + site.get("siteId") + "/destinations", key, Map.of("type", "ga4",
                    "measurementId", "G-TEST12345", "apiSecret", "ga4-api-secret", "baseUrl", receiver.url("")));
            assertThat(destination.status()).as(destination.body()).isEqualTo(201);
            assertThat(destination.json().get("paused").asBoolean()).isTrue();
            assertThat(server.get("/v1/sites/" + site.get("siteId") + "/destinations/" + destination.text("destinationId"), key).json()
                    .get("paused").asBoolean()).isTrue();

            WebhookDisabledWhileItsOtherAttemptRecordsTest.callStarted(server, site, "paused-1", "+74957770011");
            String deliveryId = server.get(webhook + "/deliveries", key).json().get("deliveries").get(0).get("deliveryId").asText();
            Reply retried = server.post(webhook + "/deliveries/" + deliveryId + "/retry", key, null);
            assertThat(retried.status()).as(retried.body()).isEqualTo(202);
            assertThat(retried.json().get("paused").asBoolean()).as("queued, and nothing is sent from this node").isTrue();
            Reply all = server.post(webhook + "/deliveries/retry", key, Map.of("state", "pending"));
            assertThat(all.status()).as(all.body()).isEqualTo(202);
            assertThat(all.json().get("paused").asBoolean()).isTrue();
            assertThat(all.json().get("queued").asInt()).isEqualTo(1);
            Thread.sleep(300); // 15 polls
            assertThat(receiver.received()).as("paused: nothing sent").isEmpty();
        }
    }

    /** Audit P #10: a dead endpoint's backlog was visible only through GET …/webhooks/{id}. */
    @Test
    void theBacklogOfAnEndpointThatIsDownShowsInTheGauge() throws Exception {
        try (Receiver receiver = new Receiver(n -> 503);
                TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20))) {
            Map<String, String> site = server.siteWithPool(List.of("+74957770001", "+74957770002"));
            Reply created = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                    Map.of("url", receiver.url("/down"), "events", List.of("call.started")));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            WebhookDisabledWhileItsOtherAttemptRecordsTest.callStarted(server, site, "down-1", "+74957770011");
            WebhookDisabledWhileItsOtherAttemptRecordsTest.waitFor(() -> !receiver.received().isEmpty(), Duration.ofSeconds(10));
            assertThat(server.app.registry().scrape()).contains("ringpool_outbox_pending{kind=\"webhook\",state=\"waiting\"} 0.0");

            server.clock.advance(Duration.ofSeconds(11));
            WebhookDisabledWhileItsOtherAttemptRecordsTest.waitFor(() -> server.app.registry().scrape()
                    .contains("ringpool_outbox_pending{kind=\"webhook\",state=\"waiting\"} 1.0"), Duration.ofSeconds(10));
            assertThat(server.app.registry().scrape()).contains("ringpool_outbox_pending{kind=\"webhook\",state=\"waiting\"} 1.0");
        }
    }

    /**
     * Audit P #10: these counters appeared only at their first event after each start, so
     * {@code increase()} missed that event; they exist at 0 from the start now.
     */
    @Test
    void theCountersAnOperatorAlertsOnExistAtZeroAfterARestart() throws Exception {
        String siteId;
        try (TestServer server = new TestServer(dir)) {
            siteId = server.siteWithPool(List.of("+74957770001")).get("siteId");
        }
        try (TestServer server = new TestServer(dir)) {
            String scrape = server.app.registry().scrape();
            assertThat(scrape)
                    .contains("ringpool_sessions_started_total{outcome=\"free\",site=\"" + siteId + "\",tracked=\"true\"} 0.0")
                    .contains("ringpool_sessions_started_total{outcome=\"pool_exhausted\",site=\"" + siteId + "\",tracked=\"false\"} 0.0")
                    .contains("ringpool_calls_received_total{provider=\"generic\",status=\"completed\"} 0.0")
                    .contains("ringpool_calls_received_total{provider=\"twilio\",status=\"ringing\"} 0.0")
                    .contains("ringpool_webhooks_rejected_total{provider=\"generic\",reason=\"mismatch\"} 0.0")
                    .contains("ringpool_webhooks_rejected_total{provider=\"twilio\",reason=\"unknown_site\"} 0.0");
        }
    }
}
