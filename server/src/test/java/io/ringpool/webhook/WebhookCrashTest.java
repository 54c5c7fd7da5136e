package io.ringpool.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox survives SIGKILL: a server process killed while call events are streaming in and
 * their webhooks are still being refused delivers, after a restart on the same H2 file, every
 * event it acknowledged — each accepted exactly once, signed, in order per call.
 */
class WebhookCrashTest {
    static final String ADMIN = "admin-key-for-webhook-crash";

    @TempDir
    Path dataDir;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Child(Process process, int port) {}

    Child startChild() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.ringpool.Main");
        pb.environment().put("RINGPOOL_PORT", "0");
        pb.environment().put("RINGPOOL_DATA_DIR", dataDir.toString());
        pb.environment().put("RINGPOOL_ADMIN_KEY", ADMIN);
        pb.environment().put("RINGPOOL_DEMO", "false");
        // The default heap follows the machine (4g here, touched at start); these servers need little.
        pb.environment().put("RINGPOOL_HEAP", "512m");
        pb.environment().put("RINGPOOL_OUTBOUND_ALLOW", "127.0.0.1");
        pb.environment().put("RINGPOOL_TEST_CLOCK", "true");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
            int at = line.indexOf("listening port=");
            if (at >= 0) {
                int port = Integer.parseInt(line.substring(at + 15).split("\\s")[0]);
                Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));
                return new Child(p, port);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("child server did not start");
    }

    HttpResponse<String> send(int port, String method, String path, String key, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json");
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String json(Object o) {
        return new String(Json.write(o), StandardCharsets.UTF_8);
    }

    static JsonNode parse(String s) throws Exception {
        return Json.MAPPER.readTree(s);
    }

    @Test
    void acknowledgedCallEventsAreDeliveredOnceEachAfterKillMinus9AndRestart() throws Exception {
        try (Receiver receiver = new Receiver(n -> 503)) {
            Child first = startChild();
            String siteId;
            String apiKey;
            String secret;
            String whsec;
            Map<String, String> acked = new ConcurrentHashMap<>(); // providerCallId/kind -> callId
            try {
                JsonNode site = parse(send(first.port(), "POST", "/v1/sites", ADMIN, json(Map.of("name", "Crash hooks",
                        "defaultNumber", "+74951234567")), Map.of()).body());
                siteId = site.get("siteId").asText();
                apiKey = site.get("apiKey").asText();
                secret = site.get("webhookSecret").asText();
                List<String> numbers = List.of("+74952220001", "+74952220002", "+74952220003");
                assertThat(send(first.port(), "POST", "/v1/sites/" + siteId + "/pools", apiKey,
                        json(Map.of("name", "all", "numbers", numbers)), Map.of()).statusCode()).isEqualTo(201);
                HttpResponse<String> hook = send(first.port(), "POST", "/v1/sites/" + siteId + "/webhooks", apiKey,
                        json(Map.of("url", receiver.url("/crm"), "events", List.of("call.started", "call.completed"))), Map.of());
                assertThat(hook.statusCode()).as(hook.body()).isEqualTo(201);
                whsec = parse(hook.body()).get("secret").asText();

                // Call events stream in; the kill lands while they are still coming and none was accepted.
                AtomicBoolean stop = new AtomicBoolean();
                Thread streamer = Thread.ofPlatform().start(() -> {
                    for (int i = 0; !stop.get() && i < 1000; i++) {
                        for (String kind : List.of("ringing", "completed")) {
                            Map<String, Object> e = new LinkedHashMap<>();
                            e.put("callId", "crash-" + i);
                            e.put("event", kind);
                            e.put("from", "+7916000" + String.format("%04d", i));
                            e.put("to", numbers.get(i % 3));
                            if (kind.equals("completed")) {
                                e.put("talkSeconds", 30);
                            }
                            String body = json(e);
                            try {
                                HttpResponse<String> r = send(first.port(), "POST", "/v1/telephony/" + siteId + "/events", null, body,
                                        Map.of("X-Ringpool-Signature", Signing.ringpool(secret, System.currentTimeMillis() / 1000, body)));
                                if (r.statusCode() == 200) {
                                    acked.put("crash-" + i + "/" + kind, parse(r.body()).get("callId").asText());
                                }
                            } catch (Exception dead) {
                                return; // the server is gone
                            }
                        }
                    }
                });
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while ((acked.size() < 40 || receiver.received().size() < 3) && System.nanoTime() < until) {
                    Thread.sleep(10);
                }
                first.process().destroyForcibly(); // SIGKILL mid-stream
                first.process().waitFor(20, TimeUnit.SECONDS);
                stop.set(true);
                streamer.join(20_000);
            } finally {
                first.process().destroyForcibly();
            }
            assertThat(acked.size()).isGreaterThanOrEqualTo(40);
            assertThat(receiver.received()).as("some attempts were refused before the kill").isNotEmpty();

            receiver.answer(n -> 200);
            int refusedBefore = receiver.received().size();
            Child second = startChild();
            try {
                Map<String, String> expected = new HashMap<>(); // callId/type -> present
                acked.forEach((key, callId) -> expected.put(callId + "/" + (key.endsWith("/ringing") ? "call.started" : "call.completed"),
                        callId));
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < until && !allArrived(receiver, expected)) {
                    // Retries come due after their backoff, leases of the killed node after the lease: move the clock, in steps shorter than a lease.
                    send(second.port(), "POST", "/v1/test/clock", ADMIN, "{\"advanceSeconds\": 20}", Map.of());
                    Thread.sleep(100);
                }
                assertThat(allArrived(receiver, expected)).as("every acknowledged event arrived").isTrue();
                send(second.port(), "POST", "/v1/test/clock", ADMIN, "{\"advanceSeconds\": 86400}", Map.of());
                Thread.sleep(500); // a last look: nothing due may be sent again

                List<Receiver.Received> accepted = receiver.received().stream().filter(r -> r.answered() == 200).toList();
                Map<String, Integer> perEventId = new HashMap<>();
                Map<String, List<String>> perCall = new LinkedHashMap<>();
                for (Receiver.Received r : accepted) {
                    assertThat(WebhooksOverHttpTest.signatureValid(whsec, r)).isTrue();
                    JsonNode body = parse(r.body());
                    assertThat(r.header("x-ringpool-event-id")).isEqualTo(body.get("id").asText());
                    perEventId.merge(body.get("id").asText(), 1, Integer::sum);
                    perCall.computeIfAbsent(body.get("data").get("callId").asText(), k -> new ArrayList<>()).add(body.get("type").asText());
                }
                assertThat(perEventId.values()).as("each event accepted once").containsOnly(1);
                perCall.forEach((callId, types) -> {
                    assertThat(types.get(0)).as("first event of %s", callId).isEqualTo("call.started");
                    assertThat(types).as("events of %s", callId).doesNotHaveDuplicates();
                });
                assertThat(receiver.received().size()).isGreaterThan(refusedBefore);
            } finally {
                second.process().destroyForcibly();
                second.process().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    static boolean allArrived(Receiver receiver, Map<String, String> expected) throws Exception {
        java.util.Set<String> got = new java.util.HashSet<>();
        for (Receiver.Received r : receiver.received()) {
            if (r.answered() == 200) {
                JsonNode body = parse(r.body());
                got.add(body.get("data").get("callId").asText() + "/" + body.get("type").asText());
            }
        }
        return got.containsAll(expected.keySet());
    }
}
