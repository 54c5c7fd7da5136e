package io.ringpool.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import io.ringpool.webhook.Receiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the outbox costs and how fast it drains: call events ingested over HTTP by 16 clients, on a
 * site without and with a webhook (the outbox rows are written in the same group commit), then the
 * time until the receiver has every event. Not part of the default run (tag {@code benchmark}):
 *
 * <pre>./mvnw -pl server test -Dtest=OutboxBenchmark -Dbenchmark.excluded=none -Dgroups=benchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * Figures in {@code server/target/surefire-reports/io.ringpool.outbox.OutboxBenchmark-output.txt}.
 */
@Tag("benchmark")
class OutboxBenchmark {
    static final int CALLS = 1500;

    @TempDir
    Path dir;

    @Test
    void ingestWithAndWithoutAWebhookThenDrain() throws Exception {
        try (Receiver receiver = new Receiver(n -> 200);
                TestServer server = new TestServer(dir, Map.of("outbound.allow", List.of("127.0.0.1")))) {
            Map<String, String> plain = server.siteWithPool(List.of("+74959990001"));
            Map<String, String> hooked = server.siteWithPool(List.of("+74959990002"));
            server.post("/v1/sites/" + hooked.get("siteId") + "/webhooks", hooked.get("apiKey"),
                    Map.of("url", receiver.url("/bench"), "events", List.of("call.started", "call.completed")));

            run(server, plain, "+74959990001", "warm", 200);
            long[] without = run(server, plain, "+74959990001", "plain", CALLS);
            long start = System.nanoTime();
            long[] with = run(server, hooked, "+74959990002", "hooked", CALLS);
            long ingested = System.nanoTime();
            long until = ingested + 120_000_000_000L;
            while (receiver.received().size() < 2 * CALLS && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            long drained = System.nanoTime();
            assertThat(receiver.received()).hasSize(2 * CALLS);
            System.out.printf("outbox_benchmark calls=%d events_per_call=2%n", CALLS);
            System.out.printf("ingest without webhook: p50 %.2f ms, p99 %.2f ms%n", pct(without, 50), pct(without, 99));
            System.out.printf("ingest with webhook:    p50 %.2f ms, p99 %.2f ms%n", pct(with, 50), pct(with, 99));
            System.out.printf("deliveries: %d in %.1f s from the first event (%.0f/s); last one %.1f s after the last commit%n",
                    2 * CALLS, (drained - start) / 1e9, 2 * CALLS / ((drained - start) / 1e9), (drained - ingested) / 1e9);
        }
    }

    /** Sends ringing and completed for {@code n} calls from 16 threads; returns each event's latency, nanoseconds. */
    static long[] run(TestServer server, Map<String, String> site, String to, String prefix, int n) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(16);
        List<Future<long[]>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String callId = prefix + "-" + i;
            futures.add(clients.submit(() -> {
                long[] t = new long[2];
                int k = 0;
                for (String kind : List.of("ringing", "completed")) {
                    String body = new String(Json.write(Map.of("callId", callId, "event", kind, "from", "+79160000000", "to", to,
                            "talkSeconds", 30)), StandardCharsets.UTF_8);
                    long s = System.nanoTime();
                    var r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                            Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"),
                                    server.clock.instant().getEpochSecond(), body)));
                    t[k++] = System.nanoTime() - s;
                    assertThat(r.status()).isEqualTo(200);
                }
                return t;
            }));
        }
        long[] all = new long[2 * n];
        int i = 0;
        for (Future<long[]> f : futures) {
            for (long v : f.get()) {
                all[i++] = v;
            }
        }
        clients.shutdown();
        Arrays.sort(all);
        return all;
    }

    static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1e6;
    }
}
