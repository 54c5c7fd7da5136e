package io.ringpool.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ringpool.http.AuthFailureThrottle;
import io.ringpool.account.AccessApi;
import io.ringpool.account.TestAccounts;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

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

            Reply admin = server.get("/v1/workspaces", TestServer.ADMIN_KEY);
            assertThat(admin.status()).as("the admin key").isEqualTo(200);
            // Audit AM2 F2: an answer to a credential is someone's data, never cached.
            assertThat(admin.headers().get("cache-control")).containsExactly("no-store");
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
            // Audit AM3 F1: reads that present no credential are no guesses, and stay open (a
            // Prometheus scraper, the sign-in page); a password sign-in is still blocked.
            assertThat(server.send("GET", "/metrics", null, null, null, Map.of()).status()).isEqualTo(200);
            assertThat(server.send("GET", "/v1/openapi.json", null, null, null, Map.of()).status()).isEqualTo(200);
            assertThat(server.send("GET", "/dashboard/", null, null, null, Map.of()).status()).isEqualTo(200);
            assertThat(accounts.login("guessed@throttle.test", TestAccounts.PASSWORD).status()).isEqualTo(429);
        }
    }

    /**
     * Audit T #1: an address blocked by wrong keys (a dashboard tab with a stale key in an office
     * that a PBX shares) also lost its correctly signed call events, which then depended on the
     * sender's retries. A signature over the body is no guessable credential: such events pass a
     * block, while a wrong one is still refused and the admin key, a site key and a telephony
     * route's Basic password stay blocked.
     */
    @Test
    void signedCallEventsPassABlockThatKeysAndBasicPasswordsDoNot() {
        try (TestServer server = new TestServer(dir, TIGHT)) {
            Map<String, String> site = server.siteWithPool(List.of("+74950000101"));
            for (int i = 0; i < 5; i++) {
                assertThat(server.get("/v1/workspaces", "wrong-admin-key-" + i).status()).isIn(401, 429);
            }
            assertThat(server.get("/v1/sites/" + site.get("siteId"), site.get("apiKey")).status()).as("a site key, blocked").isEqualTo(429);

            String body = "{\"callId\":\"blocked-office-1\",\"event\":\"ringing\",\"from\":\"+79161234567\",\"to\":\"+74950000101\"}";
            String path = "/v1/telephony/" + site.get("siteId") + "/events";
            long now = server.clock.instant().getEpochSecond();
            Reply signed = server.send("POST", path, null, body, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), now, body)));
            assertThat(signed.status()).as(signed.body()).isEqualTo(200);
            assertThat(server.get("/v1/sites/" + site.get("siteId") + "/calls", TestServer.ADMIN_KEY).status())
                    .as("the admin key is still blocked").isEqualTo(429);

            Reply forged = server.send("POST", path, null, body, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool("not-the-secret-0123456789abcdef", now, body)));
            assertThat(forged.status()).as(forged.body()).isBetween(401, 403);

            Reply basic = server.send("POST", "/v1/telephony/freeswitch/" + site.get("siteId") + "/cdr", null, "{}", "application/json",
                    Map.of("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("fs:guess".getBytes())));
            assertThat(basic.status()).as("a Basic password can be guessed: blocked").isEqualTo(429);
        }
    }

    /**
     * Audit P #4: a scraper with a stale metrics token locked its address out of the admin key too,
     * and neither the failures nor the block left a trace. Each failure is counted by kind (never
     * by key), every kind from 0, and the block is logged once, not once per refused request.
     */
    @Test
    void failuresAreCountedByKindAndABlockIsLoggedOnce() {
        // Audit R #6: the block is a security event, logged outside io.ringpool.http, so that
        // RINGPOOL_HTTP_LOG_LEVEL=ERROR (quieting the request lines) does not hide it.
        Logger logger = (Logger) LoggerFactory.getLogger("io.ringpool.security.AuthFailures");
        Logger httpLogger = (Logger) LoggerFactory.getLogger("io.ringpool.http");
        ch.qos.logback.classic.Level httpLevel = httpLogger.getLevel();
        httpLogger.setLevel(ch.qos.logback.classic.Level.ERROR);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        Map<String, Object> settings = new java.util.HashMap<>(TIGHT);
        settings.put("security.metricsToken", "the-right-metrics-token");
        try (TestServer server = new TestServer(dir, settings)) {
            Map<String, String> scraper = Map.of("Authorization", "Bearer the-right-metrics-token");
            String before = server.send("GET", "/metrics", null, null, null, scraper).body();
            for (String kind : List.of("admin_key", "site_key", "other_bearer", "other_authorization", "metrics_token", "password",
                    "basic", "provider_signature", "event_signature", "playback_link")) {
                assertThat(before).contains("ringpool_auth_failures_total{kind=\"" + kind + "\"} 0.0");
            }
            Map<String, String> site = server.siteWithPool(List.of());
            assertThat(server.get("/v1/sites/" + site.get("siteId"), "sk_not-the-key").status()).isEqualTo(401);
            assertThat(server.get("/v1/workspaces", "wrong-admin-key-1").status()).isEqualTo(401);
            for (int i = 0; i < 3; i++) {
                assertThat(server.send("GET", "/metrics", null, null, null, Map.of("Authorization", "Bearer an-old-metrics-token"))
                        .status()).isEqualTo(401);
            }
            for (int i = 0; i < 10; i++) {
                assertThat(server.get("/v1/workspaces", TestServer.ADMIN_KEY).status()).as("blocked").isEqualTo(429);
            }

            List<String> blocked = log.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith("auth_blocked")).toList();
            assertThat(blocked).hasSize(1);
            assertThat(blocked.get(0)).startsWith("auth_blocked address=127.0.0.1 failures=5 retry_after_s=")
                    .endsWith("last_kind=metrics_token").doesNotContain("an-old-metrics-token");
            String scrape = server.app.registry().scrape(); // /metrics is refused to this address now too
            assertThat(scrape).contains("ringpool_auth_failures_total{kind=\"site_key\"} 1.0")
                    .contains("ringpool_auth_failures_total{kind=\"admin_key\"} 1.0")
                    .contains("ringpool_auth_failures_total{kind=\"metrics_token\"} 3.0")
                    .doesNotContain("sk_not-the-key").doesNotContain("wrong-admin-key-1");
        } finally {
            logger.detachAppender(log);
            httpLogger.setLevel(httpLevel);
        }
    }

    /**
     * Audit T #2: any wrong bearer token not starting {@code sk_} was counted as
     * {@code kind="admin_key"}, also on the routes no admin key opens (a person's own routes take
     * the session cookie alone, {@code GET /v1/dashboard/site} a site key alone), and so was a
     * header of another scheme. The kind now says what the shape of what was sent tells.
     */
    @Test
    void aWrongBearerTokenCountsAsAnAdminKeyOnlyWhereTheAdminKeyOpensTheRoute() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of());
            List<List<String>> noAdminKeyRoutes = List.of(List.of("GET", "/v1/me"), List.of("GET", "/v1/me/sessions"),
                    List.of("DELETE", "/v1/me/sessions/s-1"), List.of("POST", "/v1/auth/logout"), List.of("GET", "/v1/dashboard/site"));
            for (List<String> route : noAdminKeyRoutes) {
                Reply admin = server.send(route.get(0), route.get(1), TestServer.ADMIN_KEY, null, null, Map.of());
                assertThat(admin.status()).as("the admin key does not open " + route).isIn(401, 403);
                Reply wrong = server.send(route.get(0), route.get(1), "not-a-key-0123456789", null, null, Map.of());
                assertThat(wrong.status()).as(route.toString()).isEqualTo(401);
            }
            assertThat(server.get("/v1/workspaces", "not-the-admin-key-0123456789").status()).isEqualTo(401);
            assertThat(server.send("GET", "/v1/workspaces", null, null, null, Map.of("Authorization", "Token abc0123456789"))
                    .status()).isEqualTo(401);
            assertThat(server.send("GET", "/v1/sites/" + site.get("siteId"), null, null, null,
                    Map.of("Authorization", "Bearer  sk_not-the-key")).status()).isEqualTo(401);

            String scrape = server.app.registry().scrape();
            assertThat(scrape).contains("ringpool_auth_failures_total{kind=\"admin_key\"} 1.0")
                    // five wrong tokens, and the real admin key that GET /v1/dashboard/site refuses with 401
                    .contains("ringpool_auth_failures_total{kind=\"other_bearer\"} 6.0")
                    .contains("ringpool_auth_failures_total{kind=\"other_authorization\"} 1.0")
                    .contains("ringpool_auth_failures_total{kind=\"site_key\"} 1.0");
        }
    }
}
