package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads end to end: a visit with click and client ids, a completed call, and one destination of
 * each platform pointed at {@link PlatformDouble}, which refuses any request that departs from the
 * platform's documented format.
 */
class UploadsOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static PlatformDouble platform;
    static int sites;

    @BeforeAll
    static void start() throws Exception {
        platform = new PlatformDouble();
        server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20));
    }

    @AfterAll
    static void stop() {
        server.close();
        platform.close();
    }

    record Site(String id, String apiKey, String secret, String publicKey, String number) {}

    static Site site() {
        sites++;
        String number = String.format("+7495%03d0001", 600 + sites);
        Map<String, String> s = server.siteWithPool(List.of(number));
        return new Site(s.get("siteId"), s.get("apiKey"), s.get("webhookSecret"), s.get("publicKey"), number);
    }

    static void visitAndCall(Site site, String callId, String caller) {
        visitAndCall(site, callId, caller, true);
    }

    static void visitAndCall(Site site, String callId, String caller, boolean answered) {
        Map<String, Object> session = new LinkedHashMap<>();
        session.put("siteKey", site.publicKey());
        session.put("visitorId", "upload-visitor-" + callId);
        session.put("url", "https://example.com/?utm_source=google&utm_medium=cpc&gclid=Cj0KCQ-upload-gclid&yclid=98765432101");
        session.put("clientIds", Map.of("ym", "1700000000123456789", "ga", "GA1.1.123456789.1700000000"));
        Reply s = server.send("POST", "/v1/sessions", null, new String(Json.write(session), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(s.status()).as(s.body()).isEqualTo(201);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", answered ? "completed" : "missed");
        e.put("from", caller);
        e.put("to", s.text("number"));
        if (answered) {
            e.put("talkSeconds", 75);
            e.put("durationSeconds", 90);
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.id() + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.secret(), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static Reply destination(Site site, Map<String, Object> body) {
        return server.post("/v1/sites/" + site.id() + "/destinations", site.apiKey(), body);
    }

    static JsonNode uploads(Site site, String destinationId) {
        Reply r = server.get("/v1/sites/" + site.id() + "/destinations/" + destinationId + "/uploads", site.apiKey());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("uploads");
    }

    static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as("condition reached").isTrue();
    }

    static Map<String, Object> google(String type, String action) {
        Map<String, Object> d = new HashMap<>();
        d.put("type", type);
        d.put("customerId", "123-456-7890");
        d.put("conversionAction", action);
        d.put("clientId", PlatformDouble.GOOGLE_CLIENT_ID);
        d.put("clientSecret", PlatformDouble.GOOGLE_CLIENT_SECRET);
        d.put("refreshToken", PlatformDouble.GOOGLE_REFRESH);
        d.put("developerToken", PlatformDouble.DEVELOPER_TOKEN);
        d.put("baseUrl", platform.base());
        d.put("tokenUrl", platform.base() + "/token");
        return d;
    }

    @Test
    void aCompletedCallIsUploadedToEveryPlatformInItsDocumentedFormat() throws Exception {
        Site site = site();
        long tokensBefore = platform.seen().stream().filter(s -> s.path().equals("/token")).count();
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("yandex-calls", destination(site, Map.of("type", "yandex-metrica-calls", "counterId", "11111111", "oauthToken",
                PlatformDouble.YANDEX_TOKEN, "baseUrl", platform.base(), "newGoalName", "Calls from Ringpool")).text("destinationId"));
        ids.put("yandex-offline", destination(site, Map.of("type", "yandex-metrica-offline", "counterId", "22222222", "target",
                "phone_call", "oauthToken", PlatformDouble.YANDEX_TOKEN, "baseUrl", platform.base())).text("destinationId"));
        ids.put("ga4", destination(site, Map.of("type", "ga4", "measurementId", "G-TEST12345", "apiSecret", PlatformDouble.GA4_SECRET,
                "baseUrl", platform.base())).text("destinationId"));
        ids.put("ads-clicks", destination(site, google("google-ads-clicks", "555")).text("destinationId"));
        ids.put("ads-calls", destination(site, google("google-ads-calls", "customers/1234567890/conversionActions/777"))
                .text("destinationId"));
        assertThat(ids.values()).doesNotContainNull();

        visitAndCall(site, "upload-call-1", "+79161112233");

        for (Map.Entry<String, String> d : ids.entrySet()) {
            waitFor(() -> uploads(site, d.getValue()).size() >= 1);
            JsonNode upload = uploads(site, d.getValue()).get(0);
            assertThat(upload.get("status").asText()).as(d.getKey() + ": " + upload).isEqualTo("sent");
            assertThat(upload.get("rowCount").asInt()).as(d.getKey()).isEqualTo(1);
            assertThat(upload.get("responseCode").asInt()).as(d.getKey()).isBetween(200, 299);
            String log = upload.toString();
            for (String secret : List.of(PlatformDouble.YANDEX_TOKEN, PlatformDouble.GA4_SECRET, PlatformDouble.GOOGLE_CLIENT_SECRET,
                    PlatformDouble.GOOGLE_REFRESH, PlatformDouble.GOOGLE_ACCESS, PlatformDouble.DEVELOPER_TOKEN)) {
                assertThat(log).as("%s log hides credentials", d.getKey()).doesNotContain(secret);
            }
        }
        assertThat(platform.seen()).allSatisfy(s -> assertThat(s.problems()).as(s.path()).isEmpty());

        JsonNode yandexCalls = uploads(site, ids.get("yandex-calls")).get(0).get("rows").get(0);
        assertThat(yandexCalls.get("ClientId").asText()).isEqualTo("1700000000123456789");
        assertThat(yandexCalls.get("PhoneNumber").asText()).isEqualTo("+79161112233");
        assertThat(yandexCalls.get("TalkDuration").asText()).isEqualTo("75");
        assertThat(yandexCalls.get("HoldDuration").asText()).isEqualTo("15");
        assertThat(yandexCalls.get("CallMissed").asText()).isEqualTo("0");
        PlatformDouble.Seen callsRequest = platform.seen().stream().filter(s -> s.path().endsWith("/11111111/offline_conversions/upload_calls"))
                .findFirst().orElseThrow();
        assertThat(callsRequest.query()).contains("new_goal_name=Calls+from+Ringpool");
        assertThat(((List<?>) callsRequest.parsed()).get(1).toString()).startsWith("1700000000123456789,");

        PlatformDouble.Seen offline = platform.seen().stream().filter(s -> s.path().endsWith("/22222222/offline_conversions/upload"))
                .findFirst().orElseThrow();
        assertThat(((List<?>) offline.parsed()).get(1).toString()).startsWith("1700000000123456789,phone_call,");

        JsonNode ga4 = (JsonNode) platform.seen().stream().filter(s -> s.path().equals("/mp/collect") && s.body().contains("phone_call"))
                .findFirst().orElseThrow().parsed();
        assertThat(ga4.get("client_id").asText()).isEqualTo("123456789.1700000000");
        assertThat(ga4.get("events").get(0).get("name").asText()).isEqualTo("phone_call");
        assertThat(ga4.get("events").get(0).get("params").get("call_duration").asInt()).isEqualTo(75);

        JsonNode clicks = (JsonNode) platform.seen().stream().filter(s -> s.path().endsWith(":uploadClickConversions")
                && s.body().contains("Cj0KCQ-upload-gclid")).findFirst()
                .orElseThrow().parsed();
        assertThat(clicks.get("conversions").get(0).get("gclid").asText()).isEqualTo("Cj0KCQ-upload-gclid");
        assertThat(clicks.get("conversions").get(0).get("conversionAction").asText()).isEqualTo("customers/1234567890/conversionActions/555");
        assertThat(clicks.get("conversions").get(0).get("conversionDateTime").asText()).endsWith("+03:00");
        JsonNode calls = (JsonNode) platform.seen().stream().filter(s -> s.path().endsWith(":uploadCallConversions")).findFirst()
                .orElseThrow().parsed();
        assertThat(calls.get("conversions").get(0).get("callerId").asText()).isEqualTo("+79161112233");
        assertThat(platform.seen().stream().filter(s -> s.path().equals("/token")).count() - tokensBefore).as("one token serves both uploads of a "
                + "destination; two destinations, two exchanges").isEqualTo(2);
    }

    @Test
    void aLeadFromAnAdVisitIsUploadedWhereThePlatformTakesLeadsAndNowhereElse() throws Exception {
        Site site = site();
        String ga4 = destination(site, Map.of("type", "ga4", "measurementId", "G-LEADS12345", "apiSecret", PlatformDouble.GA4_SECRET,
                "baseUrl", platform.base())).text("destinationId");
        Map<String, Object> clicksBody = google("google-ads-clicks", "555");
        clicksBody.put("leadConversionAction", "556");
        String clicks = destination(site, clicksBody).text("destinationId");
        String offline = destination(site, Map.of("type", "yandex-metrica-offline", "counterId", "55555555", "target", "phone_call",
                "leadTarget", "lead_form", "oauthToken", PlatformDouble.YANDEX_TOKEN, "baseUrl", platform.base())).text("destinationId");
        String yandexCalls = destination(site, Map.of("type", "yandex-metrica-calls", "counterId", "66666666", "oauthToken",
                PlatformDouble.YANDEX_TOKEN, "baseUrl", platform.base())).text("destinationId");
        assertThat(List.of(ga4, clicks, offline, yandexCalls)).doesNotContainNull();

        Map<String, Object> session = new LinkedHashMap<>();
        session.put("siteKey", site.publicKey());
        session.put("visitorId", "lead-upload-visitor");
        session.put("url", "https://example.com/?utm_source=google&utm_medium=cpc&gclid=Cj0KCQ-lead-gclid&yclid=12345678901");
        session.put("clientIds", Map.of("ym", "1700000000987654321", "ga", "GA1.1.987654321.1700000000"));
        Reply s = server.send("POST", "/v1/sessions", null, new String(Json.write(session), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(s.status()).as(s.body()).isEqualTo(201);
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("kind", "form");
        form.put("formId", "order");
        form.put("url", "https://example.com/contacts");
        form.put("fields", Map.of("phone", "+79161119900", "name", "Lead Upload"));
        Reply lead = server.send("POST", "/v1/sessions/" + s.text("sessionId") + "/leads", null,
                new String(Json.write(form), StandardCharsets.UTF_8), "text/plain;charset=UTF-8", Map.of());
        assertThat(lead.status()).as(lead.body()).isEqualTo(201);
        String leadId = lead.text("leadId");

        for (String id : List.of(ga4, clicks, offline)) {
            waitFor(() -> uploads(site, id).size() >= 1);
            JsonNode upload = uploads(site, id).get(0);
            assertThat(upload.get("status").asText()).as(upload.toString()).isEqualTo("sent");
            assertThat(upload.get("rowCount").asInt()).isEqualTo(1);
        }
        assertThat(platform.seen()).allSatisfy(seen -> assertThat(seen.problems()).as(seen.path()).isEmpty());

        JsonNode ga4Body = (JsonNode) platform.seen().stream().filter(x -> x.path().equals("/mp/collect")
                && x.query().contains("G-LEADS12345")).findFirst().orElseThrow().parsed();
        assertThat(ga4Body.get("client_id").asText()).isEqualTo("987654321.1700000000");
        assertThat(ga4Body.at("/events/0/name").asText()).isEqualTo("generate_lead");
        assertThat(ga4Body.at("/events/0/params/lead_id").asText()).isEqualTo(leadId);
        assertThat(ga4Body.at("/events/0/params").has("call_duration")).isFalse();

        JsonNode clickBody = (JsonNode) platform.seen().stream().filter(x -> x.path().endsWith(":uploadClickConversions")
                && x.body().contains("Cj0KCQ-lead-gclid")).findFirst().orElseThrow().parsed();
        assertThat(clickBody.at("/conversions/0/conversionAction").asText()).isEqualTo("customers/1234567890/conversionActions/556");

        PlatformDouble.Seen yandex = platform.seen().stream().filter(x -> x.path().endsWith("/55555555/offline_conversions/upload"))
                .findFirst().orElseThrow();
        assertThat(((List<?>) yandex.parsed()).get(1).toString()).startsWith("1700000000987654321,lead_form,");

        // The calls upload has no place for a lead: nothing is queued for it.
        JsonNode callsDest = server.get("/v1/sites/" + site.id() + "/destinations/" + yandexCalls, site.apiKey()).json();
        assertThat(callsDest.at("/deliveries/pending").asInt() + callsDest.at("/deliveries/delivered").asInt()).isZero();
        assertThat(uploads(site, yandexCalls)).isEmpty();
    }

    @Test
    void aMissedCallIsNoConversionButMetricaCallTrackingStillGetsItAsMissed() throws Exception {
        Site site = site();
        String clicks = destination(site, google("google-ads-clicks", "556")).text("destinationId");
        String offline = destination(site, Map.of("type", "yandex-metrica-offline", "counterId", "33333333", "target", "phone_call",
                "oauthToken", PlatformDouble.YANDEX_TOKEN, "baseUrl", platform.base())).text("destinationId");
        String tracking = destination(site, Map.of("type", "yandex-metrica-calls", "counterId", "44444444", "oauthToken",
                PlatformDouble.YANDEX_TOKEN, "baseUrl", platform.base())).text("destinationId");

        visitAndCall(site, "upload-missed-1", "+79161112244", false);

        for (String conversion : List.of(clicks, offline)) {
            waitFor(() -> uploads(site, conversion).size() >= 1);
            JsonNode upload = uploads(site, conversion).get(0);
            assertThat(upload.get("status").asText()).as(upload.toString()).isEqualTo("nothing_to_send");
            assertThat(upload.get("skipped").asInt()).isEqualTo(1);
        }
        assertThat(platform.seen()).noneMatch(s -> s.path().endsWith("/33333333/offline_conversions/upload"));
        waitFor(() -> uploads(site, tracking).size() >= 1);
        JsonNode row = uploads(site, tracking).get(0).get("rows").get(0);
        assertThat(row.get("CallMissed").asText()).isEqualTo("1");
    }

    @Test
    void aDryRunWritesWhatWouldBeSentAndSendsNothing() throws Exception {
        Site site = site();
        int before = platform.seen().size();
        String id = destination(site, Map.of("type", "yandex-metrica-calls", "counterId", "33333333", "oauthToken",
                PlatformDouble.YANDEX_TOKEN, "baseUrl", platform.base(), "dryRun", true)).text("destinationId");
        String ads = destination(site, new HashMap<>(google("google-ads-clicks", "555")) {{ put("dryRun", true); }}).text("destinationId");
        visitAndCall(site, "dry-call-1", "+79162223344");
        waitFor(() -> uploads(site, id).size() >= 1 && uploads(site, ads).size() >= 1);
        JsonNode upload = uploads(site, id).get(0);
        assertThat(upload.get("status").asText()).isEqualTo("dry_run");
        assertThat(upload.get("requests").get(0).get("url").asText()).contains("/management/v1/counter/33333333/offline_conversions/upload_calls");
        assertThat(upload.get("requests").get(0).get("headers").get("Authorization").asText()).isEqualTo("OAuth ***");
        assertThat(upload.get("requests").get(0).get("body").asText()).contains("1700000000123456789");
        assertThat(uploads(site, ads).get(0).get("status").asText()).isEqualTo("dry_run");
        assertThat(platform.seen()).hasSize(before);
    }

    @Test
    void aCallWithoutThePlatformsIdIsSkippedAndNothingIsSent() throws Exception {
        ch.qos.logback.classic.Logger outboxLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.ringpool.outbox.OutboxWorker");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        outboxLog.addAppender(log);
        try {
            skippedAndNothingSent(log);
        } finally {
            outboxLog.detachAppender(log);
        }
    }

    private void skippedAndNothingSent(ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log)
            throws Exception {
        Site site = site();
        int before = platform.seen().size();
        String id = destination(site, Map.of("type", "ga4", "measurementId", "G-TEST12345", "apiSecret", PlatformDouble.GA4_SECRET,
                "baseUrl", platform.base())).text("destinationId");
        Map<String, Object> e = Map.of("callId", "no-visit-1", "event", "completed", "from", "+79163334455", "to", site.number(),
                "talkSeconds", 10);
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        assertThat(server.send("POST", "/v1/telephony/" + site.id() + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.secret(), server.clock.instant().getEpochSecond(), body))).status())
                .isEqualTo(200);
        waitFor(() -> uploads(site, id).size() >= 1);
        JsonNode upload = uploads(site, id).get(0);
        assertThat(upload.get("status").asText()).isEqualTo("nothing_to_send");
        assertThat(upload.get("skipped").asInt()).isEqualTo(1);
        assertThat(platform.seen()).hasSize(before);
        // Audit P #10: it was logged as "outbox_delivered … status=null".
        waitFor(() -> log.list.stream().anyMatch(l -> l.getFormattedMessage().contains("target=" + id)));
        assertThat(log.list.stream().map(l -> l.getFormattedMessage()).filter(m -> m.contains("target=" + id)))
                .containsExactly("outbox_settled_without_sending kind=destination target=" + id
                        + " events=1 result=nothing_to_send: 0 rows, 1 skipped");
    }

    @Test
    void destinationsAreValidatedAndTheirCredentialsNeverShown() {
        Site site = site();
        Reply missing = destination(site, Map.of("type", "yandex-metrica-calls", "counterId", "1"));
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.json().get("error").get("field").asText()).isEqualTo("oauthToken");
        Reply unknownType = destination(site, Map.of("type", "facebook"));
        assertThat(unknownType.status()).isEqualTo(422);
        Reply unknownField = destination(site, Map.of("type", "ga4", "measurementId", "G-ABC12345", "apiSecret", "x", "colour", "red"));
        assertThat(unknownField.status()).isEqualTo(400);
        Reply badCustomer = destination(site, new HashMap<>(google("google-ads-clicks", "555")) {{ put("customerId", "12-34"); }});
        assertThat(badCustomer.status()).isEqualTo(422);
        assertThat(badCustomer.json().get("error").get("field").asText()).isEqualTo("customerId");
        Reply internal = destination(site, Map.of("type", "ga4", "measurementId", "G-ABC12345", "apiSecret", "x",
                "baseUrl", "http://169.254.169.254"));
        assertThat(internal.status()).isEqualTo(422);
        assertThat(internal.errorCode()).isEqualTo("target_not_allowed");
        for (Object notText : List.of(true, 1.5, new java.math.BigDecimal("1e309"))) {
            Reply odd = destination(site, Map.of("type", "ga4", "measurementId", "G-ABC12345", "apiSecret", notText));
            assertThat(odd.status()).as("apiSecret " + notText + " (audit L #9)").isEqualTo(422);
            assertThat(odd.json().get("error").get("field").asText()).isEqualTo("apiSecret");
        }
        Reply numericCounter = destination(site, Map.of("type", "yandex-metrica-calls", "counterId", 12345678, "oauthToken", "t"));
        assertThat(numericCounter.status()).as("an id may be a JSON number").isEqualTo(201);

        Reply ok = destination(site, Map.of("type", "ga4", "measurementId", "G-ABC12345", "apiSecret", "s3cret-value"));
        assertThat(ok.status()).isEqualTo(201);
        assertThat(ok.body()).doesNotContain("s3cret-value");
        Reply list = server.get("/v1/sites/" + site.id() + "/destinations", site.apiKey());
        assertThat(list.body()).doesNotContain("s3cret-value").contains("G-ABC12345");
        Map<String, String> other = server.siteWithPool(List.of());
        assertThat(server.get("/v1/sites/" + site.id() + "/destinations/" + ok.text("destinationId") + "/uploads", other.get("apiKey"))
                .status()).isEqualTo(404);
        for (String log : List.of("/uploads?foo=1", "/deliveries?foo=1")) {
            assertThat(server.get("/v1/sites/" + site.id() + "/destinations/" + ok.text("destinationId") + log, site.apiKey()).errorCode())
                    .as("a query parameter the route does not know, as on every route").isEqualTo("unknown_parameter");
        }
    }

    /** ConcurrentRequestsSweepTest: destinations share the feeds' count-then-insert, which let creates at once pass the limit. */
    @Test
    void destinationsCreatedAtOnceNeverPassTheLimitOfTwenty() {
        Site site = site();
        Map<String, Object> body = Map.of("type", "ga4", "measurementId", "G-LIMIT12345", "apiSecret", PlatformDouble.GA4_SECRET,
                "baseUrl", platform.base());
        for (int i = 0; i < 16; i++) {
            assertThat(destination(site, body).status()).isEqualTo(201);
        }
        List<Reply> replies = TestServer.atOnce(java.util.Collections.nCopies(8, () -> destination(site, body)));
        assertThat(replies.stream().filter(r -> r.status() == 201)).hasSize(4);
        assertThat(replies.stream().filter(r -> r.status() == 409).map(Reply::errorCode)).containsOnly("too_many_destinations").hasSize(4);
        assertThat(server.get("/v1/sites/" + site.id() + "/destinations", site.apiKey()).json().path("destinations").size()).isEqualTo(20);
    }
}
