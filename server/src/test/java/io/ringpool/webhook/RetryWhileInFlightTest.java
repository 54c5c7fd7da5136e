package io.ringpool.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit F, session 28: a delivery retried by hand while its attempt was in flight was answered 200
 * by the receiver and never recorded. The attempt was numbered from the claim, the retry had taken
 * the lease, and every later recording collided with the log's key: the delivery stayed pending and
 * was sent again every lease, past its deadline. Now the receiver's 200 marks it delivered, and
 * the log numbers its attempts as they happened.
 */
class RetryWhileInFlightTest {
    @TempDir
    Path dir;

    @Test
    void aDeliveryRetriedWhileItsAttemptIsInFlightIsDeliveredOnceItsAnswerComes() throws Exception {
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20));
                Receiver receiver = new Receiver(n -> {
                    if (n == 1) {
                        inFlight.countDown();
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return 200;
                })) {
            Map<String, String> site = server.siteWithPool(List.of("+74957770001", "+74957770002"));
            Reply created = server.post("/v1/sites/" + site.get("siteId") + "/webhooks", site.get("apiKey"),
                    Map.of("url", receiver.url("/slow"), "events", List.of("call.started")));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String deliveries = "/v1/sites/" + site.get("siteId") + "/webhooks/" + created.text("webhookId") + "/deliveries";
            WebhookDisabledWhileItsOtherAttemptRecordsTest.callStarted(server, site, "inflight-1", "+74957770011");
            assertThat(inFlight.await(10, TimeUnit.SECONDS)).as("the first attempt reached the receiver").isTrue();

            String deliveryId = server.get(deliveries, site.get("apiKey")).json().get("deliveries").get(0).get("deliveryId").asText();
            Reply retried = server.post(deliveries + "/" + deliveryId + "/retry", site.get("apiKey"), null);
            assertThat(retried.status()).as(retried.body()).isEqualTo(202);
            release.countDown();

            WebhookDisabledWhileItsOtherAttemptRecordsTest.waitFor(() -> "delivered".equals(state(server, deliveries, site)),
                    Duration.ofSeconds(10));
            assertThat(state(server, deliveries, site)).isEqualTo("delivered");
            int sent = receiver.received().size();
            Thread.sleep(1_500);
            assertThat(receiver.received()).as("no further sends once delivered").hasSize(sent);
            assertThat(sent).as("the retry sent it at most once more").isLessThanOrEqualTo(2);
            JsonNode delivery = server.get(deliveries, site.get("apiKey")).json().get("deliveries").get(0);
            assertThat(delivery.get("attempts").asInt()).isEqualTo(delivery.get("log").size());
        }
    }

    static String state(TestServer server, String deliveries, Map<String, String> site) {
        return server.get(deliveries, site.get("apiKey")).json().get("deliveries").get(0).get("state").asText();
    }
}
