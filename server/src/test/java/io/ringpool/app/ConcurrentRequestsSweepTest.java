package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.account.TestAccounts;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product rule "bad input gets a clear error, and nothing acknowledged is ever lost", checked
 * for requests that race: every mutating operation the server publishes in
 * {@code GET /v1/openapi.json} is sent {@value #AT_ONCE} times at once (a latch holds the requests
 * until all are ready, so they really overlap), {@value #ROUNDS} rounds each, and where two requests
 * can disagree, as conflicting pairs at once: create and delete, add and retire, two PATCHes with
 * different values, accept and revoke, erase while events arrive.
 *
 * <p>Every reply must be non-5xx, every 4xx the documented error shape, and where a uniqueness rule
 * decides, the losers get a conflict (409) or the documented 4xx, never a store failure. Afterwards
 * the state must be readable and consistent: one winner where only one may win, every 2xx create
 * readable, nothing deleted back. Violations are collected and the test fails once listing them.
 *
 * <p>Which request wins a race is up to the scheduler, so the checks are about rules that hold for
 * any winner; the cases and their order are fixed.
 */
class ConcurrentRequestsSweepTest {
    /** Requests in one burst: more than the box's cores, so they queue on the store as well as on the loops. */
    static final int AT_ONCE = 8;
    /** Bursts per case: a race lost once may be won the next time. */
    static final int ROUNDS = 3;
    /** Webhooks, destinations and feeds one site may have (their services' limit). */
    private static final int PER_SITE = 20;
    private static final Set<String> MUTATING = Set.of("post", "put", "patch", "delete");
    private static final String PUBLIC_URL = "https://calls.example.com";
    private static final String TWILIO_TOKEN = "twilio-auth-token-race-0001";
    private static final String UIS_TOKEN = "uis-token-race-0123456789";
    private static final String MEGAPBX_TOKEN = "9d1e3f5a-megapbx-crm-token-race";
    private static final String FS_USER = "fs";
    private static final String FS_PASSWORD = "cdr-password-race-0001";
    private static final String MANGO_KEY = "mango-vpbx-api-key-race";
    private static final String MANGO_SALT = "mango-vpbx-api-salt-race";
    private static final String POOL_NUMBER = "+74950000101";
    private static final String CALLER = "+79161234567";

    @TempDir
    static Path dir;
    static TestServer server;
    static HttpClient client;
    static JsonNode document;
    static TestAccounts accounts;
    static ExecutorService threads;
    /** The main site: a pool, a call, a lead, a webhook, a destination; providers configured. */
    static Map<String, String> site;
    static String siteId;
    static String key;
    static String workspaceId;
    static TestAccounts.Person owner;

    static final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    /** Operations ("POST /v1/sites") some case sent. */
    static final Set<String> covered = Collections.synchronizedSet(new TreeSet<>());
    static final AtomicInteger requests = new AtomicInteger();
    static final AtomicInteger bursts = new AtomicInteger();
    /** Fresh numbers, callers and ids: each case makes its own, so cases cannot disturb each other. */
    static final AtomicInteger fresh = new AtomicInteger(1000);

    @BeforeAll
    static void start() {
        server = new TestServer(dir, Map.of(
                "leasing.testClock", true,
                "server.publicUrl", PUBLIC_URL,
                "security.authFailuresBeforeSlowdown", 100_000, "security.authFailuresBeforeBlock", 1_000_000,
                "outbound.allow", List.of("127.0.0.1")));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        threads = Executors.newFixedThreadPool(2 * AT_ONCE);
        document = server.get("/v1/openapi.json", null).json();
        accounts = new TestAccounts(server);

        site = server.siteWithPool(List.of(POOL_NUMBER, "+74950000102", "+74950000103", "+74950000104"));
        siteId = site.get("siteId");
        key = site.get("apiKey");
        Map<String, Object> providers = new LinkedHashMap<>();
        providers.put("uis", Map.of("token", UIS_TOKEN));
        providers.put("megapbx", Map.of("crmToken", MEGAPBX_TOKEN));
        providers.put("freeswitch", Map.of("username", FS_USER, "password", FS_PASSWORD));
        providers.put("mango", Map.of("apiKey", MANGO_KEY, "apiSalt", MANGO_SALT));
        need(server.send("PATCH", "/v1/sites/" + siteId, key, json(Map.of("twilioAuthToken", TWILIO_TOKEN, "providers", providers)),
                "application/json", Map.of()), 200);
        need(server.post(s("/webhooks"), key, Map.of("url", "http://127.0.0.1:9/hook")), 201);

        Map<String, Object> ws = accounts.ownedWorkspace("Race", "owner@race.test");
        workspaceId = (String) ws.get("workspaceId");
        owner = (TestAccounts.Person) ws.get("owner");
    }

    @AfterAll
    static void stop() {
        if (threads != null) {
            threads.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The sweep

    @Test
    void everyMutatingOperationRacedWithItselfOrItsOppositeNeverAnswers5xxAndLosesNothingAcknowledged() {
        long began = System.nanoTime();
        sitesAndKeys();
        poolsAndNumbers();
        sessions();
        callsAndProviders();
        leadsAndErasure();
        conversionsOut();
        accountsAndWorkspaces();
        operatorActions();

        Set<String> missing = new TreeSet<>(mutatingOperations());
        missing.removeAll(covered);
        for (String op : missing) {
            violations.add(op + " | no race case sends it");
        }
        long millis = (System.nanoTime() - began) / 1_000_000;
        System.out.printf("race_sweep operations=%d bursts=%d requests=%d millis=%d violations=%d%n", mutatingOperations().size(),
                bursts.get(), requests.get(), millis, violations.size());
        List<String> sorted = new ArrayList<>(violations);
        Collections.sort(sorted);
        assertThat(sorted).as("%d violations in %d bursts", sorted.size(), bursts.get()).isEmpty();
    }

    /** The judge must be able to fail: a 5xx, a 4xx without the shape, an undocumented status, a second winner. */
    @Test
    void theJudgeSeesEachKindOfViolation() {
        List<String> seen = new ArrayList<>();
        Req r = new Req("POST", "/v1/x", Map.of(), null);
        judge("case", List.of(new Got(r, 503, "application/json", "{\"error\":{\"code\":\"store_unavailable\",\"message\":\"m\",\"field\":null}}")),
                Set.of(201, 409), seen);
        assertThat(seen).anyMatch(v -> v.contains("5xx"));
        seen.clear();
        judge("case", List.of(new Got(r, 409, "text/plain", "Conflict")), Set.of(201, 409), seen);
        assertThat(seen).anyMatch(v -> v.contains("error shape"));
        seen.clear();
        judge("case", List.of(new Got(r, 404, "application/json", "{\"error\":{\"code\":\"not_found\",\"message\":\"m\",\"field\":null}}")),
                Set.of(201, 409), seen);
        assertThat(seen).anyMatch(v -> v.contains("not one of"));
        seen.clear();
        oneWinner("case", List.of(new Got(r, 201, "application/json", "{}"), new Got(r, 201, "application/json", "{}")), 201, seen);
        assertThat(seen).anyMatch(v -> v.contains("winners"));
    }

    // ---------------------------------------------------------------------------------------------
    // Sites, keys, the operator

    private static void sitesAndKeys() {
        String createSite = "{\"name\":\"Race shop\",\"defaultNumber\":\"+74951234567\",\"domains\":[\"example.com\"],"
                + "\"timeZone\":\"Europe/Moscow\",\"currency\":\"RUB\"}";
        for (int round = 0; round < ROUNDS; round++) {
            List<Got> made = same("POST /v1/sites", admin("POST", "/v1/sites", createSite), Set.of(201));
            readableAfter("POST /v1/sites", made, "siteId", id -> "/v1/sites/" + id, TestServer.ADMIN_KEY);
            distinct("POST /v1/sites", made, "siteId");
        }

        for (int round = 0; round < ROUNDS; round++) {
            String a = "Race " + round + "a";
            String b = "Race " + round + "b";
            together("PATCH /v1/sites/{siteId} | two names", pairs(
                    keyed("PATCH", s(""), "{\"name\":\"" + a + "\",\"currency\":\"RUB\"}"),
                    keyed("PATCH", s(""), "{\"name\":\"" + b + "\",\"currency\":\"USD\"}")), Set.of(200));
            JsonNode now = server.get(s(""), key).json();
            String pair = now.path("name").asText() + "/" + now.path("currency").asText();
            check("PATCH /v1/sites/{siteId} | two names", Set.of(a + "/RUB", b + "/USD").contains(pair),
                    "afterwards the site is neither PATCH but a mix: " + pair);
        }

        for (String kind : List.of("api", "webhook")) {
            for (int round = 0; round < ROUNDS; round++) {
                Map<String, String> own = server.siteWithPool(List.of());
                String label = "POST /v1/sites/{siteId}/keys/rotate | " + kind + " x" + AT_ONCE;
                // With the admin key, which no rotation changes: all of them really race (with the site's own
                // API key the first rotation would refuse the rest, 401).
                List<Got> rotated = same(label, new Req("POST", "/v1/sites/" + own.get("siteId") + "/keys/rotate",
                        bearer(TestServer.ADMIN_KEY), "{\"key\":\"" + kind + "\",\"overlapSeconds\":0}"), Set.of(200));
                keysAfterRotation(label, own, kind, rotated);
            }
        }
    }

    /**
     * After rotations at once with no overlap: exactly one of the keys handed out works (the last
     * one), and it is the one the store keeps, so another node or a restart agrees with this one.
     */
    private static void keysAfterRotation(String label, Map<String, String> own, String kind, List<Got> rotated) {
        String field = kind.equals("api") ? "apiKey" : "webhookSecret";
        List<String> working = new ArrayList<>();
        for (Got g : rotated) {
            String k = g.text(field);
            if (k == null) {
                continue;
            }
            boolean works = kind.equals("api")
                    ? server.get("/v1/sites/" + own.get("siteId"), k).status() == 200
                    : genericEvent(own.get("siteId"), k, "{\"callId\":\"rot-" + fresh.incrementAndGet() + "\",\"event\":\"ringing\","
                            + "\"from\":\"" + CALLER + "\",\"to\":\"+74950009999\"}").status() != 403;
            if (works) {
                working.add(k);
            }
        }
        check(label, working.size() == 1, working.size() + " of " + rotated.size() + " handed-out keys work, not exactly one");
        if (kind.equals("api") && working.size() == 1) {
            String stored = storeText("SELECT api_key_hash FROM sites WHERE site_id = ?", own.get("siteId"));
            check(label, sha256Hex(working.get(0)).equals(stored), "the key that works here is not the one the store keeps (another"
                    + " node, or a restart, would refuse it)");
        }
    }

    private static void operatorActions() {
        for (int round = 0; round < 2; round++) {
            same("POST /v1/admin/backup", admin("POST", "/v1/admin/backup", null), Set.of(201));
        }
        for (int round = 0; round < ROUNDS; round++) {
            same("POST /v1/test/clock", admin("POST", "/v1/test/clock", "{\"advanceSeconds\":0}"), Set.of(200));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Pools and numbers: one number belongs to one site, once

    private static void poolsAndNumbers() {
        Map<String, String> other = server.siteWithPool(List.of("+74950000901"));
        String otherPool = other.get("poolId");
        String secondPool = need(server.post(s("/pools"), key, Map.of("name", "second", "numbers", List.of(number()))), 201).text("poolId");
        String pool = site.get("poolId");

        for (int round = 0; round < ROUNDS; round++) {
            String n = number();
            String label = "POST /v1/sites/{siteId}/pools | same numbers x" + AT_ONCE;
            List<Got> made = same(label, keyed("POST", s("/pools"), "{\"name\":\"race\",\"numbers\":[\"" + n + "\"]}"), Set.of(201, 409));
            oneWinner(label, made, 201, violations);
            conflictCodes(label, made, "number_in_use");
            numberHeld(label, n, 1);
        }
        for (int round = 0; round < ROUNDS; round++) {
            String n = number();
            String label = "POST /v1/sites/{siteId}/pools/{poolId}/numbers | same number x" + AT_ONCE;
            List<Got> added = same(label, keyed("POST", s("/pools/" + pool + "/numbers"), "{\"numbers\":[\"" + n + "\"]}"),
                    Set.of(201, 409));
            oneWinner(label, added, 201, violations);
            conflictCodes(label, added, "number_in_use");
            numberHeld(label, n, 1);
        }
        for (int round = 0; round < ROUNDS; round++) {
            String n = number();
            String label = "POST /v1/sites/{siteId}/pools/{poolId}/numbers | one number to two pools";
            List<Got> added = together(label, pairs(keyed("POST", s("/pools/" + pool + "/numbers"), "{\"numbers\":[\"" + n + "\"]}"),
                    keyed("POST", s("/pools/" + secondPool + "/numbers"), "{\"numbers\":[\"" + n + "\"]}")), Set.of(201, 409));
            oneWinner(label, added, 201, violations);
            numberHeld(label, n, 1);
        }
        for (int round = 0; round < ROUNDS; round++) {
            String n = number();
            String label = "POST /v1/sites/{siteId}/pools/{poolId}/numbers | one number to two sites";
            List<Got> added = together(label, pairs(keyed("POST", s("/pools/" + pool + "/numbers"), "{\"numbers\":[\"" + n + "\"]}"),
                    new Req("POST", "/v1/sites/" + other.get("siteId") + "/pools/" + otherPool + "/numbers", bearer(other.get("apiKey")),
                            "{\"numbers\":[\"" + n + "\"]}")), Set.of(201, 409));
            oneWinner(label, added, 201, violations);
            int here = poolsHolding(siteId, key, n);
            int there = poolsHolding(other.get("siteId"), other.get("apiKey"), n);
            check(label, here + there == 1, n + " is in " + here + " pools here and " + there + " on the other site, not in one");
        }
        for (int round = 0; round < ROUNDS; round++) {
            String n = number();
            String label = "POST /v1/sites/{siteId}/static-numbers | same number x" + AT_ONCE;
            List<Got> added = same(label, keyed("POST", s("/static-numbers"), "{\"number\":\"" + n + "\",\"source\":\"google\"}"),
                    Set.of(201, 409));
            oneWinner(label, added, 201, violations);
            conflictCodes(label, added, "number_in_use");
            long listed = count(server.get(s("/static-numbers"), key).json().path("staticNumbers"), "number", n);
            check(label, listed == 1, n + " is listed " + listed + " times as a static number");
        }
        for (int round = 0; round < ROUNDS; round++) {
            String n = number();
            String label = "POST /v1/sites/{siteId}/static-numbers | static here, pool number there";
            List<Got> added = together(label, pairs(keyed("POST", s("/static-numbers"), "{\"number\":\"" + n + "\",\"source\":\"google\"}"),
                    new Req("POST", "/v1/sites/" + other.get("siteId") + "/pools/" + otherPool + "/numbers", bearer(other.get("apiKey")),
                            "{\"numbers\":[\"" + n + "\"]}")), Set.of(201, 409));
            oneWinner(label, added, 201, violations);
        }
        for (int round = 0; round < ROUNDS; round++) {
            String n = number();
            need(server.post(s("/static-numbers"), key, Map.of("number", n, "source", "google")), 201);
            String label = "DELETE /v1/sites/{siteId}/static-numbers/{number} | x" + AT_ONCE;
            List<Got> got = same(label, keyed("DELETE", s("/static-numbers/" + enc(n)), null), Set.of(204, 404));
            long retired = got.stream().filter(g -> g.status() == 204).count();
            check(label, retired == 1, retired + " of " + AT_ONCE + " retirements of one static number acknowledged, not 1");
            check(label, server.get(s("/static-numbers/" + enc(n)), key).status() == 404, n + " still answers after its retirement");
        }
        for (int round = 0; round < ROUNDS; round++) {
            String n = number();
            need(server.post(s("/static-numbers"), key, Map.of("number", n, "source", "google")), 201);
            String label = "PATCH /v1/sites/{siteId}/static-numbers/{number} | change and retire at once";
            List<Got> got = together(label, pairs(keyed("PATCH", s("/static-numbers/" + enc(n)), "{\"source\":\"yandex\"}"),
                    keyed("DELETE", s("/static-numbers/" + enc(n)), null)), Set.of(200, 204, 404));
            long retired = got.stream().filter(g -> g.status() == 204).count();
            check(label, retired == 1, retired + " retirements acknowledged, not 1");
            int status = server.get(s("/static-numbers/" + enc(n)), key).status();
            check(label, status == 404, n + " answers " + status + " after its acknowledged retirement");
            long listed = count(server.get(s("/static-numbers"), key).json().path("staticNumbers"), "number", n);
            check(label, listed == 0, n + " is listed after its acknowledged retirement");
        }
        for (int round = 0; round < ROUNDS; round++) {
            String n = number();
            need(server.post(s("/static-numbers"), key, Map.of("number", n, "source", "google")), 201);
            String label = "PATCH /v1/sites/{siteId}/static-numbers/{number} | two sources at once";
            together(label, pairs(keyed("PATCH", s("/static-numbers/" + enc(n)), "{\"source\":\"yandex\"}"),
                    keyed("PATCH", s("/static-numbers/" + enc(n)), "{\"source\":\"bing\"}")), Set.of(200));
            String source = server.get(s("/static-numbers/" + enc(n)), key).json().path("source").asText();
            check(label, source.equals("yandex") || source.equals("bing"), n + " has source " + source + ", neither change");
        }
        for (int round = 0; round < ROUNDS; round++) {
            String n = number();
            need(server.post(s("/pools/" + pool + "/numbers"), key, Map.of("numbers", List.of(n))), 201);
            String label = "DELETE /v1/sites/{siteId}/pools/{poolId}/numbers/{number} | x" + AT_ONCE;
            same(label, keyed("DELETE", s("/pools/" + pool + "/numbers/" + enc(n)), null), Set.of(204, 404));
            JsonNode after = need(server.get(s("/pools/" + pool), key), 200).json();
            check(label, after.path("retired").asInt() >= 1, "no number retired after " + AT_ONCE + " retirements of " + n);
        }
        for (int round = 0; round < ROUNDS; round++) {
            String n = number();
            String label = "DELETE /v1/sites/{siteId}/pools/{poolId}/numbers/{number} | add and retire at once";
            List<Got> got = together(label, pairs(keyed("POST", s("/pools/" + pool + "/numbers"), "{\"numbers\":[\"" + n + "\"]}"),
                    keyed("DELETE", s("/pools/" + pool + "/numbers/" + enc(n)), null)), Set.of(201, 409, 204, 404));
            // A retired number added to its pool again comes back (audit s27, item 10), so the adds
            // and retirements are one sequence: each add after the first needs a retirement before it.
            long added = got.stream().filter(g -> g.req().method().equals("POST") && g.status() == 201).count();
            long retirements = got.stream().filter(g -> g.status() == 204).count();
            check(label, added >= 1 && added <= 1 + retirements, added + " adds won with " + retirements + " retirements acknowledged");
            need(server.get(s("/pools/" + pool), key), 200);
            // Without an acknowledged retirement the number added stays; with one, whichever came last holds.
            int held = poolsHolding(siteId, key, n);
            check(label, retirements == 0 ? held == 1 : held <= 1, n + " is in " + held + " pools after " + retirements + " retirements");
        }
    }

    /** {@code n} is in {@code expected} pools of the main site (retired numbers stay listed: their history is kept). */
    private static void numberHeld(String label, String n, int expected) {
        int held = poolsHolding(siteId, key, n);
        check(label, held == expected, n + " is in " + held + " pools, not " + expected);
    }

    private static int poolsHolding(String site, String siteKey, String n) {
        Reply r = server.get("/v1/sites/" + site + "/pools", siteKey);
        check("GET /v1/sites/{siteId}/pools", r.status() == 200, "after the race: " + r.status() + " " + r.body());
        int held = 0;
        for (JsonNode p : r.json() == null ? List.<JsonNode>of() : r.json().path("pools")) {
            for (JsonNode number : p.path("numbers")) {
                if (n.equals(number.isTextual() ? number.asText() : number.path("number").asText())) {
                    held++;
                }
            }
        }
        return held;
    }

    // ---------------------------------------------------------------------------------------------
    // Visitors' sessions

    private static void sessions() {
        List<String> numbers = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            numbers.add(number());
        }
        Map<String, String> shop = server.siteWithPool(numbers);
        String publicKey = shop.get("publicKey");
        for (int round = 0; round < ROUNDS; round++) {
            String visitor = "v_race_" + round;
            String label = "POST /v1/sessions | one visitor x" + AT_ONCE;
            List<Got> started = same(label, new Req("POST", "/v1/sessions", Map.of("User-Agent", TestServer.CHROME),
                    "{\"siteKey\":\"" + publicKey + "\",\"visitorId\":\"" + visitor + "\",\"url\":\"https://example.com/?utm_source=google\"}"),
                    Set.of(200, 201));
            Set<String> ids = started.stream().map(g -> g.text("sessionId")).filter(x -> x != null).collect(Collectors.toSet());
            check(label, ids.size() == 1, "one visitor with a live session got " + ids.size() + " sessions " + ids
                    + " (API.md: the same visitorId gets that same session and number back)");
            String session = ids.isEmpty() ? null : ids.iterator().next();
            if (session == null) {
                continue;
            }
            String sp = "/v1/sessions/" + session;
            Map<String, String> chrome = Map.of("User-Agent", TestServer.CHROME);
            same("POST /v1/sessions/{sessionId}/heartbeat", new Req("POST", sp + "/heartbeat", chrome, null), Set.of(200));
            same("POST /v1/sessions/{sessionId}/pageviews", new Req("POST", sp + "/pageviews", chrome,
                    "{\"url\":\"https://example.com/a\",\"title\":\"A\"}"), Set.of(204));
            same("POST /v1/sessions/{sessionId}/intent", new Req("POST", sp + "/intent", chrome, "{\"kind\":\"tel_click\"}"), Set.of(204));
            List<Got> leads = same("POST /v1/sessions/{sessionId}/leads", new Req("POST", sp + "/leads", chrome,
                    "{\"kind\":\"form\",\"fields\":{\"phone\":\"" + caller() + "\"}}"), Set.of(200, 201, 429));
            readableAfter("POST /v1/sessions/{sessionId}/leads", leads, "leadId", id -> "/v1/sites/" + shop.get("siteId") + "/leads/" + id,
                    shop.get("apiKey"));
            together("POST /v1/sessions/{sessionId}/end | heartbeats while it ends", pairs(new Req("POST", sp + "/heartbeat", chrome, null),
                    new Req("POST", sp + "/end", chrome, null)), Set.of(200, 204, 410));
            same("POST /v1/sessions/{sessionId}/end | x" + AT_ONCE, new Req("POST", sp + "/end", chrome, null), Set.of(204, 410));
        }
        // No pool can be deleted over the API; retiring all of one's numbers is the nearest thing.
        for (int round = 0; round < 2; round++) {
            List<Req> reqs = new ArrayList<>();
            for (int i = 0; i < AT_ONCE / 2; i++) {
                reqs.add(new Req("POST", "/v1/sessions", Map.of("User-Agent", TestServer.CHROME),
                        "{\"siteKey\":\"" + publicKey + "\",\"visitorId\":\"v_retire_" + round + "_" + i + "\",\"url\":\"https://example.com/\"}"));
                reqs.add(new Req("DELETE", "/v1/sites/" + shop.get("siteId") + "/pools/" + shop.get("poolId") + "/numbers/"
                        + enc(numbers.get(round * AT_ONCE / 2 + i)), bearer(shop.get("apiKey")), null));
            }
            together("POST /v1/sessions | while the pool's numbers are retired", reqs, Set.of(200, 201, 204));
            need(server.get("/v1/sites/" + shop.get("siteId") + "/pools/" + shop.get("poolId"), shop.get("apiKey")), 200);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Calls from every provider: one call however often and however many at once it is told

    private static void callsAndProviders() {
        for (int round = 0; round < ROUNDS; round++) {
            String id = "race-call-" + fresh.incrementAndGet();
            String body = "{\"callId\":\"" + id + "\",\"event\":\"completed\",\"from\":\"" + caller() + "\",\"to\":\"" + POOL_NUMBER
                    + "\",\"durationSeconds\":30,\"talkSeconds\":20}";
            String label = "POST /v1/telephony/{siteId}/events | same event x" + AT_ONCE;
            List<Got> got = same(label, signed(body), Set.of(200));
            oneCall(label, got);
        }
        for (int round = 0; round < ROUNDS; round++) {
            String id = "race-call-" + fresh.incrementAndGet();
            String from = caller();
            List<Req> reqs = new ArrayList<>();
            for (String event : List.of("ringing", "answered", "completed", "ringing", "answered", "completed", "completed", "ringing")) {
                reqs.add(signed("{\"callId\":\"" + id + "\",\"event\":\"" + event + "\",\"from\":\"" + from + "\",\"to\":\"" + POOL_NUMBER
                        + "\",\"durationSeconds\":40,\"talkSeconds\":30}"));
            }
            String label = "POST /v1/telephony/{siteId}/events | ringing, answered, completed at once";
            oneCall(label, together(label, reqs, Set.of(200)));
        }

        String tw = "/v1/telephony/twilio/" + siteId;
        for (int round = 0; round < ROUNDS; round++) {
            String sid = "CArace" + fresh.incrementAndGet();
            Map<String, String> voice = Map.of("CallSid", sid, "From", caller(), "To", POOL_NUMBER, "CallStatus", "ringing",
                    "Direction", "inbound", "AccountSid", "ACrace");
            same("POST /v1/telephony/twilio/{siteId}/voice", twilio(tw + "/voice", voice), Set.of(200));
            Map<String, String> status = Map.of("CallSid", sid, "CallStatus", "completed", "CallDuration", "47", "AccountSid", "ACrace");
            same("POST /v1/telephony/twilio/{siteId}/status", twilio(tw + "/status", status), Set.of(200, 204));
            Map<String, String> rec = Map.of("CallSid", sid, "RecordingStatus", "completed", "RecordingUrl",
                    "http://127.0.0.1:9/recordings/RE" + round, "RecordingSid", "RE" + round, "AccountSid", "ACrace");
            same("POST /v1/telephony/twilio/{siteId}/recording", twilio(tw + "/recording", rec), Set.of(200, 204));
            Map<String, String> text = Map.of("CallSid", sid, "TranscriptionStatus", "completed", "TranscriptionText", "hello",
                    "AccountSid", "ACrace");
            same("POST /v1/telephony/twilio/{siteId}/transcription", twilio(tw + "/transcription", text), Set.of(200, 204));
            server.awaitCallsStored();
            long stored = callsOfProvider(sid);
            check("POST /v1/telephony/twilio/{siteId}/voice", stored == 1, "Twilio call " + sid + " stored " + stored + " times");
        }

        for (int round = 0; round < ROUNDS; round++) {
            String id = "uis-race-" + fresh.incrementAndGet();
            Req completed = new Req("POST", "/v1/telephony/uis/" + siteId + "/" + UIS_TOKEN, Map.of(),
                    "{\"event\":\"completed\",\"call_session_id\":\"" + id + "\",\"contact_phone_number\":\"" + caller().substring(1)
                            + "\",\"virtual_phone_number\":\"" + POOL_NUMBER.substring(1) + "\",\"total_time_duration\":95,"
                            + "\"talk_time_duration\":75}");
            oneCall("POST /v1/telephony/uis/{siteId}/{token}", same("POST /v1/telephony/uis/{siteId}/{token}", completed, Set.of(200, 204)),
                    id);

            String mpx = "mpx-race-" + fresh.incrementAndGet();
            String start = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC)
                    .format(server.clock.instant().minusSeconds(95));
            Req history = new Req("POST", "/v1/telephony/megapbx/" + siteId, Map.of(), "crm_token=" + MEGAPBX_TOKEN
                    + "&cmd=history&type=in&status=Success&phone=" + caller().substring(1) + "&diversion=" + POOL_NUMBER.substring(1)
                    + "&start=" + start + "&wait=20&duration=75&callid=" + mpx, "application/x-www-form-urlencoded");
            oneCall("POST /v1/telephony/megapbx/{siteId}", same("POST /v1/telephony/megapbx/{siteId}", history, Set.of(200)), mpx);

            String fs = "fs-race-" + fresh.incrementAndGet();
            long t0 = server.clock.instant().getEpochSecond();
            Req cdr = new Req("POST", "/v1/telephony/freeswitch/" + siteId + "/cdr", Map.of("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString((FS_USER + ":" + FS_PASSWORD).getBytes(StandardCharsets.UTF_8))),
                    "{\"variables\":{\"uuid\":\"" + fs + "\",\"direction\":\"inbound\",\"caller_id_number\":\"" + caller()
                            + "\",\"destination_number\":\"" + POOL_NUMBER + "\",\"start_epoch\":\"" + t0 + "\",\"answer_epoch\":\""
                            + (t0 + 20) + "\",\"bridge_epoch\":\"" + (t0 + 20) + "\",\"end_epoch\":\"" + (t0 + 95)
                            + "\",\"duration\":\"95\",\"billsec\":\"75\"}}");
            oneCall("POST /v1/telephony/freeswitch/{siteId}/cdr", same("POST /v1/telephony/freeswitch/{siteId}/cdr", cdr, Set.of(200, 204)),
                    fs);

            String entry = "mango-race-" + fresh.incrementAndGet();
            String from = caller().substring(1);
            String mb = "/v1/telephony/mango/" + siteId + "/events/";
            // A repeat of a Mango notice is refused as a replay (403 replayed_signature): one is taken, the rest are refused.
            Set<Integer> mangoStatuses = Set.of(200, 204, 403);
            same("POST /v1/telephony/mango/{siteId}/events/call", mango(mb + "call", "{\"entry_id\":\"" + entry + "\",\"call_id\":\"leg-1\","
                    + "\"timestamp\":" + t0 + ",\"seq\":1,\"call_state\":\"Appeared\",\"location\":\"ivr\",\"from\":{\"number\":\"" + from
                    + "\"},\"to\":{\"extension\":\"101\",\"line_number\":\"" + POOL_NUMBER.substring(1) + "\"}}"), mangoStatuses);
            same("POST /v1/telephony/mango/{siteId}/events/summary", mango(mb + "summary", "{\"entry_id\":\"" + entry
                    + "\",\"call_direction\":1,\"from\":{\"number\":\"" + from + "\"},\"to\":{\"extension\":\"101\"},\"line_number\":\""
                    + POOL_NUMBER.substring(1) + "\",\"create_time\":" + t0 + ",\"forward_time\":" + (t0 + 5) + ",\"talk_time\":" + (t0 + 20)
                    + ",\"end_time\":" + (t0 + 95) + ",\"entry_result\":1,\"disconnect_reason\":1110}"), mangoStatuses);
            same("POST /v1/telephony/mango/{siteId}/events/recording", mango(mb + "recording", "{\"recording_id\":\"MTox" + entry
                    + "\",\"recording_state\":\"Completed\",\"seq\":6,\"entry_id\":\"" + entry + "\",\"call_id\":\"leg-1\",\"timestamp\":"
                    + (t0 + 96) + "}"), mangoStatuses);
            server.awaitCallsStored();
            long stored = callsOfProvider(entry);
            check("POST /v1/telephony/mango/{siteId}/events/summary", stored == 1, "Mango call " + entry + " stored " + stored + " times");
        }

        // Providers whose signatures this sweep does not make: the same unsigned delivery at once is refused alike, with the shape.
        for (String path : List.of("zadarma/{siteId}", "telnyx/{siteId}", "vonage/{siteId}/answer", "vonage/{siteId}/event",
                "plivo/{siteId}/answer", "plivo/{siteId}/hangup", "plivo/{siteId}/recording", "signalwire/{siteId}/voice",
                "signalwire/{siteId}/status", "signalwire/{siteId}/recording")) {
            String op = "POST /v1/telephony/" + path;
            boolean form = !path.startsWith("telnyx") && !path.startsWith("vonage");
            same(op, new Req("POST", "/v1/telephony/" + path.replace("{siteId}", siteId), Map.of(),
                    form ? "CallSid=CAunsigned&From=" + enc(CALLER) + "&To=" + enc(POOL_NUMBER) : "{\"uuid\":\"unsigned\"}",
                    form ? "application/x-www-form-urlencoded" : "application/json"), Set.of(200, 401, 403));
        }

        // The call to PATCH and to link: the first stored one.
        String callId = firstCall();
        for (int round = 0; round < ROUNDS; round++) {
            String label = "PATCH /v1/sites/{siteId}/calls/{callId} | two values at once";
            together(label, pairs(keyed("PATCH", s("/calls/" + callId), "{\"tags\":[\"a" + round + "\"],\"value\":1" + round + "}"),
                    keyed("PATCH", s("/calls/" + callId), "{\"tags\":[\"b" + round + "\"],\"value\":2" + round + "}")), Set.of(200));
            JsonNode call = need(server.get(s("/calls/" + callId), key), 200).json();
            String seen = call.path("tags").toString() + "/" + call.path("value").asText();
            check(label, Set.of("[\"a" + round + "\"]/1" + round, "[\"b" + round + "\"]/2" + round).contains(seen.replace(".0", "")),
                    "afterwards the call is neither PATCH but " + seen);
        }
        same("POST /v1/sites/{siteId}/calls/{callId}/recording/link", keyed("POST", s("/calls/" + callId + "/recording/link"), null),
                Set.of(200, 201, 404, 409));
    }

    private static void oneCall(String label, List<Got> got) {
        Set<String> ids = got.stream().map(g -> g.text("callId")).filter(x -> x != null).collect(Collectors.toSet());
        check(label, ids.size() <= 1, "one call answered with " + ids.size() + " call ids " + ids);
        server.awaitCallsStored();
        for (String id : ids) {
            Reply r = server.get(s("/calls/" + enc(id)), key);
            check(label, r.status() == 200, "call " + id + " acknowledged but reads " + r.status());
        }
    }

    private static void oneCall(String label, List<Got> got, String providerId) {
        server.awaitCallsStored();
        long stored = callsOfProvider(providerId);
        check(label, stored == 1, "call " + providerId + " stored " + stored + " times after " + got.size() + " deliveries");
    }

    /** Calls of the main site whose provider id is {@code providerId}, counted in the store. */
    private static long callsOfProvider(String providerId) {
        return Long.parseLong(storeText("SELECT COUNT(*) FROM calls WHERE site_id = ? AND provider_call_id = ?", siteId, providerId));
    }

    /** The first column of the first row, read from the server's own H2 file (the same in-process database). */
    private static String storeText(String sql, String... parameters) {
        try (Connection c = DriverManager.getConnection(io.ringpool.config.ConfigLoader.defaultH2Url(dir));
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static String firstCall() {
        server.awaitCallsStored();
        return need(server.get(s("/calls"), key), 200).json().path("calls").get(0).path("callId").asText();
    }

    // ---------------------------------------------------------------------------------------------
    // Leads and erasure

    private static void leadsAndErasure() {
        for (int round = 0; round < ROUNDS; round++) {
            String external = "race-lead-" + fresh.incrementAndGet();
            String label = "POST /v1/sites/{siteId}/leads | same externalId x" + AT_ONCE;
            List<Got> made = same(label, keyed("POST", s("/leads"), "{\"externalId\":\"" + external + "\",\"kind\":\"form\",\"phone\":\""
                    + caller() + "\"}"), Set.of(200, 201));
            oneWinner(label, made, 201, violations);
            Set<String> ids = made.stream().map(g -> g.text("leadId")).filter(x -> x != null).collect(Collectors.toSet());
            check(label, ids.size() == 1, "one externalId answered with " + ids.size() + " lead ids " + ids);
            readableAfter(label, made, "leadId", id -> s("/leads/" + id), key);
        }
        String leadId = need(server.post(s("/leads"), key, Map.of("externalId", "race-patch", "kind", "form", "phone", caller())), 201)
                .text("leadId");
        for (int round = 0; round < ROUNDS; round++) {
            String label = "PATCH /v1/sites/{siteId}/leads/{leadId} | two values at once";
            together(label, pairs(keyed("PATCH", s("/leads/" + leadId), "{\"status\":\"qualified\",\"value\":1" + round + "}"),
                    keyed("PATCH", s("/leads/" + leadId), "{\"status\":\"spam\",\"value\":2" + round + "}")), Set.of(200));
            JsonNode lead = need(server.get(s("/leads/" + leadId), key), 200).json();
            String seen = lead.path("status").asText() + "/" + lead.path("value").asText().replace(".0", "");
            check(label, Set.of("qualified/1" + round, "spam/2" + round).contains(seen), "afterwards the lead is neither PATCH but " + seen);
        }

        for (int round = 0; round < ROUNDS; round++) {
            String who = caller();
            need(signedNow(siteId, "{\"callId\":\"erase-" + fresh.incrementAndGet() + "\",\"event\":\"completed\",\"from\":\"" + who
                    + "\",\"to\":\"" + POOL_NUMBER + "\"}"), 200);
            server.awaitCallsStored();
            same("DELETE /v1/sites/{siteId}/callers/{e164} | x" + AT_ONCE, keyed("DELETE", s("/callers/" + enc(who)), null), Set.of(200, 204));
            List<Req> reqs = new ArrayList<>();
            for (int i = 0; i < AT_ONCE / 2; i++) {
                reqs.add(signed("{\"callId\":\"erase-" + fresh.incrementAndGet() + "\",\"event\":\"completed\",\"from\":\"" + who
                        + "\",\"to\":\"" + POOL_NUMBER + "\"}"));
                reqs.add(keyed("DELETE", s("/callers/" + enc(who)), null));
            }
            together("DELETE /v1/sites/{siteId}/callers/{e164} | while its calls arrive", reqs, Set.of(200, 204));
            server.awaitCallsStored();
            need(server.get(s("/calls"), key), 200);
        }
        for (int round = 0; round < ROUNDS; round++) {
            String who = caller();
            need(server.post(s("/leads"), key, Map.of("externalId", "erase-" + fresh.incrementAndGet(), "kind", "form", "phone", who)), 201);
            same("DELETE /v1/sites/{siteId}/contacts/{contact} | x" + AT_ONCE, keyed("DELETE", s("/contacts/" + enc(who)), null),
                    Set.of(200, 204));
            List<Req> reqs = new ArrayList<>();
            for (int i = 0; i < AT_ONCE / 2; i++) {
                reqs.add(keyed("POST", s("/leads"), "{\"externalId\":\"erase-" + fresh.incrementAndGet() + "\",\"kind\":\"form\",\"phone\":\""
                        + who + "\"}"));
                reqs.add(keyed("DELETE", s("/contacts/" + enc(who)), null));
            }
            List<Got> got = together("DELETE /v1/sites/{siteId}/contacts/{contact} | while its leads arrive", reqs, Set.of(200, 201, 204));
            readableAfter("DELETE /v1/sites/{siteId}/contacts/{contact} | while its leads arrive", got, "leadId", id -> s("/leads/" + id), key);
        }
        for (int round = 0; round < ROUNDS; round++) {
            String chatLead = need(server.post(s("/leads"), key, Map.of("kind", "chat", "name", "Race " + fresh.incrementAndGet(),
                    "message", "no contact")), 201).text("leadId");
            List<Req> reqs = new ArrayList<>();
            for (int i = 0; i < AT_ONCE / 2; i++) {
                reqs.add(keyed("DELETE", s("/leads/" + chatLead), null));
                reqs.add(keyed("PATCH", s("/leads/" + chatLead), "{\"tags\":[\"race\"]}"));
            }
            together("DELETE /v1/sites/{siteId}/leads/{leadId} | while it is tagged", reqs, Set.of(200));
            JsonNode after = need(server.get(s("/leads/" + chatLead), key), 200).json();
            check("DELETE /v1/sites/{siteId}/leads/{leadId} | while it is tagged", after.path("name").isNull(),
                    "afterwards the lead still has its name: " + after);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Webhooks, destinations, feeds

    private static void conversionsOut() {
        // Made first, before the bursts below reach the limit of destinations.
        String destination = need(server.post(s("/destinations"), key, Map.of("type", "ga4", "measurementId", "G-RACE9999", "apiSecret",
                "s", "baseUrl", "http://127.0.0.1:9", "dryRun", true)), 201).text("destinationId");
        for (int round = 0; round < ROUNDS; round++) {
            String label = "PATCH /v1/sites/{siteId}/destinations/{destinationId} | two changes at once";
            String a = "race_" + round + "_a";
            String b = "race_" + round + "_b";
            together(label, pairs(
                    keyed("PATCH", s("/destinations/" + destination), "{\"eventName\":\"" + a + "\",\"leadEventName\":\"" + a + "\"}"),
                    keyed("PATCH", s("/destinations/" + destination), "{\"eventName\":\"" + b + "\",\"leadEventName\":\"" + b + "\"}")),
                    Set.of(200));
            JsonNode now = server.get(s("/destinations/" + destination), key).json().path("settings");
            String pair = now.path("eventName").asText() + "/" + now.path("leadEventName").asText();
            check(label, Set.of(a + "/" + a, b + "/" + b).contains(pair), "afterwards the destination is neither PATCH but a mix: " + pair);
        }
        for (int round = 0; round < ROUNDS; round++) {
            List<Got> made = same("POST /v1/sites/{siteId}/webhooks", keyed("POST", s("/webhooks"), "{\"url\":\"http://127.0.0.1:9/race\"}"),
                    Set.of(201, 409));
            atMost("POST /v1/sites/{siteId}/webhooks", made, s("/webhooks"), "webhooks", "too_many_webhooks");
            readableAfter("POST /v1/sites/{siteId}/webhooks", made, "webhookId", id -> s("/webhooks/" + id), key);
            deletedOnce("DELETE /v1/sites/{siteId}/webhooks/{webhookId}", s("/webhooks/" + created(made, "webhookId")));
        }
        for (int round = 0; round < ROUNDS; round++) {
            List<Got> made = same("POST /v1/sites/{siteId}/destinations", keyed("POST", s("/destinations"), "{\"type\":\"ga4\","
                    + "\"measurementId\":\"G-RACE1234\",\"apiSecret\":\"s\",\"baseUrl\":\"http://127.0.0.1:9\",\"dryRun\":true}"), Set.of(201, 409));
            atMost("POST /v1/sites/{siteId}/destinations", made, s("/destinations"), "destinations", "too_many_destinations");
            readableAfter("POST /v1/sites/{siteId}/destinations", made, "destinationId", id -> s("/destinations/" + id), key);
            deletedOnce("DELETE /v1/sites/{siteId}/destinations/{destinationId}", s("/destinations/" + created(made, "destinationId")));
        }
        for (int round = 0; round < ROUNDS; round++) {
            List<Got> made = same("POST /v1/sites/{siteId}/feeds", keyed("POST", s("/feeds"), "{\"format\":\"google-ads-calls\"}"),
                    Set.of(201, 409));
            distinct("POST /v1/sites/{siteId}/feeds", made, "feedId");
            atMost("POST /v1/sites/{siteId}/feeds", made, s("/feeds"), "feeds", "too_many_feeds");
            Got feed = made.stream().filter(g -> g.status() == 201).findFirst().orElseThrow();
            String basic = "Basic " + Base64.getEncoder().encodeToString((feed.text("username") + ":" + feed.text("password"))
                    .getBytes(StandardCharsets.UTF_8));
            String url = URI.create(feed.text("url")).getRawPath();
            Reply before = server.send("GET", url, null, null, null, Map.of("Authorization", basic));
            check("POST /v1/sites/{siteId}/feeds", before.status() == 200, "a feed acknowledged reads " + before.status());
            String label = "DELETE /v1/sites/{siteId}/feeds/{feedId} | x" + AT_ONCE;
            List<Got> gone = same(label, keyed("DELETE", s("/feeds/" + feed.text("feedId")), null), Set.of(204, 404));
            oneWinner(label, gone, 204, violations);
            Reply after = server.send("GET", url, null, null, null, Map.of("Authorization", basic));
            check(label, after.status() == 401 || after.status() == 404, "a revoked feed still answers " + after.status());
        }

        // Deliveries to retry: the main site's webhook and a destination, each with deliveries of the calls above.
        need(signedNow(siteId, "{\"callId\":\"retry-" + fresh.incrementAndGet() + "\",\"event\":\"completed\",\"from\":\"" + caller()
                + "\",\"to\":\"" + POOL_NUMBER + "\",\"durationSeconds\":90,\"talkSeconds\":80}"), 200);
        server.awaitCallsStored();
        String webhook = need(server.get(s("/webhooks"), key), 200).json().path("webhooks").get(0).path("webhookId").asText();
        String whDelivery = firstDelivery(s("/webhooks/" + webhook + "/deliveries"));
        String dDelivery = firstDelivery(s("/destinations/" + destination + "/deliveries"));
        for (int round = 0; round < ROUNDS; round++) {
            same("POST /v1/sites/{siteId}/webhooks/{webhookId}/deliveries/{deliveryId}/retry", keyed("POST",
                    s("/webhooks/" + webhook + "/deliveries/" + whDelivery + "/retry"), null), Set.of(200, 202, 204, 404, 409));
            same("POST /v1/sites/{siteId}/destinations/{destinationId}/deliveries/{deliveryId}/retry", keyed("POST",
                    s("/destinations/" + destination + "/deliveries/" + dDelivery + "/retry"), null), Set.of(200, 202, 204, 404, 409));
            // Bulk retries (session 37) of the pending ones (sent now) and of the failed, raced with themselves and a single retry.
            same("POST /v1/sites/{siteId}/webhooks/{webhookId}/deliveries/retry", keyed("POST",
                    s("/webhooks/" + webhook + "/deliveries/retry"), "{\"state\":\"pending\"}"), Set.of(202));
            same("POST /v1/sites/{siteId}/destinations/{destinationId}/deliveries/retry", keyed("POST",
                    s("/destinations/" + destination + "/deliveries/retry"), null), Set.of(202));
            List<Req> bulkAndOne = new ArrayList<>();
            for (int i = 0; i < AT_ONCE / 2; i++) {
                bulkAndOne.add(keyed("POST", s("/webhooks/" + webhook + "/deliveries/retry"), null));
                bulkAndOne.add(keyed("POST", s("/webhooks/" + webhook + "/deliveries/" + whDelivery + "/retry"), null));
            }
            together("POST /v1/sites/{siteId}/webhooks/{webhookId}/deliveries/retry | with a single retry", bulkAndOne, Set.of(202));
        }
        // Delete a webhook while its deliveries are retried, one and all.
        List<Req> reqs = new ArrayList<>();
        for (int i = 0; i < AT_ONCE / 2; i++) {
            reqs.add(keyed("POST", s("/webhooks/" + webhook + "/deliveries/" + (i % 2 == 0 ? whDelivery + "/" : "") + "retry"), null));
            reqs.add(keyed("DELETE", s("/webhooks/" + webhook), null));
        }
        together("DELETE /v1/sites/{siteId}/webhooks/{webhookId} | while its delivery is retried", reqs, Set.of(200, 202, 204, 404, 409));
        Reply after = server.get(s("/webhooks/" + webhook), key);
        check("DELETE /v1/sites/{siteId}/webhooks/{webhookId} | while its delivery is retried", after.status() == 404,
                "the deleted webhook reads " + after.status());
    }

    /** A site may have at most {@value #PER_SITE} of these: creates at once may not overshoot it, and the refused say why. */
    private static void atMost(String label, List<Got> made, String listPath, String listField, String code) {
        conflictCodes(label, made, code);
        int listed = need(server.get(listPath, key), 200).json().path(listField).size();
        check(label, listed <= PER_SITE, listed + " " + listField + " listed, over the limit of " + PER_SITE);
    }

    private static String created(List<Got> made, String idField) {
        return made.stream().filter(g -> g.status() == 201).findFirst().map(g -> g.text(idField)).orElse("none-created");
    }

    private static String firstDelivery(String path) {
        JsonNode list = need(server.get(path, key), 200).json();
        for (JsonNode d : list.path("deliveries")) {
            return d.path("deliveryId").asText();
        }
        return "none-yet";
    }

    /** {@code path} deleted {@value #AT_ONCE} times at once: one 204, the rest 404; afterwards 404 and not listed. */
    private static void deletedOnce(String op, String path) {
        String label = op + " | x" + AT_ONCE;
        List<Got> gone = same(label, keyed("DELETE", path, null), Set.of(204, 404));
        oneWinner(label, gone, 204, violations);
        Reply after = server.get(path, key);
        check(label, after.status() == 404, "the deleted resource reads " + after.status());
    }

    // ---------------------------------------------------------------------------------------------
    // Workspaces and people: one account per e-mail

    private static void accountsAndWorkspaces() {
        String ws = "/v1/workspaces/" + workspaceId;
        for (int round = 0; round < ROUNDS; round++) {
            String email = "owner" + round + "@many.race.test";
            List<Got> made = same("POST /v1/workspaces", admin("POST", "/v1/workspaces", "{\"name\":\"W\",\"owner\":{\"email\":\"" + email
                    + "\"}}"), Set.of(201));
            distinct("POST /v1/workspaces", made, "workspaceId");
            // Every owner link for one e-mail, accepted at once: one account, an owner of each workspace.
            List<Req> accepts = made.stream().filter(g -> g.text("ownerInvite") != null).map(g -> new Req("POST", "/v1/invites/"
                    + TestAccounts.token(g.text("ownerInvite")), Map.of(), "{\"password\":\"" + TestAccounts.PASSWORD + "\"}")).toList();
            String label = "POST /v1/invites/{token} | one e-mail's links in " + accepts.size() + " workspaces at once";
            together(label, accepts, Set.of(201));
            Reply login = accounts.login(email, TestAccounts.PASSWORD);
            check(label, login.status() == 204, "the owner cannot sign in: " + login.status());
            if (login.status() == 204) {
                TestAccounts.Person p = accounts.signIn(email, TestAccounts.PASSWORD);
                int in = server.send("GET", "/v1/me", null, null, null, p.headers(false)).json().path("workspaces").size();
                check(label, in == accepts.size(), "the owner is in " + in + " of " + accepts.size() + " workspaces accepted");
            }
        }
        for (int round = 0; round < ROUNDS; round++) {
            List<Got> made = same("POST /v1/workspaces/{workspaceId}/sites", asOwner("POST", ws + "/sites", "{\"name\":\"Race site\","
                    + "\"defaultNumber\":\"+74951234567\",\"domains\":[\"example.com\"],\"timeZone\":\"Europe/Moscow\",\"currency\":\"RUB\"}"),
                    Set.of(201));
            readableAfter("POST /v1/workspaces/{workspaceId}/sites", made, "siteId", id -> "/v1/sites/" + id, TestServer.ADMIN_KEY);
        }
        for (int round = 0; round < ROUNDS; round++) {
            String email = "inv" + round + "@race.test";
            List<Got> invited = same("POST /v1/workspaces/{workspaceId}/invites", asOwner("POST", ws + "/invites", "{\"email\":\"" + email
                    + "\",\"role\":\"viewer\"}"), Set.of(201, 409));
            Got one = invited.stream().filter(g -> g.status() == 201).findFirst().orElse(null);
            if (one == null) {
                continue;
            }
            String label = "POST /v1/invites/{token} | same link x" + AT_ONCE;
            List<Got> accepted = same(label, new Req("POST", "/v1/invites/" + TestAccounts.token(one.text("inviteUrl")), Map.of(),
                    "{\"password\":\"" + TestAccounts.PASSWORD + "\"}"), Set.of(201, 400, 404, 409, 410, 422));
            oneWinner(label, accepted, 201, violations);
            check(label, memberEmails().contains(email), email + " accepted but is not a member");
        }
        for (int round = 0; round < ROUNDS; round++) {
            String email = "revoked" + round + "@race.test";
            Got invite = new Got(null, 0, null, need(accounts.as(owner, "POST", ws + "/invites", Map.of("email", email, "role", "viewer")), 201)
                    .body());
            String label = "DELETE /v1/workspaces/{workspaceId}/invites/{inviteId} | while it is accepted";
            List<Got> got = together(label, pairs(new Req("POST", "/v1/invites/" + TestAccounts.token(invite.text("inviteUrl")), Map.of(),
                    "{\"password\":\"" + TestAccounts.PASSWORD + "\"}"), asOwner("DELETE", ws + "/invites/" + invite.text("inviteId"), null)),
                    Set.of(201, 204, 400, 404, 409, 410, 422));
            boolean accepted = got.stream().anyMatch(g -> g.req().method().equals("POST") && g.status() == 201);
            check(label, !accepted || memberEmails().contains(email), email + " accepted but is not a member");
            check(label, got.stream().filter(g -> g.req().method().equals("POST") && g.status() == 201).count() <= 1,
                    "one link accepted more than once");
        }
        for (int round = 0; round < ROUNDS; round++) {
            String email = "invx" + round + "@race.test";
            String inviteId = need(accounts.as(owner, "POST", ws + "/invites", Map.of("email", email, "role", "viewer")), 201).text("inviteId");
            String label = "DELETE /v1/workspaces/{workspaceId}/invites/{inviteId} | x" + AT_ONCE;
            oneWinner(label, same(label, asOwner("DELETE", ws + "/invites/" + inviteId, null), Set.of(204, 404)), 204, violations);
        }

        for (int round = 0; round < ROUNDS; round++) {
            String email = "member" + round + "@race.test";
            accounts.member(workspaceId, owner, email, "analyst");
            String userId = userIdOf(email);
            String m = ws + "/members/" + userId;
            String label = "PATCH /v1/workspaces/{workspaceId}/members/{userId} | two roles at once";
            together(label, pairs(asOwner("PATCH", m, "{\"role\":\"viewer\"}"), asOwner("PATCH", m, "{\"role\":\"manager\"}")), Set.of(200));
            String role = roleOf(userId);
            check(label, Set.of("viewer", "manager").contains(role), "afterwards the role is " + role);

            List<Got> resets = same("POST /v1/workspaces/{workspaceId}/members/{userId}/password-reset", asOwner("POST", m + "/password-reset",
                    null), Set.of(201));
            String token = TestAccounts.token(resets.get(resets.size() - 1).text("resetUrl"));
            String reset = "POST /v1/password-resets/{token} | same link x" + AT_ONCE;
            List<Got> used = same(reset, new Req("POST", "/v1/password-resets/" + token, Map.of(), "{\"password\":\"new password " + round
                    + " ok\"}"), Set.of(200, 201, 204, 400, 404, 409, 410, 422));
            oneWinner(reset, used.stream().map(g -> g.status() / 100 == 2 ? new Got(g.req(), 200, g.contentType(), g.body()) : g).toList(),
                    200, violations);

            String del = "DELETE /v1/workspaces/{workspaceId}/members/{userId} | while its role changes";
            List<Req> reqs = new ArrayList<>();
            for (int i = 0; i < AT_ONCE / 2; i++) {
                reqs.add(asOwner("PATCH", m, "{\"role\":\"" + (i % 2 == 0 ? "viewer" : "analyst") + "\"}"));
                reqs.add(asOwner("DELETE", m, null));
            }
            List<Got> got = together(del, reqs, Set.of(200, 204, 404));
            // Removing is idempotent here (several 204s at once are the same outcome); what matters is that it stays removed.
            check(del, got.stream().anyMatch(g -> g.status() == 204), "no removal acknowledged");
            check(del, !memberEmails().contains(email), "a member removed (204) is back in the list");
        }

        for (int round = 0; round < ROUNDS; round++) {
            String email = "signin" + round + "@race.test";
            accounts.member(workspaceId, owner, email, "viewer");
            same("POST /v1/auth/login", new Req("POST", "/v1/auth/login", Map.of(), "{\"email\":\"" + email + "\",\"password\":\""
                    + TestAccounts.PASSWORD + "\"}"), Set.of(204));
            TestAccounts.Person p = accounts.signIn(email, TestAccounts.PASSWORD);
            JsonNode sessions = server.send("GET", "/v1/me/sessions", null, null, null, p.headers(false)).json();
            String other = null;
            for (JsonNode sn : sessions.path("sessions")) {
                if (!sn.path("current").asBoolean(false)) {
                    other = sn.path("sessionId").asText();
                }
            }
            if (other != null) {
                String label = "DELETE /v1/me/sessions/{sessionId} | x" + AT_ONCE;
                same(label, new Req("DELETE", "/v1/me/sessions/" + other, p.headers(true), null), Set.of(204, 404));
            }
            if (round == 0) {
                // One round only: a change that reads the hash another one just wrote fails as a wrong current password,
                // and each failure counts against the address's 20 sign-in failures in 15 minutes.
                String body = "{\"currentPassword\":\"" + TestAccounts.PASSWORD + "\",\"password\":\"a new password 1\"}";
                same("POST /v1/me/password | same change x" + AT_ONCE, new Req("POST", "/v1/me/password", p.headers(true), body),
                        Set.of(204, 403, 429));
                check("POST /v1/me/password", server.send("GET", "/v1/me", null, null, null, p.headers(false)).status() == 200,
                        "the session that changed the password was ended");
            }
            same("POST /v1/auth/logout", new Req("POST", "/v1/auth/logout", p.headers(true), null), Set.of(204, 401));
        }
    }

    private static Set<String> memberEmails() {
        JsonNode list = need(accounts.as(owner, "GET", "/v1/workspaces/" + workspaceId + "/members", null), 200).json();
        Set<String> out = new HashSet<>();
        list.path("members").forEach(m -> out.add(m.path("email").asText()));
        return out;
    }

    private static String userIdOf(String email) {
        JsonNode list = need(accounts.as(owner, "GET", "/v1/workspaces/" + workspaceId + "/members", null), 200).json();
        for (JsonNode m : list.path("members")) {
            if (email.equals(m.path("email").asText())) {
                return m.path("userId").asText();
            }
        }
        throw new IllegalStateException("no member " + email);
    }

    private static String roleOf(String userId) {
        JsonNode list = need(accounts.as(owner, "GET", "/v1/workspaces/" + workspaceId + "/members", null), 200).json();
        for (JsonNode m : list.path("members")) {
            if (userId.equals(m.path("userId").asText())) {
                return m.path("role").asText();
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------
    // Bursts and the judge

    /** One request: {@code path} already percent-encoded; {@code body} null for none. */
    record Req(String method, String path, Map<String, String> headers, String body, String contentType) {
        Req(String method, String path, Map<String, String> headers, String body) {
            this(method, path, headers, body, body == null ? null : "application/json");
        }

        /** "POST /v1/sites/{siteId}", from the label that starts with it. */
        static String operationOf(String label) {
            int bar = label.indexOf(" |");
            return bar < 0 ? label : label.substring(0, bar);
        }
    }

    /** One reply. */
    record Got(Req req, int status, String contentType, String body) {
        JsonNode json() {
            try {
                return body == null || body.isEmpty() ? null : Json.MAPPER.readTree(body);
            } catch (IOException e) {
                return null;
            }
        }

        String text(String field) {
            JsonNode j = json();
            JsonNode n = j == null ? null : j.get(field);
            return n == null || n.isNull() ? null : n.asText();
        }

        String code() {
            JsonNode j = json();
            return j == null ? null : j.path("error").path("code").asText(null);
        }
    }

    private static List<Got> same(String label, Req req, Set<Integer> allowed) {
        return together(label, Collections.nCopies(AT_ONCE, req), allowed);
    }

    /** Half the burst one request, half the other, interleaved. */
    private static List<Req> pairs(Req a, Req b) {
        List<Req> out = new ArrayList<>();
        for (int i = 0; i < AT_ONCE / 2; i++) {
            out.add(a);
            out.add(b);
        }
        return out;
    }

    /**
     * Sends {@code reqs} at once: each on its own thread, held by a latch until all are ready. Every
     * reply is judged; {@code allowed} are the statuses the race may end in.
     */
    private static List<Got> together(String label, List<Req> reqs, Set<Integer> allowed) {
        covered.add(Req.operationOf(label));
        bursts.incrementAndGet();
        CountDownLatch ready = new CountDownLatch(reqs.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Got>> running = new ArrayList<>();
        for (Req r : reqs) {
            running.add(threads.submit(() -> {
                HttpRequest built = build(r);
                ready.countDown();
                go.await();
                return send(r, built);
            }));
        }
        List<Got> got = new ArrayList<>();
        try {
            if (!ready.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the burst's threads did not start");
            }
            go.countDown();
            for (Future<Got> f : running) {
                got.add(f.get(30, TimeUnit.SECONDS));
            }
        } catch (Exception e) {
            throw new IllegalStateException(label, e);
        }
        requests.addAndGet(got.size());
        judge(label, got, allowed, violations);
        return got;
    }

    /** Every reply by the general rule (non-5xx, the error shape, no internals), and by the statuses the case allows. */
    static void judge(String label, List<Got> got, Set<Integer> allowed, List<String> into) {
        for (Got g : got) {
            List<String> problems = new ArrayList<>(BadInputSweepTest.problemsOf(g.status(), g.contentType(), g.body(), null,
                    BadInputSweepTest.Expect.ANY));
            if (g.status() < 500 && !allowed.contains(g.status())) {
                problems.add(g.status() + " is not one of " + new TreeSet<>(allowed));
            }
            for (String p : problems) {
                into.add(label + " | " + p + " | " + g.status() + " " + shorten(g.body()));
            }
        }
    }

    /** Exactly one reply with {@code winning} status; the rest lost. */
    static void oneWinner(String label, List<Got> got, int winning, List<String> into) {
        long winners = got.stream().filter(g -> g.status() == winning).count();
        if (winners != 1) {
            into.add(label + " | " + winners + " winners (" + winning + ") where one may win | "
                    + got.stream().map(g -> Integer.toString(g.status())).collect(Collectors.joining(",")));
        }
    }

    /** The losers of a uniqueness race say why with the documented code. */
    private static void conflictCodes(String label, List<Got> got, String code) {
        for (Got g : got) {
            if (g.status() == 409 && !code.equals(g.code())) {
                violations.add(label + " | 409 with code " + g.code() + ", not " + code);
            }
        }
    }

    /** Every 2xx that made {@code idField} reads 200 at {@code path(id)}: nothing acknowledged is lost. */
    private static void readableAfter(String label, List<Got> got, String idField, Function<String, String> path, String readKey) {
        for (Got g : got) {
            String id = g.status() / 100 == 2 ? g.text(idField) : null;
            if (id != null) {
                Reply r = server.get(path.apply(id), readKey);
                check(label, r.status() == 200, idField + " " + id + " acknowledged (" + g.status() + ") but reads " + r.status());
            }
        }
    }

    private static void distinct(String label, List<Got> got, String idField) {
        Set<String> ids = got.stream().map(g -> g.text(idField)).filter(x -> x != null).collect(Collectors.toSet());
        long made = got.stream().filter(g -> g.status() / 100 == 2).count();
        check(label, ids.size() == made, made + " creates answered with " + ids.size() + " distinct " + idField);
    }

    static void check(String label, boolean ok, String what) {
        if (!ok) {
            violations.add(label + " | " + what);
        }
    }

    private static HttpRequest build(Req r) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + r.path())).timeout(Duration.ofSeconds(20))
                .method(r.method(), r.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(r.body(), StandardCharsets.UTF_8));
        if (r.contentType() != null) {
            b.header("Content-Type", r.contentType());
        }
        r.headers().forEach(b::header);
        return b.build();
    }

    private static Got send(Req r, HttpRequest built) {
        try {
            HttpResponse<String> resp = client.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Got(r, resp.statusCode(), resp.headers().firstValue("content-type").orElse(null), resp.body());
        } catch (IOException e) {
            return new Got(r, 599, null, "no answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Set<String> mutatingOperations() {
        Set<String> out = new TreeSet<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(item -> {
            if (MUTATING.contains(item.getKey())) {
                out.add(item.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Small helpers

    private static String s(String rest) {
        return "/v1/sites/" + siteId + rest;
    }

    private static Map<String, String> bearer(String k) {
        return Map.of("Authorization", "Bearer " + k);
    }

    private static Req keyed(String method, String path, String body) {
        return new Req(method, path, bearer(key), body);
    }

    private static Req admin(String method, String path, String body) {
        return new Req(method, path, bearer(TestServer.ADMIN_KEY), body);
    }

    private static Req asOwner(String method, String path, String body) {
        return new Req(method, path, owner.headers(true), body);
    }

    /** A generic event signed now with the main site's current secret. */
    private static Req signed(String body) {
        long t = server.clock.instant().getEpochSecond();
        return new Req("POST", "/v1/telephony/" + siteId + "/events", Map.of("X-Ringpool-Signature",
                Signing.ringpool(site.get("webhookSecret"), t, body)), body);
    }

    private static Reply signedNow(String id, String body) {
        return genericEvent(id, site.get("webhookSecret"), body);
    }

    private static Reply genericEvent(String id, String secret, String body) {
        long t = server.clock.instant().getEpochSecond();
        return server.send("POST", "/v1/telephony/" + id + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(secret, t, body)));
    }

    private static Req twilio(String path, Map<String, String> params) {
        String body = params.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
        return new Req("POST", path, Map.of("X-Twilio-Signature", Signing.twilio(TWILIO_TOKEN, PUBLIC_URL + path, params)), body,
                "application/x-www-form-urlencoded");
    }

    private static Req mango(String path, String json) {
        String body = "vpbx_api_key=" + enc(MANGO_KEY) + "&sign=" + sha256Hex(MANGO_KEY + json + MANGO_SALT) + "&json=" + enc(json);
        return new Req("POST", path, Map.of(), body, "application/x-www-form-urlencoded");
    }

    private static String number() {
        return "+7495" + (2_000_000 + fresh.incrementAndGet());
    }

    private static String caller() {
        return "+7916" + (3_000_000 + fresh.incrementAndGet());
    }

    private static long count(JsonNode array, String field, String value) {
        long n = 0;
        for (JsonNode e : array) {
            if (value.equals(e.path(field).asText())) {
                n++;
            }
        }
        return n;
    }

    private static String enc(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String json(Object o) {
        return new String(Json.write(o), StandardCharsets.UTF_8);
    }

    static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String shorten(String body) {
        String b = body == null ? "" : body.replace("\n", "\\n");
        return b.length() > 240 ? b.substring(0, 240) + "…" : b;
    }

    private static Reply need(Reply reply, int status) {
        if (reply.status() != status) {
            throw new IllegalStateException("fixture: expected " + status + ", got " + reply.status() + " " + reply.body());
        }
        return reply;
    }
}
