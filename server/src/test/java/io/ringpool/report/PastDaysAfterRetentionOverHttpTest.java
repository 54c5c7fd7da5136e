package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 item 4 over real HTTP: past days still show after their visits leave the store
 * (retention) or the node's memory (the bound), from the daily aggregates sealed before they left.
 */
class PastDaysAfterRetentionOverHttpTest {
    static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");
    /** 09:00 in Moscow on the first day of the story; the clock moves only when the test moves it. */
    static final Instant T0 = Instant.parse("2026-03-02T06:00:00Z");
    static final int DAYS = 10;
    static final LocalDate DAY0 = T0.atZone(MOSCOW).toLocalDate();
    /** The whole story: ten days. */
    static final String OLD_RANGE = "from=" + DAY0 + "&to=" + DAY0.plusDays(DAYS - 1);
    static final String[] QUERIES = {
        "/reports/sources?" + OLD_RANGE + "&groupBy=source,medium,campaign",
        "/reports/sources?" + OLD_RANGE + "&groupBy=source&model=first_click",
        "/reports/sources?" + OLD_RANGE + "&groupBy=landingPage,device&model=last_click&sort=visits",
        "/reports/devices?" + OLD_RANGE,
        "/reports/daily?" + OLD_RANGE,
    };

    @TempDir
    Path dir;

    /**
     * Ten days, each with its own visitors: a paid visit then a direct return that calls (the call
     * credited to the paid visit but for last_click), and a phone visit that calls every other day.
     * With {@code reportEachDay} a report is asked at the end of each day, as the background refresh
     * would, so a small bound evicts day by day.
     */
    static void seed(ReportFixture f, boolean reportEachDay) {
        for (int d = 0; d < DAYS; d++) {
            String p = "d" + d + "-";
            String paid = f.visit(p + "visitor-a", "https://example.com/boots?utm_source=google&utm_medium=cpc&utm_campaign=c" + (d % 3),
                    null, Map.of(), TestServer.CHROME, p + "A1").get("sessionId");
            f.server.send("POST", "/v1/sessions/" + paid + "/end", null, "", "text/plain", Map.of());
            f.advance(Duration.ofHours(2));
            String direct = f.visit(p + "visitor-a", "https://example.com/", null, Map.of(), TestServer.CHROME, p + "A2").get("number");
            f.call(p + "A", String.format("+7916%07d", d * 10 + 1), direct, 45);
            f.advance(Duration.ofMinutes(30));
            String phone = f.visit(p + "visitor-b", "https://example.com/sale?utm_source=yandex&utm_medium=cpc", null, Map.of(),
                    ReportFixture.IPHONE, p + "B1").get("number");
            if (d % 2 == 0) {
                f.call(p + "B", String.format("+7916%07d", d * 10 + 2), phone, 0);
            }
            f.advance(Duration.ofHours(21).plusMinutes(30));
            if (reportEachDay) {
                assertThat(f.get("/reports/sources?from=" + DAY0 + "&to=" + DAY0.plusDays(d)).status()).isEqualTo(200);
            }
        }
    }

    /** A server over the store {@code name} (H2 in {@code dir} here; a PostgreSQL database of its own in the subclass). */
    TestServer server(Path dir, String name, Map<String, Object> overrides, Instant at) {
        Map<String, Object> settings = new HashMap<>(store(name));
        settings.putAll(overrides);
        return new TestServer(dir, settings, Clock.fixed(at, ZoneOffset.UTC));
    }

    /** Store settings for the store {@code name}: none for H2 in the server's data directory. */
    protected Map<String, Object> store(String name) {
        return Map.of();
    }

    /** A connection to the store "main". */
    protected Connection connect() throws SQLException {
        return DriverManager.getConnection(ConfigLoader.defaultH2Url(dir));
    }

