package io.ringpool.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signed-in person's own password and sessions (audit AG2 #5: no way to change one's own
 * password but to ask an owner for a reset link; #6: no bound on one person's sessions).
 */
class OwnPasswordOverHttpTest {
    private static final String NEW_PASSWORD = "a brand new passphrase";

    @TempDir
    static Path dir;

    static TestServer server;
    static TestAccounts accounts;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
        accounts = new TestAccounts(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static TestServer.Reply change(TestAccounts.Person p, String current, String chosen) {
        return accounts.as(p, "POST", "/v1/me/password", Map.of("currentPassword", current, "password", chosen));
    }

    private static int status(TestAccounts.Person p) {
        return server.send("GET", "/v1/me", null, null, null, p.headers(false)).status();
    }

    @Test
    void aViewerChangesTheirPasswordKeepsThisSessionAndEndsTheOthers() {
        Map<String, Object> ws = accounts.ownedWorkspace("Changers", "changer-owner@agency.test");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        TestAccounts.Person here = accounts.member((String) ws.get("workspaceId"), owner, "changer@agency.test", "viewer");
        TestAccounts.Person elsewhere = accounts.signIn("changer@agency.test", TestAccounts.PASSWORD);

        TestServer.Reply changed = change(here, TestAccounts.PASSWORD, NEW_PASSWORD);
        assertThat(changed.status()).isEqualTo(204);
        assertThat(status(here)).as("the session that changed it stays").isEqualTo(200);
        assertThat(accounts.as(here, "GET", "/v1/me/sessions", null).json().get("sessions")).hasSize(1);
        assertThat(status(elsewhere)).as("a thief's session ends").isEqualTo(401);
        assertThat(accounts.login("changer@agency.test", TestAccounts.PASSWORD).status()).isEqualTo(401);
        assertThat(accounts.login("changer@agency.test", NEW_PASSWORD).status()).isEqualTo(204);

        JsonNode entries = accounts.as(owner, "GET", "/v1/workspaces/" + ws.get("workspaceId") + "/audit", null).json().get("entries");
        JsonNode entry = entries.get(0);
        assertThat(entry.get("action").asText()).isEqualTo("user.password_change");
        assertThat(entry.get("target").asText()).isEqualTo(accounts.as(here, "GET", "/v1/me", null).text("userId"));
        assertThat(entry.get("actor").get("label").asText()).isEqualTo("changer@agency.test");
        assertThat(entries.toString()).doesNotContain(NEW_PASSWORD).doesNotContain(TestAccounts.PASSWORD);
    }

    @Test
    void aPasswordChangedByItsPersonEndsTheResetLinksStillPendingForThem() {
        Map<String, Object> ws = accounts.ownedWorkspace("Pending resets", "pending-owner@agency.test");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        TestAccounts.Person person = accounts.member((String) ws.get("workspaceId"), owner, "pending@agency.test", "analyst");
        String userId = accounts.as(person, "GET", "/v1/me", null).text("userId");
        TestServer.Reply issued = accounts.as(owner, "POST", "/v1/workspaces/" + ws.get("workspaceId") + "/members/" + userId
                + "/password-reset", null);
        assertThat(issued.status()).as(issued.body()).isEqualTo(201);

        assertThat(change(person, TestAccounts.PASSWORD, NEW_PASSWORD).status()).isEqualTo(204);

        TestServer.Reply used = server.post("/v1/password-resets/" + TestAccounts.token(issued.text("resetUrl")), null,
                Map.of("password", "Someone-elses-choice-1"));
        assertThat(used.status()).as(used.body()).isBetween(400, 499);
        assertThat(accounts.login("pending@agency.test", NEW_PASSWORD).status()).isEqualTo(204);
    }

    @Test
    void aWrongCurrentPasswordIsRefusedAndCountedWithFailedSignIns() {
        accounts.ownedWorkspace("Guessers", "guessed@agency.test");
        TestAccounts.Person thief = accounts.signIn("guessed@agency.test", TestAccounts.PASSWORD);
        for (int i = 0; i < SignIn.ACCOUNT_FAILURES; i++) {
            TestServer.Reply r = change(thief, "guess number " + i, NEW_PASSWORD);
            assertThat(r.status()).as("not 401: the session is fine, and the dashboard signs out on 401").isEqualTo(403);
            assertThat(r.errorCode()).isEqualTo("wrong_password");
            assertThat(r.json().path("error").path("field").asText()).isEqualTo("currentPassword");
        }
        TestServer.Reply throttled = change(thief, TestAccounts.PASSWORD, NEW_PASSWORD);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.errorCode()).isEqualTo("too_many_attempts");
        assertThat(accounts.login("guessed@agency.test", TestAccounts.PASSWORD).status()).as("the sign-in shares the count").isEqualTo(429);

        server.clock.advance(SignIn.THROTTLE_WINDOW);
        assertThat(accounts.login("guessed@agency.test", TestAccounts.PASSWORD).status()).as("unchanged").isEqualTo(204);
    }

