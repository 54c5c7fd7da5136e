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
        visitAndCall(site, callId, caller, answered ? 75 : null, "gclid=Cj0KCQ-upload-gclid&yclid=98765432101");
    }

    /**
     * A visit from a Google ad whose landing URL carries {@code clickIds} (query pairs), then a call
     * to the number it was shown: answered with {@code talkSeconds} of talk, or missed when null.
     */
    static void visitAndCall(Site site, String callId, String caller, Integer talkSeconds, String clickIds) {
        Map<String, Object> session = new LinkedHashMap<>();
        session.put("siteKey", site.publicKey());
        session.put("visitorId", "upload-visitor-" + callId);
        session.put("url", "https://example.com/?utm_source=google&utm_medium=cpc&" + clickIds);
        session.put("clientIds", Map.of("ym", "1700000000123456789", "ga", "GA1.1.123456789.1700000000"));
        Reply s = server.send("POST", "/v1/sessions", null, new String(Json.write(session), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(s.status()).as(s.body()).isEqualTo(201);
        call(site, callId, caller, s.text("number"), talkSeconds);
    }

    /** A call from {@code caller} to {@code number}: answered with {@code talkSeconds} of talk, or missed when null. */
    static void call(Site site, String callId, String caller, String number, Integer talkSeconds) {
        boolean answered = talkSeconds != null;
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", answered ? "completed" : "missed");
        e.put("from", caller);
        e.put("to", number);
        if (answered) {
            e.put("talkSeconds", talkSeconds);
            e.put("durationSeconds", talkSeconds + 15);
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

    /**
     * Waits for {@code condition}; if it is not met within 2 s, moves the clock past Google Ads' hold
     * (a call goes there 6 h 10 min after it ends, {@link GoogleAdsSixHourRuleTest}): the formats
     * and filters are what this class checks, not when.
     */
    static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long pastHold = System.nanoTime() + Duration.ofSeconds(2).toNanos(); // the other platforms' uploads come well before
        boolean moved = false;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            if (!moved && System.nanoTime() > pastHold) {
                server.clock.advance(GoogleTooRecent.HOLD);
                server.app.outbox().wake();
                moved = true;
            }
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

    /**
     * Audit AE2 #1: the caller's leg ended unanswered before the forwarded leg's answer and end
     * arrived. At call.completed the call was missed, so the conversion uploads left it out; when
     * the answer arrives it goes up to them, once, and Metrica call tracking, which took the call
     * as missed, is not sent it again.
     */
    @Test
    void aCallWhoseAnswerArrivesAfterItsEndIsUploadedOnceWhereItWasLeftOutAsMissed() throws Exception {
        Site site = site();
        String clicks = destination(site, google("google-ads-clicks", "557")).text("destinationId");
        String tracking = destination(site, Map.of("type", "yandex-metrica-calls", "counterId", "44444445", "oauthToken",
                PlatformDouble.YANDEX_TOKEN, "baseUrl", platform.base())).text("destinationId");
        visitAndCall(site, "upload-late-answer-1", "+79161112255", null, "gclid=Cj0KCQ-late-answer-gclid");
        waitFor(() -> uploads(site, clicks).size() >= 1 && uploads(site, tracking).size() >= 1);
        assertThat(uploads(site, clicks).get(0).get("status").asText()).isEqualTo("nothing_to_send");

        for (String kind : List.of("answered", "completed", "completed")) { // the last one a provider's retry
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("callId", "upload-late-answer-1");
            e.put("event", kind);
            e.put("from", "+79161112255");
            e.put("to", site.number());
            if (kind.equals("completed")) {
                e.put("talkSeconds", 40);
                e.put("durationSeconds", 55);
            }
            String body = new String(Json.write(e), StandardCharsets.UTF_8);
            Reply r = server.send("POST", "/v1/telephony/" + site.id() + "/events", null, body, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(site.secret(), server.clock.instant().getEpochSecond(), body)));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        waitFor(() -> clickIdsSentTo("557").size() >= 1);
        server.app.outbox().deliverDueNow();
        Thread.sleep(300);
        assertThat(clickIdsSentTo("557")).containsExactly("gclid=Cj0KCQ-late-answer-gclid");
        assertThat(uploads(site, tracking)).as("Metrica call tracking had the call at call.completed").hasSize(1);
    }

    @Test
    void aDryRunWritesWhatWouldBeSentAndSendsNothing() throws Exception {
        Site site = site();
        int before = platform.seen().size();
        String id = destination(site, Map.of("type", "yandex-metrica-calls", "counterId", "33333333", "oauthToken",
                PlatformDouble.YANDEX_TOKEN, "baseUrl", platform.base(), "dryRun", true)).text("destinationId");
        String ads = destination(site, new HashMap<>(google("google-ads-clicks", "556")) {{ put("dryRun", true); }}).text("destinationId");
        visitAndCall(site, "dry-call-1", "+79162223344");
        waitFor(() -> uploads(site, id).size() >= 1 && uploads(site, ads).size() >= 1);
        JsonNode upload = uploads(site, id).get(0);
        assertThat(upload.get("status").asText()).isEqualTo("dry_run");
        assertThat(upload.get("requests").get(0).get("url").asText()).contains("/management/v1/counter/33333333/offline_conversions/upload_calls");
        assertThat(upload.get("requests").get(0).get("headers").get("Authorization").asText()).isEqualTo("OAuth ***");
        assertThat(upload.get("requests").get(0).get("body").asText()).contains("1700000000123456789");
        assertThat(uploads(site, ads).get(0).get("status").asText()).isEqualTo("dry_run");
        // Other tests' Google uploads may go meanwhile (waitFor moved the clock past their hold): none of this one's.
        assertThat(platform.seen().subList(before, platform.seen().size())).noneMatch(s -> s.path().contains("/33333333/")
                || s.body().contains("conversionActions/556"));
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
        for (String action : List.of("conversionAction", "leadConversionAction")) {
            Map<String, Object> otherAccount = google("google-ads-clicks", "555");
            otherAccount.put(action, "customers/9999999999/conversionActions/5");
            Reply refused = destination(site, otherAccount);
            assertThat(refused.status()).as("audit N #7: another account's action: " + refused.body()).isEqualTo(422);
            assertThat(refused.json().at("/error/field").asText()).isEqualTo(action);
            Map<String, Object> sameAccount = google("google-ads-clicks", "555");
            sameAccount.put(action, "customers/1234567890/conversionActions/5");
            assertThat(destination(site, sameAccount).status()).as("customerId 123-456-7890, its dashes dropped").isEqualTo(201);
        }
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

    /** A site whose pool has {@code count} numbers: as many visits in a row each hold one, and each call is its own visit's. */
    static Site siteWithNumbers(int count) {
        sites++;
        List<String> numbers = new java.util.ArrayList<>();
        for (int i = 1; i <= count; i++) {
            numbers.add(String.format("+7495%03d%04d", 600 + sites, i));
        }
        Map<String, String> s = server.siteWithPool(numbers);
        return new Site(s.get("siteId"), s.get("apiKey"), s.get("webhookSecret"), s.get("publicKey"), numbers.get(0));
    }

    static int delivered(Site site, String destinationId) {
        return server.get("/v1/sites/" + site.id() + "/destinations/" + destinationId, site.apiKey()).json().at("/deliveries/delivered").asInt();
    }

    static int total(Site site, String destinationId, String count) {
        int sum = 0;
        for (JsonNode u : uploads(site, destinationId)) {
            sum += u.get(count).asInt();
        }
        return sum;
    }

    /** The click ids Google Ads received for conversion action {@code action} (any of gclid, gbraid, wbraid). */
    static List<String> clickIdsSentTo(String action) {
        List<String> out = new java.util.ArrayList<>();
        for (PlatformDouble.Seen s : platform.seen()) {
            if (s.path().endsWith(":uploadClickConversions") && s.parsed() instanceof JsonNode body) {
                for (JsonNode c : body.path("conversions")) {
                    if (c.path("conversionAction").asText().endsWith("/conversionActions/" + action)) {
                        for (String id : List.of("gclid", "gbraid", "wbraid")) {
                            if (c.has(id)) {
                                out.add(id + "=" + c.get(id).asText());
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Audit N #1: every answered call went up as a conversion, a 5-second wrong number included, and
     * a destination took no filter. With {@code "filter": {"target": true}} only target calls (talk at
     * or above the site's 30 s) go; a destination without a filter still takes every answered call.
     * {@code yandex-metrica-offline} keeps its own {@code target} (the goal) beside the filter's.
     */
    @Test
    void aDestinationWithATargetFilterUploadsTargetCallsOnly() throws Exception {
        Site site = siteWithNumbers(2);
        Map<String, Object> targetOnly = google("google-ads-clicks", "601");
        targetOnly.put("filter", Map.of("target", true));
        Reply created = destination(site, targetOnly);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("filter").toString()).isEqualTo("{\"target\":true}");
        String filtered = created.text("destinationId");
        String everyCall = destination(site, google("google-ads-clicks", "602")).text("destinationId");
        Reply metrica = destination(site, Map.of("type", "yandex-metrica-offline", "counterId", "77777777", "target", "phone_call",
                "oauthToken", PlatformDouble.YANDEX_TOKEN, "baseUrl", platform.base(), "filter", Map.of("target", true)));
        assertThat(metrica.status()).as(metrica.body()).isEqualTo(201);
        assertThat(metrica.json().at("/settings/target").asText()).isEqualTo("phone_call");
        String metricaTarget = metrica.text("destinationId");

        visitAndCall(site, "filter-short-1", "+79161115501", 5, "gclid=Cj0KCQ-filter-short");
        visitAndCall(site, "filter-long-1", "+79161115502", 75, "gclid=Cj0KCQ-filter-long");

        for (String id : List.of(filtered, everyCall, metricaTarget)) {
            waitFor(() -> delivered(site, id) == 2);
        }
        assertThat(clickIdsSentTo("601")).containsExactly("gclid=Cj0KCQ-filter-long");
        assertThat(clickIdsSentTo("602")).containsExactlyInAnyOrder("gclid=Cj0KCQ-filter-short", "gclid=Cj0KCQ-filter-long");
        for (String id : List.of(filtered, metricaTarget)) {
            assertThat(total(site, id, "rowCount")).as("rows").isEqualTo(1);
            assertThat(total(site, id, "skipped")).as("the short call is counted as skipped").isEqualTo(1);
        }
        List<String> metricaRows = platform.seen().stream().filter(x -> x.path().endsWith("/77777777/offline_conversions/upload"))
                .flatMap(x -> ((List<?>) x.parsed()).stream().skip(1)).map(Object::toString).toList();
        assertThat(metricaRows).hasSize(1).allSatisfy(row -> assertThat(row).startsWith("1700000000123456789,phone_call,"));

        JsonNode list = server.get("/v1/sites/" + site.id() + "/destinations", site.apiKey()).json().get("destinations");
        Map<String, String> filters = new HashMap<>();
        list.forEach(d -> filters.put(d.get("destinationId").asText(), d.get("filter").toString()));
        assertThat(filters).containsEntry(filtered, "{\"target\":true}").containsEntry(metricaTarget, "{\"target\":true}")
                .containsEntry(everyCall, "null");
        assertThat(server.get("/v1/sites/" + site.id() + "/destinations/" + filtered, site.apiKey()).json().get("filter").toString())
                .isEqualTo("{\"target\":true}");
    }

    /**
     * Audit AN2 F9: a destination read a call's tags from its {@code call.completed} event, so a call a
     * manager tagged "sale" (value 25,000) ten minutes after hanging up never reached Google Ads, though
     * Google takes it only six hours later and the export with the same {@code tag} held it. The tags,
     * value and currency are now the call's when the upload is made.
     */
    @Test
    void aTagAndValueSetAfterTheCallButBeforeTheUploadCount() throws Exception {
        Site site = siteWithNumbers(2);
        Map<String, Object> sales = google("google-ads-clicks", "631");
        sales.put("filter", Map.of("tag", "sale"));
        String sale = destination(site, sales).text("destinationId");

        visitAndCall(site, "tag-later-1", "+79161117801", 120, "gclid=Cj0KCQ-tagged-later");
        visitAndCall(site, "tag-never-1", "+79161117802", 120, "gclid=Cj0KCQ-never-tagged");
        server.clock.advance(Duration.ofMinutes(10));
        String callId = null;
        for (JsonNode c : server.get("/v1/sites/" + site.id() + "/calls", site.apiKey()).json().get("calls")) {
            if (c.get("providerCallId").asText().equals("tag-later-1")) {
                callId = c.get("callId").asText();
            }
        }
        Reply tagged = server.send("PATCH", "/v1/sites/" + site.id() + "/calls/" + callId, site.apiKey(),
                "{\"tags\":[\"Sale\"],\"value\":25000,\"currency\":\"RUB\"}", "application/json", Map.of());
        assertThat(tagged.status()).as(tagged.body()).isEqualTo(200);

        waitFor(() -> delivered(site, sale) == 2);
        assertThat(clickIdsSentTo("631")).containsExactly("gclid=Cj0KCQ-tagged-later");
        JsonNode row = platform.seen().stream().filter(x -> x.path().endsWith(":uploadClickConversions") && x.body().contains("/631\""))
                .map(x -> ((JsonNode) x.parsed()).at("/conversions/0")).findFirst().orElseThrow();
        assertThat(row.get("conversionValue").asDouble()).isEqualTo(25000.0);
        assertThat(row.get("currencyCode").asText()).isEqualTo("RUB");
        assertThat(total(site, sale, "skipped")).as("the untagged call").isEqualTo(1);
    }

    /**
     * Session 33: a destination uploaded every attributed call, the {@code ambiguous} ones too (a
     * redial after the number went to another visitor, a number reissued from cool-down when a small
     * pool ran out), so the ad platform bid on a visit Ringpool had only chosen among several.
     * {@code "filter": {"ambiguous": false}} keeps those out; without it they still go.
     */
    @Test
    void anAmbiguousFalseFilterKeepsGuessedCallsOut() throws Exception {
        Site site = siteWithNumbers(1);
        Map<String, Object> sureOnly = google("google-ads-clicks", "621");
        sureOnly.put("filter", Map.of("ambiguous", false));
        Reply created = destination(site, sureOnly);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("filter").toString()).isEqualTo("{\"ambiguous\":false}");
        String sure = created.text("destinationId");
        String every = destination(site, google("google-ads-clicks", "622")).text("destinationId");

        visitAndCall(site, "amb-first", "+79161116601", 75, "gclid=Cj0KCQ-amb-first");
        // The one number's lease lapses and cools down; the next visitor gets it, and the first
        // caller redials it from their phone's history: ambiguous, the earlier visit chosen.
        server.clock.advance(Duration.ofHours(2));
        visitAndCall(site, "amb-redial", "+79161116601", 75, "gclid=Cj0KCQ-amb-second");
        Reply redial = server.get("/v1/sites/" + site.id() + "/calls?from=2000-01-01&to=2100-01-01", site.apiKey());
        assertThat(redial.json().get("calls").findValuesAsText("method")).as(redial.body()).contains("active", "ambiguous");

        for (String id : List.of(sure, every)) {
            waitFor(() -> delivered(site, id) == 2);
        }
        assertThat(clickIdsSentTo("622")).as("the earlier visit's click, twice: once sure, once chosen")
                .containsExactly("gclid=Cj0KCQ-amb-first", "gclid=Cj0KCQ-amb-first");
        assertThat(clickIdsSentTo("621")).containsExactly("gclid=Cj0KCQ-amb-first");
        assertThat(total(site, sure, "skipped")).as("the ambiguous call counted as skipped").isEqualTo(1);

        Reply bad = destination(site, Map.of("type", "ga4", "measurementId", "G-AMBIG1234", "apiSecret", PlatformDouble.GA4_SECRET,
                "baseUrl", platform.base(), "filter", Map.of("ambiguous", "no")));
        assertThat(bad.status()).as(bad.body()).isEqualTo(422);
        assertThat(bad.json().at("/error/field").asText()).isEqualTo("filter.ambiguous");
    }

    /**
     * Leads are not calls: the talk-time filters do not apply to them (a lead goes to its own action),
     * and {@code "leads": false} keeps them out of a destination altogether.
     */
    @Test
    void aLeadPassesATargetFilterAndLeadsFalseKeepsLeadsOut() throws Exception {
        Site site = site();
        Map<String, Object> clicksBody = google("google-ads-clicks", "603");
        clicksBody.put("leadConversionAction", "604");
        clicksBody.put("filter", Map.of("target", true));
        String clicks = destination(site, clicksBody).text("destinationId");
        Reply noLeads = destination(site, Map.of("type", "ga4", "measurementId", "G-NOLEADS123", "apiSecret", PlatformDouble.GA4_SECRET,
                "baseUrl", platform.base(), "filter", Map.of("leads", false)));
        assertThat(noLeads.status()).as(noLeads.body()).isEqualTo(201);

        Map<String, Object> session = new LinkedHashMap<>();
        session.put("siteKey", site.publicKey());
        session.put("visitorId", "filter-lead-visitor");
        session.put("url", "https://example.com/?utm_source=google&utm_medium=cpc&gclid=Cj0KCQ-filter-lead");
        session.put("clientIds", Map.of("ga", "GA1.1.555555555.1700000000"));
        Reply s = server.send("POST", "/v1/sessions", null, new String(Json.write(session), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(s.status()).as(s.body()).isEqualTo(201);
        Map<String, Object> form = Map.of("kind", "form", "formId", "order", "url", "https://example.com/contacts",
                "fields", Map.of("phone", "+79161115590", "name", "Filter Lead"));
        Reply lead = server.send("POST", "/v1/sessions/" + s.text("sessionId") + "/leads", null,
                new String(Json.write(form), StandardCharsets.UTF_8), "text/plain;charset=UTF-8", Map.of());
        assertThat(lead.status()).as(lead.body()).isEqualTo(201);

        waitFor(() -> delivered(site, clicks) == 1);
        assertThat(clickIdsSentTo("604")).containsExactly("gclid=Cj0KCQ-filter-lead");
        JsonNode ga4 = server.get("/v1/sites/" + site.id() + "/destinations/" + noLeads.text("destinationId"), site.apiKey()).json();
        assertThat(ga4.at("/deliveries/pending").asInt() + ga4.at("/deliveries/delivered").asInt()).as("nothing queued").isZero();
        assertThat(platform.seen()).noneMatch(x -> x.query() != null && x.query().contains("G-NOLEADS123"));
    }

    @Test
    void aDestinationsFilterIsValidatedNamingTheField() {
        Site site = site();
        Map<String, Object> ga4 = Map.of("type", "ga4", "measurementId", "G-FILTER1234", "apiSecret", PlatformDouble.GA4_SECRET);
        record Case(Object filter, int status, String code, String field) {}
        for (Case c : List.of(new Case("target", 422, "invalid_value", "filter"), new Case(List.of(), 422, "invalid_value", "filter"),
                new Case(Map.of("colour", "red"), 400, "unknown_field", "filter.colour"),
                new Case(Map.of("target", "true"), 422, "invalid_value", "filter.target"),
                new Case(Map.of("uniqueTarget", 1), 422, "invalid_value", "filter.uniqueTarget"),
                new Case(Map.of("tag", " "), 422, "invalid_value", "filter.tag"),
                new Case(Map.of("tag", "x".repeat(51)), 422, "invalid_value", "filter.tag"),
                new Case(Map.of("tag", List.of("a")), 422, "invalid_value", "filter.tag"))) {
            Map<String, Object> body = new HashMap<>(ga4);
            body.put("filter", c.filter());
            Reply r = destination(site, body);
            assertThat(r.status()).as(c + ": " + r.body()).isEqualTo(c.status());
            assertThat(r.errorCode()).as(c.toString()).isEqualTo(c.code());
            assertThat(r.json().at("/error/field").asText()).as(c.toString()).isEqualTo(c.field());
        }
        for (int length : List.of(51, 201)) {
            Map<String, Object> body = new HashMap<>(ga4);
            body.put("filter", Map.of("tag", "x".repeat(length)));
            assertThat(destination(site, body).json().at("/error/message").asText()).as("one limit, whatever the length")
                    .isEqualTo("'filter.tag' must be 1 to 50 characters");
        }
        Map<String, Object> calls = google("google-ads-calls", "605");
        calls.put("filter", Map.of("leads", false));
        Reply leadsOnCalls = destination(site, calls);
        assertThat(leadsOnCalls.status()).as("google-ads-calls takes no leads").isEqualTo(422);
        assertThat(leadsOnCalls.json().at("/error/field").asText()).isEqualTo("filter.leads");

        Map<String, Object> ok = new HashMap<>(ga4);
        ok.put("filter", Map.of("tag", " Sale ", "unique", false, "uniqueTarget", true));
        Reply created = destination(site, ok);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("filter").toString()).isEqualTo("{\"unique\":false,\"uniqueTarget\":true,\"tag\":\"Sale\"}");
        Map<String, Object> empty = new HashMap<>(ga4);
        empty.put("filter", Map.of());
        assertThat(destination(site, empty).json().get("filter").isNull()).as("an empty filter is none").isTrue();
    }

    /**
     * Audit N #3: a click from iOS carries gbraid or wbraid instead of a gclid; such calls were
     * skipped. Google takes exactly one click id per conversion: the gclid when there is one, else
     * gbraid, else wbraid. A lead from such a visit goes up the same way.
     */
    @Test
    void aClickFromIosGoesUpWithItsGbraidOrWbraidAndAGclidStillComesFirst() throws Exception {
        Site site = siteWithNumbers(4);
        Map<String, Object> body = google("google-ads-clicks", "611");
        body.put("leadConversionAction", "612");
        String clicks = destination(site, body).text("destinationId");

        visitAndCall(site, "ios-app-1", "+79161116601", 75, "gbraid=0AAAAA-ios-gbraid&wbraid=ClMKCA-ios-wbraid-1");
        visitAndCall(site, "ios-web-1", "+79161116602", 75, "wbraid=ClMKCA-ios-wbraid-2");
        visitAndCall(site, "ios-gclid-1", "+79161116603", 75, "gclid=Cj0KCQ-ios-gclid&gbraid=0AAAAA-not-sent");
        Map<String, Object> session = new LinkedHashMap<>();
        session.put("siteKey", site.publicKey());
        session.put("visitorId", "ios-lead-visitor");
        session.put("url", "https://example.com/?utm_source=google&utm_medium=cpc&wbraid=ClMKCA-ios-lead");
        Reply s = server.send("POST", "/v1/sessions", null, new String(Json.write(session), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(s.status()).as(s.body()).isEqualTo(201);
        Reply lead = server.send("POST", "/v1/sessions/" + s.text("sessionId") + "/leads", null, new String(Json.write(Map.of("kind",
                "form", "formId", "order", "url", "https://example.com/contacts", "fields", Map.of("phone", "+79161116690"))),
                StandardCharsets.UTF_8), "text/plain;charset=UTF-8", Map.of());
        assertThat(lead.status()).as(lead.body()).isEqualTo(201);

        waitFor(() -> delivered(site, clicks) == 4);
        assertThat(clickIdsSentTo("611")).containsExactlyInAnyOrder("gbraid=0AAAAA-ios-gbraid", "wbraid=ClMKCA-ios-wbraid-2",
                "gclid=Cj0KCQ-ios-gclid");
        assertThat(clickIdsSentTo("612")).containsExactly("wbraid=ClMKCA-ios-lead");
        assertThat(total(site, clicks, "skipped")).isZero();
        assertThat(platform.seen()).allSatisfy(x -> assertThat(x.problems()).as(x.path()).isEmpty());
    }

    /**
     * A visitor who clicked an ad, left, and came back by a bookmark to call or write is that ad's
     * conversion in uploads as in exports (export.EarlierVisitIds): the direct visit takes the click
     * of the visit the default model credits. One who came back from a search, or whose click was
     * the other platform's, gives Google nothing. Until session 45 only an export sent such a call.
     */
    @Test
    void aDirectReturnAfterAnAdClickIsUploadedWithThatClick() throws Exception {
        Site site = siteWithNumbers(4);
        Map<String, Object> body = google("google-ads-clicks", "641");
        body.put("leadConversionAction", "642");
        String clicks = destination(site, body).text("destinationId");

        Reply direct = returnVisit(site, "ret-direct", "utm_source=google&utm_medium=cpc&gclid=Cj0KCQ-return-direct", null);
        call(site, "ret-direct-call", "+79161117701", direct.text("number"), 60);
        Reply lead = server.send("POST", "/v1/sessions/" + direct.text("sessionId") + "/leads", null, new String(Json.write(Map.of("kind",
                "form", "formId", "order", "url", "https://example.com/contacts", "fields", Map.of("phone", "+79161117702"))),
                StandardCharsets.UTF_8), "text/plain;charset=UTF-8", Map.of());
        assertThat(lead.status()).as(lead.body()).isEqualTo(201);
        Reply organic = returnVisit(site, "ret-organic", "utm_source=google&utm_medium=cpc&gclid=Cj0KCQ-return-organic",
                "https://www.google.com/");
        call(site, "ret-organic-call", "+79161117703", organic.text("number"), 60);
        Reply yandex = returnVisit(site, "ret-yandex", "utm_source=yandex&utm_medium=cpc&yclid=98765432109", null);
        call(site, "ret-yandex-call", "+79161117704", yandex.text("number"), 60);

        waitFor(() -> delivered(site, clicks) == 4);
        assertThat(clickIdsSentTo("641")).containsExactly("gclid=Cj0KCQ-return-direct");
        assertThat(clickIdsSentTo("642")).containsExactly("gclid=Cj0KCQ-return-direct");
        assertThat(total(site, clicks, "skipped")).as("the organic and the Yandex returns have no Google click").isEqualTo(2);
    }

    /** The visitor's visit from {@code adQuery}, ended; an hour later a second one (direct, or from {@code referrer}), left open. */
    static Reply returnVisit(Site site, String visitor, String adQuery, String referrer) {
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("siteKey", site.publicKey());
        first.put("visitorId", "upload-visitor-" + visitor);
        first.put("url", "https://example.com/?" + adQuery);
        Reply ad = server.send("POST", "/v1/sessions", null, new String(Json.write(first), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(ad.status()).as(ad.body()).isEqualTo(201);
        assertThat(server.send("POST", "/v1/sessions/" + ad.text("sessionId") + "/end", null, "", "text/plain", Map.of()).status())
                .isLessThan(300);
        server.clock.advance(Duration.ofHours(1));
        Map<String, Object> back = new LinkedHashMap<>(first);
        back.put("url", "https://example.com/");
        if (referrer != null) {
            back.put("referrer", referrer);
        }
        Reply again = server.send("POST", "/v1/sessions", null, new String(Json.write(back), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(again.status()).as(again.body()).isEqualTo(201);
        return again;
    }

    /** Audit N #4: GA4 answers 2xx and drops an event whose name breaks its rules, so such a name is refused at creation. */
    @Test
    void aGa4EventNameGa4WouldDropIsRefusedAtCreation() {
        Site site = site();
        for (String field : List.of("eventName", "leadEventName")) {
            for (String name : List.of("phone call", "session_start", "1call", "call-answered", "c".repeat(41), "ga_call",
                    "user_engagement", "Session_Start", "google_call", "firebase_call", "_call", "звонок", "first_visit")) {
                Reply r = destination(site, Map.of("type", "ga4", "measurementId", "G-NAMES1234", "apiSecret", "x", field, name));
                assertThat(r.status()).as(field + " " + name + ": " + r.body()).isEqualTo(422);
                assertThat(r.json().at("/error/field").asText()).isEqualTo(field);
            }
            for (String name : List.of("phone_call", "Call_answered_2", "c".repeat(40), "generate_lead", "errors")) {
                Reply r = destination(site, Map.of("type", "ga4", "measurementId", "G-NAMES1234", "apiSecret", "x", field, name));
                assertThat(r.status()).as(field + " " + name + ": " + r.body()).isEqualTo(201);
                server.send("DELETE", "/v1/sites/" + site.id() + "/destinations/" + r.text("destinationId"), site.apiKey(), null, null,
                        Map.of());
            }
        }
    }

    /**
     * With {@code collectPath: /debug/mp/collect} GA4 validates instead of recording and answers 200
     * either way; an answer listing validationMessages is a failed upload, not a sent one (audit N #4).
     */
    @Test
    void aGa4DebugAnswerWithValidationMessagesIsAFailedUpload() throws Exception {
        Site site = site();
        platform.refuseOnDebug("G-DEBUGNO123", "Event name phone_call is reserved.");
        String refused = destination(site, Map.of("type", "ga4", "measurementId", "G-DEBUGNO123", "apiSecret", PlatformDouble.GA4_SECRET,
                "baseUrl", platform.base(), "collectPath", "/debug/mp/collect")).text("destinationId");
        String valid = destination(site, Map.of("type", "ga4", "measurementId", "G-DEBUGOK123", "apiSecret", PlatformDouble.GA4_SECRET,
                "baseUrl", platform.base(), "collectPath", "/debug/mp/collect")).text("destinationId");

        visitAndCall(site, "ga4-debug-1", "+79161117701");

        waitFor(() -> uploads(site, refused).size() >= 1 && uploads(site, valid).size() >= 1);
        JsonNode failed = uploads(site, refused).get(0);
        assertThat(failed.get("status").asText()).as(failed.toString()).isEqualTo("failed");
        assertThat(failed.get("responseCode").asInt()).isEqualTo(200);
        assertThat(failed.get("error").asText()).contains("NAME_RESERVED").contains("Event name phone_call is reserved.");
        JsonNode delivery = server.get("/v1/sites/" + site.id() + "/destinations/" + refused + "/deliveries", site.apiKey()).json()
                .at("/deliveries/0");
        assertThat(delivery.get("state").asText()).as(delivery.toString()).isEqualTo("pending");
        JsonNode sent = uploads(site, valid).get(0);
        assertThat(sent.get("status").asText()).as(sent.toString()).isEqualTo("sent");
        assertThat(sent.get("response").asText()).isEqualTo("{\"validationMessages\":[]}");
    }
    /**
     * Audit AN2 F8: {@code baseUrl: http://host?x=1} was taken and every upload went to
     * {@code /?x=1/management/…}, the platform's path inside the query. A query is 422 naming the field.
     */
    @Test
    void aBaseUrlOrTokenUrlWithAQueryIsRefusedNamingIt() {
        Site site = site();
        Map<String, Object> metrica = new HashMap<>(Map.of("type", "yandex-metrica-offline", "counterId", 12345678, "target", "phone_call",
                "oauthToken", PlatformDouble.YANDEX_TOKEN, "baseUrl", platform.base() + "?x=1"));
        Reply refused = destination(site, metrica);
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.json().at("/error/field").asText()).isEqualTo("baseUrl");
        metrica.put("baseUrl", platform.base() + "/proxy?");
        assertThat(destination(site, metrica).json().at("/error/field").asText()).isEqualTo("baseUrl");
        Map<String, Object> g = google("google-ads-clicks", "111");
        g.put("tokenUrl", platform.base() + "/token?a=b");
        Reply token = destination(site, g);
        assertThat(token.status()).as(token.body()).isEqualTo(422);
        assertThat(token.json().at("/error/field").asText()).isEqualTo("tokenUrl");
        metrica.put("baseUrl", platform.base() + "/proxy/");
        Reply made = destination(site, metrica);
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        Reply patched = server.send("PATCH", "/v1/sites/" + site.id() + "/destinations/" + made.text("destinationId"), site.apiKey(),
                "{\"baseUrl\":\"" + platform.base() + "?x=1\"}", "application/json", Map.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(422);
        assertThat(patched.json().at("/error/field").asText()).isEqualTo("baseUrl");
    }
    /**
     * Audit AN2 F10: GA4 events carried no {@code session_id}, so GA4 could not give a call the
     * visit's session (source, medium, campaign). A visit that reports its GA4 session under
     * {@code clientIds.gaSession} (the id, or the {@code _ga_<container>} cookie as it is) has it sent
     * as {@code params.session_id}; one that does not is sent as before.
     */
    @Test
    void aGa4EventCarriesTheVisitsSessionIdWhenTheVisitReportedIt() throws Exception {
        Site site = siteWithNumbers(3);
        String ga4 = destination(site, Map.of("type", "ga4", "measurementId", "G-SESSION123", "apiSecret", PlatformDouble.GA4_SECRET,
                "eventName", "call_in_session", "baseUrl", platform.base())).text("destinationId");
        for (String[] visit : List.of(new String[] {"ga4-session-1", "GS2.1.s1765000123$o4$g1$t1765000500$j60$l0$h0", "+79161118801"},
                new String[] {"ga4-session-2", "GS1.1.1765000456.2.1.1765000999.0.0.0", "+79161118802"},
                new String[] {"ga4-session-3", null, "+79161118803"})) {
            Map<String, Object> clientIds = new HashMap<>(Map.of("ga", "GA1.1.555.1765000000"));
            if (visit[1] != null) {
                clientIds.put("gaSession", visit[1]);
            }
            Reply s = server.send("POST", "/v1/sessions", null, new String(Json.write(Map.of("siteKey", site.publicKey(), "visitorId",
                    "v-" + visit[0], "url", "https://example.com/?utm_source=google&utm_medium=cpc", "clientIds", clientIds)),
                    StandardCharsets.UTF_8), "application/json", Map.of("User-Agent", TestServer.CHROME));
            assertThat(s.json().get("tracked").asBoolean()).as(s.body()).isTrue();
            call(site, visit[0], visit[2], s.text("number"), 60);
        }
        waitFor(() -> delivered(site, ga4) == 3);
        Map<String, String> sessionByCaller = new HashMap<>();
        for (PlatformDouble.Seen seen : platform.seen()) {
            if (seen.query() != null && seen.query().contains("G-SESSION123") && seen.parsed() instanceof JsonNode body) {
                JsonNode params = body.at("/events/0/params");
                sessionByCaller.put(params.get("call_id").asText(), params.path("session_id").asText("(none)"));
            }
        }
        assertThat(sessionByCaller.values()).containsExactlyInAnyOrder("1765000123", "1765000456", "(none)");
        assertThat(CallConversion.gaSessionId("GS2.1.s1765000123$o4")).isEqualTo("1765000123");
        assertThat(CallConversion.gaSessionId("1765000789")).isEqualTo("1765000789");
        assertThat(CallConversion.gaSessionId("GA1.1.555.1765000000")).as("not a session cookie").isNull();
    }
}