    @Test
    void afterRetentionDeletedTheOldVisitsTheOldDaysReportTheSameRowsAndTotalsAlsoAfterARestartAndSealingTwiceWritesNothingTwice()
            throws Exception {
        TestServer server = server(dir, "main", Map.of(), T0);
        try {
            ReportFixture f = new ReportFixture(server, 311);
            seed(f, false);
            awaitVisitsEnded(server);
            JsonNode[] before = answers(f);
            for (JsonNode body : before) {
                assertThat(body.get("complete").asBoolean()).as(body.toString()).isTrue();
            }
            assertThat(before[0].get("totals").get("visits").asLong()).isEqualTo(3L * DAYS);

            Reply patched = server.send("PATCH", "/v1/sites/" + f.siteId, f.apiKey, "{\"retentionDays\":3}", "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            server.app.applyRetention();

            long cutoff = server.clock.millis() - Duration.ofDays(3).toMillis();
            assertThat(count("SELECT COUNT(*) FROM sessions WHERE site_id = ? AND started_at < ?", f.siteId, cutoff))
                    .as("visits before the cut-off are gone from the store").isZero();
            assertThat(count("SELECT COUNT(*) FROM sessions WHERE site_id = ?", f.siteId, null)).isBetween(1L, 9L);
            assertSameAsBefore(f, before, DAYS - 2);
            JsonNode across = f.get("/reports/sources?" + OLD_RANGE + "&groupBy=source,browser").json();
            assertThat(across.get("complete").asBoolean()).as("no sealed day counts source × browser: " + across).isFalse();
            assertThat(across.get("sealedDays").asInt()).isZero();
            Reply time = f.get("/reports/time?from=" + DAY0 + "&to=" + DAY0.plusDays(5));
            assertThat(time.status()).as("weekday × hour has no daily aggregate to fall back on: " + time.body()).isEqualTo(422);

            long seals = count("SELECT COUNT(*) FROM report_day_seals WHERE site_id = ?", f.siteId, null);
            long rows = count("SELECT COUNT(*) FROM report_days WHERE site_id = ?", f.siteId, null);
            assertThat(rows).isPositive();
            String metrics = server.send("GET", "/metrics", null, null, null, Map.of()).body();
            assertThat(metrics).containsPattern("ringpool_report_days_sealed_total [1-9][0-9]*\\.0");
            server.app.applyRetention();
            assertThat(count("SELECT COUNT(*) FROM report_day_seals WHERE site_id = ?", f.siteId, null)).isEqualTo(seals);
            assertThat(count("SELECT COUNT(*) FROM report_days WHERE site_id = ?", f.siteId, null)).isEqualTo(rows);

            Instant now = server.clock.instant();
            server.close();
            server = server(dir, "main", Map.of(), now);
            ReportFixture restarted = f.on(server);
            assertSameAsBefore(restarted, before, DAYS - 2);
            server.app.applyRetention();
            assertThat(count("SELECT COUNT(*) FROM report_day_seals WHERE site_id = ?", f.siteId, null))
                    .as("a restart seals nothing twice").isEqualTo(seals);
            assertThat(count("SELECT COUNT(*) FROM report_days WHERE site_id = ?", f.siteId, null)).isEqualTo(rows);
        } finally {
            server.close();
        }
    }

    @Test
    void afterASmallBoundEvictedTheOldDaysFromMemoryTheyReportWhatAnUnboundedNodeReports(@TempDir Path other) {
        JsonNode[] unbounded;
        try (TestServer server = server(other, "unbounded", Map.of(), T0)) {
            ReportFixture f = new ReportFixture(server, 312);
            seed(f, true);
            unbounded = answers(f);
        }
        try (TestServer server = server(dir, "main", Map.of("server.reportMaxVisits", 12), T0)) {
            ReportFixture f = new ReportFixture(server, 312);
            seed(f, true);
            JsonNode sources = f.get(QUERIES[0]).json();
            assertThat(Instant.parse(sources.get("heldFrom").asText())).as("the first days left memory")
                    .isAfter(DAY0.plusDays(3).atStartOfDay(MOSCOW).toInstant());
            assertSameAsBefore(f, unbounded, 4);
        }
    }

    /** Each query's answer, as the marketer sees it. */
    static JsonNode[] answers(ReportFixture f) {
        JsonNode[] out = new JsonNode[QUERIES.length];
        for (int q = 0; q < QUERIES.length; q++) {
            Reply r = f.get(QUERIES[q]);
            assertThat(r.status()).as(QUERIES[q] + " " + r.body()).isEqualTo(200);
            out[q] = r.json();
        }
        return out;
    }

    /** Every query answers the same rows, totals and series as {@code before}, complete, with at least {@code sealedDays} days sealed. */
    static void assertSameAsBefore(ReportFixture f, JsonNode[] before, int sealedDays) {
        JsonNode[] now = answers(f);
        for (int q = 0; q < QUERIES.length; q++) {
            JsonNode body = now[q];
            assertThat(body.get("complete").asBoolean()).as(QUERIES[q] + " " + body).isTrue();
            assertThat(body.get("sealedDays").asInt()).as(QUERIES[q]).isGreaterThanOrEqualTo(sealedDays);
            assertThat(body.get("fromAggregates").get("from").asText()).isEqualTo(DAY0.atStartOfDay(MOSCOW).toInstant().toString());
            for (String field : new String[] {"rows", "totals", "totalRows", "days", "visits", "calls", "targetCalls", "callsByChannel",
                    "visitsByChannel", "leads"}) {
                assertThat(body.get(field)).as(QUERIES[q] + " " + field).isEqualTo(before[q].get(field));
            }
        }
    }

    private void awaitVisitsEnded(TestServer server) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (count("SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL", null, null) > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(count("SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL", null, null)).isZero();
    }

    private long count(String sql, String siteId, Long millis) throws Exception {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            if (siteId != null) {
                ps.setString(p++, siteId);
            }
            if (millis != null) {
                ps.setLong(p, millis);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