    @Test
    void theNewPasswordFollowsTheRulesOfEveryPasswordAndTheRequestTheRulesOfEveryWrite() {
        accounts.ownedWorkspace("Rules", "rules@agency.test");
        TestAccounts.Person p = accounts.signIn("rules@agency.test", TestAccounts.PASSWORD);
        TestServer.Reply tooShort = change(p, TestAccounts.PASSWORD, "short");
        assertThat(tooShort.status()).isEqualTo(422);
        assertThat(tooShort.json().path("error").path("field").asText()).isEqualTo("password");
        assertThat(change(p, TestAccounts.PASSWORD, "            ").json().path("error").path("field").asText()).isEqualTo("password");
        TestServer.Reply missing = accounts.as(p, "POST", "/v1/me/password", Map.of("password", NEW_PASSWORD));
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.json().path("error").path("field").asText()).isEqualTo("currentPassword");
        assertThat(accounts.as(p, "POST", "/v1/me/password", Map.of("currentPassword", TestAccounts.PASSWORD, "password", NEW_PASSWORD,
                "email", "x@y.test")).errorCode()).isEqualTo("unknown_field");

        String body = "{\"currentPassword\":\"" + TestAccounts.PASSWORD + "\",\"password\":\"" + NEW_PASSWORD + "\"}";
        TestServer.Reply noToken = server.send("POST", "/v1/me/password", null, body, "application/json", p.headers(false));
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(noToken.errorCode()).isEqualTo("csrf_failed");
        TestServer.Reply admin = server.send("POST", "/v1/me/password", TestServer.ADMIN_KEY, body, "application/json", Map.of());
        assertThat(admin.status()).as("a key is no person").isEqualTo(403);
        assertThat(server.send("POST", "/v1/me/password", null, body, "application/json", Map.of()).status()).isEqualTo(401);
        assertThat(accounts.login("rules@agency.test", TestAccounts.PASSWORD).status()).as("nothing changed").isEqualTo(204);
    }

    @Test
    void oneNewSignInBeyondTheCapEndsTheOldestSession() {
        accounts.ownedWorkspace("Scripted", "scripted@agency.test"); // one session already
        TestAccounts.Person oldest = accounts.signIn("scripted@agency.test", TestAccounts.PASSWORD);
        server.clock.advance(java.time.Duration.ofSeconds(1));
        TestAccounts.Person second = accounts.signIn("scripted@agency.test", TestAccounts.PASSWORD);
        TestAccounts.Person newest = null;
        for (int i = 0; i < SignIn.MAX_SESSIONS + 5; i++) {
            server.clock.advance(java.time.Duration.ofSeconds(1));
            newest = accounts.signIn("scripted@agency.test", TestAccounts.PASSWORD);
        }
        assertThat(accounts.as(newest, "GET", "/v1/me/sessions", null).json().get("sessions")).hasSize(SignIn.MAX_SESSIONS);
        assertThat(status(oldest)).isEqualTo(401);
        assertThat(status(second)).isEqualTo(401);
        assertThat(status(newest)).isEqualTo(200);
    }
}
