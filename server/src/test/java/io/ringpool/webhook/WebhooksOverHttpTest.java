package io.ringpool.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks end to end: real call events in over HTTP, a real receiver on loopback (allowed by
 * outbound.allow) that refuses the first attempts, the retries paced by the test clock.
 */
class WebhooksOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1"), "outbound.pollMillis", 20));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Site(String id, String apiKey, String secret, List<String> numbers) {}

    static int sites;

    static Site site() {
        sites++;
        List<String> numbers = List.of(String.format("+7495%03d0001", 700 + sites), String.format("+7495%03d0002", 700 + sites));
        Map<String, String> s = server.siteWithPool(numbers);
        return new Site(s.get("siteId"), s.get("apiKey"), s.get("webhookSecret"), numbers);
    }

    static Reply callEvent(Site site, String callId, String kind, String to, Integer talkSeconds) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", kind);
        e.put("from", "+79161234567");
        e.put("to", to);
        if (talkSeconds != null) {
            e.put("talkSeconds", talkSeconds);
            e.put("durationSeconds", talkSeconds + 5);
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.id() + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.secret(), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }

    static Reply createWebhook(Site site, String url, List<String> events) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("url", url);
        if (events != null) {
            body.put("events", events);
        }
        return server.post("/v1/sites/" + site.id() + "/webhooks", site.apiKey(), body);
    }

    /** Moves the test clock in steps (so every retry comes due) until the condition holds. */
    static void advanceUntil(BooleanSupplier condition, Duration step, int maxSteps) {
        for (int i = 0; i < maxSteps && !condition.getAsBoolean(); i++) {
            server.clock.advance(step);
            server.app.outbox().wake();
            waitFor(condition, Duration.ofMillis(300));
        }
        assertThat(condition.getAsBoolean()).as("condition reached within %d steps of %s", maxSteps, step).isTrue();
    }

    /** Waits (real time) for work the worker is doing now; returns early when the condition holds. */
    static void waitFor(BooleanSupplier condition, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean signatureValid(String secret, Receiver.Received r) {
        String header = r.header("x-ringpool-signature");
        if (header == null || !header.startsWith("t=")) {
            return false;
        }
        long t = Long.parseLong(header.substring(2, header.indexOf(',')));
        return header.equals(Signing.ringpool(secret, t, r.body()));
    }

    @Test
    void everyCallEventArrivesSignedInOrderAndOnceAfterTheReceiverRefusedTheFirstTwoAttempts() throws Exception {
        Site site = site();
        try (Receiver receiver = new Receiver(n -> n <= 2 ? 500 : 200)) {
            Reply created = createWebhook(site, receiver.url("/hooks/ringpool"), null);
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String secret = created.text("secret");
            String webhookId = created.text("webhookId");
            assertThat(secret).startsWith("whsec_");

            List<String> callIds = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                String to = site.numbers().get(i % 2);
                callIds.add(callEvent(site, "pbx-" + i, "ringing", to, null).text("callId"));
                callEvent(site, "pbx-" + i, "answered", to, null);
                callEvent(site, "pbx-" + i, "completed", to, 40 + i);
            }
            Reply patched = server.send("PATCH", "/v1/sites/" + site.id() + "/calls/" + callIds.get(0), site.apiKey(),
                    "{\"tags\":[\"sale\"],\"value\":1500}", "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);

            int expected = 3 * 2 + 1; // started + completed per call, one updated
            advanceUntil(() -> receiver.received().stream().filter(r -> r.answered() == 200).count() >= expected,
                    Duration.ofMinutes(30), 50);
            // Nothing more is due; give the worker a moment to prove it sends nothing twice.
            server.clock.advance(Duration.ofHours(30));
            server.app.outbox().deliverDueNow();

            List<Receiver.Received> all = receiver.received();
            assertThat(all).allSatisfy(r -> {
                assertThat(signatureValid(secret, r)).as("signed: %s", r.header("x-ringpool-signature")).isTrue();
                assertThat(r.header("x-ringpool-event-id")).isEqualTo(json(r.body()).get("id").asText());
                assertThat(r.method()).isEqualTo("POST");
                assertThat(r.header("content-type")).startsWith("application/json");
            });
            List<Receiver.Received> accepted = all.stream().filter(r -> r.answered() == 200).toList();
            assertThat(accepted).hasSize(expected);
            Set<String> ids = new HashSet<>();
            accepted.forEach(r -> assertThat(ids.add(r.header("x-ringpool-event-id"))).as("event accepted once").isTrue());
            // The two refused requests were sent again and accepted under the same event ids.
            all.stream().filter(r -> r.answered() == 500).forEach(r -> assertThat(ids).contains(r.header("x-ringpool-event-id")));

            for (String callId : callIds) {
                List<String> types = accepted.stream().map(r -> json(r.body()))
                        .filter(j -> j.get("data").get("callId").asText().equals(callId)).map(j -> j.get("type").asText()).toList();
                List<String> wanted = callId.equals(callIds.get(0)) ? List.of("call.started", "call.completed", "call.updated")
                        : List.of("call.started", "call.completed");
                assertThat(types).as("events of %s in order", callId).isEqualTo(wanted);
            }
            JsonNode updated = accepted.stream().map(r -> json(r.body())).filter(j -> j.get("type").asText().equals("call.updated"))
                    .findFirst().orElseThrow();
            assertThat(updated.get("changes").toString()).isEqualTo("[\"tags\",\"value\",\"currency\"]");
            assertThat(updated.get("data").get("tags").get(0).asText()).isEqualTo("sale");
            assertThat(updated.get("data").get("value").asDouble()).isEqualTo(1500.0);
            JsonNode completed = accepted.stream().map(r -> json(r.body())).filter(j -> j.get("type").asText().equals("call.completed"))
                    .findFirst().orElseThrow();
            assertThat(completed.get("data").get("status").asText()).isEqualTo("completed");
            assertThat(completed.get("data").has("attribution")).isTrue();
            assertThat(completed.get("createdAt").asText()).endsWith("Z");

            Reply log = server.get("/v1/sites/" + site.id() + "/webhooks/" + webhookId + "/deliveries", site.apiKey());
            assertThat(log.status()).isEqualTo(200);
            JsonNode deliveries = log.json().get("deliveries");
            assertThat(deliveries).hasSize(expected);
            assertThat(deliveries).allSatisfy(d -> assertThat(d.get("state").asText()).isEqualTo("delivered"));
            List<String> firstCodes = new ArrayList<>();
            deliveries.forEach(d -> {
                if (d.get("attempts").asInt() > 1) {
                    firstCodes.add(d.get("log").get(0).get("responseCode").asText());
                    assertThat(d.get("log").get(d.get("attempts").asInt() - 1).get("responseCode").asInt()).isEqualTo(200);
                }
            });
            assertThat(firstCodes).containsOnly("500").isNotEmpty();
        }
    }

    static void timedEvent(Site site, String callId, String kind, String to, java.time.Instant at, Integer talkSeconds,
            Integer durationSeconds) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", kind);
        e.put("from", "+79161234567");
        e.put("to", to);
        e.put("at", at.toString());
        if (talkSeconds != null) {
            e.put("talkSeconds", talkSeconds);
        }
        if (durationSeconds != null) {
            e.put("durationSeconds", durationSeconds);
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.id() + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.secret(), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /**
     * Audit AE2 #1: the caller's leg ended (a final "missed") before the forwarded leg's answer
     * and end arrived, as Plivo, Vonage, SignalWire and Telnyx often deliver them. The call in the
     * API became completed with 5 s of talk, but the receiver had only the "missed" of
     * call.completed and was never told. A late event that changes a final call's outcome now goes
     * out as call.updated naming the fields; a repeat that changes nothing sends nothing.
     */
    @Test
    void aLateEventThatChangesAFinalCallsOutcomeGoesOutAsCallUpdatedWithTheChangedFields() throws Exception {
        Site site = site();
        try (Receiver receiver = new Receiver(n -> 200)) {
            createWebhook(site, receiver.url("/late"), null);
            String to = site.numbers().get(0);
            java.time.Instant t0 = server.clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            timedEvent(site, "late-leg-1", "missed", to, t0.plusSeconds(8), null, 8);
            timedEvent(site, "late-leg-1", "answered", to, t0.plusSeconds(3), null, null);
            timedEvent(site, "late-leg-1", "completed", to, t0.plusSeconds(8), 5, 8);
            waitFor(() -> receiver.received().size() >= 3, Duration.ofSeconds(10));
            server.app.outbox().deliverDueNow();
            waitFor(() -> false, Duration.ofMillis(300)); // anything else due arrives meanwhile
            int sent = receiver.received().size();
            timedEvent(site, "late-leg-1", "completed", to, t0.plusSeconds(8), 5, 8); // a provider's retry
            server.app.outbox().deliverDueNow();
            waitFor(() -> false, Duration.ofMillis(300));
            assertThat(receiver.received()).as("a repeat that changes nothing sends nothing").hasSize(sent);

            List<JsonNode> bodies = receiver.received().stream().map(r -> json(r.body())).toList();
            assertThat(bodies).extracting(b -> b.get("type").asText()).startsWith("call.started", "call.completed");
            assertThat(bodies.get(1).get("data").get("status").asText()).isEqualTo("missed");
            List<JsonNode> updates = bodies.subList(2, bodies.size());
            assertThat(updates).isNotEmpty().allSatisfy(b -> assertThat(b.get("type").asText()).isEqualTo("call.updated"));
            Set<String> changed = new HashSet<>();
            updates.forEach(b -> b.get("changes").forEach(f -> changed.add(f.asText())));
            assertThat(changed).contains("answeredAt", "status", "talkSeconds");
            JsonNode last = updates.get(updates.size() - 1);
            assertThat(last.get("data").get("status").asText()).isEqualTo("completed");
            assertThat(last.get("data").get("talkSeconds").asInt()).isEqualTo(5);
            JsonNode call = server.get("/v1/sites/" + site.id() + "/calls/" + last.get("data").get("callId").asText(), site.apiKey())
                    .json();
            assertThat(call.get("status").asText()).isEqualTo(last.get("data").get("status").asText());
            assertThat(call.get("talkSeconds").asInt()).isEqualTo(5);
        }
    }

    @Test
    void aWebhookFailingForADayIsDisabledWithTheReasonShownAndARetryEnablesIt() throws Exception {
        Site site = site();
        try (Receiver receiver = new Receiver(n -> 503)) {
            Reply created = createWebhook(site, receiver.url("/down"), List.of("call.started"));
            String webhookId = created.text("webhookId");
            callEvent(site, "pbx-down-1", "ringing", site.numbers().get(0), null);

            advanceUntil(() -> !server.get("/v1/sites/" + site.id() + "/webhooks/" + webhookId, site.apiKey()).json()
                    .get("enabled").asBoolean(), Duration.ofHours(1), 40);

            JsonNode hook = server.get("/v1/sites/" + site.id() + "/webhooks/" + webhookId, site.apiKey()).json();
            assertThat(hook.get("disabledReason").asText()).contains("every delivery failed for 24 h").contains("HTTP 503");
            JsonNode delivery = server.get("/v1/sites/" + site.id() + "/webhooks/" + webhookId + "/deliveries", site.apiKey()).json()
                    .get("deliveries").get(0);
            assertThat(delivery.get("state").asText()).isEqualTo("failed");
            int attempts = delivery.get("attempts").asInt();
            assertThat(attempts).isBetween(10, 40);
            assertThat(receiver.received()).hasSize(attempts);

            // Disabled: a new call is kept for it as a failed delivery, not sent (a bulk retry sends it: audit AN2 F6).
            callEvent(site, "pbx-down-2", "ringing", site.numbers().get(1), null);
            JsonNode kept = server.get("/v1/sites/" + site.id() + "/webhooks/" + webhookId + "/deliveries", site.apiKey()).json()
                    .get("deliveries");
            assertThat(kept).hasSize(2);
            assertThat(kept.get(0).get("state").asText()).isEqualTo("failed");
            assertThat(kept.get(0).get("attempts").asInt()).isZero();
            assertThat(receiver.received()).hasSize(attempts);

            receiver.answer(n -> 204);
            Reply retry = server.post("/v1/sites/" + site.id() + "/webhooks/" + webhookId + "/deliveries/"
                    + delivery.get("deliveryId").asText() + "/retry", site.apiKey(), null);
            assertThat(retry.status()).as(retry.body()).isEqualTo(202);
            waitFor(() -> receiver.received().size() > attempts, Duration.ofSeconds(10));
            waitFor(() -> server.get("/v1/sites/" + site.id() + "/webhooks/" + webhookId, site.apiKey()).json()
                    .path("lastSuccessAt").isTextual(), Duration.ofSeconds(10));
            JsonNode after = server.get("/v1/sites/" + site.id() + "/webhooks/" + webhookId, site.apiKey()).json();
            assertThat(after.get("enabled").asBoolean()).isTrue();
            assertThat(after.get("deliveries").get("delivered").asInt()).isEqualTo(1);
        }
    }

    @Test
    void leadsGoOutAsLeadCreatedAndLeadUpdatedWithTheChangedFields() throws Exception {
        Site site = site();
        try (Receiver receiver = new Receiver(n -> 200)) {
            String secret = createWebhook(site, receiver.url("/leads"), List.of("lead.created", "lead.updated")).text("secret");
            Reply lead = server.post("/v1/sites/" + site.id() + "/leads", site.apiKey(), Map.of("externalId", "crm-77", "kind", "form",
                    "phone", "+79161230077", "name", "Ann"));
            assertThat(lead.status()).as(lead.body()).isEqualTo(201);
            String leadId = lead.text("leadId");
            Reply repeat = server.post("/v1/sites/" + site.id() + "/leads", site.apiKey(), Map.of("externalId", "crm-77", "kind", "form",
                    "phone", "+79161230077"));
            assertThat(repeat.status()).as("an idempotent repeat sends nothing").isEqualTo(200);
            Reply patched = server.send("PATCH", "/v1/sites/" + site.id() + "/leads/" + leadId, site.apiKey(),
                    "{\"status\":\"qualified\"}", "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);

            waitFor(() -> receiver.received().size() >= 2, Duration.ofSeconds(10));
            server.app.outbox().deliverDueNow();
            List<JsonNode> bodies = receiver.received().stream().map(r -> json(r.body())).toList();
            assertThat(bodies).extracting(b -> b.get("type").asText()).containsExactly("lead.created", "lead.updated");
            assertThat(bodies).allSatisfy(b -> assertThat(b.get("data").get("leadId").asText()).isEqualTo(leadId));
            assertThat(bodies.get(1).get("changes").toString()).isEqualTo("[\"status\"]");
            assertThat(bodies.get(1).get("data").get("status").asText()).isEqualTo("qualified");
            assertThat(receiver.received()).allSatisfy(r -> assertThat(signatureValid(secret, r)).isTrue());
        }
    }

    /**
     * Audit C, finding 4: a merged duplicate that filled the blank e-mail and name sent
     * {@code "changes": ["submissions"]}, so a receiver updating only the named fields never stored them.
     */
    @Test
    void aMergedDuplicateThatFillsBlankFieldsNamesEveryFieldItChanged() throws Exception {
        Site site = site();
        try (Receiver receiver = new Receiver(n -> 200)) {
            createWebhook(site, receiver.url("/merge"), List.of("lead.updated"));
            Reply first = server.post("/v1/sites/" + site.id() + "/leads", site.apiKey(), Map.of("kind", "callback", "phone", "+79168887766"));
            assertThat(first.status()).as(first.body()).isEqualTo(201);
            server.clock.advance(Duration.ofMinutes(1));
            Reply second = server.post("/v1/sites/" + site.id() + "/leads", site.apiKey(), Map.of("kind", "callback",
                    "phone", "+79168887766", "email", "fill@x.com", "name", "Filled"));
            assertThat(second.status()).as(second.body()).isEqualTo(200);
            assertThat(second.text("outcome")).isEqualTo("merged");

            waitFor(() -> !receiver.received().isEmpty(), Duration.ofSeconds(10));
            JsonNode event = json(receiver.received().get(0).body());
            assertThat(event.get("data").get("email").asText()).isEqualTo("fill@x.com");
            List<String> changes = new ArrayList<>();
            event.get("changes").forEach(c -> changes.add(c.asText()));
            assertThat(changes).containsExactly("lastAt", "submissions", "email", "emailValid", "name");
        }
    }

    /**
     * Audit C, finding 1: call events left out the call's {@code leads}, which GET shows, so a CRM
     * could not link a call to the form its caller had sent. A lead event after a call likewise
     * left out the lead's {@code calls}.
     */
    @Test
    void aCallEventShowsTheCallExactlyAsGetDoesLeadsIncludedAndALeadEventShowsItsCalls() throws Exception {
        Site site = site();
        try (Receiver receiver = new Receiver(n -> 200)) {
            createWebhook(site, receiver.url("/all"), null);
            Reply lead = server.post("/v1/sites/" + site.id() + "/leads", site.apiKey(), Map.of("kind", "form",
                    "phone", "+79161234567", "name", "Ann"));
            assertThat(lead.status()).as(lead.body()).isEqualTo(201);
            String leadId = lead.text("leadId");
            server.clock.advance(Duration.ofMinutes(1));
            String callId = callEvent(site, "pbx-linked", "ringing", site.numbers().get(0), null).text("callId");
            callEvent(site, "pbx-linked", "completed", site.numbers().get(0), 30);
            Reply patched = server.send("PATCH", "/v1/sites/" + site.id() + "/leads/" + leadId, site.apiKey(),
                    "{\"status\":\"qualified\"}", "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);

            waitFor(() -> receiver.received().size() >= 4, Duration.ofSeconds(10));
            server.app.outbox().deliverDueNow();
            Map<String, JsonNode> byType = new LinkedHashMap<>();
            receiver.received().forEach(r -> byType.put(json(r.body()).get("type").asText(), json(r.body()).get("data")));
            assertThat(byType).containsOnlyKeys("lead.created", "call.started", "call.completed", "lead.updated");

            JsonNode call = server.get("/v1/sites/" + site.id() + "/calls/" + callId, site.apiKey()).json();
            assertThat(call.get("leads")).hasSize(1);
            assertThat(call.get("leads").get(0).get("leadId").asText()).isEqualTo(leadId);
            assertThat(byType.get("call.started").get("leads")).as("the lead was there when the call started")
                    .isEqualTo(call.get("leads"));
            assertThat(byType.get("call.completed")).as("nothing changed since: the event is the call as GET shows it")
                    .isEqualTo(call);

            JsonNode shownLead = server.get("/v1/sites/" + site.id() + "/leads/" + leadId, site.apiKey()).json();
            assertThat(shownLead.get("calls")).hasSize(1);
            assertThat(byType.get("lead.created").get("calls")).as("no call yet when it was created").isEmpty();
            assertThat(byType.get("lead.updated")).isEqualTo(shownLead);
        }
    }

    @Test
    void aRedirectIsNotFollowedAndCountsAsAFailure() throws Exception {
        Site site = site();
        try (Receiver target = new Receiver(n -> 200); Receiver redirecting = new Receiver(n -> 302)) {
            redirecting.answerWith(new byte[0], Map.of("Location", target.url("/elsewhere")));
            Reply created = createWebhook(site, redirecting.url("/moved"), List.of("call.started"));
            callEvent(site, "pbx-redirect", "ringing", site.numbers().get(0), null);
            waitFor(() -> !redirecting.received().isEmpty(), Duration.ofSeconds(10));
            waitFor(() -> server.get("/v1/sites/" + site.id() + "/webhooks/" + created.text("webhookId") + "/deliveries",
                    site.apiKey()).json().get("deliveries").get(0).get("attempts").asInt() == 1, Duration.ofSeconds(10));

            JsonNode d = server.get("/v1/sites/" + site.id() + "/webhooks/" + created.text("webhookId") + "/deliveries",
                    site.apiKey()).json().get("deliveries").get(0);
            assertThat(d.get("state").asText()).isEqualTo("pending");
            assertThat(d.get("responseCode").asInt()).isEqualTo(302);
            assertThat(d.get("lastError").asText()).contains("redirects are not followed");
            assertThat(target.received()).isEmpty();
        }
    }

    @Test
    void anotherSitesKeyCannotSeeOrRetryAWebhook() throws Exception {
        Site mine = site();
        Site theirs = site();
        try (Receiver receiver = new Receiver(n -> 200)) {
            String id = createWebhook(mine, receiver.url("/x"), null).text("webhookId");
            assertThat(server.get("/v1/sites/" + mine.id() + "/webhooks/" + id, theirs.apiKey()).status()).isEqualTo(404);
            assertThat(server.get("/v1/sites/" + theirs.id() + "/webhooks/" + id, theirs.apiKey()).status()).isEqualTo(404);
            assertThat(server.get("/v1/sites/" + mine.id() + "/webhooks", null).status()).isEqualTo(401);
            Reply list = server.get("/v1/sites/" + mine.id() + "/webhooks", mine.apiKey());
            assertThat(list.json().get("webhooks")).hasSize(1);
            assertThat(list.body()).doesNotContain("whsec_");
            assertThat(server.send("DELETE", "/v1/sites/" + mine.id() + "/webhooks/" + id, mine.apiKey(), null, null, Map.of()).status())
                    .isEqualTo(204);
            assertThat(server.get("/v1/sites/" + mine.id() + "/webhooks/" + id, mine.apiKey()).status()).isEqualTo(404);
        }
    }

    @Test
    void aWebhookOnAnInternalAddressThatTheOperatorDidNotAllowIsRefused() {
        Site site = site();
        for (String url : List.of("http://127.0.0.2/x", "http://10.0.0.1/x", "http://[::1]/x", "http://[::ffff:10.0.0.1]/x",
                "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/x")) {
            Reply r = createWebhook(site, url, null);
            assertThat(r.status()).as(url).isEqualTo(422);
            assertThat(r.errorCode()).as(url).isEqualTo("target_not_allowed");
            assertThat(r.json().get("error").get("field").asText()).isEqualTo("url");
        }
        assertThat(server.get("/v1/sites/" + site.id() + "/webhooks", site.apiKey()).json().get("webhooks")).isEmpty();
    }

    @Test
    void unknownEventTypesAndMalformedUrlsAreRefusedNamingTheField() {
        Site site = site();
        Reply badEvent = createWebhook(site, "http://127.0.0.1:9/x", List.of("call.exploded"));
        assertThat(badEvent.status()).isEqualTo(422);
        assertThat(badEvent.json().get("error").get("field").asText()).isEqualTo("events");
        Reply badUrl = createWebhook(site, "ftp://127.0.0.1/x", null);
        assertThat(badUrl.status()).isEqualTo(422);
        assertThat(badUrl.json().get("error").get("field").asText()).isEqualTo("url");
    }

    /**
     * Audit AN2 F4: {@code https://пример.рф/hook} was refused as no absolute URL. The host is taken in
     * its punycode form; the sandbox has no DNS, so a name that never resolves shows the check reached DNS with it.
     */
    @Test
    void aWebhookOnAnInternationalisedDomainIsCheckedUnderItsPunycodeName() {
        Reply r = createWebhook(site(), "https://пример.invalid/hook", null);
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.errorCode()).as(r.body()).isEqualTo("unknown_host");
        assertThat(r.json().at("/error/message").asText()).contains("xn--e1afmkfd.invalid");
    }

    /** Audit C, finding 8: {@code "events": []} subscribed to every event; only an absent list means all. */
    @Test
    void anEmptyEventListIsRefusedAndOnlyAnAbsentOneMeansEveryEvent() {
        Site site = site();
        Reply empty = createWebhook(site, "http://127.0.0.1:9/none", List.of());
        assertThat(empty.status()).as(empty.body()).isEqualTo(422);
        assertThat(empty.json().get("error").get("field").asText()).isEqualTo("events");
        assertThat(server.get("/v1/sites/" + site.id() + "/webhooks", site.apiKey()).json().get("webhooks")).isEmpty();
        Reply absent = createWebhook(site, "http://127.0.0.1:9/all", null);
        assertThat(absent.status()).isEqualTo(201);
        assertThat(absent.json().get("events")).hasSize(5);
    }

    /** Audit C, finding 9: the delivery log called an unknown query parameter an unknown field; every other route says unknown_parameter. */
    @Test
    void anUnknownQueryParameterOfTheDeliveryLogIsAnUnknownParameter() {
        Site site = site();
        String id = createWebhook(site, "http://127.0.0.1:9/q", null).text("webhookId");
        for (String path : List.of("/webhooks/" + id + "/deliveries?foo=1", "/webhooks?foo=1")) {
            Reply r = server.get("/v1/sites/" + site.id() + path, site.apiKey());
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.errorCode()).as(path).isEqualTo("unknown_parameter");
            assertThat(r.json().get("error").get("field").asText()).isEqualTo("foo");
        }
        Reply limit = server.get("/v1/sites/" + site.id() + "/webhooks/" + id + "/deliveries?limit=0", site.apiKey());
        assertThat(limit.status()).isEqualTo(422);
        assertThat(limit.json().get("error").get("field").asText()).isEqualTo("limit");
    }

    /** ConcurrentRequestsSweepTest: webhooks share the feeds' count-then-insert, which let creates at once pass the limit. */
    @Test
    void webhooksCreatedAtOnceNeverPassTheLimitOfTwenty() {
        Site site = site();
        for (int i = 0; i < 16; i++) {
            assertThat(createWebhook(site, "http://127.0.0.1:9/hook-" + i, null).status()).isEqualTo(201);
        }
        List<Reply> replies = TestServer.atOnce(java.util.Collections.nCopies(8, () -> createWebhook(site, "http://127.0.0.1:9/hook", null)));
        assertThat(replies.stream().filter(r -> r.status() == 201)).hasSize(4);
        assertThat(replies.stream().filter(r -> r.status() == 409).map(Reply::errorCode)).containsOnly("too_many_webhooks").hasSize(4);
        assertThat(server.get("/v1/sites/" + site.id() + "/webhooks", site.apiKey()).json().path("webhooks").size()).isEqualTo(20);
    }
}
