package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.journal.GatedDataSource;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AK2 F0 (left over): a pool report answered 503 {@code timeout} kept computing, so each
 * retry added a computation to those still running (CPU, garbage, then 25 s collections). The work
 * now stops at its next checkpoint once the 503 is sent, and caches nothing.
 *
 * <p>The report is made slow by the store: while {@code slow} is on, each connection a report
 * thread takes waits 150 ms (the store's latency being simulated), and the pool report reads the
 * store once per pool, so 40 pools take 6 s against a 2 s request timeout (not less: creating a
 * site on a loaded box takes a good part of a second). The connections report threads take are
 * counted: a computation that ran on takes one per pool.
 */
class TimedOutReportStopsOverHttpTest {
    private static final int POOLS = 40;
    private static final Pattern STOPPED = Pattern.compile(
            "ringpool_http_stopped_total\\{route=\"/v1/sites/\\{siteId}/reports/pools\"} ([0-9.]+)");

    @TempDir
    Path dir;

    private final AtomicBoolean slow = new AtomicBoolean();
    private final AtomicInteger reportReads = new AtomicInteger();

    private void gate() throws SQLException {
        if (!Thread.currentThread().getName().matches("ringpool-report-\\d+")) {
            return;
        }
        reportReads.incrementAndGet();
        if (slow.get()) {
            try {
                Thread.sleep(150); // the store's latency being simulated, not a wait for time to pass
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted");
            }
        }
    }

    @Test
    void aPoolReportAnswered503TimeoutStopsComputingAndCachesNothing() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("server.requestTimeoutMillis", 2_000),
                real -> new GatedDataSource(real, this::gate))) {
            Map<String, String> site = server.siteWithPool(List.of("+74954100000"));
            for (int i = 1; i < POOLS; i++) {
                Reply made = server.post("/v1/sites/" + site.get("siteId") + "/pools", site.get("apiKey"),
                        Map.of("numbers", List.of(String.format("+749541%05d", i))));
                assertThat(made.status()).as(made.body()).isEqualTo(201);
            }
            String report = "/v1/sites/" + site.get("siteId") + "/reports/pools";

            slow.set(true);
            int retries = 3;
            for (int i = 1; i <= retries; i++) {
                int before = reportReads.get();
                Reply timedOut = server.get(report, site.get("apiKey"));
                assertThat(timedOut.status()).as(timedOut.body()).isEqualTo(503);
                assertThat(timedOut.errorCode()).isEqualTo("timeout");
                awaitStopped(server, i);
                assertThat(reportReads.get() - before).as("stopped at its next pool; run on, it reads the store once per pool (%d)", POOLS)
                        .isLessThan(POOLS);
            }

            slow.set(false);
            int before = reportReads.get();
            Reply whole = server.get(report, site.get("apiKey"));
            assertThat(whole.status()).as(whole.body()).isEqualTo(200);
            assertThat(whole.json().get("pools")).as("every pool: nothing partial was cached").hasSize(POOLS);
            assertThat(reportReads.get() - before).as("computed afresh, not read from a cache").isGreaterThanOrEqualTo(POOLS);
        }
    }

    /** Waits (at most 10 s) until {@code count} pool reports have stopped at a checkpoint, as /metrics counts them. */
    private static void awaitStopped(TestServer server, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        double seen = 0;
        while (System.nanoTime() < deadline) {
            Matcher m = STOPPED.matcher(server.get("/metrics", null).body());
            seen = m.find() ? Double.parseDouble(m.group(1)) : 0;
            if (seen >= count) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("pool reports stopped: " + seen + ", expected " + count);
    }
}
