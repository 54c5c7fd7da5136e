package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import io.ringpool.store.PostgresNodes;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Audit s37 #2 and #4 on two nodes sharing PostgreSQL: a static number changed or retired through
 * one node is attributed so on the other once the change's notification arrives (node two's poll
 * is a minute, so only the notification can tell it), and a number one site gave up and another
 * took is refused on the first site's endpoint of either node.
 */
class StaticNumberAcrossNodesTest {
    @RegisterExtension
    final PostgresNodes nodes = new PostgresNodes("rp_static_").namedInCluster();

    TestServer node(String name, long pollMillis) {
        return nodes.node(name, Map.of("cluster.changePollMillis", pollMillis));
    }

    static Map<String, String> site(TestServer server, String name) {
        Reply r = server.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("name", name, "defaultNumber", "+74951230000"));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return Map.of("siteId", r.text("siteId"), "apiKey", r.text("apiKey"), "webhookSecret", r.text("webhookSecret"));
    }

    static Reply call(TestServer server, Map<String, String> site, String callId, String to) {
        return call(server, site, callId, to, null);
    }

    /** A call whose event is dated {@code at} (null: the receipt), as a provider's late delivery is. */
    static Reply call(TestServer server, Map<String, String> site, String callId, String to, java.time.Instant at) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", "ringing");
        e.put("from", "+79161238001");
        e.put("to", to);
        if (at != null) {
            e.put("at", at.toString());
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        return server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
    }

    /** Waits up to {@code limitMillis} for {@code condition}. */
    static void within(long limitMillis, String what, Supplier<Boolean> condition) throws InterruptedException {
        long until = System.nanoTime() + limitMillis * 1_000_000;
        while (!condition.get()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within " + limitMillis + " ms: " + what);
            }
            Thread.sleep(20);
        }
    }

    /**
     * The call's attribution; while the answering node has not yet heard of the number (422
     * {@code unknown_number}) or of the site itself (404: the site was created through the other
     * node a moment ago), an empty one, so that {@link #within} asks again instead of failing on the
     * first call that outran the news.
     */
    static JsonNode attribution(Reply r) {
        if (r.status() == 422 && "unknown_number".equals(r.errorCode()) || r.status() == 404 && "not_found".equals(r.errorCode())) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("attribution");
    }

    @Test
    void aChangeOrRetirementThroughOneNodeIsWhatTheOtherAttributesBy() throws Exception {
        try (TestServer one = node("one", 1_000); TestServer two = node("two", 60_000)) {
            String number = "+74957736001";
            Map<String, String> a = site(one, "A");
            Map<String, String> b = site(one, "B");
            String statics = "/v1/sites/" + a.get("siteId") + "/static-numbers";
            assertThat(one.post(statics, a.get("apiKey"), Map.of("number", number, "source", "billbaord")).status()).isEqualTo(201);
            int[] calls = {0};
            within(2_000, "node two attributes to the static number",
                    () -> "billbaord".equals(attribution(call(two, a, "c" + calls[0]++, number)).path("source").asText()));

            // A millisecond before the change: the number stood for its first source since well before.
            java.time.Instant beforeFix = one.clock.instant().minusMillis(1);
            Reply fixed = one.send("PATCH", statics + "/%2B" + number.substring(1), a.get("apiKey"), "{\"source\":\"billboard\"}",
                    "application/json", Map.of());
            assertThat(fixed.status()).as(fixed.body()).isEqualTo(200);
            within(2_000, "node two attributes to the corrected source",
                    () -> "billboard".equals(attribution(call(two, a, "c" + calls[0]++, number)).path("source").asText()));
            assertThat(two.get(statics + "/" + number, a.get("apiKey")).text("source")).isEqualTo("billboard");
            // Audit AM1 F5: node two keeps the number's history too; a call dated before the change is the old source's.
            assertThat(attribution(call(two, a, "late", number, beforeFix)).path("source").asText()).isEqualTo("billbaord");

            Reply retired = one.send("DELETE", statics + "/" + number, a.get("apiKey"), null, null, Map.of());
            assertThat(retired.status()).as(retired.body()).isEqualTo(204);
            within(2_000, "node two stops attributing to the retired static number",
                    () -> "none".equals(attribution(call(two, a, "c" + calls[0]++, number)).path("method").asText()));
            assertThat(two.get(statics + "/" + number, a.get("apiKey")).status()).isEqualTo(404);

            // B takes it through node two; node one refuses A's new calls to it once it hears.
            Reply taken = two.post("/v1/sites/" + b.get("siteId") + "/static-numbers", b.get("apiKey"), Map.of("number", number, "source", "flyer"));
            assertThat(taken.status()).as(taken.body()).isEqualTo(201);
            within(2_000, "node one refuses A's calls to B's number", () -> call(one, a, "c" + calls[0]++, number).status() == 422);
            Reply refused = call(two, a, "c" + calls[0]++, number);
            assertThat(refused.status()).as(refused.body()).isEqualTo(422);
            assertThat(refused.errorCode()).isEqualTo("unknown_number");
            assertThat(attribution(call(one, b, "b-call", number)).path("source").asText()).isEqualTo("flyer");
        }
    }
}
