package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.config.ConfigLoader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AG3 #4: the sources report split {@code google}/{@code Google} and {@code Winter}/{@code winter}
 * into rows of 1 call each, while the call log, asked with any of those rows' keys, matched all 3
 * calls (its filters ignore case). A report row's count is now the call log's for its key.
 */
class ReportRowsIgnoreLetterCaseOverHttpTest {
    static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");

    @TempDir
    Path dir;

    /** The auditor's four landings (the third a Cyrillic campaign and term), and one source tagged one way only. */
    static final List<String> LANDINGS = List.of(
            "https://example.com/?utm_source=google&utm_medium=cpc&utm_campaign=Winter",
            "https://example.com/?utm_source=Google&utm_medium=CPC&utm_campaign=winter",
            "https://example.com/?utm_source=GOOGLE&utm_medium=cpc&utm_campaign=%D0%97%D0%B8%D0%BC%D0%B0"
                    + "&utm_term=%D0%B4%D0%B8%D0%B2%D0%B0%D0%BD+%D1%83%D0%B3%D0%BB%D0%BE%D0%B2%D0%BE%D0%B9",
            "https://example.com/?utm_source=+google+&utm_medium=cpc&utm_campaign=winter",
            "https://example.com/?utm_source=Yandex&utm_medium=CPC&utm_campaign=Spring");

    @Test
    void aSourcesRowCountsEverySpellingOfItsKeyAsTheCallLogDoesUnderTheMostCalledSpelling() {
        try (TestServer server = new TestServer(dir)) {
            ReportFixture f = new ReportFixture(server, 431);
            for (int i = 0; i < LANDINGS.size(); i++) {
                String number = f.visit("case-visitor-" + i, LANDINGS.get(i), null, Map.of(), TestServer.CHROME, "V" + i).get("number");
                f.call("C" + i, String.format("+7916444%04d", i), number, 40);
                f.advance(Duration.ofMinutes(1));
            }

            JsonNode report = ok(f.get("/reports/sources?" + f.range() + "&groupBy=source,medium,campaign"));
            Map<List<String>, Long> calls = callsByKey(report, "source", "medium", "campaign");
            // google: 2 calls as "google", 1 as "Google", 1 as "GOOGLE"; cpc 3 to CPC's 2; winter 2 to Winter's 1.
            // Yandex and Spring were only ever written so: shown as written.
            assertThat(calls).containsExactlyInAnyOrderEntriesOf(Map.of(
                    List.of("google", "cpc", "winter"), 3L,
                    List.of("google", "cpc", "Зима"), 1L,
                    List.of("Yandex", "cpc", "Spring"), 1L));
            assertThat(report.get("totalRows").asInt()).isEqualTo(3);
            assertThat(report.get("totals").get("calls").asLong()).isEqualTo(5);
            assertThat(report.get("totals").get("visits").asLong()).isEqualTo(5);
            for (JsonNode row : report.get("rows")) {
                JsonNode key = row.get("key");
                int logged = callLog(f, key.get("source").asText(), key.get("medium").asText(), key.get("campaign").asText()).size();
                assertThat(logged).as("the call log for " + key).isEqualTo(row.get("calls").asInt());
                assertThat(row.get("visits").asLong()).as(row.toString()).isEqualTo(row.get("calls").asLong());
            }

            Map<List<String>, Long> bySource = callsByKey(ok(f.get("/reports/sources?" + f.range() + "&groupBy=source")), "source");
            assertThat(bySource).containsExactlyInAnyOrderEntriesOf(Map.of(List.of("google"), 4L, List.of("Yandex"), 1L));
            assertThat(callLog(f, "GOOGLE", null, null)).hasSize(4);
            Map<List<String>, Long> byTerm = callsByKey(ok(f.get("/reports/sources?" + f.range() + "&groupBy=term")), "term");
            assertThat(byTerm).containsEntry(List.of("диван угловой"), 1L).containsEntry(java.util.Arrays.asList((String) null), 4L);

            JsonNode paths = ok(f.get("/reports/paths?" + f.range()));
            Map<String, Long> pathCalls = new LinkedHashMap<>();
            paths.get("rows").forEach(r -> pathCalls.put(r.get("path").asText(), r.get("calls").asLong()));
            assertThat(pathCalls).containsExactlyInAnyOrderEntriesOf(Map.of("cpc google", 4L, "cpc Yandex", 1L));
        }
    }

