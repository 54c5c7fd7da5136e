package io.ringpool.lead;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit M2 #3: erasing a person, or the retention purge, must leave past reports' {@code contacts}
 * as they were (docs/leads.md: "counts stay"). Contacts ask whether an earlier call or lead shared
 * a phone or e-mail; erased rows used to share nothing, so each erased person's later calls and
 * leads opened windows of their own, or their first one stopped counting. One server per test:
 * the purge moves the clock a year on.
 */
class ErasureKeepsContactsOverHttpTest {
    @TempDir
    Path dir;

    TestServer server;
    String siteId;
    String apiKey;
    String publicKey;
    String secret;
    LocalDate day;

    @BeforeEach
    void start() {
        server = new TestServer(dir);
        Map<String, String> s = server.siteWithPool(List.of("+74993000001", "+74993000002", "+74993000003"));
        siteId = s.get("siteId");
        apiKey = s.get("apiKey");
        publicKey = s.get("publicKey");
        secret = s.get("webhookSecret");
        day = server.clock.instant().atZone(ZoneOffset.UTC).toLocalDate();
        story();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /**
     * Maria sends a form (phone and e-mail), calls, then writes again from her e-mail alone; Ivan
     * calls twice; Olga writes once. Three people: contacts 3 in each model, calls 3, leads 3.
     */
    void story() {
        Map<String, String> v = visit("visitor-maria", "https://example.com/?utm_source=google&utm_medium=cpc");
        beacon(v.get("sessionId"), Map.of("phone", "+79165550909", "email", "maria@example.com", "name", "Maria"));
        server.clock.advance(Duration.ofMinutes(5));
        call("pbx-maria", "+79165550909", v.get("number"));
        server.clock.advance(Duration.ofMinutes(5));
        lead(Map.of("kind", "email", "email", "Maria@Example.com", "message", "and one more thing"));
        Map<String, String> w = visit("visitor-ivan", "https://example.com/?utm_source=yandex&utm_medium=cpc");
        call("pbx-ivan-1", "+79165551111", w.get("number"));
        server.clock.advance(Duration.ofMinutes(5));
        call("pbx-ivan-2", "+79165551111", w.get("number"));
        server.clock.advance(Duration.ofMinutes(5));
        lead(Map.of("kind", "callback", "phone", "+79165552222", "name", "Olga"));
    }

    @Test
    void erasingAPersonByEmailOrACallerByNumberLeavesContactsAsTheyWere() {
        JsonNode before = totals();
        assertThat(before.get("contacts").asInt()).isEqualTo(3);

        Reply person = server.send("DELETE", "/v1/sites/" + siteId + "/contacts/maria@example.com", apiKey, null, null, Map.of());
        assertThat(person.status()).as(person.body()).isEqualTo(200);
        assertThat(person.json().get("leads").asInt()).isEqualTo(2);
        assertThat(person.json().get("calls").asInt()).isEqualTo(1);
        Reply caller = server.send("DELETE", "/v1/sites/" + siteId + "/callers/%2B79165551111", apiKey, null, null, Map.of());
        assertThat(caller.status()).as(caller.body()).isIn(200, 204);

        assertThat(totals()).isEqualTo(before);
        restartReadingEverythingFromTheStore();
        assertThat(totals()).isEqualTo(before);
        Reply lead = server.get("/v1/sites/" + siteId + "/leads?limit=10", apiKey);
        assertThat(lead.body()).as("erased all the same").doesNotContain("maria@example.com", "+79165550909");
    }

    @Test
    void theRetentionPurgeLeavesContactsAsTheyWere() {
        JsonNode before = totals();
        server.clock.advance(Duration.ofDays(366));
        server.app.applyRetention();

        Reply log = server.get("/v1/sites/" + siteId + "/calls?from=" + day.minusDays(1) + "&to=" + day.plusDays(1), apiKey);
        assertThat(log.body()).as("purged").doesNotContain("+79165551111");
        assertThat(totals()).isEqualTo(before);
        restartReadingEverythingFromTheStore();
        assertThat(totals()).isEqualTo(before);
    }

    /** The reports hold their facts in memory and in a snapshot: without both, they read the rows. */
    void restartReadingEverythingFromTheStore() {
        server.close();
        try (var files = java.nio.file.Files.list(dir.resolve("report-facts"))) {
            for (Path f : files.toList()) {
                java.nio.file.Files.delete(f);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        server = new TestServer(dir);
    }

    JsonNode totals() {
        Reply r = server.get("/v1/sites/" + siteId + "/reports/sources?from=" + day.minusDays(1) + "&to=" + day.plusDays(1)
                + "&model=last_click", apiKey);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("totals");
    }

    Map<String, String> visit(String visitorId, String url) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("siteKey", publicKey);
        body.put("visitorId", visitorId);
        body.put("url", url);
        Reply r = server.send("POST", "/v1/sessions", null, json(body), "application/json", Map.of("User-Agent", TestServer.CHROME));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return Map.of("sessionId", r.text("sessionId"), "number", r.text("number"));
    }

    void beacon(String sessionId, Map<String, String> fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "form");
        body.put("formId", "order");
        body.put("url", "https://example.com/contacts");
        body.put("fields", fields);
        Reply r = server.send("POST", "/v1/sessions/" + sessionId + "/leads", null, json(body), "text/plain;charset=UTF-8", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    void lead(Map<String, Object> body) {
        Reply r = server.post("/v1/sites/" + siteId + "/leads", apiKey, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    void call(String callId, String from, String to) {
        for (String event : List.of("ringing", "answered", "completed")) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("callId", callId);
            e.put("event", event);
            e.put("from", from);
            e.put("to", to);
            if (event.equals("completed")) {
                e.put("durationSeconds", 70);
                e.put("talkSeconds", 60);
            }
            String body = json(e);
            Reply r = server.send("POST", "/v1/telephony/" + siteId + "/events", null, body, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(secret, server.clock.instant().getEpochSecond(), body)));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
    }

    static String json(Object o) {
        return new String(Json.write(o), StandardCharsets.UTF_8);
    }
}
