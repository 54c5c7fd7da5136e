package io.ringpool.pool;

import io.ringpool.store.PostgresNodes;
import io.ringpool.store.TestPostgres;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10, item 4: a number belongs to one site; the store's key decides, on one node or many. */
class OneNumberOneSiteTest {
    @TempDir
    Path dir;

    static Map<String, String> site(TestServer server, String name) {
        Reply r = server.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("name", name, "defaultNumber", "+74951230000",
                "timeZone", "Europe/Moscow", "currency", "RUB"));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return Map.of("siteId", r.text("siteId"), "apiKey", r.text("apiKey"));
    }

    static Reply pool(TestServer server, Map<String, String> site, List<String> numbers) {
        return server.post("/v1/sites/" + site.get("siteId") + "/pools", site.get("apiKey"), Map.of("name", "p", "numbers", numbers));
    }

    static Reply staticNumber(TestServer server, Map<String, String> site, String number) {
        return server.post("/v1/sites/" + site.get("siteId") + "/static-numbers", site.get("apiKey"),
                Map.of("number", number, "source", "billboard"));
    }

    static void assertConflictNaming(Reply r, String number) {
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo("number_in_use");
        assertThat(r.json().path("error").path("message").asText()).contains(number).contains("another site");
    }

    @Test
    void aNumberInAnotherSitesPoolOrStaticNumbersIsA409NamingItWhereverItIsAdded() {
        try (TestServer server = new TestServer(dir)) {
            var a = site(server, "A");
            var b = site(server, "B");
            assertThat(pool(server, a, List.of("+74954000001", "+74954000002")).status()).isEqualTo(201);
            assertThat(staticNumber(server, a, "+74954000009").status()).isEqualTo(201);

            assertConflictNaming(pool(server, b, List.of("+74954000003", "+74954000002")), "+74954000002");
            assertConflictNaming(staticNumber(server, b, "+74954000001"), "+74954000001");
            assertConflictNaming(pool(server, b, List.of("+74954000009")), "+74954000009");
            Reply bPool = pool(server, b, List.of("+74954000004"));
            assertThat(bPool.status()).isEqualTo(201);
            Reply added = server.post("/v1/sites/" + b.get("siteId") + "/pools/" + bPool.text("poolId") + "/numbers", b.get("apiKey"),
                    Map.of("numbers", List.of("+74954000001")));
            assertConflictNaming(added, "+74954000001");
            // nothing of a refused request was kept: B's pool has only its own number
            Reply bState = server.get("/v1/sites/" + b.get("siteId") + "/pools/" + bPool.text("poolId"), b.get("apiKey"));
            assertThat(bState.json().get("size").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aSitesDefaultNumberAndItsTrackingNumbersStayApartInWhicheverOrderTheyAreSet() {
        try (TestServer server = new TestServer(dir)) {
            var a = site(server, "A");
            assertThat(pool(server, a, List.of("+74954000201")).status()).isEqualTo(201);
            assertThat(staticNumber(server, a, "+74954000209").status()).isEqualTo(201);

            for (String tracking : List.of("+74954000201", "+74954000209")) {
                Reply patched = server.send("PATCH", "/v1/sites/" + a.get("siteId"), a.get("apiKey"),
                        "{\"defaultNumber\": \"" + tracking + "\"}", "application/json", Map.of());
                assertThat(patched.status()).as(patched.body()).isEqualTo(409);
                assertThat(patched.errorCode()).isEqualTo("number_in_use");
                assertThat(patched.json().path("error").path("field").asText()).isEqualTo("defaultNumber");
            }
            assertThat(server.get("/v1/sites/" + a.get("siteId"), a.get("apiKey")).text("defaultNumber")).isEqualTo("+74951230000");
            Reply staticOfPool = staticNumber(server, a, "+74954000201");
            assertThat(staticOfPool.status()).isEqualTo(409);
            assertThat(staticOfPool.json().path("error").path("field").asText()).as("the static number's own field").isEqualTo("number");
            Reply defaultAsStatic = staticNumber(server, a, "+74951230000");
            assertThat(defaultAsStatic.status()).isEqualTo(409);
            assertThat(defaultAsStatic.json().path("error").path("field").asText()).isEqualTo("number");
        }
    }

    static Reply patchDefault(TestServer server, Map<String, String> site, String number) {
        return server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"defaultNumber\": \"" + number + "\"}",
                "application/json", Map.of());
    }

    static void assertDefaultConflict(Reply r, String field, String number, String saying) {
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo("number_in_use");
        assertThat(r.json().path("error").path("field").asText()).isEqualTo(field);
        assertThat(r.json().path("error").path("message").asText()).contains(number).contains(saying);
    }

    /**
     * Audit s27, item 4: a site could make another site's tracking number its default number (and
     * the reverse), so the calls of its untracked visitors were attributed to the other site's.
     */
    @Test
    void aDefaultNumberIsNeverAnotherSitesTrackingNumberInWhicheverOrderTheyAreSet() {
        try (TestServer server = new TestServer(dir)) {
            var a = site(server, "A");
            var b = site(server, "B");
            assertThat(pool(server, a, List.of("+74954000401")).status()).isEqualTo(201);
            assertThat(staticNumber(server, a, "+74954000409").status()).isEqualTo(201);

            // A default number after the tracking number: on change and at creation.
            assertDefaultConflict(patchDefault(server, b, "+74954000401"), "defaultNumber", "+74954000401", "another site");
            assertDefaultConflict(patchDefault(server, b, "+74954000409"), "defaultNumber", "+74954000409", "another site");
            Reply created = server.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("name", "C", "defaultNumber", "+74954000401"));
            assertDefaultConflict(created, "defaultNumber", "+74954000401", "another site");
            assertThat(server.get("/v1/sites/" + b.get("siteId"), b.get("apiKey")).text("defaultNumber")).isEqualTo("+74951230000");

            // A tracking number after the default number: pool, added number, static number.
            assertThat(patchDefault(server, b, "+74954000499").status()).isEqualTo(200);
            assertDefaultConflict(pool(server, a, List.of("+74954000402", "+74954000499")), "numbers[1]", "+74954000499",
                    "default number of another site");
            Reply aPool = pool(server, a, List.of("+74954000403"));
            assertDefaultConflict(server.post("/v1/sites/" + a.get("siteId") + "/pools/" + aPool.text("poolId") + "/numbers", a.get("apiKey"),
                    Map.of("numbers", List.of("+74954000499"))), "numbers[0]", "+74954000499", "default number of another site");
            assertDefaultConflict(staticNumber(server, a, "+74954000499"), "number", "+74954000499", "default number of another site");
            assertThat(server.get("/v1/sites/" + a.get("siteId") + "/pools/" + aPool.text("poolId"), a.get("apiKey")).json().get("numbers"))
                    .as("nothing of a refused request was kept").hasSize(1);

            // Sites of one business share their real number: default numbers never exclude each other.
            assertThat(patchDefault(server, a, "+74954000499").status()).isEqualTo(200);
            Reply sharing = server.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("name", "D", "defaultNumber", "+74954000499"));
            assertThat(sharing.status()).as(sharing.body()).isEqualTo(201);
            // Once no site shows it as its default, a site may track it.
            assertThat(patchDefault(server, a, "+74951230000").status()).isEqualTo(200);
            assertThat(patchDefault(server, b, "+74951230000").status()).isEqualTo(200);
            assertThat(server.send("PATCH", "/v1/sites/" + sharing.text("siteId"), sharing.text("apiKey"),
                    "{\"defaultNumber\": \"+74951230000\"}", "application/json", Map.of()).status()).isEqualTo(200);
            // D's calls are still forwarded to it (forwardTo took D's first default and stays until changed).
            assertDefaultConflict(pool(server, a, List.of("+74954000499")), "numbers[0]", "+74954000499", "another site forwards its calls");
            assertThat(server.send("PATCH", "/v1/sites/" + sharing.text("siteId"), sharing.text("apiKey"),
                    "{\"forwardTo\": \"+74951230000\"}", "application/json", Map.of()).status()).isEqualTo(200);
            assertThat(pool(server, a, List.of("+74954000499")).status()).isEqualTo(201);
        }
    }

    @Test
    void aDefaultNumberAndAnotherSitesTrackingNumberSetAtOnceOneWins() {
        try (TestServer server = new TestServer(dir)) {
            for (int round = 0; round < 5; round++) {
                var a = site(server, "A" + round);
                var b = site(server, "B" + round);
                String n = "+7495400050" + round;
                List<Reply> replies = TestServer.atOnce(List.of(() -> pool(server, a, List.of(n)), () -> patchDefault(server, b, n)));
                // The pool (201) and a refused default, or the default (200) and a refused pool.
                assertThat(List.of(replies.get(0).status(), replies.get(1).status())).as(replies.toString())
                        .isIn(List.of(201, 409), List.of(409, 200));
            }
        }
    }

    @Test
    void aRetiredNumberIsFreeForAnotherSiteAndThenCannotComeBack() {
        try (TestServer server = new TestServer(dir)) {
            var a = site(server, "A");
            var b = site(server, "B");
            Reply aPool = pool(server, a, List.of("+74954000101"));
            assertThat(server.send("DELETE", "/v1/sites/" + a.get("siteId") + "/pools/" + aPool.text("poolId") + "/numbers/+74954000101",
                    a.get("apiKey"), null, null, Map.of()).status()).isIn(200, 204);

            assertThat(pool(server, b, List.of("+74954000101")).status()).isEqualTo(201);
            assertConflictNaming(server.post("/v1/sites/" + a.get("siteId") + "/pools/" + aPool.text("poolId") + "/numbers", a.get("apiKey"),
                    Map.of("numbers", List.of("+74954000101"))), "+74954000101");
        }
    }

    @Test
    void twoSitesClaimingOneNumberAtOnceOneWins() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            for (int round = 0; round < 5; round++) {
                var a = site(server, "A" + round);
                var b = site(server, "B" + round);
                String n = "+7495400020" + round;
                CompletableFuture<Reply> fa = CompletableFuture.supplyAsync(() -> pool(server, a, List.of(n)));
                CompletableFuture<Reply> fb = CompletableFuture.supplyAsync(() -> staticNumber(server, b, n));
                List<Integer> statuses = List.of(fa.get().status(), fb.get().status());
                assertThat(statuses).containsExactlyInAnyOrder(201, 409);
            }
        }
    }

    /** Two nodes that never saw each other's sites in memory: only the store can refuse. */
    @Test
    void acrossTwoNodesOnOnePostgresqlTheSecondClaimIsRefused() throws Exception {
        try (TestPostgres pg = TestPostgres.create("rp_claims_")) {
            Map<String, Object> settings = new java.util.HashMap<>(pg.storeSettings());
            settings.put("security.secretKey", PostgresNodes.SECRET_KEY);
            twoNodesClaim(settings);
        }
    }

    private void twoNodesClaim(Map<String, Object> settings) {
        try (TestServer one = new TestServer(dir.resolve("one"), settings); TestServer two = new TestServer(dir.resolve("two"), settings)) {
            var a = site(one, "A");
            var b = site(two, "B");
            assertThat(pool(one, a, List.of("+74954000301")).status()).isEqualTo(201);
            assertConflictNaming(pool(two, b, List.of("+74954000301")), "+74954000301");
            // Default numbers against tracking numbers, each set through the node that never saw the other.
            assertDefaultConflict(patchDefault(two, b, "+74954000301"), "defaultNumber", "+74954000301", "another site");
            assertThat(patchDefault(one, a, "+74954000399").status()).isEqualTo(200);
            assertDefaultConflict(staticNumber(two, b, "+74954000399"), "number", "+74954000399", "default number of another site");
        }
    }
}