    /**
     * Days sealed with one spelling (their visits since deleted by retention) and the facts holding
     * another are still one row: the sealed groups keep the values they were counted with and fold
     * when a report reads them, so days sealed before this rule fold too.
     */
    @Test
    void daysSealedWithAnotherSpellingAddUpWithTheFactsInOneRow() throws Exception {
        Instant t0 = Instant.parse("2026-03-02T06:00:00Z");
        LocalDate day0 = t0.atZone(MOSCOW).toLocalDate();
        TestServer server = new TestServer(dir, Map.of(), Clock.fixed(t0, ZoneOffset.UTC));
        try {
            ReportFixture f = new ReportFixture(server, 432);
            String[] spellings = {"source=Google&utm_medium=CPC&utm_campaign=Winter", "source=google&utm_medium=cpc&utm_campaign=winter",
                "source=GOOGLE&utm_medium=Cpc&utm_campaign=WINTER"};
            for (int d = 0; d < 6; d++) {
                String landing = "https://example.com/?utm_" + spellings[d % 3];
                String number = f.visit("sealed-visitor-" + d, landing, null, Map.of(), TestServer.CHROME, "D" + d).get("number");
                f.call("D" + d, String.format("+7916555%04d", d), number, 40);
                f.advance(Duration.ofDays(1));
            }
            awaitVisitsEnded();
            String query = "/reports/sources?from=" + day0 + "&to=" + day0.plusDays(6) + "&groupBy=source,medium,campaign";
            // the facts are loaded (a node seals only days its facts held whole) and hold all six days
            JsonNode held = ok(f.get(query));
            assertThat(callsByKey(held, "source", "medium", "campaign")).as(held.toString())
                    .containsExactlyInAnyOrderEntriesOf(Map.of(List.of("GOOGLE", "CPC", "WINTER"), 6L));
            Reply patched = server.send("PATCH", "/v1/sites/" + f.siteId, f.apiKey, "{\"retentionDays\":3}", "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            server.app.applyRetention();

            JsonNode report = ok(f.get(query));
            assertThat(report.get("sealedDays").asInt()).as(report.toString()).isPositive();
            assertThat(report.get("complete").asBoolean()).as(report.toString()).isTrue();
            // each spelling has 2 calls: the tie goes to the spelling first in code-point order
            assertThat(callsByKey(report, "source", "medium", "campaign"))
                    .containsExactlyInAnyOrderEntriesOf(Map.of(List.of("GOOGLE", "CPC", "WINTER"), 6L));
            assertThat(report.get("totals").get("calls").asLong()).isEqualTo(6);
        } finally {
            server.close();
        }
    }

    private static JsonNode ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private static Map<List<String>, Long> callsByKey(JsonNode report, String... fields) {
        Map<List<String>, Long> out = new LinkedHashMap<>();
        for (JsonNode row : report.get("rows")) {
            List<String> key = new ArrayList<>();
            for (String field : fields) {
                JsonNode v = row.get("key").get(field);
                key.add(v.isNull() ? null : v.asText());
            }
            out.put(key, row.get("calls").asLong());
        }
        return out;
    }

    private static List<JsonNode> callLog(ReportFixture f, String source, String medium, String campaign) {
        StringBuilder q = new StringBuilder("/calls?limit=500");
        for (String[] p : new String[][] {{"source", source}, {"medium", medium}, {"campaign", campaign}}) {
            if (p[1] != null) {
                q.append('&').append(p[0]).append('=').append(URLEncoder.encode(p[1], StandardCharsets.UTF_8));
            }
        }
        List<JsonNode> calls = new ArrayList<>();
        ok(f.get(q.toString())).get("calls").forEach(calls::add);
        return calls;
    }

    private void awaitVisitsEnded() throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (openVisits() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(openVisits()).isZero();
    }

    private long openVisits() throws Exception {
        try (Connection c = DriverManager.getConnection(ConfigLoader.defaultH2Url(dir));
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
