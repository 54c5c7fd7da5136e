package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The series an operator alerts on exist at 0 before their first event: Prometheus' {@code increase()}
 * and {@code rate()} cannot see the first value of a series, so a counter that appears at 1 hides the
 * first pool exhaustion or the first unattributed call from every alert.
 */
class OperatorMetricsTest {
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String scrape() {
        return server.send("GET", "/metrics", null, null, null, Map.of()).body();
    }

    @Test
    void everyAttributionMethodIsCountedFromZeroBeforeTheFirstCall() {
        String scrape = scrape();
        for (String method : List.of("active", "cooling", "ambiguous", "repeat", "static", "none")) {
            assertThat(scrape).contains("ringpool_calls_attributed_total{method=\"" + method + "\"} 0.0");
            String to = method.equals("none") ? "active" : "none";
            assertThat(scrape).contains("ringpool_calls_reattributed_total{from=\"" + method + "\",to=\"" + to + "\"} 0.0");
        }
    }

    @Test
    void aNewPoolsExhaustionsAreCountedFromZeroAndCountOnceItRunsOut() {
        Map<String, String> site = server.siteWithPool(List.of("+74950000301"));
        String series = "ringpool_pool_exhaustions_total{pool=\"" + site.get("poolId") + "\",site=\"" + site.get("siteId") + "\"}";
        assertThat(scrape()).contains(series + " 0.0");
        assertThat(server.startSession(site.get("publicKey"), "v_metrics_1", "https://example.com/").status()).isEqualTo(201);
        TestServer.Reply second = server.startSession(site.get("publicKey"), "v_metrics_2", "https://example.com/");
        assertThat(second.text("reason")).isEqualTo("pool_exhausted");
        assertThat(scrape()).contains(series + " 1.0");
    }
}
