package io.ringpool.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.account.AccessApi;
import io.ringpool.account.TestAccounts;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit K #5: requests without any credential were counted as wrong credentials, so a dashboard
 * tab polling {@code /v1/me} after its session ended locked its whole address out, the admin key
 * and correct sign-ins included. Only refused credentials count now.
 */
class AuthFailureThrottleOverHttpTest {
    /** Small limits, so that the old behaviour would block within a few requests. */
    static final Map<String, Object> TIGHT = Map.of("security.authFailuresBeforeSlowdown", 2, "security.authFailuresBeforeBlock", 5);

    @TempDir
    Path dir;

    @Test
    void requestsWithoutCredentialsDoNotLockTheAddressOut() {
        try (TestServer server = new TestServer(dir, TIGHT)) {
            TestAccounts accounts = new TestAccounts(server);
            accounts.ownedWorkspace("Office", "office@throttle.test");
            Map<String, String> site = server.siteWithPool(List.of());
            for (int i = 0; i < 20; i++) {
                assertThat(server.send("GET", "/v1/me", null, null, null, Map.of()).status()).isEqualTo(401);
                assertThat(server.get("/v1/sites/" + site.get("siteId"), null).status()).isEqualTo(401);
            }
            TestAccounts.Person signedOut = accounts.signIn("office@throttle.test", TestAccounts.PASSWORD);
            assertThat(accounts.as(signedOut, "POST", "/v1/auth/logout", null).status()).isEqualTo(204);
            Map<String, String> ended = Map.of("Cookie", AccessApi.COOKIE + "=" + signedOut.cookie());
            for (int i = 0; i < 20; i++) {
                // A tab that polls on after its session ended still sends the session's cookie.
                assertThat(server.send("GET", "/v1/me", null, null, null, ended).status()).isEqualTo(401);
            }
            for (int i = 0; i < 5; i++) {
                // Refused from its headers (a body, no credentials): not a guess either.
                assertThat(server.post("/v1/workspaces", null, Map.of("name", "x")).status()).isEqualTo(401);
            }

            assertThat(server.get("/v1/workspaces", TestServer.ADMIN_KEY).status()).as("the admin key").isEqualTo(200);
            assertThat(server.get("/v1/sites/" + site.get("siteId"), site.get("apiKey")).status()).as("a site key").isEqualTo(200);
            assertThat(accounts.login("office@throttle.test", TestAccounts.PASSWORD).status()).as("a correct sign-in").isEqualTo(204);
        }
    }

    @Test
    void wrongKeysAndPasswordsStillCount() {
        try (TestServer server = new TestServer(dir, TIGHT)) {
            TestAccounts accounts = new TestAccounts(server);
            accounts.ownedWorkspace("Guessed", "guessed@throttle.test");
            assertThat(server.get("/v1/workspaces", "wrong-admin-key-1").status()).isEqualTo(401);
            assertThat(server.get("/v1/workspaces", "wrong-admin-key-2").status()).isEqualTo(401);
            assertThat(server.get("/v1/workspaces", "wrong-admin-key-3").status()).isEqualTo(401);
            assertThat(accounts.login("guessed@throttle.test", "a wrong password").status()).isEqualTo(401);
            assertThat(accounts.login("someone@throttle.test", "a wrong password").status()).isEqualTo(401);

            Reply refused = server.get("/v1/workspaces", TestServer.ADMIN_KEY);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.errorCode()).isEqualTo("too_many_failures");
        }
    }
}
