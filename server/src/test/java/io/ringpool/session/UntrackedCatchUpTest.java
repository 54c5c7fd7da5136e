package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10, item 7: a visit shown the default number because the pool was full gets a number once one frees. */
class UntrackedCatchUpTest {
    @TempDir
    Path dir;

    @Test
    void aVisitorShownTheDefaultNumberGetsAFreedNumberOnALaterHeartbeatAndCallsAfterThatAreTheirs() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74957000001"));
            server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    "{\"exhaustionPolicy\":\"fallback\",\"coolDownSeconds\":60,\"endGraceSeconds\":0}", "application/json", Map.of());
            Reply first = server.startSession(site.get("publicKey"), "holder", "https://example.com/");
            Reply waiting = server.startSession(site.get("publicKey"), "waiting", "https://example.com/?utm_source=x");
            assertThat(waiting.json().get("tracked").asBoolean()).isFalse();
            assertThat(waiting.text("reason")).isEqualTo("pool_exhausted");
            String session = waiting.text("sessionId");

            Reply stillFull = server.post("/v1/sessions/" + session + "/heartbeat", null, null);
            assertThat(stillFull.json().get("tracked").asBoolean()).isFalse();
            assertThat(stillFull.text("number")).isEqualTo("+74951234567");

            server.post("/v1/sessions/" + first.text("sessionId") + "/end", null, null);
            server.clock.advance(Duration.ofSeconds(30));
            server.app.sessions().sweep();
            Reply cooling = server.post("/v1/sessions/" + session + "/heartbeat", null, null);
            assertThat(cooling.json().get("tracked").asBoolean()).as("a number still cooling for its last visitor is not taken").isFalse();

            server.clock.advance(Duration.ofSeconds(31));
            Reply caughtUp = server.post("/v1/sessions/" + session + "/heartbeat", null, null);
            assertThat(caughtUp.status()).isEqualTo(200);
            assertThat(caughtUp.json().get("tracked").asBoolean()).isTrue();
            assertThat(caughtUp.text("number")).isEqualTo("+74957000001");

            Reply again = server.post("/v1/sessions/" + session + "/heartbeat", null, null);
            assertThat(again.text("number")).isEqualTo("+74957000001");
            Reply pool = server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey"));
            assertThat(pool.json().get("leased").asInt()).isEqualTo(1);
            assertThat(pool.json().get("exhaustions").asInt()).as("trying again is not an exhaustion").isEqualTo(1);

            server.clock.advance(Duration.ofSeconds(5));
            String body = "{\"callId\":\"pbx-catch-up\",\"event\":\"ringing\",\"from\":\"+79161234567\",\"to\":\"+74957000001\"}";
            Reply call = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                    Map.of("X-Ringpool-Signature", io.ringpool.call.Signing.ringpool(site.get("webhookSecret"),
                            server.clock.instant().getEpochSecond(), body)));
            assertThat(call.status()).as(call.body()).isEqualTo(200);
            assertThat(call.json().path("attribution").path("method").asText()).isEqualTo("active");
            assertThat(call.json().path("attribution").path("sessionId").asText()).isEqualTo(session);
        }
    }
}
