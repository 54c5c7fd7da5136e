package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AK2 F0 (left over): {@code GET …/pools} listed every number of every pool in one body,
 * up to a hundred pools of 10,000 numbers (about 15 MB of JSON built in memory). It is paged now, as the
 * call log is ({@code limit}, {@code cursor}, {@code nextCursor}), and a page holds at most about
 * 10,000 numbers; a small site's answer without parameters is what it was, plus
 * {@code "nextCursor": null}.
 */
class PoolListPagesOverHttpTest {
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

    static List<String> numbers(int first, int count) {
        return IntStream.range(first, first + count).mapToObj(i -> String.format("+74953%06d", i)).toList();
    }

    static Reply list(Map<String, String> site, String query) {
        return server.get("/v1/sites/" + site.get("siteId") + "/pools" + query, site.get("apiKey"));
    }

    static String poolIds(JsonNode pools) {
        List<String> ids = new ArrayList<>();
        pools.forEach(p -> ids.add(p.get("poolId").asText()));
        return String.join(",", ids);
    }

    @Test
    void aSmallSiteGetsEveryPoolWithItsNumbersInOnePageAsBefore() {
        Map<String, String> site = server.siteWithPool(numbers(100, 3));
        Reply second = server.post("/v1/sites/" + site.get("siteId") + "/pools", site.get("apiKey"),
                Map.of("name", "google", "priority", 5, "numbers", numbers(200, 2)));
        assertThat(second.status()).as(second.body()).isEqualTo(201);

        Reply all = list(site, "");
        assertThat(all.status()).as(all.body()).isEqualTo(200);
        JsonNode pools = all.json().get("pools");
        assertThat(pools).hasSize(2);
        assertThat(pools.get(0).get("name").asText()).as("the order visits try them: higher priority first").isEqualTo("google");
        assertThat(pools.get(0).get("numbers")).hasSize(2);
        assertThat(pools.get(1).get("numbers").get(0).asText()).isEqualTo("+74953000100");
        assertThat(all.json().has("nextCursor")).isTrue();
        assertThat(all.json().get("nextCursor").isNull()).isTrue();
        assertThat(pools.get(1)).as("each pool as GET …/pools/{poolId} answers it")
                .isEqualTo(server.get("/v1/sites/" + site.get("siteId") + "/pools/" + site.get("poolId"), site.get("apiKey")).json());
    }

    @Test
    void limitAndCursorWalkThePoolsInTheirOrderWithoutRepeatOrGap() {
        Map<String, String> site = server.siteWithPool(numbers(1_000, 1));
        for (int i = 1; i < 7; i++) {
            Reply made = server.post("/v1/sites/" + site.get("siteId") + "/pools", site.get("apiKey"),
                    Map.of("name", "p" + i, "priority", i % 3, "numbers", numbers(1_000 + i, 1)));
            assertThat(made.status()).as(made.body()).isEqualTo(201);
        }
        String whole = poolIds(list(site, "").json().get("pools"));
        List<String> walked = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply page = list(site, "?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            assertThat(page.json().get("pools").size()).isLessThanOrEqualTo(3);
            walked.add(poolIds(page.json().get("pools")));
            cursor = page.json().get("nextCursor").isNull() ? null : page.json().get("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(String.join(",", walked)).isEqualTo(whole);
    }

    @Test
    void aPageHoldsAtMostTenThousandNumbersAndABiggerPoolStandsAlone() {
        // Numbers are added 3,500 a request: a request of 9,000 took over the 10 s timeout on a box at load 24.
        Map<String, String> site = server.siteWithPool(numbers(10_000, 3_500));
        String pools = "/v1/sites/" + site.get("siteId") + "/pools";
        assertThat(server.post(pools, site.get("apiKey"), Map.of("name", "b", "numbers", numbers(20_000, 3_500))).status()).isEqualTo(201);
        assertThat(server.post(pools, site.get("apiKey"), Map.of("name", "c", "numbers", numbers(30_000, 3_500))).status()).isEqualTo(201);
        Reply big = server.post(pools, site.get("apiKey"), Map.of("name", "d", "numbers", numbers(40_000, 3_500)));
        assertThat(big.status()).isEqualTo(201);
        for (int first : new int[] {43_500, 47_000}) {
            Reply added = server.post(pools + "/" + big.text("poolId") + "/numbers", site.get("apiKey"), Map.of("numbers", numbers(first, 3_500)));
            assertThat(added.status()).as(added.body()).isEqualTo(201);
        }

        Reply first = list(site, "");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(poolNames(first)).as("a third pool of 3,500 would take the page past 10,000 numbers").isEqualTo("main,b");
        assertThat(first.body().getBytes(StandardCharsets.UTF_8).length).isLessThan(200_000);
        Reply second = list(site, "?cursor=" + first.json().get("nextCursor").asText());
        assertThat(poolNames(second)).isEqualTo("c");
        Reply third = list(site, "?cursor=" + second.json().get("nextCursor").asText());
        assertThat(poolNames(third)).as("10,500 numbers: a page of its own, whole").isEqualTo("d");
        assertThat(third.json().get("pools").get(0).get("numbers")).hasSize(10_500);
        assertThat(third.json().get("nextCursor").isNull()).isTrue();
    }

    static String poolNames(Reply page) {
        List<String> names = new ArrayList<>();
        page.json().get("pools").forEach(p -> names.add(p.get("name").asText()));
        return String.join(",", names);
    }

    @Test
    void badPagingParametersAreRefusedNamingTheParameter() {
        Map<String, String> site = server.siteWithPool(numbers(60_000, 1));
        for (String query : List.of("?limit=0", "?limit=101", "?limit=abc", "?limit=", "?limit=1&limit=2")) {
            assertRefused(list(site, query), 422, "limit");
        }
        for (String query : List.of("?cursor=nonsense", "?cursor=", "?cursor=" + java.util.Base64.getUrlEncoder().encodeToString("x:y:z".getBytes(StandardCharsets.UTF_8)))) {
            assertRefused(list(site, query), 422, "cursor");
        }
        Reply unknown = list(site, "?page=2");
        assertRefused(unknown, 400, "page");
        assertThat(unknown.errorCode()).isEqualTo("unknown_parameter");
        assertThat(unknown.json().path("error").path("message").asText()).contains("cursor, limit");
    }

    static void assertRefused(Reply r, int status, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().path("error").path("field").asText()).as(r.body()).isEqualTo(field);
    }
}
