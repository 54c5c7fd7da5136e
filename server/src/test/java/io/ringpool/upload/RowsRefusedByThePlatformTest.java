package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AI2 #1 and #2: a platform that takes a batch but refuses some of its rows. Google Ads says
 * which (its {@code partialFailureError} names {@code conversions[i]}): those calls' deliveries
 * are failed with their own message (or wait, for "too recent"), the others delivered without an
 * error, and an upload whose every row Google refused is {@code failed}. Metrica drops rows in
 * validation without saying which ({@code line_quantity} below {@code source_quantity}): the
 * upload is {@code partial} with a warning on every delivery of it. And Metrica refuses a whole
 * file with 400 for one bad row: the file is split until that row is alone, so the others go up.
 * Before session 43 all of these calls were shown delivered, or all held back with the bad row.
 */
class RowsRefusedByThePlatformTest {
    static final Instant T0 = Instant.parse("2027-03-02T07:00:00Z");

    @TempDir
    Path dir;

    HttpServer platform;
    String base;
    /** How the platform answers an upload request's body: status and body; null: 503, down. */
    volatile Function<String, Answer> answer;
    final List<String> uploads = new ArrayList<>();
    TestServer server;
    Map<String, String> site;
    int visits;

    record Answer(int status, String body) {}

    @BeforeEach
    void start() throws IOException {
        platform = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        platform.setExecutor(Executors.newFixedThreadPool(2));
        platform.createContext("/", this::handle);
        platform.start();
        base = "http://127.0.0.1:" + platform.getAddress().getPort();
        server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20), Clock.fixed(T0, ZoneOffset.UTC));
        site = server.siteWithPool(List.of("+74956680001", "+74956680002", "+74956680003", "+74956680004", "+74956680005"));
    }

    @AfterEach
    void stop() {
        server.close();
        platform.stop(0);
        ((java.util.concurrent.ExecutorService) platform.getExecutor()).shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Answer a;
        if (ex.getRequestURI().getPath().equals("/token")) {
            a = new Answer(200, "{\"access_token\":\"ya29.t\",\"expires_in\":3599,\"token_type\":\"Bearer\"}");
        } else {
            synchronized (uploads) {
                uploads.add(body);
            }
            Function<String, Answer> now = answer;
            a = now == null ? new Answer(503, "{\"errors\":[{\"error_type\":\"backend_error\",\"message\":\"Service is resting\"}],"
                    + "\"code\":503,\"message\":\"Service is resting\"}") : now.apply(body);
        }
        byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(a.status(), out.length);
        ex.getResponseBody().write(out);
        ex.close();
    }

    @Test
    void googleRefusingSomeConversionsFailsThoseCallsAloneWithTheirOwnMessage() throws Exception {
        String one = destination(google());
        // Four calls while Google is down, so that the retry carries them in one request.
        Map<String, String> calls = new LinkedHashMap<>();
        for (String gclid : List.of("Cj0KCQ-good-first", "Cj0KCQ-unknown-click", "Cj0KCQ-recent-click", "Cj0KCQ-good-last")) {
            calls.put(gclid, call("gclid=" + gclid, null));
        }
        server.clock.advance(GoogleTooRecent.HOLD); // Google Ads takes a call only then (GoogleAdsSixHourRuleTest)
        server.app.outbox().deliverDueNow();
        EndpointHeldByRetryAfterTest.await(() -> deliveries(one).size() == 4 && deliveries(one).stream()
                .allMatch(d -> d.get("attempts").asInt() == 1));
        // Google keeps the valid rows and names the refused ones by their index in this request.
        answer = body -> new Answer(200, partialFailure(body));
        int before = uploadCount();
        server.clock.advance(Duration.ofMinutes(2));
        // The worker (polling every 20 ms) takes every due row in one batch; a second poller here could split it.
        EndpointHeldByRetryAfterTest.await(() -> deliveries(one).stream().noneMatch(d -> d.get("attempts").asInt() < 2));
        assertThat(uploadCount() - before).as("one request for the four").isEqualTo(1);

        Map<String, JsonNode> byCall = new HashMap<>();
        deliveries(one).forEach(d -> byCall.put(d.get("subjectId").asText(), d));
        JsonNode unknown = byCall.get(calls.get("Cj0KCQ-unknown-click"));
        assertThat(unknown.get("state").asText()).as("a click Google cannot find is refused for good").isEqualTo("failed");
        assertThat(unknown.get("lastError").asText()).isEqualTo("Google refused this conversion: CLICK_NOT_FOUND: The click was not found");
        JsonNode recent = byCall.get(calls.get("Cj0KCQ-recent-click"));
        assertThat(recent.get("state").asText()).as("a click under 6 hours old may be taken later").isEqualTo("pending");
        assertThat(recent.get("lastError").asText()).contains("TOO_RECENT_EVENT");
        assertThat(Duration.between(server.clock.instant(), Instant.parse(recent.get("nextAttemptAt").asText())))
                .as("Google's 6 hours, as far as a Retry-After may hold (an hour)").isGreaterThanOrEqualTo(Duration.ofHours(1));
        for (String good : List.of("Cj0KCQ-good-first", "Cj0KCQ-good-last")) {
            JsonNode taken = byCall.get(calls.get(good));
            assertThat(taken.get("state").asText()).isEqualTo("delivered");
            assertThat(taken.get("lastError").isNull()).as("a row Google took carries no error: " + taken).isTrue();
        }
        JsonNode upload = uploads(one).get(0);
        assertThat(upload.get("status").asText()).isEqualTo("partial");
        assertThat(upload.get("error").asText()).startsWith("partial failure: 2 of 4 conversions refused");
        JsonNode counts = server.get(one, site.get("apiKey")).json().get("deliveries");
        assertThat(List.of(counts.get("delivered").asInt(), counts.get("failed").asInt(), counts.get("pending").asInt()))
                .as("the destination's counts say the same: " + counts).containsExactly(2, 1, 1);

        // An upload whose every row Google refused has failed.
        server.clock.advance(Duration.ofMinutes(1)); // the upload log's order is by time
        // (The too-recent click's retry, due by then, rides along and is refused again.)
        String alone = call("gclid=Cj0KCQ-unknown-alone", null);
        server.clock.advance(GoogleTooRecent.HOLD);
        server.app.outbox().deliverDueNow();
        EndpointHeldByRetryAfterTest.await(() -> deliveries(one).stream()
                .anyMatch(d -> d.get("subjectId").asText().equals(alone) && d.get("attempts").asInt() >= 1));
        assertThat(uploads(one).get(0).get("status").asText()).isEqualTo("failed");
        assertThat(deliveries(one).stream().filter(d -> d.get("subjectId").asText().equals(alone)).findFirst().orElseThrow()
                .get("state").asText()).isEqualTo("failed");
    }

    @Test
    void metricaDroppingRowsInValidationMakesThePartialUploadVisibleOnEveryDeliveryOfIt() throws Exception {
        String one = destination(metricaOffline());
        for (int i = 0; i < 3; i++) {
            call("", "170000000088880000" + i);
        }
        EndpointHeldByRetryAfterTest.await(() -> deliveries(one).size() == 3 && deliveries(one).stream()
                .allMatch(d -> d.get("attempts").asInt() == 1));
        assertThat(deliveries(one).get(0).get("lastError").asText()).as("Metrica's own words, not only the status")
                .isEqualTo("HTTP 503: Service is resting");
        // Metrica's answer to the three-row file: one row passed validation.
        // Under load the worker may send the three rows as one file or two: each file is answered for the rows it holds.
        answer = body -> new Answer(200, "{\"uploading\":{\"id\":555,\"source_quantity\":" + (body.split("170000000088880000", -1).length
                - 1) + ",\"line_quantity\":1,\"status\":\"UPLOADED\"}}");
        server.clock.advance(Duration.ofMinutes(2));
        // The worker (polling every 20 ms) takes every due row in one batch; a second poller here could split it.
        EndpointHeldByRetryAfterTest.await(() -> deliveries(one).stream().allMatch(d -> d.get("state").asText().equals("delivered")));
        // The file Metrica took 1 row of (all three rows, or two when the worker split them) is partial and says why.
        JsonNode upload = uploads(one).stream().filter(u -> u.get("rowCount").asInt() > 1).findFirst().orElseThrow();
        int rows = upload.get("rowCount").asInt();
        assertThat(upload.get("status").asText()).isEqualTo("partial");
        assertThat(upload.get("error").asText()).contains("took 1 of the " + rows + " rows").contains("does not say which");
        // Metrica does not say which rows it dropped: none is resent (it may have counted), each says it may be one.
        assertThat(deliveries(one).stream().filter(d -> !d.get("lastError").isNull()
                && d.get("lastError").asText().contains("may be one of the " + (rows - 1) + " it dropped")).count()).isEqualTo(rows);
    }

    @Test
    void aFileMetricaRefusesForOneBadRowIsSplitSoTheOthersGoUp() throws Exception {
        String one = destination(metricaOffline());
        Map<String, String> calls = new LinkedHashMap<>();
        for (String ym : List.of("1700000000777700001", "1700000000666600002", "1700000000777700003")) {
            calls.put(ym, call("", ym));
        }
        EndpointHeldByRetryAfterTest.await(() -> deliveries(one).size() == 3 && deliveries(one).stream()
                .allMatch(d -> d.get("attempts").asInt() == 1));
        // Metrica refuses any file holding the bad row, with its message, and takes the others.
        String refusal = "{\"errors\":[{\"error_type\":\"invalid_parameter\",\"message\":\"Invalid CSV: line 2: conversion is too old\"}],"
                + "\"code\":400,\"message\":\"Invalid CSV: line 2: conversion is too old\"}";
        answer = body -> {
            if (body.contains("1700000000666600002")) {
                return new Answer(400, refusal);
            }
            int rows = (int) body.lines().filter(l -> l.startsWith("17000")).count();
            return new Answer(200, "{\"uploading\":{\"id\":7,\"source_quantity\":" + rows + ",\"line_quantity\":" + rows + "}}");
        };
        int before = uploadCount();
        server.clock.advance(Duration.ofMinutes(2));
        // The worker (polling every 20 ms) takes every due row in one batch; a second poller here could split it.
        EndpointHeldByRetryAfterTest.await(() -> deliveries(one).stream().noneMatch(d -> d.get("state").asText().equals("pending")));
        Map<String, JsonNode> byCall = new HashMap<>();
        deliveries(one).forEach(d -> byCall.put(d.get("subjectId").asText(), d));
        JsonNode bad = byCall.get(calls.get("1700000000666600002"));
        assertThat(bad.get("state").asText()).isEqualTo("failed");
        assertThat(bad.get("lastError").asText()).isEqualTo("Metrica refused this row: HTTP 400: Invalid CSV: line 2: conversion is too old");
        for (String good : List.of("1700000000777700001", "1700000000777700003")) {
            assertThat(byCall.get(calls.get(good)).get("state").asText()).as("not held hostage by the bad row").isEqualTo("delivered");
            assertThat(byCall.get(calls.get(good)).get("lastError").isNull()).isTrue();
        }
        JsonNode upload = uploads(one).get(0);
        assertThat(upload.get("status").asText()).isEqualTo("partial");
        assertThat(upload.get("error").asText()).isEqualTo("Metrica refused the file (HTTP 400: Invalid CSV: line 2: conversion is too old); "
                + "sent again in parts: 2 rows taken, 1 refused");
        assertThat(upload.get("requests")).as("the whole file, its halves, and the half with the bad row halved again").hasSize(5);
        assertThat(upload.get("requests").get(0).get("response").asText()).contains("Invalid CSV");
        assertThat(uploadCount() - before).isEqualTo(5);
        synchronized (uploads) {
            assertThat(uploads.subList(uploads.size() - 5, uploads.size()).stream().filter(b -> b.contains("1700000000777700001")))
                    .as("a good row is taken once").hasSize(2); // the whole file (refused), then its own part
        }
    }

    private int uploadCount() {
        synchronized (uploads) {
            return uploads.size();
        }
    }

    /** Google's answer with partialFailure: the conversions whose gclid says "unknown" or "recent" refused, by their index. */
    static String partialFailure(String request) {
        JsonNode conversions = Json.parseObjectNode(request.getBytes(StandardCharsets.UTF_8)).get("conversions");
        List<String> errors = new ArrayList<>();
        List<String> results = new ArrayList<>();
        for (int i = 0; i < conversions.size(); i++) {
            String gclid = conversions.get(i).get("gclid").asText();
            String code = gclid.contains("unknown") ? "CLICK_NOT_FOUND" : gclid.contains("recent") ? "TOO_RECENT_EVENT" : null;
            results.add(code == null ? "{\"gclid\":\"" + gclid + "\"}" : "{}");
            if (code != null) {
                errors.add("{\"errorCode\":{\"conversionUploadError\":\"" + code + "\"},\"message\":\""
                        + (code.equals("CLICK_NOT_FOUND") ? "The click was not found" : "The click is too recent") + "\","
                        + "\"location\":{\"fieldPathElements\":[{\"fieldName\":\"conversions\",\"index\":" + i + "},{\"fieldName\":\"gclid\"}]}}");
            }
        }
        return "{\"partialFailureError\":{\"code\":3,\"message\":\"Some conversions were refused.\",\"details\":[{\"@type\":"
                + "\"type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure\",\"errors\":[" + String.join(",", errors)
                + "]}]},\"results\":[" + String.join(",", results) + "]}";
    }

    /** What the deliveries of two calls say after one upload carried both and Google answered {@code googleAnswer}; and the upload. */
    private record TwoRows(JsonNode first, JsonNode second, JsonNode upload, JsonNode counts) {}

    private TwoRows twoRowsAnswered(String googleAnswer) throws Exception {
        String one = destination(google());
        String first = call("gclid=Cj0KCQ-odd-first", null);
        String second = call("gclid=Cj0KCQ-odd-second", null);
        server.clock.advance(GoogleTooRecent.HOLD); // Google down (503) at the hold's end: the retry carries both rows at once
        server.app.outbox().deliverDueNow();
        EndpointHeldByRetryAfterTest.await(() -> deliveries(one).size() == 2 && deliveries(one).stream()
                .allMatch(d -> d.get("attempts").asInt() == 1));
        answer = body -> new Answer(200, googleAnswer);
        int before = uploadCount();
        server.clock.advance(Duration.ofMinutes(2));
        EndpointHeldByRetryAfterTest.await(() -> deliveries(one).stream().noneMatch(d -> d.get("attempts").asInt() < 2));
        assertThat(uploadCount() - before).as("one request for the two").isEqualTo(1);
        Map<String, JsonNode> byCall = new HashMap<>();
        deliveries(one).forEach(d -> byCall.put(d.get("subjectId").asText(), d));
        return new TwoRows(byCall.get(first), byCall.get(second), uploads(one).get(0),
                server.get(one, site.get("apiKey")).json().get("deliveries"));
    }

    private static final String GOOGLE_FAILURE = "\"@type\":\"type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure\"";

    /**
     * Audit AJ2 #3, and the odd answers of {@code t_pfe_odd.py}: a partial failure whose error names no row
     * of the batch. Google's rule places it: a refused row's result is empty ({@code {}}). Both results
     * empty and the error final: both calls failed with Google's message; before session 44 both were delivered.
     */
    @Test
    void anErrorWithoutALocationGoesToTheRowsWhoseResultIsEmpty() throws Exception {
        TwoRows rows = twoRowsAnswered("{\"partialFailureError\":{\"code\":3,\"message\":\"The conversion action cannot be found.\","
                + "\"details\":[{" + GOOGLE_FAILURE + ",\"errors\":[{\"errorCode\":{\"conversionUploadError\":\"INVALID_CONVERSION_ACTION\"},"
                + "\"message\":\"The conversion action cannot be found.\"}]}]},\"results\":[{},{}]}");
        for (JsonNode d : List.of(rows.first(), rows.second())) {
            assertThat(d.get("state").asText()).as(d.toString()).isEqualTo("failed");
            assertThat(d.get("lastError").asText()).isEqualTo("Google refused this conversion: INVALID_CONVERSION_ACTION: "
                    + "The conversion action cannot be found.");
        }
        assertThat(rows.upload().get("status").asText()).isEqualTo("failed");
        assertThat(rows.counts().get("delivered").asInt()).isZero();
        assertThat(rows.counts().get("failed").asInt()).isEqualTo(2);
    }

    /** No details at all, a row only in the message: the empty result says which row; the other, with its result, was taken. */
    @Test
    void aPartialFailureWithoutDetailsFailsOnlyTheRowWhoseResultIsEmptyAndSendsItAgain() throws Exception {
        TwoRows rows = twoRowsAnswered("{\"partialFailureError\":{\"code\":3,\"message\":\"The click was not found. at conversions[0].gclid\"},"
                + "\"results\":[{},{\"gclid\":\"Cj0KCQ-odd-second\"}]}");
        assertThat(rows.first().get("state").asText()).as("refused, and no reason to say for good: sent again").isEqualTo("pending");
        assertThat(rows.first().get("lastError").asText()).contains("empty result").contains("The click was not found");
        assertThat(rows.second().get("state").asText()).isEqualTo("delivered");
        assertThat(rows.second().get("lastError").isNull()).isTrue();
        assertThat(rows.upload().get("status").asText()).isEqualTo("partial");
    }

    /** An index past the batch names no row: Google's empty results do, and the error is final. */
    @Test
    void anErrorNamingARowPastTheBatchGoesToTheRowsWhoseResultIsEmpty() throws Exception {
        TwoRows rows = twoRowsAnswered("{\"partialFailureError\":{\"code\":3,\"message\":\"x at conversions[5].gclid\",\"details\":[{"
                + GOOGLE_FAILURE + ",\"errors\":[{\"errorCode\":{\"conversionUploadError\":\"CLICK_NOT_FOUND\"},\"message\":\"The click was not found\","
                + "\"location\":{\"fieldPathElements\":[{\"fieldName\":\"conversions\",\"index\":5},{\"fieldName\":\"gclid\"}]}}]}]},"
                + "\"results\":[{},{\"gclid\":\"Cj0KCQ-odd-second\"}]}");
        assertThat(rows.first().get("state").asText()).isEqualTo("failed");
        assertThat(rows.first().get("lastError").asText()).contains("CLICK_NOT_FOUND");
        assertThat(rows.second().get("state").asText()).isEqualTo("delivered");
        assertThat(rows.upload().get("status").asText()).isEqualTo("partial");
    }

    /** Neither a location nor results: no row is known to be taken, so none is counted delivered; all are sent again. */
    @Test
    void whenNeitherTheErrorsNorTheResultsTellTheRowsEveryRowIsSentAgain() throws Exception {
        TwoRows rows = twoRowsAnswered("{\"partialFailureError\":{\"code\":3,\"message\":\"Something was refused.\",\"details\":[{"
                + GOOGLE_FAILURE + ",\"errors\":[{\"errorCode\":{\"conversionUploadError\":\"CLICK_NOT_FOUND\"},\"message\":\"The click was not found\"}]}]}}");
        for (JsonNode d : List.of(rows.first(), rows.second())) {
            assertThat(d.get("state").asText()).as(d.toString()).isEqualTo("pending");
            assertThat(d.get("lastError").asText()).contains("without saying which").contains("Something was refused.");
        }
        assertThat(rows.upload().get("status").asText()).isEqualTo("failed");
        assertThat(rows.counts().get("delivered").asInt()).isZero();
        assertThat(rows.counts().get("pending").asInt()).isEqualTo(2);
    }

    /** Audit AI2 #7: a 200 that is not the platform's answer (a proxy's page, a wrong baseUrl) was shown sent and delivered. */
    @Test
    void aPageThatIsNotThePlatformsAnswerIsNoDelivery() throws Exception {
        answer = body -> new Answer(200, "<html><body><h1>Welcome to nginx!</h1></body></html>");
        String metrica = destination(metricaOffline());
        String google = destination(google());
        call("gclid=Cj0KCQ-proxy-page", "1700000000999990001");
        server.clock.advance(GoogleTooRecent.HOLD);
        server.app.outbox().deliverDueNow();
        for (String d : List.of(metrica, google)) {
            EndpointHeldByRetryAfterTest.await(() -> deliveries(d).size() == 1 && deliveries(d).get(0).get("attempts").asInt() >= 1);
            JsonNode delivery = deliveries(d).get(0);
            assertThat(delivery.get("state").asText()).as(d).isEqualTo("pending");
            assertThat(delivery.get("lastError").asText()).as(d).contains("answer").contains("baseUrl");
            assertThat(uploads(d).get(0).get("status").asText()).as(d).isEqualTo("failed");
        }
    }

    private Map<String, Object> google() {
        Map<String, Object> body = new HashMap<>();
        body.put("type", "google-ads-clicks");
        body.put("customerId", "123-456-7890");
        body.put("conversionAction", "777");
        body.put("clientId", PlatformDouble.GOOGLE_CLIENT_ID);
        body.put("clientSecret", PlatformDouble.GOOGLE_CLIENT_SECRET);
        body.put("refreshToken", PlatformDouble.GOOGLE_REFRESH);
        body.put("developerToken", PlatformDouble.DEVELOPER_TOKEN);
        body.put("baseUrl", base);
        body.put("tokenUrl", base + "/token");
        return body;
    }

    private Map<String, Object> metricaOffline() {
        return Map.of("type", "yandex-metrica-offline", "counterId", "12345678", "target", "phone_call", "oauthToken",
                PlatformDouble.YANDEX_TOKEN, "baseUrl", base);
    }

    /** Creates the destination; its path. */
    private String destination(Map<String, Object> body) {
        Reply created = server.post("/v1/sites/" + site.get("siteId") + "/destinations", site.get("apiKey"), body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return "/v1/sites/" + site.get("siteId") + "/destinations/" + created.text("destinationId");
    }

    /** A visit with {@code clickIds} in its landing URL and Metrica's {@code ym} id (or none), then an answered call; the call's id. */
    private String call(String clickIds, String ym) {
        visits++;
        Map<String, Object> session = new LinkedHashMap<>();
        session.put("siteKey", site.get("publicKey"));
        session.put("visitorId", "visitor-refusals-" + visits);
        session.put("url", "https://example.com/?utm_source=google&utm_medium=cpc&" + clickIds);
        session.put("clientIds", ym == null ? Map.of() : Map.of("ym", ym));
        Reply s = server.send("POST", "/v1/sessions", null, new String(Json.write(session), StandardCharsets.UTF_8), "application/json",
                Map.of("User-Agent", TestServer.CHROME));
        assertThat(s.status()).as(s.body()).isEqualTo(201);
        String body = new String(Json.write(Map.of("callId", "pbx-refusals-" + visits, "event", "completed", "from", "+7916111000" + visits,
                "to", s.text("number"), "talkSeconds", 75, "durationSeconds", 90)), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.text("callId");
    }

    private List<JsonNode> deliveries(String destination) {
        return EndpointHeldByRetryAfterTest.deliveries(server, site, destination);
    }

    private List<JsonNode> uploads(String destination) {
        List<JsonNode> out = new ArrayList<>();
        server.get(destination + "/uploads", site.get("apiKey")).json().get("uploads").forEach(out::add);
        return out;
    }
}
