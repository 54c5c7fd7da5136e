package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node whose report facts hold 5 visits, over real HTTP: honest bodies, the 422 and the metrics. */
class ReportsBeyondTheBoundOverHttpTest {
    static final String[] REPORTS = {"sources", "devices", "time", "daily", "paths", "pools"};

    @TempDir
    static Path dir;
    static TestServer server;
    static ReportFixture f;
    static LocalDate firstDay;

    @BeforeAll
    static void start() {
        server = new TestServer(dir, Map.of("server.reportMaxVisits", 5));
        f = new ReportFixture(server, 202);
        firstDay = server.clock.instant().atZone(ZoneId.of("Europe/Moscow")).toLocalDate();
        // Twelve visits six hours apart: three days, of which the facts hold the newest five at most.
        for (int i = 0; i < 12; i++) {
            f.visit("visitor-bound-" + i, "https://example.com/?utm_source=s" + i + "&utm_medium=cpc", null, Map.of(), TestServer.CHROME,
                    "V" + i);
            f.advance(Duration.ofHours(6));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyReportOverARangeReachingBeforeHeldFromAnswersWithWhatIsHeldAndSaysItIsIncomplete() {
        for (String report : REPORTS) {
            Reply r = f.get("/reports/" + report + "?" + f.range());
            assertThat(r.status()).as(report + " " + r.body()).isEqualTo(200);
            JsonNode body = r.json();
            assertThat(body.get("complete").asBoolean()).as(report).isFalse();
            Instant heldFrom = Instant.parse(body.get("heldFrom").asText());
            assertThat(heldFrom).as(report).isAfter(f.visitAt.get("V0"));
        }
        JsonNode sources = f.get("/reports/sources?" + f.range()).json();
        assertThat(sources.get("totals").get("visits").asLong()).isBetween(1L, 5L);
    }

    @Test
    void aRangeEntirelyBeforeHeldFromIsRefusedNamingTheEarliestReportableTimeAndTheKey() {
        String old = "from=" + firstDay.minusDays(10) + "&to=" + firstDay.minusDays(2);
        for (String report : REPORTS) {
            Reply r = f.get("/reports/" + report + "?" + old);
            assertThat(r.status()).as(report + " " + r.body()).isEqualTo(422);
            JsonNode error = r.json().get("error");
            assertThat(error.get("field").asText()).isEqualTo("from");
            assertThat(error.get("message").asText()).contains("server.reportMaxVisits").containsPattern("\\d{4}-\\d\\d-\\d\\dT");
        }
    }

    @Test
    void aRangeWithinTheHeldPartIsComplete() {
        LocalDate today = server.clock.instant().atZone(ZoneId.of("Europe/Moscow")).toLocalDate();
        JsonNode body = f.get("/reports/sources?from=" + today + "&to=" + today).json();
        assertThat(body.get("complete").asBoolean()).as(body.toString()).isTrue();
    }

    @Test
    void metricsShowTheBoundTheVisitsHeldAndTheVisitsEvicted() {
        f.get("/reports/sources?" + f.range());
        String metrics = server.send("GET", "/metrics", null, null, null, Map.of()).body();
        assertThat(metrics).contains("ringpool_report_facts_max_visits 5.0");
        assertThat(metrics).containsPattern("ringpool_report_facts_visits [1-5]\\.0");
        assertThat(metrics).contains("ringpool_report_facts_evicted_total");
    }
}
