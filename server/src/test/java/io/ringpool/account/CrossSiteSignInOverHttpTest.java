package io.ringpool.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AG2 #4, login CSRF: a page on another site auto-submitted a {@code text/plain} form to the
 * sign-in with the attacker's e-mail and password, and the visitor's browser kept the answer's
 * cookie, signed in as the attacker. A sign-in that the browser says comes from elsewhere is now
 * refused; one with no word from a browser (curl, a script) is not.
 */
class CrossSiteSignInOverHttpTest {
    private static final String EMAIL = "attacker@evil.test";
    private static final String BODY = "{\"email\":\"" + EMAIL + "\",\"password\":\"" + TestAccounts.PASSWORD + "\"}";

    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
        new TestAccounts(server).ownedWorkspace("Evil", EMAIL);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static TestServer.Reply login(TestServer on, Map<String, String> headers) {
        return on.send("POST", "/v1/auth/login", null, BODY, "text/plain", headers);
    }

    @Test
    void aTextPlainFormFromAnotherSiteDoesNotSignTheBrowserIn() {
        TestServer.Reply r = login(server, Map.of("Origin", "https://evil.test", "Sec-Fetch-Site", "cross-site"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.errorCode()).isEqualTo("cross_site_request");
        assertThat(r.headers()).doesNotContainKey("set-cookie");
    }

    @Test
    void eitherSignOfAnotherSiteIsEnough() {
        for (Map<String, String> h : java.util.List.of(Map.of("Origin", "https://evil.test"), Map.of("Sec-Fetch-Site", "cross-site"),
                Map.of("Origin", "null"), Map.of("Origin", "http://sub.localhost:" + server.app.port(), "Sec-Fetch-Site", "same-site"),
                Map.of("Origin", "http://localhost:1"))) {
            TestServer.Reply r = login(server, h);
            assertThat(r.status()).as(h.toString()).isEqualTo(403);
            assertThat(r.errorCode()).as(h.toString()).isEqualTo("cross_site_request");
        }
    }

    @Test
    void theServersOwnPageAndClientsWithoutABrowserStillSignIn() {
        String own = server.base(); // the origin the request's Host names
        for (Map<String, String> h : java.util.List.of(Map.<String, String>of(), Map.of("Origin", own), Map.of("Origin", own, "Sec-Fetch-Site",
                "same-origin"), Map.of("Origin", "null", "Sec-Fetch-Site", "same-origin"))) {
            TestServer.Reply r = login(server, h);
            assertThat(r.status()).as(h.toString()).isEqualTo(204);
            assertThat(r.headers().get("set-cookie").get(0)).startsWith(AccessApi.COOKIE + "=");
        }
    }

    @Test
    void behindAProxyThatRewritesHostThePublicUrlIsTheServersOrigin(@TempDir Path other) {
        Map<String, Object> config = new HashMap<>();
        config.put("server.publicUrl", "https://ringpool.example.com");
        try (TestServer proxied = new TestServer(other, config)) {
            new TestAccounts(proxied).ownedWorkspace("Evil", EMAIL);
            assertThat(login(proxied, Map.of("Origin", "https://ringpool.example.com")).status()).isEqualTo(204);
            assertThat(login(proxied, Map.of("Origin", "https://RingPool.example.com")).status()).as("hosts are case-blind").isEqualTo(204);
            assertThat(login(proxied, Map.of("Origin", "http://ringpool.example.com.evil.test")).status()).isEqualTo(403);
        }
    }
}
