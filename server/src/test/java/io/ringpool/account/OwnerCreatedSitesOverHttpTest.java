package io.ringpool.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit 28 H, F2: a workspace owner created sites forwarding calls abroad (and in a country of
 * their choosing), although the same owner's PATCH of {@code forwardTo} or {@code country} is
 * refused without the admin key.
 */
class OwnerCreatedSitesOverHttpTest {
    @TempDir
    Path dir;

    TestServer server;
    TestAccounts accounts;

    @BeforeEach
    void start() {
        server = new TestServer(dir);
        accounts = new TestAccounts(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Map<String, Object> site(String name, String defaultNumber, Map<String, Object> more) {
        Map<String, Object> body = new HashMap<>(Map.of("name", name, "domains", List.of(name + ".test"), "defaultNumber", defaultNumber));
        body.putAll(more);
        return body;
    }

    @Test
    void anOwnerMayNotCreateASiteForwardingAbroadOrInAnotherCountryButTheOperatorMay() {
        Map<String, Object> ws = accounts.ownedWorkspace("W", "owner@w.test");
        String w = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        String route = "/v1/workspaces/" + w + "/sites";

        TestServer.Reply firstAbroad = accounts.as(owner, "POST", route, site("first", "+74950007005", Map.of("forwardTo", "+2693000001")));
        assertThat(firstAbroad.status()).as(firstAbroad.body()).isEqualTo(403);
        assertThat(firstAbroad.errorCode()).isEqualTo("forward_to_needs_admin_key");
        assertThat(firstAbroad.json().at("/error/field").asText()).isEqualTo("forwardTo");

        TestServer.Reply home = accounts.as(owner, "POST", route, site("home", "+74950007006", Map.of("forwardTo", "+74950007007")));
        assertThat(home.status()).as(home.body()).isEqualTo(201);
        assertThat(home.text("country")).isEqualTo("RU");

        TestServer.Reply abroad = accounts.as(owner, "POST", route, site("abroad", "+74950007008", Map.of("forwardTo", "+2693000001")));
        assertThat(abroad.status()).isEqualTo(403);
        assertThat(abroad.errorCode()).isEqualTo("forward_to_needs_admin_key");

        TestServer.Reply otherCountry = accounts.as(owner, "POST", route, site("us", "+12025550124", Map.of("country", "US")));
        assertThat(otherCountry.status()).isEqualTo(403);
        assertThat(otherCountry.errorCode()).isEqualTo("country_needs_admin_key");
        assertThat(otherCountry.json().at("/error/field").asText()).isEqualTo("country");

        // Leaving forwardTo to default to a default number abroad is the same thing.
        TestServer.Reply defaultAbroad = accounts.as(owner, "POST", route, site("km", "+2693000002", Map.of()));
        assertThat(defaultAbroad.status()).isEqualTo(403);
        assertThat(defaultAbroad.errorCode()).isEqualTo("country_needs_admin_key");

        TestServer.Reply countryGivenDefaultAbroad = accounts.as(owner, "POST", route, site("ru-km", "+2693000003", Map.of("country", "RU")));
        assertThat(countryGivenDefaultAbroad.status()).isEqualTo(403);
        assertThat(countryGivenDefaultAbroad.errorCode()).isEqualTo("forward_to_needs_admin_key");

        // Nothing was created by the refusals: the workspace holds the one site.
        TestServer.Reply list = server.get("/v1/workspaces", TestServer.ADMIN_KEY);
        assertThat(list.body()).contains(home.text("siteId"));
        assertThat(list.json().findValues("sites").toString()).isEqualTo("[[\"" + home.text("siteId") + "\"]]");

        TestServer.Reply byOperator = server.send("POST", route, TestServer.ADMIN_KEY,
                new String(io.ringpool.http.Json.write(site("op", "+74950007009", Map.of("forwardTo", "+2693000001")))), "application/json",
                Map.of());
        assertThat(byOperator.status()).as(byOperator.body()).isEqualTo(201);
        assertThat(byOperator.text("forwardTo")).isEqualTo("+2693000001");

        TestServer.Reply adminRoute = server.post("/v1/sites", TestServer.ADMIN_KEY,
                site("op2", "+12025550125", Map.of("country", "US", "forwardTo", "+2693000001")));
        assertThat(adminRoute.status()).as(adminRoute.body()).isEqualTo(201);
    }
}
