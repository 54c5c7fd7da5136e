package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls end to end over real HTTP: signed JSON events in, attribution to the visit that held the
 * number, classification, and the call log out. One server for the class; every test makes its
 * own site, so tests do not see each other's calls. Signatures come from {@link Signing}.
 */
class CallsOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;

    static final AtomicInteger SEQ = new AtomicInteger();

    static final String CALLER = "+79161234567";

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Site(String id, String apiKey, String publicKey, String secret, List<String> numbers) {}

    static Site site(int poolSize) {
        List<String> numbers = new ArrayList<>();
        for (int i = 1; i <= poolSize; i++) {
            numbers.add(String.format("+7495%03d%04d", SEQ.incrementAndGet() % 1000, i));
        }
        Map<String, String> s = server.siteWithPool(numbers);
        return new Site(s.get("siteId"), s.get("apiKey"), s.get("publicKey"), s.get("webhookSecret"), numbers);
    }

    record Visit(String sessionId, String visitorId, String number) {}

    static Visit visit(Site site, String visitorId, String url) {
        Reply r = server.startSession(site.publicKey(), visitorId, url);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return new Visit(r.text("sessionId"), r.text("visitorId"), r.text("number"));
    }

    static Map<String, Object> event(String callId, String kind, String from, String to) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", kind);
        if (from != null) {
            e.put("from", from);
        }
        if (to != null) {
            e.put("to", to);
        }
        return e;
    }

    static Map<String, Object> with(Map<String, Object> e, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(e);
        copy.put(key, value);
        return copy;
    }

    static long now() {
        return server.clock.instant().getEpochSecond();
    }

    static Reply post(Site site, Map<String, Object> event) {
        String body = new String(Json.write(event), StandardCharsets.UTF_8);
        return postRaw(site.id(), body, Signing.ringpool(site.secret(), now(), body));
    }

    static Reply postRaw(String siteId, String body, String signature) {
        Map<String, String> headers = signature == null ? Map.of() : Map.of("X-Ringpool-Signature", signature);
        return server.send("POST", "/v1/telephony/" + siteId + "/events", null, body, "application/json", headers);
    }

    static JsonNode calls(Site site, String query) {
        Reply r = server.get("/v1/sites/" + site.id() + "/calls" + (query.isEmpty() ? "" : "?" + query), site.apiKey());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static String iso(Instant t) {
        return t.toString();
    }

    @Test
    void aCallToALeasedNumberIsAttributedActiveWithTheVisitsUtmDataAndGclid() {
        Site site = site(3);
        Visit v = visit(site, "visitor-active-01", "https://example.com/landing?utm_source=google&utm_medium=cpc"
                + "&utm_campaign=winter&utm_term=boots&utm_content=ad1&gclid=Cj0KCQ-test");

        Reply r = post(site, event("pbx-1", "ringing", CALLER, v.number()));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode a = r.json().get("attribution");
        assertThat(r.text("callId")).isNotBlank();
        assertThat(r.text("providerCallId")).isEqualTo("pbx-1");
        assertThat(r.text("status")).isEqualTo("ringing");
        assertThat(a.get("method").asText()).isEqualTo("active");
        assertThat(a.get("sessionId").asText()).isEqualTo(v.sessionId());
        assertThat(a.get("visitorId").asText()).isEqualTo("visitor-active-01");
        assertThat(a.get("source").asText()).isEqualTo("google");
        assertThat(a.get("medium").asText()).isEqualTo("cpc");
        assertThat(a.get("campaign").asText()).isEqualTo("winter");
        assertThat(a.get("term").asText()).isEqualTo("boots");
        assertThat(a.get("content").asText()).isEqualTo("ad1");
        assertThat(a.get("channel").asText()).isEqualTo("paid");
        assertThat(a.get("gclid").asText()).isEqualTo("Cj0KCQ-test");
        assertThat(a.get("landingPage").asText()).startsWith("https://example.com/landing");
        assertThat(a.get("device").asText()).isEqualTo("desktop");
        assertThat(a.get("candidates")).hasSize(1);
        assertThat(a.get("candidates").get(0).get("reason").asText()).contains("covers");
        assertThat(r.json().get("firstTime").asBoolean()).isTrue();
        assertThat(r.json().get("unique").asBoolean()).isTrue();
        assertThat(r.json().get("target").asBoolean()).isFalse();

        JsonNode log = calls(site, "");
        assertThat(log.get("calls")).hasSize(1);
        JsonNode call = log.get("calls").get(0);
        assertThat(call.get("callId").asText()).isEqualTo(r.text("callId"));
        assertThat(call.get("caller").asText()).isEqualTo(CALLER);
        assertThat(call.get("number").asText()).isEqualTo(v.number());
        assertThat(call.get("attribution").get("gclid").asText()).isEqualTo("Cj0KCQ-test");
        assertThat(call.get("tags")).isEmpty();
        assertThat(call.has("value")).isTrue();
        assertThat(log.get("nextCursor").isNull()).isTrue();
    }

    @Test
    void theSameEventPostedTwiceIsOneCallAndConcurrentDuplicatesAreOneCallToo() throws Exception {
        Site site = site(2);
        Map<String, Object> e = event("dup-1", "ringing", CALLER, site.numbers().get(0));
        Reply first = post(site, e);
        Reply second = post(site, e);
        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.text("callId")).isEqualTo(first.text("callId"));
        assertThat(second.json().get("duplicate").asBoolean()).isTrue();

        Map<String, Object> parallel = event("dup-2", "completed", "+79161112233", site.numbers().get(1));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Callable<Reply>> tasks = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                tasks.add(() -> post(site, parallel));
            }
            Set<String> ids = new HashSet<>();
            for (Future<Reply> f : pool.invokeAll(tasks)) {
                assertThat(f.get().status()).as(f.get().body()).isEqualTo(200);
                ids.add(f.get().text("callId"));
            }
            assertThat(ids).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(calls(site, "").get("calls")).hasSize(2);
    }

    @Test
    void wrongStaleTamperedMissingAndMalformedSignaturesAreRejectedAndStoreNothing() {
        Site site = site(1);
        String body = new String(Json.write(event("sig-1", "ringing", CALLER, site.numbers().get(0))), StandardCharsets.UTF_8);

        Reply missing = postRaw(site.id(), body, null);
        Reply malformed = postRaw(site.id(), body, "sha256=abc");
        Reply wrongSecret = postRaw(site.id(), body, Signing.ringpool("not-the-secret", now(), body));
        Reply stale = postRaw(site.id(), body, Signing.ringpool(site.secret(), now() - 301, body));
        Reply tampered = postRaw(site.id(), body.replace("sig-1", "sig-2"), Signing.ringpool(site.secret(), now(), body));

        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.errorCode()).isEqualTo("missing_signature");
        assertThat(malformed.status()).isEqualTo(401);
        assertThat(wrongSecret.status()).isEqualTo(403);
        assertThat(wrongSecret.errorCode()).isEqualTo("invalid_signature");
        assertThat(stale.status()).isEqualTo(403);
        assertThat(stale.errorCode()).isEqualTo("stale_signature");
        assertThat(tampered.status()).isEqualTo(403);
        assertThat(calls(site, "").get("calls")).isEmpty();

        String metrics = server.get("/metrics", null).body();
        assertThat(metrics).contains("ringpool_webhooks_rejected_total{provider=\"generic\",reason=\"stale\"}");
    }

    @Test
    void aLocalFormatCallerIsStoredInE164AndAnUnparseableCallerIsKeptAsGiven() {
        Site site = site(1);
        Reply local = post(site, event("local-1", "ringing", "8 (916) 123-45-67", site.numbers().get(0)));
        Reply anonymous = post(site, event("anon-1", "ringing", "anonymous", site.numbers().get(0)));
        Reply none = post(site, event("none-1", "ringing", null, site.numbers().get(0)));

        assertThat(local.status()).isEqualTo(200);
        assertThat(local.text("caller")).isEqualTo("+79161234567");
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(anonymous.text("caller")).isEqualTo("anonymous");
        assertThat(anonymous.json().get("firstTime").asBoolean()).isFalse();
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.text("caller")).isEqualTo("anonymous");
    }

    @Test
    void aSecondCallFromTheSameCallerIsNeitherFirstTimeNorUnique() {
        Site site = site(1);
        Instant t = server.clock.instant();
        Reply first = post(site, with(event("twice-1", "ringing", CALLER, site.numbers().get(0)), "at", iso(t.minusSeconds(600))));
        Reply second = post(site, with(event("twice-2", "ringing", "89161234567", site.numbers().get(0)), "at", iso(t)));

        assertThat(first.json().get("firstTime").asBoolean()).isTrue();
        assertThat(first.json().get("unique").asBoolean()).isTrue();
        assertThat(second.json().get("firstTime").asBoolean()).isFalse();
        assertThat(second.json().get("unique").asBoolean()).isFalse();
        assertThat(calls(site, "unique=true").get("calls")).hasSize(1);
    }

    /** Audit AD3 #1: a PBX posting two records of one hang-up at once made both calls first-time and unique. */
    @Test
    void ofTwoCallsFromOneNewCallerStartedAtTheSameInstantExactlyOneIsFirstTimeAndUnique() {
        Site site = site(2);
        String at = iso(server.clock.instant().minusSeconds(60));
        String caller = "+79035550101";
        post(site, with(event("same-ms-1", "missed", caller, site.numbers().get(0)), "at", at));
        post(site, with(event("same-ms-2", "missed", caller, site.numbers().get(1)), "at", at));

        JsonNode log = calls(site, "caller=" + java.net.URLEncoder.encode(caller, java.nio.charset.StandardCharsets.UTF_8)).get("calls");
        assertThat(log).hasSize(2);
        assertThat(log).filteredOn(c -> c.get("unique").asBoolean()).hasSize(1);
        assertThat(log).filteredOn(c -> c.get("firstTime").asBoolean()).hasSize(1);
        assertThat(calls(site, "unique=true").get("calls")).hasSize(1);
    }

    @Test
    void eventsOutOfOrderEndInTheRightStateAndALateRingingNeverUndoesCompleted() {
        Site site = site(1);
        String to = site.numbers().get(0);
        Instant t = server.clock.instant().minusSeconds(120);
        Reply completed = post(site, with(with(with(event("ooo-1", "completed", CALLER, to), "at", iso(t.plusSeconds(100))),
                "durationSeconds", 100), "talkSeconds", 90));
        Reply answered = post(site, with(event("ooo-1", "answered", CALLER, to), "at", iso(t.plusSeconds(10))));
        Reply ringing = post(site, with(event("ooo-1", "ringing", CALLER, to), "at", iso(t)));

        assertThat(completed.text("status")).isEqualTo("completed");
        assertThat(answered.text("status")).isEqualTo("completed");
        assertThat(ringing.text("status")).isEqualTo("completed");
        assertThat(ringing.text("callId")).isEqualTo(completed.text("callId"));
        assertThat(ringing.json().get("durationSeconds").asInt()).isEqualTo(100);
        assertThat(ringing.json().get("talkSeconds").asInt()).isEqualTo(90);
        assertThat(ringing.json().get("target").asBoolean()).isTrue();
        assertThat(Instant.parse(ringing.text("startedAt"))).isEqualTo(t);
        assertThat(calls(site, "").get("calls")).hasSize(1);
    }

    /**
     * Audit B, F3: ringing, busy, then an "answered" sent later without a time of its own (so timed at receipt, after the
     * end). It turned the call completed with answeredAt after endedAt; a late event never undoes the end.
     */
    @Test
    void anAnsweredEventTimedAfterABusyEndLeavesTheCallBusy() {
        Site site = site(1);
        String to = site.numbers().get(0);
        assertThat(post(site, event("late-answer-1", "ringing", CALLER, to)).status()).isEqualTo(200);
        server.clock.advance(Duration.ofSeconds(5));
        Reply busy = post(site, event("late-answer-1", "busy", CALLER, to));
        server.clock.advance(Duration.ofSeconds(1));
        Reply answered = post(site, event("late-answer-1", "answered", CALLER, to));

        assertThat(answered.status()).as(answered.body()).isEqualTo(200);
        assertThat(answered.text("status")).isEqualTo("busy");
        assertThat(answered.json().get("answeredAt").isNull()).isTrue();
        assertThat(answered.text("endedAt")).isEqualTo(busy.text("endedAt"));
        assertThat(calls(site, "status=busy").get("calls")).hasSize(1);
    }

    @Test
    void anAnsweredEventTimedBeforeTheEndButDeliveredAfterItCompletesTheCall() {
        Site site = site(1);
        String to = site.numbers().get(0);
        Instant t = server.clock.instant().minusSeconds(60);
        post(site, with(event("early-answer-1", "ringing", CALLER, to), "at", iso(t)));
        post(site, with(event("early-answer-1", "busy", CALLER, to), "at", iso(t.plusSeconds(50))));
        Reply answered = post(site, with(event("early-answer-1", "answered", CALLER, to), "at", iso(t.plusSeconds(10))));

        assertThat(answered.text("status")).isEqualTo("completed");
        assertThat(Instant.parse(answered.text("answeredAt"))).isEqualTo(t.plusSeconds(10));
        assertThat(answered.json().get("talkSeconds").asInt()).isEqualTo(40);
    }

    @Test
    void aMissedCallIsMissedAndAShortAnsweredCallIsNotATargetCall() {
        Site site = site(1);
        String to = site.numbers().get(0);
        Reply missed = post(site, event("miss-1", "missed", CALLER, to));
        Reply shortCall = post(site, with(event("short-1", "completed", "+79161112233", to), "talkSeconds", 5));
        assertThat(missed.text("status")).isEqualTo("missed");
        assertThat(missed.json().get("target").asBoolean()).isFalse();
        assertThat(shortCall.text("status")).isEqualTo("completed");
        assertThat(shortCall.json().get("target").asBoolean()).isFalse();
        assertThat(calls(site, "status=missed").get("calls")).hasSize(1);
    }

    @Test
    void aCallAfterTheVisitorLeftIsCoolingWithThatVisitsData() {
        Site site = site(2);
        Visit v = visit(site, "visitor-cooling-01", "https://example.com/?utm_source=yandex&utm_medium=cpc&yclid=777");
        assertThat(server.send("POST", "/v1/sessions/" + v.sessionId() + "/end", null, "", "text/plain", Map.of()).status())
                .isEqualTo(204);
        // Past the end grace and even the lease TTL: the lease is over whether or not the sweeper ran.
        server.clock.advance(Duration.ofSeconds(240));

        Reply r = post(site, event("cool-1", "ringing", CALLER, v.number()));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode a = r.json().get("attribution");
        assertThat(a.get("method").asText()).isEqualTo("cooling");
        assertThat(a.get("sessionId").asText()).isEqualTo(v.sessionId());
        assertThat(a.get("source").asText()).isEqualTo("yandex");
        assertThat(a.get("yclid").asText()).isEqualTo("777");
        assertThat(a.get("candidates").get(0).get("reason").asText()).contains("cool-down");
    }

    @Test
    void aCallWhileTheHolderStillHeartbeatsIsActiveEvenWhenTheStoresExpiryIsOlderThanTheLastHeartbeat() {
        Site site = site(2);
        Visit v = visit(site, "visitor-renewed-01", "https://example.com/?utm_source=bing&utm_medium=cpc");
        // Default TTL 180 s: a heartbeat 80 s in is answered from memory and not written yet (one
        // node writes a renewal only once the stored expiry is within half a TTL), so the store
        // still says the lease expires at 180 s while the holder's page was promised 260 s.
        server.clock.advance(Duration.ofSeconds(80));
        assertThat(server.send("POST", "/v1/sessions/" + v.sessionId() + "/heartbeat", null, "", "application/json", Map.of())
                .status()).isEqualTo(200);
        server.clock.advance(Duration.ofSeconds(120));

        Reply r = post(site, event("renewed-1", "ringing", CALLER, v.number()));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode a = r.json().get("attribution");
        assertThat(a.get("method").asText()).isEqualTo("active");
        assertThat(a.get("sessionId").asText()).isEqualTo(v.sessionId());
        assertThat(a.get("source").asText()).isEqualTo("bing");
    }

    @Test
    void aStaticNumberAttributesItsSource() {
        Site site = site(1);
        Reply added = server.post("/v1/sites/" + site.id() + "/static-numbers", site.apiKey(),
                Map.of("number", "+74957770000", "source", "billboard", "medium", "offline", "campaign", "mkad", "label", "MKAD km 42"));
        assertThat(added.status()).as(added.body()).isEqualTo(201);

        Reply r = post(site, event("static-1", "ringing", CALLER, "+7 (495) 777-00-00"));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.text("number")).isEqualTo("+74957770000");
        JsonNode a = r.json().get("attribution");
        assertThat(a.get("method").asText()).isEqualTo("static");
        assertThat(a.get("source").asText()).isEqualTo("billboard");
        assertThat(a.get("medium").asText()).isEqualTo("offline");
        assertThat(a.get("campaign").asText()).isEqualTo("mkad");
        assertThat(a.get("sessionId").isNull()).isTrue();
        assertThat(calls(site, "source=billboard&method=static").get("calls")).hasSize(1);
    }

    @Test
    void aReturningCallerOnAFreeNumberIsRepeatWithTheEarlierVisit() {
        Site site = site(1);
        Visit v = visit(site, "visitor-repeat-01", "https://example.com/?utm_source=facebook&utm_medium=social");
        Reply first = post(site, event("rep-1", "completed", CALLER, v.number()));
        assertThat(first.json().get("attribution").get("method").asText()).isEqualTo("active");
        server.send("POST", "/v1/sessions/" + v.sessionId() + "/end", null, "", "text/plain", Map.of());
        // Well past the lease and its 15-minute cool-down: nobody can claim the number any more.
        server.clock.advance(Duration.ofHours(2));

        Reply again = post(site, event("rep-2", "ringing", CALLER, v.number()));

        JsonNode a = again.json().get("attribution");
        assertThat(a.get("method").asText()).isEqualTo("repeat");
        assertThat(a.get("sessionId").asText()).isEqualTo(v.sessionId());
        assertThat(a.get("visitorId").asText()).isEqualTo("visitor-repeat-01");
        assertThat(a.get("source").asText()).isEqualTo("facebook");
        assertThat(again.json().get("firstTime").asBoolean()).isFalse();

        Reply stranger = post(site, event("rep-3", "ringing", "+79165550000", v.number()));
        assertThat(stranger.json().get("attribution").get("method").asText()).isEqualTo("none");
    }

    @Test
    void aCallToANumberTheSiteDoesNotOwnIsRejectedAndAnotherSiteCannotPostCallsForThisSitesNumbers() {
        Site victim = site(1);
        Site other = site(1);

        Reply foreignNumber = post(other, event("x-1", "ringing", CALLER, victim.numbers().get(0)));
        assertThat(foreignNumber.status()).isEqualTo(422);
        assertThat(foreignNumber.errorCode()).isEqualTo("unknown_number");

        String body = new String(Json.write(event("x-2", "ringing", CALLER, victim.numbers().get(0))), StandardCharsets.UTF_8);
        Reply otherSecret = postRaw(victim.id(), body, Signing.ringpool(other.secret(), now(), body));
        assertThat(otherSecret.status()).isEqualTo(403);

        assertThat(calls(victim, "").get("calls")).isEmpty();
        assertThat(calls(other, "").get("calls")).isEmpty();
        Reply otherKey = server.get("/v1/sites/" + victim.id() + "/calls", other.apiKey());
        assertThat(otherKey.status()).isEqualTo(404);
    }

    @Test
    void anInvalidEventBodyIsA422NamingTheField() {
        Site site = site(1);
        assertThat(post(site, event("bad-1", "exploded", CALLER, site.numbers().get(0))).json().path("error").path("field").asText())
                .isEqualTo("event");
        assertThat(post(site, with(event("bad-2", "ringing", CALLER, site.numbers().get(0)), "at", "yesterday")).status())
                .isEqualTo(422);
        assertThat(post(site, with(event("bad-3", "ringing", CALLER, site.numbers().get(0)), "durationSeconds", -1)).status())
                .isEqualTo(422);
        Reply noNumber = post(site, event("bad-4", "ringing", CALLER, null));
        assertThat(noNumber.status()).isEqualTo(422);
        assertThat(noNumber.json().path("error").path("field").asText()).isEqualTo("to");
        Reply noId = post(site, event("", "ringing", CALLER, site.numbers().get(0)));
        assertThat(noId.json().path("error").path("field").asText()).isEqualTo("callId");
        assertThat(calls(site, "").get("calls")).isEmpty();
    }

    @Test
    void tagsValueAndCurrencyArePatchedAndTagsFilterTheLog() {
        Site site = site(1);
        String to = site.numbers().get(0);
        String a = post(site, event("tag-1", "completed", CALLER, to)).text("callId");
        String b = post(site, event("tag-2", "completed", "+79161112233", to)).text("callId");

        Reply patched = server.send("PATCH", "/v1/sites/" + site.id() + "/calls/" + a, site.apiKey(),
                "{\"tags\":[\"lead\",\"vip\"],\"value\":1500,\"currency\":\"RUB\"}", "application/json", Map.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().get("tags")).extracting(JsonNode::asText).containsExactly("lead", "vip");
        assertThat(patched.json().get("value").asDouble()).isEqualTo(1500.0);
        // Audit AC1 #8: shown as given (1500), not as a double renders it (1500.0); a fraction stays one.
        assertThat(patched.body()).contains("\"value\":1500,").doesNotContain("1500.0");
        Reply fraction = server.send("PATCH", "/v1/sites/" + site.id() + "/calls/" + b, site.apiKey(), "{\"value\":1499.5}",
                "application/json", Map.of());
        assertThat(fraction.body()).contains("\"value\":1499.5,");
        assertThat(patched.text("currency")).isEqualTo("RUB");

        JsonNode vip = calls(site, "tag=vip").get("calls");
        assertThat(vip).hasSize(1);
        assertThat(vip.get(0).get("callId").asText()).isEqualTo(a);
        assertThat(calls(site, "tag=spam").get("calls")).isEmpty();
        assertThat(calls(site, "").get("calls")).hasSize(2);

        Reply tooMany = server.send("PATCH", "/v1/sites/" + site.id() + "/calls/" + b, site.apiKey(),
                "{\"tags\":[\"" + "x".repeat(51) + "\"]}", "application/json", Map.of());
        assertThat(tooMany.status()).isEqualTo(422);
        Reply badCurrency = server.send("PATCH", "/v1/sites/" + site.id() + "/calls/" + b, site.apiKey(),
                "{\"currency\":\"XYZW\"}", "application/json", Map.of());
        assertThat(badCurrency.status()).isEqualTo(422);
        Reply negative = server.send("PATCH", "/v1/sites/" + site.id() + "/calls/" + b, site.apiKey(),
                "{\"value\":-1}", "application/json", Map.of());
        assertThat(negative.status()).isEqualTo(422);

        Site other = site(1);
        Reply foreign = server.send("PATCH", "/v1/sites/" + site.id() + "/calls/" + a, other.apiKey(),
                "{\"tags\":[\"mine\"]}", "application/json", Map.of());
        assertThat(foreign.status()).isEqualTo(404);
        Reply foreignViaOwnSite = server.send("PATCH", "/v1/sites/" + other.id() + "/calls/" + a, other.apiKey(),
                "{\"tags\":[\"mine\"]}", "application/json", Map.of());
        assertThat(foreignViaOwnSite.status()).isEqualTo(404);
    }

    /** Audit C, finding 3: {@code calls?source=GOOGLE} found nothing for a call from source {@code google}. */
    @Test
    void theLogsTextFiltersMatchWithoutRegardToCase() {
        Site site = site(2);
        Visit v = visit(site, "visitor-case-01", "https://example.com/?utm_source=Google&utm_medium=cpc&utm_campaign=Sofas");
        String callId = post(site, event("case-1", "completed", CALLER, v.number())).text("callId");
        post(site, event("case-2", "completed", "+79161112299", site.numbers().get(0).equals(v.number()) ? site.numbers().get(1)
                : site.numbers().get(0)));
        Reply patched = server.send("PATCH", "/v1/sites/" + site.id() + "/calls/" + callId, site.apiKey(),
                "{\"tags\":[\"VipClient\"]}", "application/json", Map.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);

        for (String query : List.of("source=google", "source=GOOGLE", "source=Google", "medium=CPC", "campaign=sofas", "campaign=SOFAS",
                "channel=PAID", "tag=vipclient", "tag=VIPCLIENT", "tag=VipClient", "source=gOoGlE&campaign=sOfAs&tag=vIpClIeNt")) {
            JsonNode found = calls(site, query).get("calls");
            assertThat(found).as(query).hasSize(1);
            assertThat(found.get(0).get("callId").asText()).as(query).isEqualTo(callId);
        }
        assertThat(calls(site, "source=googl").get("calls")).as("still equality").isEmpty();
        assertThat(calls(site, "").get("calls")).hasSize(2);
    }

    @Test
    void cursorPaginationWalksTheWholeLogNewestFirstWithoutRepeats() {
        Site site = site(1);
        Instant t = server.clock.instant().minusSeconds(3600);
        List<String> posted = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // Two calls share a start time, so the call id must break the tie.
            Instant at = t.plusSeconds(60L * (i / 2 * 2));
            posted.add(post(site, with(event("page-" + i, "ringing", "+7916000000" + i, site.numbers().get(0)), "at", iso(at)))
                    .text("callId"));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = calls(site, "limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
            page.get("calls").forEach(c -> seen.add(c.get("callId").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 10);

        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(7).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(posted);
        JsonNode all = calls(site, "limit=500").get("calls");
        for (int i = 1; i < all.size(); i++) {
            assertThat(Instant.parse(all.get(i - 1).get("startedAt").asText()))
                    .isAfterOrEqualTo(Instant.parse(all.get(i).get("startedAt").asText()));
        }
        assertThat(server.get("/v1/sites/" + site.id() + "/calls?limit=501", site.apiKey()).status()).isEqualTo(422);
        assertThat(server.get("/v1/sites/" + site.id() + "/calls?cursor=nonsense", site.apiKey()).status()).isEqualTo(422);
    }

    @Test
    void anUnknownQueryParameterIsA400UnknownParameterAsOnReportsAndExports() {
        Site site = site(1);
        var reply = server.get("/v1/sites/" + site.id() + "/calls?limt=5", site.apiKey());
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.errorCode()).isEqualTo("unknown_parameter");
        assertThat(reply.json().path("error").path("field").asText()).isEqualTo("limt");
    }

    @Test
    void theTimeRangeReadsDatesAsDaysInTheSitesTimeZoneWithAnInclusiveToDate() {
        Site site = site(1); // Europe/Moscow, UTC+3
        String to = site.numbers().get(0);
        // 2026-11-25T22:30Z is already the 26th in Moscow.
        post(site, with(event("tz-1", "ringing", CALLER, to), "at", "2026-11-25T22:30:00Z"));
        post(site, with(event("tz-2", "ringing", "+79161112233", to), "at", "2026-11-25T20:00:00Z"));

        assertThat(calls(site, "from=2026-11-26&to=2026-11-26").get("calls")).hasSize(1);
        assertThat(calls(site, "from=2026-11-25&to=2026-11-25").get("calls")).hasSize(1);
        assertThat(calls(site, "from=2026-11-25T00:00:00Z&to=2026-11-25T21:00:00Z").get("calls")).hasSize(1);
        assertThat(server.get("/v1/sites/" + site.id() + "/calls?from=tomorrow", site.apiKey()).status()).isEqualTo(422);
    }

    @Test
    void aTimeWithAnOffsetReadsTheSameWhetherItsPlusIsPercentEncodedOrSentAsTyped() {
        Site site = site(1);
        String to = site.numbers().get(0);
        post(site, with(event("offset-1", "ringing", CALLER, to), "at", "2026-11-25T22:30:00Z"));
        post(site, with(event("offset-2", "ringing", "+79161112233", to), "at", "2026-11-25T20:00:00Z"));

        // 23:30 to 02:00 Moscow time is 20:30Z to 23:00Z: only the first call.
        JsonNode encoded = calls(site, "from=2026-11-25T23:30:00%2B03:00&to=2026-11-26T02:00:00%2B03:00").get("calls");
        // curl "...?from=2026-11-25T23:30:00+03:00": the query decodes that '+' as a space.
        JsonNode typed = calls(site, "from=2026-11-25T23:30:00+03:00&to=2026-11-26T02:00:00+03:00").get("calls");
        assertThat(encoded).hasSize(1);
        assertThat(encoded.get(0).get("providerCallId").asText()).isEqualTo("offset-1");
        assertThat(typed).isEqualTo(encoded);
        assertThat(server.get("/v1/sites/" + site.id() + "/calls?from=2026-11-25%2003:00", site.apiKey()).status()).isEqualTo(422);
    }

    @Test
    void erasingACallerReplacesTheNumberInTheirCallsAndKeepsTheCounts() {
        Site site = site(1);
        String to = site.numbers().get(0);
        post(site, event("erase-1", "ringing", CALLER, to));
        post(site, event("erase-2", "ringing", "+79161112233", to));

        Reply erased = server.send("DELETE", "/v1/sites/" + site.id() + "/callers/" + CALLER, site.apiKey(), null, null, Map.of());
        assertThat(erased.status()).isEqualTo(204);

        JsonNode log = calls(site, "").get("calls");
        assertThat(log).hasSize(2);
        assertThat(log.findValuesAsText("caller")).containsExactlyInAnyOrder("erased", "+79161112233");
        assertThat(calls(site, "unique=true").get("calls")).hasSize(2);
        // A late repeat of the provider's event does not bring the number back.
        Reply late = post(site, with(event("erase-1", "completed", CALLER, to), "talkSeconds", 40));
        assertThat(late.text("caller")).isEqualTo("erased");
        assertThat(server.get("/v1/sites/" + site.id() + "/calls", site.apiKey()).body()).doesNotContain(CALLER);
    }

    /** Audit s27, item 3: these answered 204, telling the operator a person was erased when nobody was named. */
    @Test
    void erasingSomethingThatIsNoPhoneNumberIs422NamingTheFieldWhileALocalFormatStillErases() {
        Site site = site(1);
        String to = site.numbers().get(0);
        post(site, event("erase-local-1", "ringing", CALLER, to));

        for (String notANumber : List.of("notaphone", "abc", "%2B1", "anonymous")) {
            Reply refused = server.send("DELETE", "/v1/sites/" + site.id() + "/callers/" + notANumber, site.apiKey(), null, null, Map.of());
            assertThat(refused.status()).as(notANumber + ": " + refused.body()).isEqualTo(422);
            assertThat(refused.errorCode()).isEqualTo("invalid_value");
            assertThat(refused.json().path("error").path("field").asText()).isEqualTo("e164");
        }
        assertThat(calls(site, "").get("calls").findValuesAsText("caller")).containsExactly(CALLER);

        // The site is in Russia: 8 (916) 123-45-67 is CALLER as people write it there.
        Reply erased = server.send("DELETE", "/v1/sites/" + site.id() + "/callers/8%20(916)%20123-45-67", site.apiKey(), null, null,
                Map.of());
        assertThat(erased.status()).as(erased.body()).isEqualTo(204);
        assertThat(calls(site, "").get("calls").findValuesAsText("caller")).containsExactly("erased");
    }

    @Test
    void callMetricsCountCallsByProviderAndStatusAndAttributionsByMethod() {
        Site site = site(1);
        post(site, event("metrics-1", "completed", CALLER, site.numbers().get(0)));
        String metrics = server.get("/metrics", null).body();
        assertThat(metrics).contains("ringpool_calls_received_total{provider=\"generic\",status=\"completed\"}");
        assertThat(metrics).contains("ringpool_calls_attributed_total{method=\"none\"}");
        assertThat(metrics).contains("ringpool_calls_ingest_latency_seconds_count");
    }
}
