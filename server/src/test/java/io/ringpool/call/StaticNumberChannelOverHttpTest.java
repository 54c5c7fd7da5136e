package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit G #7a: a call to a static number has the channel its source and medium imply by the
 * visits' rules, so the call log's channel filter and the reports' channel groupings have no
 * "(none)" for calls whose source is known.
 */
class StaticNumberChannelOverHttpTest {
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

    @Test
    void staticNumberCallsGetTheChannelTheirMediumImpliesAsAVisitTaggedSoWould() {
        Map<String, String> site = server.siteWithPool(List.of("+74957779000"));
        Map<String, Map<String, String>> statics = new LinkedHashMap<>();
        statics.put("+74957779001", Map.of("source", "billboard", "medium", "offline"));
        statics.put("+74957779002", Map.of("source", "yandex", "medium", "CPC"));
        statics.put("+74957779003", Map.of("source", "flyer"));
        statics.put("+74957779004", Map.of("source", "vk", "medium", "social"));
        statics.put("+74957779005", Map.of("source", "mailing", "medium", "email"));
        Map<String, String> expected = Map.of("+74957779001", "referral", "+74957779002", "paid", "+74957779003", "referral",
                "+74957779004", "social", "+74957779005", "email");
        int n = 0;
        for (var e : statics.entrySet()) {
            Map<String, Object> body = new LinkedHashMap<>(e.getValue());
            body.put("number", e.getKey());
            Reply r = server.post("/v1/sites/" + site.get("siteId") + "/static-numbers", site.get("apiKey"), body);
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            JsonNode a = call(site, "static-channel-" + n++, e.getKey()).json().get("attribution");
            assertThat(a.get("method").asText()).isEqualTo("static");
            assertThat(a.get("channel").asText()).as(e.toString()).isEqualTo(expected.get(e.getKey()));
        }

        Reply log = server.get("/v1/sites/" + site.get("siteId") + "/calls?channel=REFERRAL", site.get("apiKey"));
        assertThat(log.json().get("calls")).hasSize(2);
        LocalDate today = LocalDate.ofInstant(server.clock.instant(), ZoneId.of("Europe/Moscow"));
        Reply daily = server.get("/v1/sites/" + site.get("siteId") + "/reports/daily?from=" + today + "&to=" + today, site.get("apiKey"));
        assertThat(daily.status()).as(daily.body()).isEqualTo(200);
        JsonNode byChannel = daily.json().get("callsByChannel");
        assertThat(byChannel.has("(none)")).as(byChannel.toString()).isFalse();
        assertThat(byChannel.get("referral").get(0).asLong()).isEqualTo(2);
        assertThat(byChannel.get("paid").get(0).asLong()).isEqualTo(1);
    }

    private Reply call(Map<String, String> site, String callId, String to) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", "ringing");
        e.put("from", "+79161239001");
        e.put("to", to);
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }
}
