package io.ringpool.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo backdoor of issue 18, closed: forwarding abroad needs the admin key; the demo listens on loopback only. */
class DemoAndForwardingOverHttpTest {
    @TempDir
    Path dir;

    Reply patch(TestServer server, String siteId, String key, String body) {
        return server.send("PATCH", "/v1/sites/" + siteId, key, body, "application/json", Map.of());
    }

    @Test
    void aSiteKeyCannotForwardCallsAbroadOrMoveTheSitesCountryButTheAdminKeyCan() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(java.util.List.of("+74950000001"));
            String siteId = site.get("siteId");
            Reply abroad = patch(server, siteId, site.get("apiKey"), "{\"forwardTo\":\"+15555550123\"}");
            assertThat(abroad.status()).isEqualTo(403);
            assertThat(abroad.errorCode()).isEqualTo("forward_to_needs_admin_key");
            assertThat(abroad.json().path("error").path("field").asText()).isEqualTo("forwardTo");
            assertThat(server.get("/v1/sites/" + siteId, site.get("apiKey")).text("forwardTo")).isEqualTo("+74951234567");

            Reply country = patch(server, siteId, site.get("apiKey"), "{\"country\":\"US\",\"forwardTo\":\"+12025550123\"}");
            assertThat(country.status()).isEqualTo(403);
            assertThat(country.errorCode()).isEqualTo("country_needs_admin_key");

