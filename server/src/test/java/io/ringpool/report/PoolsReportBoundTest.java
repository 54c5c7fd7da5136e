package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.pool.PoolService;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AK2 F0: one site key made 300 one-number pools (no cap), and one pools report over three
 * months at 28-minute buckets (under the 5,000-bucket check, which counted one pool's buckets)
 * ran a 512 MB heap out: the process exited, every site down.
 */
class PoolsReportBoundTest {
    @TempDir
    Path dir;

    @Test
    void aSiteHasAtMostAHundredPoolsAndThePoolReportBoundsPoolsTimesBuckets() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74957100000"));
            String pools = "/v1/sites/" + site.get("siteId") + "/pools";
            for (int i = 1; i < PoolService.MAX_POOLS_PER_SITE; i++) {
                Reply made = server.post(pools, site.get("apiKey"), Map.of("numbers", List.of(String.format("+749571%05d", i))));
                assertThat(made.status()).as(made.body()).isEqualTo(201);
            }
            Reply refused = server.post(pools, site.get("apiKey"), Map.of("numbers", List.of("+74957199999")));
            assertThat(refused.status()).as(refused.body()).isEqualTo(409);
            assertThat(refused.errorCode()).isEqualTo("too_many_pools");
            assertThat(server.get(pools, site.get("apiKey")).json().get("pools").size()).isEqualTo(PoolService.MAX_POOLS_PER_SITE);

            // Audit AL1 F1: pools cannot be deleted, so the hundredth was the last for ever. A pool
            // whose numbers are all retired makes room, and may not come back past the cap.
            String lastPool = server.get(pools, site.get("apiKey")).json().get("pools").get(PoolService.MAX_POOLS_PER_SITE - 1)
                    .get("poolId").asText();
            String lastNumber = String.format("+749571%05d", PoolService.MAX_POOLS_PER_SITE - 1);
            Reply retired = server.send("DELETE", pools + "/" + lastPool + "/numbers/%2B" + lastNumber.substring(1), site.get("apiKey"),
                    null, null, Map.of());
            assertThat(retired.status()).as(retired.body()).isEqualTo(204);
            Reply room = server.post(pools, site.get("apiKey"), Map.of("numbers", List.of("+74957199999")));
            assertThat(room.status()).as(room.body()).isEqualTo(201);
            Reply revived = server.post(pools + "/" + lastPool + "/numbers", site.get("apiKey"), Map.of("numbers", List.of("+74957199998")));
            assertThat(revived.status()).as(revived.body()).isEqualTo(409);
            assertThat(revived.errorCode()).isEqualTo("too_many_pools");

            String report = "/v1/sites/" + site.get("siteId") + "/reports/pools?";
            String today = server.clock.instant().atZone(ZoneId.of("Europe/Moscow")).toLocalDate().toString();
            String monthAgo = server.clock.instant().atZone(ZoneId.of("Europe/Moscow")).toLocalDate().minusDays(29).toString();
            Reply tooFine = server.get(report + "from=" + monthAgo + "&to=" + today + "&bucketMinutes=28", site.get("apiKey"));
            assertThat(tooFine.status()).as(tooFine.body()).isEqualTo(422);
            assertThat(tooFine.json().path("error").path("field").asText()).isEqualTo("bucketMinutes");
            assertThat(tooFine.json().path("error").path("message").asText()).contains("101 pools").contains("take at least 110 minutes");
            Reply least = server.get(report + "from=" + monthAgo + "&to=" + today + "&bucketMinutes=110", site.get("apiKey"));
            assertThat(least.status()).as("the least the message names is taken").isEqualTo(200);

            // Without bucketMinutes a month is hourly for a few pools; for a hundred, daily.
            Reply byDefault = server.get(report + "from=" + monthAgo + "&to=" + today, site.get("apiKey"));
            assertThat(byDefault.status()).as(byDefault.body()).isEqualTo(200);
            JsonNode body = byDefault.json();
            assertThat(body.get("bucketSeconds").asLong()).isEqualTo(86_400);
            assertThat(body.get("pools").size()).as("the retired pool has its history").isEqualTo(PoolService.MAX_POOLS_PER_SITE + 1);
            assertThat(body.get("pools").get(0).get("buckets").size()).isEqualTo(30);
            Reply oneDay = server.get(report + "from=" + today + "&to=" + today, site.get("apiKey"));
            assertThat(oneDay.json().get("bucketSeconds").asLong()).as("96 × 101 rows fit").isEqualTo(900);
        }
    }
}
