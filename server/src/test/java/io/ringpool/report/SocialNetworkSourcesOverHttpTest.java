package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit G #7c: a social network's visits are one source, its domain, whichever of its hosts sent
 * them (its mobile site, its link shims), so one network is one report row.
 */
class SocialNetworkSourcesOverHttpTest {
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
    void oneSocialNetworkIsOneSourceRowWhicheverOfItsHostsSentTheVisit() {
        Map<String, String> site = server.siteWithPool(List.of("+74957779501", "+74957779502", "+74957779503", "+74957779504",
                "+74957779505", "+74957779506"));
        List<String> referrers = List.of("https://m.facebook.com/story.php", "https://l.facebook.com/l.php?u=x", "https://www.facebook.com/",
                "https://away.vk.com/away.php?to=x", "https://m.vk.com/wall-1_2", "https://l.instagram.com/?u=x");
        int n = 0;
        for (String referrer : referrers) {
            Map<String, Object> body = new HashMap<>();
            body.put("siteKey", site.get("publicKey"));
            body.put("visitorId", "social-visitor-" + n++);
            body.put("url", "https://example.com/");
            body.put("referrer", referrer);
            Reply r = server.send("POST", "/v1/sessions", null, new String(Json.write(body)), "application/json",
                    Map.of("User-Agent", TestServer.CHROME));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
        LocalDate today = LocalDate.ofInstant(server.clock.instant(), ZoneId.of("Europe/Moscow"));
        Reply report = server.get("/v1/sites/" + site.get("siteId") + "/reports/sources?groupBy=source&from=" + today + "&to=" + today,
                site.get("apiKey"));
        assertThat(report.status()).as(report.body()).isEqualTo(200);
        Map<String, Long> visits = new HashMap<>();
        for (JsonNode row : report.json().get("rows")) {
            visits.put(row.get("key").get("source").asText(), row.get("visits").asLong());
        }
        assertThat(visits).containsExactlyInAnyOrderEntriesOf(Map.of("facebook.com", 3L, "vk.com", 2L, "instagram.com", 1L));
    }
}