            assertThat(patch(server, siteId, site.get("apiKey"), "{\"forwardTo\":\"+79161234567\"}").status())
                    .as("within the site's country").isEqualTo(200);
            Reply admin = patch(server, siteId, TestServer.ADMIN_KEY, "{\"forwardTo\":\"+12025550123\"}");
            assertThat(admin.status()).isEqualTo(200);
            assertThat(admin.text("forwardTo")).isEqualTo("+12025550123");
            assertThat(patch(server, siteId, site.get("apiKey"), "{\"name\":\"Renamed\"}").status())
                    .as("a forwardTo set abroad by the operator does not block other changes").isEqualTo(200);
        }
    }

    /** Audit AI1 #8: a premium-rate number at home (+7 809…) passed the country check; it is toll fraud all the same. */
    @Test
    void aSiteKeyCannotForwardCallsToAPremiumRateNumberAtHomeButTheAdminKeyCan() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(java.util.List.of("+74950000001"));
            String siteId = site.get("siteId");
            Reply premium = patch(server, siteId, site.get("apiKey"), "{\"forwardTo\":\"+78095550011\"}");
            assertThat(premium.status()).as(premium.body()).isEqualTo(403);
            assertThat(premium.errorCode()).isEqualTo("forward_to_needs_admin_key");
            assertThat(premium.json().path("error").path("field").asText()).isEqualTo("forwardTo");
            assertThat(premium.json().path("error").path("message").asText()).contains("premium-rate");
            assertThat(server.get("/v1/sites/" + siteId, site.get("apiKey")).text("forwardTo")).isEqualTo("+74951234567");
            assertThat(patch(server, siteId, site.get("apiKey"), "{\"forwardTo\":\"+74957654321\"}").status())
                    .as("an ordinary Moscow number").isEqualTo(200);
            assertThat(patch(server, siteId, TestServer.ADMIN_KEY, "{\"forwardTo\":\"+78095550011\"}").status()).isEqualTo(200);
            assertThat(patch(server, siteId, site.get("apiKey"), "{\"name\":\"Renamed\"}").status())
                    .as("a premium number set by the operator does not block other changes").isEqualTo(200);
        }
    }

    @Test
    void aWorkspaceOwnerCannotCreateASiteThatForwardsAbroadButTheOperatorCan() {
        try (TestServer server = new TestServer(dir)) {
            io.ringpool.account.TestAccounts accounts = new io.ringpool.account.TestAccounts(server);
            Map<String, Object> ws = accounts.ownedWorkspace("Abroad agency", "owner@abroad.test");
            String path = "/v1/workspaces/" + ws.get("workspaceId") + "/sites";
            io.ringpool.account.TestAccounts.Person owner = (io.ringpool.account.TestAccounts.Person) ws.get("owner");

            Reply abroad = accounts.as(owner, "POST", path, Map.of("name", "A", "domains", java.util.List.of("a.test"),
                    "defaultNumber", "+74950007005", "forwardTo", "+2693000001"));
            assertThat(abroad.status()).as(abroad.body()).isEqualTo(403);
            assertThat(abroad.errorCode()).isEqualTo("forward_to_needs_admin_key");
            Reply country = accounts.as(owner, "POST", path, Map.of("name", "B", "domains", java.util.List.of("b.test"),
                    "defaultNumber", "+74950007006", "country", "KM", "forwardTo", "+2693000001"));
            assertThat(country.status()).as(country.body()).isEqualTo(403);
            assertThat(country.errorCode()).isEqualTo("country_needs_admin_key");

            Reply home = accounts.as(owner, "POST", path, Map.of("name", "C", "domains", java.util.List.of("c.test"),
                    "defaultNumber", "+74950007007", "forwardTo", "+79161234567"));
            assertThat(home.status()).as(home.body()).isEqualTo(201);
            Reply us = accounts.as(owner, "POST", path, Map.of("name", "D", "domains", java.util.List.of("d.test"),
                    "defaultNumber", "+12025550124"));
            assertThat(us.status()).as("a country none of the workspace's sites has is the operator's to accept").isEqualTo(403);
            assertThat(us.errorCode()).isEqualTo("country_needs_admin_key");

            Reply operator = server.send("POST", path, TestServer.ADMIN_KEY, "{\"name\":\"E\",\"domains\":[\"e.test\"],"
                    + "\"defaultNumber\":\"+74950007008\",\"forwardTo\":\"+12025550123\"}", "application/json", Map.of());
            assertThat(operator.status()).as(operator.body()).isEqualTo(201);
        }
    }

    @Test
    void aManagerCannotReplaceProviderCredentialsByPatchSinceThatIsKeyRotation() {
        try (TestServer server = new TestServer(dir)) {
            io.ringpool.account.TestAccounts accounts = new io.ringpool.account.TestAccounts(server);
            Map<String, Object> ws = accounts.ownedWorkspace("Keys agency", "owner@keys.test");
            String workspaceId = (String) ws.get("workspaceId");
            io.ringpool.account.TestAccounts.Person owner = (io.ringpool.account.TestAccounts.Person) ws.get("owner");
            Map<String, String> site = accounts.site(workspaceId, owner, "Keys shop");
            io.ringpool.account.TestAccounts.Person manager = accounts.member(workspaceId, owner, "manager@keys.test", "manager");
            String path = "/v1/sites/" + site.get("siteId");

            Reply twilio = accounts.as(manager, "PATCH", path, Map.of("twilioAuthToken", "attacker-token-1234567"));
            assertThat(twilio.status()).as(twilio.body()).isEqualTo(403);
            Reply plivo = accounts.as(manager, "PATCH", path, Map.of("providers", Map.of("plivo", Map.of("authToken", "attacker"))));
            assertThat(plivo.status()).as(plivo.body()).isEqualTo(403);
            assertThat(accounts.as(manager, "PATCH", path, Map.of("name", "Renamed by the manager")).status()).isEqualTo(200);

            assertThat(accounts.as(owner, "PATCH", path, Map.of("twilioAuthToken", "owner-token-1234567")).status()).isEqualTo(200);
            assertThat(server.send("PATCH", path, site.get("apiKey"), "{\"providers\":{\"plivo\":{\"authToken\":\"site-key\"}}}",
                    "application/json", Map.of()).status()).isEqualTo(200);
        }
    }

    @Test
    void theDemoListensOnLoopbackOnlyUnlessTheOperatorSaysOtherwise() throws Exception {
        InetAddress external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst().orElse(null);
        assumeTrue(external != null, "this machine has no non-loopback IPv4 address to try");
        Path demo = Path.of("..", "config", "demo-site.yaml").toAbsolutePath();
        try (TestServer server = new TestServer(dir.resolve("a"), Map.of("demo.enabled", true, "demo.file", demo.toString()))) {
            assertThat(reachable(external, server.app.port())).isFalse();
            assertThat(reachable(InetAddress.getLoopbackAddress(), server.app.port())).isTrue();
        }
        try (TestServer server = new TestServer(dir.resolve("b"),
                Map.of("demo.enabled", true, "demo.file", demo.toString(), "demo.host", "0.0.0.0"))) {
            assertThat(reachable(external, server.app.port())).isTrue();
        }
    }

    static boolean reachable(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2_000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
