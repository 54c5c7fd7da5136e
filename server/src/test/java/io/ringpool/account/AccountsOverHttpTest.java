package io.ringpool.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.call.Signing;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** People, workspaces, roles, sessions and the audit log over real HTTP on a real H2 store. */
class AccountsOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static TestAccounts accounts;

    @BeforeAll
    static void start() {
        // Loopback allowed for the webhook and destination addresses of the audit test (nothing is sent there).
        server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1")));
        accounts = new TestAccounts(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void anOperatorCreatesAWorkspaceAndItsOwnerJoinsThroughTheOneTimeLinkAndSignsIn() {
        TestServer.Reply created = server.post("/v1/workspaces", TestServer.ADMIN_KEY,
                Map.of("name", "Agency One", "owner", Map.of("email", "Boss@Agency.test", "name", "Boss")));
        assertThat(created.status()).isEqualTo(201);
        String link = created.text("ownerInvite");
        assertThat(link).as("server.publicUrl unset: the port listened on (audit P #3), not 8080")
                .startsWith("http://localhost:" + server.app.port() + "/dashboard/#invite=");

        TestServer.Reply accepted = accounts.accept(link, TestAccounts.PASSWORD);
        assertThat(accepted.status()).isEqualTo(201);
        assertThat(accepted.text("role")).isEqualTo("owner");
        assertThat(accounts.accept(link, TestAccounts.PASSWORD).errorCode()).as("a link works once").isEqualTo("link_invalid");

        TestServer.Reply login = accounts.login("boss@agency.test", TestAccounts.PASSWORD);
        assertThat(login.status()).isEqualTo(204);
        String cookie = login.headers().get("set-cookie").get(0);
        assertThat(cookie).startsWith(AccessApi.COOKIE + "=").contains("HttpOnly").contains("SameSite=Strict").contains("Path=/")
                .doesNotContain("Secure");
        String csrf = login.headers().get("x-csrf-token").get(0);

        TestAccounts.Person boss = accounts.signIn("boss@agency.test", TestAccounts.PASSWORD);
        JsonNode me = server.send("GET", "/v1/me", null, null, null, boss.headers(false)).json();
        assertThat(me.get("email").asText()).isEqualTo("boss@agency.test");
        assertThat(me.get("name").asText()).isEqualTo("Someone");
        assertThat(me.get("csrfToken").asText()).isEqualTo(boss.csrf()).isNotEqualTo(csrf);
        assertThat(me.get("workspaces").get(0).get("workspaceId").asText()).isEqualTo(created.text("workspaceId"));
        assertThat(me.get("workspaces").get(0).get("role").asText()).isEqualTo("owner");
    }

    @Test
    void creatingAWorkspaceNeedsTheAdminKey() {
        Map<String, Object> body = Map.of("name", "X", "owner", Map.of("email", "x@x.test"));
        assertThat(server.post("/v1/workspaces", null, body).status()).isEqualTo(401);
        Map<String, String> site = server.siteWithPool(List.of());
        assertThat(server.post("/v1/workspaces", site.get("apiKey"), body).status()).isEqualTo(403);
        assertThat(server.post("/v1/workspaces", TestServer.ADMIN_KEY, Map.of("name", "X", "owner", Map.of("email", "nope")))
                .json().path("error").path("field").asText()).isEqualTo("owner.email");
    }

    @Test
    void aWrongPasswordAndAnUnknownEmailGetTheSameAnswer() {
        accounts.ownedWorkspace("Same answer", "same@answer.test");
        TestServer.Reply wrong = accounts.login("same@answer.test", "not the password");
        TestServer.Reply unknown = accounts.login("nobody@answer.test", "not the password");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.body()).isEqualTo(unknown.body());
        assertThat(wrong.headers()).doesNotContainKey("set-cookie");
    }

    /**
     * Audit C, findings 5 and 6: "😀😀😀😀😀" (5 characters, 10 UTF-16 units) passed the 10-character
     * rule, and passwords were trimmed, so "  Spaced-pass-1  " and "Spaced-pass-1" both signed in
     * and ten spaces were "missing". A password is now counted in characters and kept exactly.
     */
    @Test
    void aPasswordIsCountedInCharactersAndKeptExactlyAsTyped() {
        Map<String, Object> ws = accounts.ownedWorkspace("Exact passwords", "exact-owner@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        java.util.function.Function<String, String> invite = email -> accounts.as(owner, "POST", "/v1/workspaces/" + wsId + "/invites",
                Map.of("email", email, "role", "viewer")).text("inviteUrl");

        String emojiLink = invite.apply("emoji@agency.test");
        for (String tooShort : List.of("😀😀😀😀😀", "😀😀😀😀😀😀😀😀😀", "")) {
            TestServer.Reply refused = accounts.accept(emojiLink, tooShort);
            assertThat(refused.status()).as("'%s'", tooShort).isEqualTo(422);
            assertThat(refused.errorCode()).isEqualTo("invalid_value");
            assertThat(refused.json().path("error").path("field").asText()).isEqualTo("password");
        }
        TestServer.Reply tooLong = accounts.accept(emojiLink, "😀".repeat(201));
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(accounts.accept(emojiLink, "😀".repeat(200)).status()).as("200 characters, 400 UTF-16 units").isEqualTo(201);
        assertThat(accounts.login("emoji@agency.test", "😀".repeat(200)).status()).isEqualTo(204);

        String spacesLink = invite.apply("spaces@agency.test");
        TestServer.Reply onlySpaces = accounts.accept(spacesLink, " ".repeat(10));
        assertThat(onlySpaces.status()).isEqualTo(422);
        assertThat(onlySpaces.errorCode()).as("given, so not missing: refused for what it is").isEqualTo("invalid_value");
        assertThat(onlySpaces.json().path("error").path("message").asText()).contains("only spaces");
        TestServer.Reply absent = server.post("/v1/invites/" + TestAccounts.token(spacesLink), null, Map.of("name", "N"));
        assertThat(absent.errorCode()).isEqualTo("missing_field");

        assertThat(accounts.accept(spacesLink, "  Spaced-pass-1  ").status()).isEqualTo(201);
        assertThat(accounts.login("spaces@agency.test", "Spaced-pass-1").status()).as("another password").isEqualTo(401);
        assertThat(accounts.login("spaces@agency.test", "  Spaced-pass-1  ").status()).isEqualTo(204);
    }

    @Test
    void afterFiveWrongPasswordsTheAccountIsRefusedEvenWithTheRightOneUntilTheWindowEnds() {
        accounts.ownedWorkspace("Throttled", "throttled@agency.test");
        for (int i = 0; i < SignIn.ACCOUNT_FAILURES; i++) {
            assertThat(accounts.login("throttled@agency.test", "guess number " + i).status()).isEqualTo(401);
        }
        TestServer.Reply refused = accounts.login("throttled@agency.test", TestAccounts.PASSWORD);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.errorCode()).isEqualTo("too_many_attempts");
        assertThat(Integer.parseInt(refused.headers().get("retry-after").get(0))).isBetween(1, 900);
        // Audit AM2 F9: the stranger's guesses lock out their own address, not the person, who
        // signs in from an address that has not failed for the account (through the trusted proxy).
        String body = "{\"email\":\"throttled@agency.test\",\"password\":\"" + TestAccounts.PASSWORD + "\"}";
        TestServer.Reply owner = server.send("POST", "/v1/auth/login", null, body, "application/json",
                Map.of("X-Forwarded-For", "198.18.77.7"));
        assertThat(owner.status()).as(owner.body()).isEqualTo(204);

        server.clock.advance(SignIn.THROTTLE_WINDOW);
        assertThat(accounts.login("throttled@agency.test", TestAccounts.PASSWORD).status()).isEqualTo(204);
    }

    /**
     * Audit K #10: {@code curl -d 'email=a&password=b'} on the sign-in, invite and reset routes was
     * told "Unrecognized token 'email': was expecting (JSON String, Number, Array, Object or token
     * 'null', 'true' or 'false')", the parser's own words.
     */
    @Test
    void aFormPostedWhereJsonIsExpectedIsToldInOurWordsWithWhere() {
        // Live links: an unknown one is 404 before its body is read (OneTimeLinksOverHttpTest).
        Map<String, Object> ws = accounts.ownedWorkspace("Form posters", "form-poster@agency.test");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        String invite = TestAccounts.token(accounts.as(owner, "POST", "/v1/workspaces/" + ws.get("workspaceId") + "/invites",
                Map.of("email", "form-invitee@agency.test", "role", "viewer")).text("inviteUrl"));
        String ownerId = accounts.as(owner, "GET", "/v1/me", null).text("userId");
        String reset = TestAccounts.token(accounts.as(owner, "POST", "/v1/workspaces/" + ws.get("workspaceId") + "/members/" + ownerId
                + "/password-reset", null).text("resetUrl"));
        for (String path : List.of("/v1/auth/login", "/v1/invites/" + invite, "/v1/password-resets/" + reset)) {
            TestServer.Reply r = server.send("POST", path, null, "email=a&password=b", "application/x-www-form-urlencoded", Map.of());
            // A form's name=value&... under its own type is a body of another media type (audit AK1 F6):
            // 415, in words that say what to send, rather than a JSON parser's complaint about 'email'.
            assertThat(r.status()).as(path).isEqualTo(415);
            assertThat(r.errorCode()).isEqualTo("unsupported_media_type");
            assertThat(r.json().path("error").path("message").asText()).as(path)
                    .isEqualTo("send the body as JSON (application/json): a form-encoded body (name=value&...) is not read");
            TestServer.Reply asText = server.send("POST", path, null, "email=a&password=b", "text/plain", Map.of());
            assertThat(asText.status()).as(path).isEqualTo(400);
            assertThat(asText.json().path("error").path("message").asText()).as(path)
                    .isEqualTo("the body is not valid JSON: 'email' is not a JSON value (line 1, column 1)");
        }
    }

    @Test
    void aCookieRequestThatChangesSomethingNeedsTheCsrfToken() {
        Map<String, Object> ws = accounts.ownedWorkspace("Csrf", "csrf@agency.test");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        Map<String, String> site = accounts.site((String) ws.get("workspaceId"), owner, "Csrf shop");
        String path = "/v1/sites/" + site.get("siteId");
        String body = "{\"currency\":\"EUR\"}";

        TestServer.Reply without = server.send("PATCH", path, null, body, "application/json", owner.headers(false));
        assertThat(without.status()).isEqualTo(403);
        assertThat(without.errorCode()).isEqualTo("csrf_failed");
        Map<String, String> forged = owner.headers(false);
        forged.put("X-CSRF-Token", "forged-token");
        assertThat(server.send("PATCH", path, null, body, "application/json", forged).status()).isEqualTo(403);
        assertThat(server.get(path, site.get("apiKey")).text("currency")).isEqualTo("RUB");

        assertThat(server.send("PATCH", path, null, body, "application/json", owner.headers(true)).status()).isEqualTo(200);
        assertThat(server.send("GET", path, null, null, null, owner.headers(false)).text("currency")).as("reads need no token")
                .isEqualTo("EUR");
    }

    @Test
    void aForgedOrUnknownCookieIsUnauthorised() {
        Map<String, String> headers = Map.of("Cookie", AccessApi.COOKIE + "=forged");
        assertThat(server.send("GET", "/v1/me", null, null, null, headers).status()).isEqualTo(401);
        assertThat(server.send("GET", "/v1/sites/st_whatever/calls", null, null, null, headers).status()).isEqualTo(401);
    }

    @Test
    void signingOutRevokesTheSessionAndOtherSessionsCanBeListedAndRevoked() {
        accounts.ownedWorkspace("Sessions", "sessions@agency.test");
        TestAccounts.Person laptop = accounts.signIn("sessions@agency.test", TestAccounts.PASSWORD);
        TestAccounts.Person phone = accounts.signIn("sessions@agency.test", TestAccounts.PASSWORD);

        JsonNode list = server.send("GET", "/v1/me/sessions", null, null, null, laptop.headers(false)).json().get("sessions");
        assertThat(list).hasSize(3); // the one ownedWorkspace made, the laptop, the phone
        String phoneId = server.send("GET", "/v1/me", null, null, null, phone.headers(false)).text("sessionId");

        assertThat(accounts.as(laptop, "DELETE", "/v1/me/sessions/" + phoneId, null).status()).isEqualTo(204);
        assertThat(server.send("GET", "/v1/me", null, null, null, phone.headers(false)).status()).isEqualTo(401);

        TestServer.Reply out = accounts.as(laptop, "POST", "/v1/auth/logout", null);
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.headers().get("set-cookie").get(0)).contains("Max-Age=0");
        assertThat(server.send("GET", "/v1/me", null, null, null, laptop.headers(false)).status()).isEqualTo(401);
    }

    @Test
    void aSessionEndsAfterTwelveIdleHours() {
        accounts.ownedWorkspace("Idle", "idle@agency.test");
        TestAccounts.Person p = accounts.signIn("idle@agency.test", TestAccounts.PASSWORD);
        server.clock.advance(SignIn.IDLE.minusMinutes(1));
        assertThat(server.send("GET", "/v1/me", null, null, null, p.headers(false)).status()).isEqualTo(200);
        server.clock.advance(SignIn.IDLE.minusMinutes(1));
        assertThat(server.send("GET", "/v1/me", null, null, null, p.headers(false)).status()).as("used 11h59m ago: still live")
                .isEqualTo(200);
        server.clock.advance(SignIn.IDLE);
        assertThat(server.send("GET", "/v1/me", null, null, null, p.headers(false)).status()).isEqualTo(401);
    }

    @Test
    void eachRoleSeesWhatItMayAndViewersSeeCallersMasked() {
        Map<String, Object> ws = accounts.ownedWorkspace("Roles", "roles-owner@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        Map<String, String> site = accounts.site(wsId, owner, "Roles shop");
        String siteId = site.get("siteId");
        TestServer.Reply pool = accounts.as(owner, "POST", "/v1/sites/" + siteId + "/pools",
                Map.of("name", "Google", "match", Map.of("source", "google"), "numbers", List.of("+74950000301", "+74950000302")));
        assertThat(pool.status()).isEqualTo(201);
        String event = "{\"callId\":\"r-1\",\"event\":\"completed\",\"from\":\"+79161234567\",\"to\":\"+74950000301\",\"talkSeconds\":40}";
        long t = server.clock.instant().getEpochSecond();
        assertThat(server.send("POST", "/v1/telephony/" + siteId + "/events", null, event, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), t, event))).status()).isEqualTo(200);

        TestAccounts.Person analyst = accounts.member(wsId, owner, "analyst@agency.test", "analyst");
        TestAccounts.Person viewer = accounts.member(wsId, owner, "viewer@agency.test", "viewer");
        String calls = "/v1/sites/" + siteId + "/calls";

        assertThat(accounts.as(analyst, "GET", calls, null).json().get("calls").get(0).get("caller").asText()).isEqualTo("+79161234567");
        assertThat(accounts.as(viewer, "GET", calls, null).json().get("calls").get(0).get("caller").asText()).isEqualTo("+7916***4567");
        assertThat(accounts.as(viewer, "GET", calls + "/" + accounts.as(analyst, "GET", calls, null).json().get("calls").get(0)
                .get("callId").asText(), null).text("caller")).isEqualTo("+7916***4567");
        assertThat(accounts.as(viewer, "GET", "/v1/sites/" + siteId + "/reports/sources", null).status()).isEqualTo(200);

        TestServer.Reply analystSettings = accounts.as(analyst, "PATCH", "/v1/sites/" + siteId, Map.of("currency", "EUR"));
        assertThat(analystSettings.status()).isEqualTo(403);
        assertThat(analystSettings.errorCode()).isEqualTo("forbidden");
        assertThat(accounts.as(viewer, "GET", "/v1/sites/" + siteId + "/exports/google-ads-calls.csv", null).status()).isEqualTo(403);
        assertThat(accounts.as(analyst, "GET", "/v1/sites/" + siteId + "/exports/google-ads-calls.csv", null).status()).isEqualTo(200);
        assertThat(accounts.as(analyst, "POST", "/v1/workspaces/" + wsId + "/invites", Map.of("email", "x@y.test", "role", "owner"))
                .status()).as("only owners invite").isEqualTo(403);
        assertThat(accounts.as(owner, "PATCH", "/v1/sites/" + siteId, Map.of("currency", "EUR")).status()).isEqualTo(200);
    }

    @Test
    void anotherWorkspacesSitesAndWorkspaceAreNotFound() {
        Map<String, Object> a = accounts.ownedWorkspace("A", "owner-a@agency.test");
        Map<String, Object> b = accounts.ownedWorkspace("B", "owner-b@agency.test");
        TestAccounts.Person ownerA = (TestAccounts.Person) a.get("owner");
        TestAccounts.Person ownerB = (TestAccounts.Person) b.get("owner");
        Map<String, String> siteB = accounts.site((String) b.get("workspaceId"), ownerB, "B shop");

        assertThat(accounts.as(ownerA, "GET", "/v1/sites/" + siteB.get("siteId"), null).status()).isEqualTo(404);
        assertThat(accounts.as(ownerA, "GET", "/v1/sites/" + siteB.get("siteId") + "/calls", null).status()).isEqualTo(404);
        assertThat(accounts.as(ownerA, "PATCH", "/v1/sites/" + siteB.get("siteId"), Map.of("currency", "EUR")).status()).isEqualTo(404);
        assertThat(accounts.as(ownerA, "GET", "/v1/workspaces/" + b.get("workspaceId") + "/members", null).status()).isEqualTo(404);
        assertThat(accounts.as(ownerA, "GET", "/v1/workspaces/" + b.get("workspaceId") + "/audit", null).status()).isEqualTo(404);
        assertThat(accounts.as(ownerA, "POST", "/v1/workspaces/" + b.get("workspaceId") + "/invites",
                Map.of("email", "spy@a.test", "role", "owner")).status()).isEqualTo(404);
    }

    @Test
    void aMemberLimitedToSomeSitesDoesNotSeeTheOthers() {
        Map<String, Object> ws = accounts.ownedWorkspace("Limited", "limited-owner@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        Map<String, String> one = accounts.site(wsId, owner, "One");
        Map<String, String> two = accounts.site(wsId, owner, "Two");
        TestServer.Reply invite = accounts.as(owner, "POST", "/v1/workspaces/" + wsId + "/invites",
                Map.of("email", "client@one.test", "role", "analyst", "sites", List.of(one.get("siteId"))));
        assertThat(invite.status()).isEqualTo(201);
        assertThat(accounts.accept(invite.text("inviteUrl"), TestAccounts.PASSWORD).status()).isEqualTo(201);
        TestAccounts.Person client = accounts.signIn("client@one.test", TestAccounts.PASSWORD);

        assertThat(accounts.as(client, "GET", "/v1/sites/" + one.get("siteId") + "/calls", null).status()).isEqualTo(200);
        assertThat(accounts.as(client, "GET", "/v1/sites/" + two.get("siteId") + "/calls", null).status()).isEqualTo(404);
        JsonNode me = accounts.as(client, "GET", "/v1/me", null).json();
        assertThat(me.get("workspaces").get(0).get("sites")).hasSize(1);

        TestServer.Reply bad = accounts.as(owner, "POST", "/v1/workspaces/" + wsId + "/invites",
                Map.of("email", "x@one.test", "role", "viewer", "sites", List.of("st_elsewhere")));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().path("error").path("field").asText()).isEqualTo("sites[0]");
    }

    /** Audit AN4 F1: a person's sites came in id order, which is random; they come by name, case aside. */
    @Test
    void mySitesComeByNameCaseAside() {
        Map<String, Object> ws = accounts.ownedWorkspace("Sorted", "sorted-owner@agency.test");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        for (String name : List.of("delta", "Alpha", "charlie", "Bravo", "Ёлка", "echo")) {
            accounts.site((String) ws.get("workspaceId"), owner, name);
        }
        JsonNode sites = accounts.as(owner, "GET", "/v1/me", null).json().get("workspaces").get(0).get("sites");
        assertThat(sites.findValuesAsText("name")).containsExactly("Alpha", "Bravo", "charlie", "delta", "echo", "Ёлка");
    }

    /**
     * Audit AB2 #7: an owner invited with a site list read only those sites, yet could widen its own
     * list, invite an owner of every site, read the whole audit log and reset the full owner's
     * password. An owner sees every site: a site list for one is refused, and making a limited
     * member an owner leaves the list behind.
     */
    @Test
    void anOwnerCannotBeLimitedToSomeSites() {
        Map<String, Object> ws = accounts.ownedWorkspace("Owners", "owners-owner@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        Map<String, String> one = accounts.site(wsId, owner, "One");
        accounts.site(wsId, owner, "Two");
        String invites = "/v1/workspaces/" + wsId + "/invites";

        TestServer.Reply limitedOwner = accounts.as(owner, "POST", invites,
                Map.of("email", "limited-owner@one.test", "role", "owner", "sites", List.of(one.get("siteId"))));
        assertThat(limitedOwner.status()).isEqualTo(422);
        assertThat(limitedOwner.json().path("error").path("field").asText()).isEqualTo("sites");
        assertThat(accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/members", null).json().get("invites")).isEmpty();

        TestServer.Reply manager = accounts.as(owner, "POST", invites,
                Map.of("email", "limited-manager@one.test", "role", "manager", "sites", List.of(one.get("siteId"))));
        assertThat(manager.status()).isEqualTo(201);
        assertThat(accounts.accept(manager.text("inviteUrl"), TestAccounts.PASSWORD).status()).isEqualTo(201);
        JsonNode members = accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/members", null).json().get("members");
        String managerId = null;
        for (JsonNode m : members) {
            if (m.path("email").asText().equals("limited-manager@one.test")) {
                managerId = m.path("userId").asText();
            }
        }
        assertThat(managerId).isNotNull();
        String member = "/v1/workspaces/" + wsId + "/members/" + managerId;

        TestServer.Reply ownerWithList = accounts.as(owner, "PATCH", member, Map.of("role", "owner", "sites", List.of(one.get("siteId"))));
        assertThat(ownerWithList.status()).isEqualTo(422);
        assertThat(ownerWithList.json().path("error").path("field").asText()).isEqualTo("sites");
        TestServer.Reply promoted = accounts.as(owner, "PATCH", member, Map.of("role", "owner"));
        assertThat(promoted.status()).isEqualTo(200);
        assertThat(promoted.json().get("role").asText()).isEqualTo("owner");
        assertThat(promoted.json().get("allSites").asBoolean()).isTrue();
        TestServer.Reply narrowed = accounts.as(owner, "PATCH", member, Map.of("sites", List.of(one.get("siteId"))));
        assertThat(narrowed.status()).isEqualTo(422);
        assertThat(narrowed.json().path("error").path("field").asText()).isEqualTo("sites");
    }

    /**
     * Audit C, finding 2: webhooks, feeds and destinations send callers' data out of Ringpool, and
     * their creation left no trace in the log. Each is logged with who and where the data goes,
     * and never with a secret (the webhook's secret, the feed's password, the platform's
     * credentials, a token in the URL's path or query).
     */
    @Test
    void theAuditLogRecordsWebhooksFeedsAndDestinationsWithoutTheirSecrets() {
        Map<String, Object> ws = accounts.ownedWorkspace("Conversions out", "out@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        Map<String, String> site = accounts.site(wsId, owner, "Outgoing shop");
        String siteId = site.get("siteId");
        TestAccounts.Person manager = accounts.member(wsId, owner, "out-manager@agency.test", "manager");

        TestServer.Reply hook = accounts.as(manager, "POST", "/v1/sites/" + siteId + "/webhooks",
                Map.of("url", "http://127.0.0.1:9/services/T0001/hook-token-4242?key=query-token-4242", "events", List.of("call.completed")));
        assertThat(hook.status()).as(hook.body()).isEqualTo(201);
        TestServer.Reply feed = server.post("/v1/sites/" + siteId + "/feeds", site.get("apiKey"), Map.of("format", "yandex-calls"));
        assertThat(feed.status()).as(feed.body()).isEqualTo(201);
        TestServer.Reply destination = accounts.as(manager, "POST", "/v1/sites/" + siteId + "/destinations", Map.of("type", "ga4",
                "measurementId", "G-AUDIT1234", "apiSecret", "ga4-secret-4242", "baseUrl", "http://127.0.0.1:9/mp/path-token-4242"));
        assertThat(destination.status()).as(destination.body()).isEqualTo(201);
        String hookId = hook.text("webhookId");
        String feedId = feed.text("feedId");
        String destinationId = destination.text("destinationId");
        assertThat(accounts.as(manager, "DELETE", "/v1/sites/" + siteId + "/webhooks/" + hookId, null).status()).isEqualTo(204);
        assertThat(server.send("DELETE", "/v1/sites/" + siteId + "/feeds/" + feedId, site.get("apiKey"), null, null, Map.of()).status())
                .isEqualTo(204);
        assertThat(accounts.as(manager, "DELETE", "/v1/sites/" + siteId + "/destinations/" + destinationId, null).status())
                .isEqualTo(204);

        TestServer.Reply log = accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/audit", null);
        JsonNode entries = log.json().get("entries");
        List<String> actions = entries.findValuesAsText("action");
        assertThat(actions).containsSubsequence("destination.delete", "feed.revoke", "webhook.delete", "destination.create",
                "feed.create", "webhook.create");
        JsonNode created = entries.get(actions.indexOf("webhook.create"));
        assertThat(created.get("actor").get("label").asText()).isEqualTo("out-manager@agency.test");
        assertThat(created.get("siteId").asText()).isEqualTo(siteId);
        assertThat(created.get("target").asText()).isEqualTo(hookId);
        assertThat(created.get("detail").asText()).isEqualTo("to http://127.0.0.1:9, events call.completed");
        JsonNode feedCreated = entries.get(actions.indexOf("feed.create"));
        assertThat(feedCreated.get("actor").get("kind").asText()).isEqualTo("site_key");
        assertThat(feedCreated.get("target").asText()).isEqualTo(feedId);
        assertThat(feedCreated.get("detail").asText()).startsWith("yandex-calls (export layout), last 30 days, username feed_");
        assertThat(entries.get(actions.indexOf("destination.create")).get("detail").asText())
                .isEqualTo("ga4, baseUrl http://127.0.0.1:9, measurementId G-AUDIT1234");
        assertThat(entries.get(actions.indexOf("feed.revoke")).get("target").asText()).isEqualTo(feedId);
        assertThat(entries.get(actions.indexOf("destination.delete")).get("target").asText()).isEqualTo(destinationId);
        assertThat(log.body()).doesNotContain("4242").doesNotContain(hook.text("secret")).doesNotContain(feed.text("password"));
    }

    /**
     * Audit AM2 F10: a manager's feed (its username and password work without a session) went on
     * answering every caller's number after the owner removed the manager. The feeds a person made
     * end with their right to manage the site: removed, or demoted below manager; the feed list
     * shows who made each, and the audit log says what was revoked and why. A feed made with the
     * site key, or by the owner, is left alone; a webhook stays and says who made it.
     */
    @Test
    void aRemovedOrDemotedMembersFeedsAreRevokedAndTheFeedListSaysWhoMadeEach() {
        Map<String, Object> ws = accounts.ownedWorkspace("Feeds of people", "feeds-owner@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        Map<String, String> site = accounts.site(wsId, owner, "Feed shop");
        String feeds = "/v1/sites/" + site.get("siteId") + "/feeds";
        TestAccounts.Person leaving = accounts.member(wsId, owner, "feeds-leaving@agency.test", "manager");
        TestAccounts.Person demoted = accounts.member(wsId, owner, "feeds-demoted@agency.test", "manager");
        String leavingId = accounts.as(leaving, "GET", "/v1/me", null).text("userId");
        String demotedId = accounts.as(demoted, "GET", "/v1/me", null).text("userId");

        TestServer.Reply leavingFeed = accounts.as(leaving, "POST", feeds, Map.of("format", "google-ads-calls"));
        TestServer.Reply demotedFeed = accounts.as(demoted, "POST", feeds, Map.of("format", "yandex-calls"));
        TestServer.Reply ownerFeed = accounts.as(owner, "POST", feeds, Map.of("format", "yandex-calls"));
        TestServer.Reply keyFeed = server.post(feeds, site.get("apiKey"), Map.of("format", "google-ads-calls"));
        for (TestServer.Reply f : List.of(leavingFeed, demotedFeed, ownerFeed, keyFeed)) {
            assertThat(f.status()).as(f.body()).isEqualTo(201);
            assertThat(fetchFeed(f).status()).as("answers while its maker may manage the site").isEqualTo(200);
        }
        JsonNode listed = accounts.as(owner, "GET", feeds, null).json().get("feeds");
        assertThat(listed.findValuesAsText("feedId")).hasSize(4);
        JsonNode first = listed.get(0);
        assertThat(first.get("createdBy").get("kind").asText()).isEqualTo("user");
        assertThat(first.get("createdBy").get("id").asText()).isEqualTo(leavingId);
        assertThat(first.get("createdBy").get("label").asText()).isEqualTo("feeds-leaving@agency.test");
        assertThat(listed.get(3).get("createdBy").get("kind").asText()).isEqualTo("site_key");
        TestServer.Reply hook = accounts.as(leaving, "POST", "/v1/sites/" + site.get("siteId") + "/webhooks",
                Map.of("url", "http://127.0.0.1:9/crm", "events", List.of("call.completed")));
        assertThat(hook.status()).as(hook.body()).isEqualTo(201);
        assertThat(hook.json().get("createdBy").get("label").asText()).isEqualTo("feeds-leaving@agency.test");
        TestServer.Reply destination = accounts.as(leaving, "POST", "/v1/sites/" + site.get("siteId") + "/destinations", Map.of("type", "ga4",
                "measurementId", "G-CREATOR123", "apiSecret", "ga4-secret-creator", "baseUrl", "http://127.0.0.1:9/mp"));
        assertThat(destination.status()).as(destination.body()).isEqualTo(201);
        assertThat(destination.json().get("createdBy").get("label").asText()).isEqualTo("feeds-leaving@agency.test");

        assertThat(accounts.as(owner, "DELETE", "/v1/workspaces/" + wsId + "/members/" + leavingId, null).status()).isEqualTo(204);
        TestServer.Reply analyst = accounts.as(owner, "PATCH", "/v1/workspaces/" + wsId + "/members/" + demotedId, Map.of("role", "analyst"));
        assertThat(analyst.status()).as(analyst.body()).isEqualTo(200);

        assertThat(fetchFeed(leavingFeed).status()).as("the removed manager's feed").isEqualTo(401);
        assertThat(fetchFeed(demotedFeed).status()).as("the feed of one who may no longer manage integrations").isEqualTo(401);
        assertThat(fetchFeed(ownerFeed).status()).isEqualTo(200);
        assertThat(fetchFeed(keyFeed).status()).isEqualTo(200);
        assertThat(accounts.as(owner, "GET", feeds, null).json().get("feeds").findValuesAsText("feedId"))
                .containsExactly(ownerFeed.text("feedId"), keyFeed.text("feedId"));
        // A webhook often feeds the company's own systems: it stays, and the owner sees who set it up.
        JsonNode hooks = accounts.as(owner, "GET", "/v1/sites/" + site.get("siteId") + "/webhooks", null).json().get("webhooks");
        assertThat(hooks).hasSize(1);
        assertThat(hooks.get(0).get("createdBy").get("id").asText()).isEqualTo(leavingId);
        // So does an upload destination (the ad account is usually the company's own).
        JsonNode dests = accounts.as(owner, "GET", "/v1/sites/" + site.get("siteId") + "/destinations", null).json().get("destinations");
        assertThat(dests).hasSize(1);
        assertThat(dests.get(0).get("createdBy").get("kind").asText()).isEqualTo("user");
        assertThat(dests.get(0).get("createdBy").get("id").asText()).isEqualTo(leavingId);

        JsonNode entries = accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/audit", null).json().get("entries");
        List<String> actions = entries.findValuesAsText("action");
        List<String> targets = entries.findValuesAsText("target");
        JsonNode revokedOnRemoval = entries.get(targets.indexOf(leavingFeed.text("feedId")));
        assertThat(revokedOnRemoval.get("action").asText()).isEqualTo("feed.revoke");
        assertThat(revokedOnRemoval.get("actor").get("label").asText()).isEqualTo("feeds-owner@agency.test");
        assertThat(revokedOnRemoval.get("detail").asText()).contains("created by member " + leavingId).contains("removed from the workspace");
        assertThat(entries.get(actions.indexOf("user.remove")).get("detail").asText()).contains(leavingFeed.text("feedId"));
        assertThat(entries.get(actions.indexOf("user.change")).get("detail").asText()).contains(demotedFeed.text("feedId"));
    }

    static TestServer.Reply fetchFeed(TestServer.Reply created) {
        String basic = java.util.Base64.getEncoder().encodeToString((created.text("username") + ":" + created.text("password"))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return server.send("GET", "/v1/feeds/" + created.text("feedId") + ".csv", null, null, null, Map.of("Authorization", "Basic " + basic));
    }

    /** Audit AN4 F22: {@code {}} and a value equal to the current one were logged as site changes. */
    @Test
    void aSitePatchThatChangesNothingIsNotInTheAuditLogAndOnlyChangedFieldsAreNamed() {
        Map<String, Object> ws = accounts.ownedWorkspace("Empty patch", "empty-patch@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        String path = "/v1/sites/" + accounts.site(wsId, owner, "Unchanged shop").get("siteId");
        int coolDown = accounts.as(owner, "GET", path, null).json().get("coolDownSeconds").asInt();
        assertThat(accounts.as(owner, "PATCH", path, Map.of()).status()).isEqualTo(200);
        assertThat(accounts.as(owner, "PATCH", path, Map.of("coolDownSeconds", coolDown, "name", "Unchanged shop")).status()).isEqualTo(200);
        assertThat(accounts.as(owner, "PATCH", path, Map.of("coolDownSeconds", coolDown, "retentionDays", 91)).status()).isEqualTo(200);

        List<String> settings = new java.util.ArrayList<>();
        for (JsonNode e : accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/audit", null).json().get("entries")) {
            if (e.get("action").asText().equals("site.settings")) {
                settings.add(e.get("detail").asText());
            }
        }
        assertThat(settings).containsExactly("changed retentionDays");
    }

    @Test
    void theAuditLogSaysWhoChangedWhatWhenAndFromWhere() {
        Map<String, Object> ws = accounts.ownedWorkspace("Audited", "audited@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        Map<String, String> site = accounts.site(wsId, owner, "Audited shop");
        accounts.as(owner, "PATCH", "/v1/sites/" + site.get("siteId"), Map.of("retentionDays", 90));
        server.post("/v1/sites/" + site.get("siteId") + "/pools", site.get("apiKey"), Map.of("numbers", List.of("+74950000401")));
        accounts.member(wsId, owner, "audited-viewer@agency.test", "viewer");

        JsonNode entries = accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/audit", null).json().get("entries");
        List<String> actions = entries.findValuesAsText("action");
        assertThat(actions).containsSubsequence("user.join", "user.invite", "pool.create", "site.settings", "site.create");
        JsonNode settings = entries.get(actions.indexOf("site.settings"));
        assertThat(settings.get("actor").get("label").asText()).isEqualTo("audited@agency.test");
        assertThat(settings.get("detail").asText()).isEqualTo("changed retentionDays");
        assertThat(settings.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(settings.get("at").asText()).isNotEmpty();
        assertThat(entries.get(actions.indexOf("pool.create")).get("actor").get("kind").asText()).isEqualTo("site_key");

        JsonNode page = accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/audit?limit=2", null).json();
        assertThat(page.get("entries")).hasSize(2);
        JsonNode next = accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/audit?limit=2&cursor=" + page.get("nextCursor").asText(),
                null).json();
        assertThat(next.get("entries").get(0).get("auditId").asText()).isEqualTo(entries.get(2).get("auditId").asText());
        assertThat(accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/audit?cursor=garbage", null).status()).isEqualTo(422);
        // Audit AB1 #13: read as every other list reads its parameters.
        for (String odd : new String[] {"cursor=-1.x", "cursor=1.5", "limit=2&limit=3", "limit=0"}) {
            TestServer.Reply refused = accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/audit?" + odd, null);
            assertThat(refused.status()).as(odd).isEqualTo(422);
            assertThat(refused.json().path("error").path("field").asText()).as(odd).isEqualTo(odd.substring(0, odd.indexOf('=')));
        }
        assertThat(accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/audit?limt=2", null).status()).isEqualTo(400);
    }

    /**
     * Audit AI4 F5: a note, or the reviewed flag, alone was written as {@code call.update} "tags
     * [Lead, Sale]", the entry a tag change to those tags writes, so the log could not say what changed.
     */
    @Test
    void theAuditLogTellsANoteAndAReviewFromATagChange() {
        Map<String, Object> ws = accounts.ownedWorkspace("Noted", "noted-owner@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        Map<String, String> site = accounts.site(wsId, owner, "Noted shop");
        String siteId = site.get("siteId");
        assertThat(accounts.as(owner, "POST", "/v1/sites/" + siteId + "/pools", Map.of("numbers", List.of("+74950000501"))).status())
                .isEqualTo(201);
        String event = "{\"callId\":\"n-1\",\"event\":\"completed\",\"from\":\"+79161234500\",\"to\":\"+74950000501\",\"talkSeconds\":40}";
        long t = server.clock.instant().getEpochSecond();
        assertThat(server.send("POST", "/v1/telephony/" + siteId + "/events", null, event, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), t, event))).status()).isEqualTo(200);
        String call = "/v1/sites/" + siteId + "/calls/"
                + accounts.as(owner, "GET", "/v1/sites/" + siteId + "/calls", null).json().get("calls").get(0).get("callId").asText();
        String audit = "/v1/workspaces/" + wsId + "/audit";

        assertThat(accounts.as(owner, "PATCH", call, Map.of("tags", List.of("Lead", "Sale"))).status()).isEqualTo(200);
        assertThat(accounts.as(owner, "PATCH", call, Map.of("note", "wants a red sofa")).status()).isEqualTo(200);
        assertThat(accounts.as(owner, "PATCH", call, Map.of("reviewed", true)).status()).isEqualTo(200);
        Map<String, Object> removeNote = new java.util.HashMap<>();
        removeNote.put("note", null);
        assertThat(accounts.as(owner, "PATCH", call, removeNote).status()).isEqualTo(200);
        assertThat(accounts.as(owner, "PATCH", call, Map.of("value", 45000, "currency", "RUB", "reviewed", false)).status()).isEqualTo(200);

        JsonNode entries = accounts.as(owner, "GET", audit + "?limit=6", null).json().get("entries");
        List<String> lines = new java.util.ArrayList<>();
        entries.forEach(e -> lines.add(e.get("action").asText() + ": " + e.get("detail").asText()));
        // Newest first; the last PATCH changed a value and the flag, so it wrote both kinds.
        assertThat(lines.subList(0, 5)).containsExactlyInAnyOrder("call.update: tags [Lead, Sale], value 45000.0 RUB",
                "call.review: marked not reviewed", "call.note: note removed", "call.review: marked reviewed",
                "call.note: note written, 16 characters");
        assertThat(lines.subList(2, 5)).containsExactly("call.note: note removed", "call.review: marked reviewed",
                "call.note: note written, 16 characters");
        assertThat(lines.get(5)).isEqualTo("call.update: tags [Lead, Sale]");
        assertThat(entries.toString()).as("the note's text stays in the call").doesNotContain("red sofa");

        // Audit AJ3 J4: removing the value read as a tag change, and a lead's value change as "tags null, status null".
        Map<String, Object> removeValue = new java.util.HashMap<>();
        removeValue.put("value", null);
        assertThat(accounts.as(owner, "PATCH", call, removeValue).status()).isEqualTo(200);
        String leadId = accounts.as(owner, "POST", "/v1/sites/" + siteId + "/leads", Map.of("kind", "form", "phone", "+79161234501"))
                .text("leadId");
        String lead = "/v1/sites/" + siteId + "/leads/" + leadId;
        assertThat(accounts.as(owner, "PATCH", lead, Map.of("value", 700, "currency", "RUB")).status()).isEqualTo(200);
        assertThat(accounts.as(owner, "PATCH", lead, removeValue).status()).isEqualTo(200);
        assertThat(accounts.as(owner, "PATCH", lead, Map.of("status", "won")).status()).isEqualTo(200);
        List<String> later = new java.util.ArrayList<>();
        accounts.as(owner, "GET", audit + "?limit=4", null).json().get("entries")
                .forEach(e -> later.add(e.get("action").asText() + ": " + e.get("detail").asText()));
        assertThat(later).containsExactly("lead.update: status won", "lead.update: value removed", "lead.update: value 700.0 RUB",
                "call.update: tags [Lead, Sale], value removed");
    }

    @Test
    void anOwnerIssuesAPasswordResetThatWorksOnceAndEndsTheOldSessions() {
        Map<String, Object> ws = accounts.ownedWorkspace("Reset", "reset-owner@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        TestAccounts.Person forgetful = accounts.member(wsId, owner, "forgetful@agency.test", "analyst");
        String userId = accounts.as(forgetful, "GET", "/v1/me", null).text("userId");

        TestServer.Reply issued = accounts.as(owner, "POST", "/v1/workspaces/" + wsId + "/members/" + userId + "/password-reset", null);
        assertThat(issued.status()).isEqualTo(201);
        String token = TestAccounts.token(issued.text("resetUrl"));
        assertThat(issued.text("resetUrl")).contains("/dashboard/#reset=");
        assertThat(server.post("/v1/password-resets/" + token, null, Map.of("password", "short")).status()).isEqualTo(422);
        assertThat(server.post("/v1/password-resets/" + token, null, Map.of("password", "a brand new secret")).status()).isEqualTo(204);
        assertThat(server.post("/v1/password-resets/" + token, null, Map.of("password", "another new secret")).status()).isEqualTo(404);

        assertThat(accounts.as(forgetful, "GET", "/v1/me", null).status()).as("old session ended").isEqualTo(401);
        assertThat(accounts.login("forgetful@agency.test", TestAccounts.PASSWORD).status()).isEqualTo(401);
        assertThat(accounts.login("forgetful@agency.test", "a brand new secret").status()).isEqualTo(204);

        TestServer.Reply byOperator = server.post("/v1/workspaces/" + wsId + "/members/" + userId + "/password-reset",
                TestServer.ADMIN_KEY, null);
        assertThat(byOperator.status()).isEqualTo(201);
    }

    @Test
    void anOwnerCannotResetThePasswordOfSomeoneWhoAlsoBelongsToAWorkspaceTheyDoNotOwn() {
        Map<String, Object> a = accounts.ownedWorkspace("Takeover A", "takeover-a@agency.test");
        Map<String, Object> b = accounts.ownedWorkspace("Takeover B", "takeover-b@agency.test");
        TestAccounts.Person ownerA = (TestAccounts.Person) a.get("owner");
        TestAccounts.Person ownerB = (TestAccounts.Person) b.get("owner");
        String wsA = (String) a.get("workspaceId");
        TestServer.Reply invite = accounts.as(ownerA, "POST", "/v1/workspaces/" + wsA + "/invites",
                Map.of("email", "takeover-b@agency.test", "role", "viewer"));
        assertThat(accounts.accept(invite.text("inviteUrl"), TestAccounts.PASSWORD).status()).as("existing account proves its password")
                .isEqualTo(201);
        String userB = accounts.as(ownerB, "GET", "/v1/me", null).text("userId");
        assertThat(accounts.as(ownerA, "GET", "/v1/me", null).json().get("workspaces")).hasSize(1);
        assertThat(accounts.as(ownerB, "GET", "/v1/me", null).json().get("workspaces")).hasSize(2);
        assertThat(accounts.as(ownerA, "POST", "/v1/workspaces/" + wsA + "/members/" + userB + "/password-reset", null).status())
                .isEqualTo(403);
    }

    /**
     * Audit AN4 F16: an owner invited another address of theirs as owner, was removed, and the link
     * then made them owner again. Removing a member, or changing their role so they may no longer
     * invite, now withdraws the invitations they issued (each in the audit log), and the pending
     * list says who issued each.
     */
    @Test
    void theInvitationsOfARemovedOrDemotedOwnerAreWithdrawnAndThePendingListSaysWhoInvited() {
        Map<String, Object> ws = accounts.ownedWorkspace("Invkeep", "invkeep-o1@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person o1 = (TestAccounts.Person) ws.get("owner");
        TestAccounts.Person o2 = accounts.member(wsId, o1, "invkeep-o2@agency.test", "owner");
        TestAccounts.Person o3 = accounts.member(wsId, o1, "invkeep-o3@agency.test", "owner");
        java.util.function.BiFunction<TestAccounts.Person, String, TestServer.Reply> invite = (by, email) -> accounts.as(by, "POST",
                "/v1/workspaces/" + wsId + "/invites", Map.of("email", email, "role", "owner"));
        TestServer.Reply byO2 = invite.apply(o2, "invkeep-o2-alt@agency.test");
        TestServer.Reply byO3 = invite.apply(o3, "invkeep-o3-alt@agency.test");
        TestServer.Reply byO1 = invite.apply(o1, "invkeep-friend@agency.test");
        assertThat(byO2.text("invitedBy")).isEqualTo("invkeep-o2@agency.test");

        JsonNode pending = accounts.as(o1, "GET", "/v1/workspaces/" + wsId + "/members", null).json().get("invites");
        assertThat(pending).hasSize(3);
        assertThat(pending.findValuesAsText("invitedBy"))
                .containsExactly("invkeep-o2@agency.test", "invkeep-o3@agency.test", "invkeep-o1@agency.test");

        String o2Id = userId(o1, wsId, "invkeep-o2@agency.test");
        String o3Id = userId(o1, wsId, "invkeep-o3@agency.test");
        assertThat(accounts.as(o1, "DELETE", "/v1/workspaces/" + wsId + "/members/" + o2Id, null).status()).isEqualTo(204);
        assertThat(accounts.as(o1, "PATCH", "/v1/workspaces/" + wsId + "/members/" + o3Id, Map.of("role", "manager")).status())
                .isEqualTo(200);

        TestServer.Reply back = accounts.accept(byO2.text("inviteUrl"), TestAccounts.PASSWORD);
        assertThat(back.status()).as("the removed owner's invitation no longer lets anyone in").isEqualTo(404);
        assertThat(back.errorCode()).isEqualTo("link_invalid");
        assertThat(accounts.accept(byO3.text("inviteUrl"), TestAccounts.PASSWORD).status()).as("demoted: may no longer invite")
                .isEqualTo(404);
        pending = accounts.as(o1, "GET", "/v1/workspaces/" + wsId + "/members", null).json().get("invites");
        assertThat(pending.findValuesAsText("inviteId")).containsExactly(byO1.text("inviteId"));

        JsonNode entries = accounts.as(o1, "GET", "/v1/workspaces/" + wsId + "/audit", null).json().get("entries");
        List<String> withdrawn = new java.util.ArrayList<>();
        for (JsonNode e : entries) {
            if (e.get("action").asText().equals("user.invite_withdraw")) {
                withdrawn.add(e.get("target").asText() + " " + e.get("detail").asText());
            }
        }
        assertThat(withdrawn).hasSize(2);
        assertThat(withdrawn).anySatisfy(w -> assertThat(w).startsWith(byO2.text("inviteId"))
                .contains("invkeep-o2-alt@agency.test", "issued by invkeep-o2@agency.test", "removed"));
        assertThat(withdrawn).anySatisfy(w -> assertThat(w).startsWith(byO3.text("inviteId"))
                .contains("invkeep-o3-alt@agency.test", "issued by invkeep-o3@agency.test", "no longer invite"));
        assertThat(accounts.accept(byO1.text("inviteUrl"), TestAccounts.PASSWORD).status()).as("the remaining owner's stands")
                .isEqualTo(201);
    }

    /**
     * Audit AN4 F4: a changed, reset or removed person was named in the audit log only by their
     * user id, which no page shows and which leads nowhere once they are removed. Those entries now
     * carry the person's e-mail as it was, and a role change the role before.
     */
    @Test
    void theAuditLogNamesChangedResetAndRemovedPeopleByEmail() {
        Map<String, Object> ws = accounts.ownedWorkspace("Audit names", "names-owner@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        accounts.member(wsId, owner, "maria.manager@client.test", "manager");
        String maria = userId(owner, wsId, "maria.manager@client.test");
        String base = "/v1/workspaces/" + wsId + "/members/" + maria;
        assertThat(accounts.as(owner, "PATCH", base, Map.of("role", "viewer")).status()).isEqualTo(200);
        assertThat(accounts.as(owner, "POST", base + "/password-reset", null).status()).isEqualTo(201);
        assertThat(accounts.as(owner, "DELETE", base, null).status()).isEqualTo(204);

        Map<String, String> detail = new java.util.HashMap<>();
        for (JsonNode e : accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/audit", null).json().get("entries")) {
            if (e.get("target").asText().equals(maria)) {
                detail.putIfAbsent(e.get("action").asText(), e.get("detail").asText());
            }
        }
        assertThat(detail.get("user.change")).isEqualTo("maria.manager@client.test: role viewer (was manager), all sites");
        assertThat(detail.get("user.password_reset_link")).isEqualTo("maria.manager@client.test");
        assertThat(detail.get("user.remove")).isEqualTo("maria.manager@client.test");
    }

    private static String userId(TestAccounts.Person owner, String wsId, String email) {
        for (JsonNode m : accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/members", null).json().get("members")) {
            if (m.get("email").asText().equals(email)) {
                return m.get("userId").asText();
            }
        }
        throw new IllegalStateException("no member " + email);
    }

    @Test
    void theLastOwnerCannotBeDemotedOrRemoved() {
        Map<String, Object> ws = accounts.ownedWorkspace("Last", "last@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        String userId = accounts.as(owner, "GET", "/v1/me", null).text("userId");
        String member = "/v1/workspaces/" + wsId + "/members/" + userId;
        assertThat(accounts.as(owner, "PATCH", member, Map.of("role", "viewer")).errorCode()).isEqualTo("last_owner");
        assertThat(accounts.as(owner, "DELETE", member, null).status()).isEqualTo(409);
        TestServer.Reply members = accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/members", null);
        assertThat(members.json().get("members")).hasSize(1);
    }

    @Test
    void theCookieIsSecureWhenThePublicUrlIsHttps(@TempDir Path other) {
        try (TestServer https = new TestServer(other, Map.of("server.publicUrl", "https://calls.example.com"))) {
            TestAccounts acc = new TestAccounts(https);
            Map<String, String> ws = acc.workspace("Https", "https@agency.test");
            assertThat(ws.get("ownerInvite")).startsWith("https://calls.example.com/dashboard/#invite=");
            acc.accept(ws.get("ownerInvite"), TestAccounts.PASSWORD);
            String set = acc.login("https@agency.test", TestAccounts.PASSWORD).headers().get("set-cookie").get(0);
            assertThat(set).startsWith(SessionCookie.HOST_ONLY + "=").contains("; Path=/;").doesNotContain("Domain").endsWith("; Secure");
        }
    }

    /**
     * Audit AN4 F17, cookie tossing: a page on a sibling subdomain set {@code ringpool_session} with
     * the attacker's token for the whole domain and a narrower path; the browser sent it first, and
     * the server took it, so the victim's dashboard worked in the attacker's account. Over HTTPS the
     * session is a {@code __Host-} cookie, which no sibling can set, and a plain one is not read; a
     * request with two session cookies is refused whatever the scheme.
     */
    @Test
    void aSessionCookiePlantedBySiblingSubdomainIsNotBelieved(@TempDir Path other) {
        TestAccounts.Person victim = (TestAccounts.Person) accounts.ownedWorkspace("Tossed victim", "tossed-victim@agency.test").get("owner");
        TestAccounts.Person attacker = (TestAccounts.Person) accounts.ownedWorkspace("Tosser", "tosser@evil.test").get("owner");
        String both = AccessApi.COOKIE + "=" + attacker.cookie() + "; " + AccessApi.COOKIE + "=" + victim.cookie();
        TestServer.Reply me = server.send("GET", "/v1/me", null, null, null, Map.of("Cookie", both));
        assertThat(me.status()).as("two session cookies: neither is believed").isEqualTo(401);
        assertThat(me.errorCode()).isEqualTo("unauthorized");
        assertThat(me.body()).doesNotContain("tosser@evil.test");
        assertThat(server.send("GET", "/v1/me", null, null, null, Map.of("Cookie", "other=1; " + AccessApi.COOKIE + "=" + victim.cookie()))
                .text("email")).as("one session cookie among others still works").isEqualTo("tossed-victim@agency.test");

        try (TestServer https = new TestServer(other, Map.of("server.publicUrl", "https://calls.example.com"))) {
            TestAccounts acc = new TestAccounts(https);
            Map<String, String> ws = acc.workspace("Https toss", "victim@agency.test");
            acc.accept(ws.get("ownerInvite"), TestAccounts.PASSWORD);
            String victimToken = acc.signIn("victim@agency.test", TestAccounts.PASSWORD).cookie();
            Map<String, String> ws2 = acc.workspace("Https tosser", "attacker@evil.test");
            acc.accept(ws2.get("ownerInvite"), TestAccounts.PASSWORD);
            String attackerToken = acc.signIn("attacker@evil.test", TestAccounts.PASSWORD).cookie();
            TestServer.Reply tossed = https.send("GET", "/v1/me", null, null, null,
                    Map.of("Cookie", AccessApi.COOKIE + "=" + attackerToken + "; " + SessionCookie.HOST_ONLY + "=" + victimToken));
            assertThat(tossed.status()).isEqualTo(200);
            assertThat(tossed.text("email")).as("the plain name a sibling can set is not read over HTTPS").isEqualTo("victim@agency.test");
            assertThat(https.send("GET", "/v1/me", null, null, null, Map.of("Cookie", AccessApi.COOKIE + "=" + attackerToken)).status())
                    .isEqualTo(401);
        }
    }

    @Test
    void oneInvitationAcceptedByFourRequestsAtOnceJoinsOnceAndTheOthersAreToldTheLinkIsUsed() throws Exception {
        // Found by BadInputSweepTest: the losers of the race made the same account again and got 503 store_unavailable.
        Map<String, String> ws = accounts.workspace("Race", "race@agency.test");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<TestServer.Reply>> replies = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                replies.add(pool.submit(() -> {
                    go.await();
                    return accounts.accept(ws.get("ownerInvite"), TestAccounts.PASSWORD);
                }));
            }
            go.countDown();
            List<Integer> statuses = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<TestServer.Reply> r : replies) {
                TestServer.Reply reply = r.get();
                statuses.add(reply.status());
                if (reply.status() != 201) {
                    assertThat(reply.errorCode()).as(reply.body()).isEqualTo("link_invalid");
                }
            }
            assertThat(statuses).containsOnlyOnce(201).containsOnly(201, 404);
        } finally {
            pool.shutdown();
        }
        assertThat(accounts.login("race@agency.test", TestAccounts.PASSWORD).status()).isEqualTo(204);
    }

    /** ConcurrentRequestsSweepTest: the second of two sign-outs at once (two tabs) got 404 "session not found". */
    @Test
    void signOutsOfOneSessionAtOnceAllSucceedAndTheSessionIsGone() {
        Map<String, Object> ws = accounts.ownedWorkspace("Two tabs", "tabs@agency.test");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        List<TestServer.Reply> replies = TestServer.atOnce(java.util.Collections.nCopies(6,
                () -> server.send("POST", "/v1/auth/logout", null, null, null, owner.headers(true))));
        assertThat(replies).allSatisfy(r -> assertThat(r.status()).as(r.body()).isIn(204, 401));
        assertThat(server.send("GET", "/v1/me", null, null, null, owner.headers(false)).status()).isEqualTo(401);
    }

    /**
     * ConcurrentRequestsSweepTest: a role change racing a removal wrote the member back (an upsert
     * after the removal) or collided with the other change's insert (503 store_unavailable).
     */
    @Test
    void aMemberRemovedWhileItsRoleChangesStaysRemovedAndNothingAnswers5xx() {
        Map<String, Object> ws = accounts.ownedWorkspace("Removals", "removals@agency.test");
        String workspaceId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        for (int round = 0; round < 5; round++) {
            String email = "leaving" + round + "@agency.test";
            accounts.member(workspaceId, owner, email, "analyst");
            String userId = null;
            for (JsonNode m : accounts.as(owner, "GET", "/v1/workspaces/" + workspaceId + "/members", null).json().path("members")) {
                if (email.equals(m.path("email").asText())) {
                    userId = m.path("userId").asText();
                }
            }
            String path = "/v1/workspaces/" + workspaceId + "/members/" + userId;
            List<java.util.function.Supplier<TestServer.Reply>> requests = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String role = i % 2 == 0 ? "viewer" : "manager";
                requests.add(() -> accounts.as(owner, "PATCH", path, Map.of("role", role)));
                requests.add(() -> accounts.as(owner, "DELETE", path, null));
            }
            List<TestServer.Reply> replies = TestServer.atOnce(requests);
            assertThat(replies).allSatisfy(r -> assertThat(r.status()).as(r.body()).isIn(200, 204, 404));
            JsonNode members = accounts.as(owner, "GET", "/v1/workspaces/" + workspaceId + "/members", null).json().path("members");
            assertThat(members.findValuesAsText("email")).doesNotContain(email);
        }
    }
}
