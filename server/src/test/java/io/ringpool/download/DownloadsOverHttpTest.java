package io.ringpool.download;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.account.TestAccounts;
import io.ringpool.app.TestServer;
import io.ringpool.call.Signing;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AI4 F16 and F11 over HTTP: the call log, the lead log and the report tables come as CSV
 * with the JSON's filters, rows and masking, spreadsheet-safe, with a BOM for Excel; every file is
 * named after its site (a Cyrillic name in {@code filename*}, transliterated in {@code filename}).
 */
class DownloadsOverHttpTest {
    static final String CALLER = "+79161234567";
    static final String FORMULA = "=1+2";

    @TempDir
    static Path dir;

    static TestServer server;
    static TestAccounts accounts;
    static TestAccounts.Person owner;
    static TestAccounts.Person viewer;
    static String siteId;
    static String callId;
    static Map<String, String> site;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
        accounts = new TestAccounts(server);
        Map<String, Object> ws = accounts.ownedWorkspace("Agency", "owner@dl.test");
        String workspaceId = (String) ws.get("workspaceId");
        owner = (TestAccounts.Person) ws.get("owner");
        site = accounts.site(workspaceId, owner, "Мебель Плюс");
        siteId = site.get("siteId");
        assertThat(accounts.as(owner, "POST", "/v1/sites/" + siteId + "/pools", Map.of("name", "Google", "numbers", List.of("+74950000701")))
                .status()).isEqualTo(201);
        viewer = accounts.member(workspaceId, owner, "viewer@dl.test", "viewer");
        TestServer.Reply visit = server.startSession(site.get("publicKey"), null,
                "https://example.com/?utm_source=google&utm_medium=cpc&utm_campaign=%D0%B4%D0%B8%D0%B2%D0%B0%D0%BD%D1%8B");
        assertThat(visit.status()).as(visit.body()).isIn(200, 201);
        TestServer.Reply lead = server.post("/v1/sites/" + siteId + "/leads", site.get("apiKey"), Map.of("kind", "form", "phone", CALLER,
                "name", "Ольга", "message", "-1+1", "sessionId", visit.text("sessionId")));
        assertThat(lead.status()).as(lead.body()).isEqualTo(201);
        server.clock.advance(Duration.ofSeconds(30));
        String event = "{\"callId\":\"dl-1\",\"event\":\"completed\",\"from\":\"" + CALLER + "\",\"to\":\"" + visit.text("number")
                + "\",\"talkSeconds\":95}";
        TestServer.Reply call = server.send("POST", "/v1/telephony/" + siteId + "/events", null, event, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), event)));
        assertThat(call.status()).as(call.body()).isEqualTo(200);
        callId = call.text("callId");
        assertThat(accounts.as(owner, "PATCH", "/v1/sites/" + siteId + "/calls/" + callId, Map.of("tags", List.of(FORMULA, "Продажа")))
                .status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static TestServer.Reply get(TestAccounts.Person p, String path) {
        return accounts.as(p, "GET", "/v1/sites/" + siteId + path, null);
    }

    /** The CSV's records (RFC 4180) after checking the BOM. */
    static List<List<String>> csv(TestServer.Reply r) {
        return csv(r, ',');
    }

    static List<List<String>> csv(TestServer.Reply r, char separator) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().get("content-type").get(0)).isEqualTo("text/csv; charset=utf-8");
        assertThat(r.body()).startsWith("\uFEFF");
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        String s = r.body().substring(1);
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == separator) {
                row.add(cell.toString());
                cell.setLength(0);
            } else if (c == '\r') {
                continue;
            } else if (c == '\n') {
                row.add(cell.toString());
                cell.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else {
                cell.append(c);
            }
        }
        return rows;
    }

    static String column(List<List<String>> rows, int row, String name) {
        return rows.get(row).get(rows.get(0).indexOf(name));
    }

    @Test
    void theCallLogComesAsCsvWithTheJsonLogsCallsAndFilters() {
        // The one call of CALLER (another test adds calls of other callers).
        String q = "from=2020-01-01&to=2030-01-01&caller=" + CALLER.substring(1);
        JsonNode json = get(owner, "/calls?" + q).json();
        List<List<String>> rows = csv(get(owner, "/calls.csv?" + q));
        assertThat(rows).hasSize(1 + json.get("calls").size()).hasSize(2);
        assertThat(column(rows, 1, "Call id")).isEqualTo(callId);
        assertThat(column(rows, 1, "Caller")).isEqualTo(CALLER);
        assertThat(column(rows, 1, "Source")).isEqualTo("google");
        assertThat(column(rows, 1, "Campaign")).isEqualTo("диваны");
        assertThat(column(rows, 1, "Talk seconds")).isEqualTo("95");
        // The same filters as the log: a status it does not have gives the header alone, a bad one the log's 422.
        assertThat(csv(get(owner, "/calls.csv?" + q + "&status=missed"))).hasSize(1);
        assertThat(get(owner, "/calls.csv?status=nope").status()).isEqualTo(422);
        assertThat(get(owner, "/calls.csv?limit=5").status()).isEqualTo(400);
    }

    /**
     * Audit AN2 F7: Excel splits a double-clicked CSV on the Windows list separator, ';' wherever the
     * decimal mark is a comma (a Russian marketer, the product's main user): the files opened as
     * one column. ?separator=semicolon writes ';' and decimal commas; the default stays as it was.
     */
    @Test
    void aSpreadsheetForALocaleWithDecimalCommasIsSemicolonSeparated() {
        String q = "from=2020-01-01&to=2030-01-01&caller=" + CALLER.substring(1);
        assertThat(accounts.as(owner, "PATCH", "/v1/sites/" + siteId + "/calls/" + callId, Map.of("value", 1500.5)).status())
                .isEqualTo(200);
        TestServer.Reply semicolons = get(owner, "/calls.csv?" + q + "&separator=semicolon");
        List<List<String>> rows = csv(semicolons, ';');
        assertThat(rows.get(0)).as("one cell per column, not one line in column A").contains("Caller", "Value", "Call id");
        assertThat(column(rows, 1, "Value")).isEqualTo("1500,5");
        assertThat(column(rows, 1, "Campaign")).isEqualTo("диваны");
        assertThat(column(csv(get(owner, "/calls.csv?" + q)), 1, "Value")).as("the default is unchanged").isEqualTo("1500.5");

        List<List<String>> leads = csv(get(owner, "/leads.csv?separator=semicolon"), ';');
        assertThat(leads.get(0)).contains("Phone", "Lead id");
        List<List<String>> report = csv(get(owner, "/reports/sources.csv?groupBy=source&separator=semicolon"), ';');
        assertThat(report.get(0)).contains("Source", "Calls", "Conversion (calls / visits)");
        assertThat(report.get(report.size() - 1).get(report.get(0).indexOf("Conversion (calls / visits)"))).doesNotContain(".");
        assertThat(csv(get(owner, "/reports/daily.csv?separator=semicolon"), ';').get(0)).contains("Day", "Visits");

        TestServer.Reply bad = get(owner, "/calls.csv?separator=tab");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().at("/error/field").asText()).isEqualTo("separator");
    }

    @Test
    void freeTextThatASpreadsheetWouldRunIsNeutralised() {
        List<List<String>> rows = csv(get(owner, "/calls.csv?caller=" + CALLER.substring(1)));
        assertThat(column(rows, 1, "Tags")).isEqualTo("'" + FORMULA + ",Продажа");
        List<List<String>> leads = csv(get(owner, "/leads.csv"));
        assertThat(column(leads, 1, "Message")).isEqualTo("'-1+1");
    }

    @Test
    void aViewerGetsTheMaskingTheJsonGives() {
        String masked = get(viewer, "/calls").json().at("/calls/0/caller").asText();
        assertThat(masked).contains("*");
        List<List<String>> rows = csv(get(viewer, "/calls.csv"));
        assertThat(column(rows, 1, "Caller")).endsWith(masked).doesNotContain(CALLER);
        assertThat(get(viewer, "/calls.csv?caller=" + CALLER.substring(1)).status()).isEqualTo(403);
        List<List<String>> leads = csv(get(viewer, "/leads.csv"));
        assertThat(column(leads, 1, "Name")).isEmpty();
        assertThat(column(leads, 1, "Phone")).contains("*").doesNotContain(CALLER);
        assertThat(column(csv(get(owner, "/leads.csv")), 1, "Name")).isEqualTo("Ольга");
    }

    @Test
    void aReportTableHasTheJsonReportsRowsAndTotals() {
        String q = "?groupBy=source,medium,campaign&model=last_non_direct";
        JsonNode json = get(owner, "/reports/sources" + q).json();
        List<List<String>> rows = csv(get(owner, "/reports/sources.csv" + q));
        assertThat(rows.get(0).subList(0, 4)).containsExactly("Source", "Medium", "Campaign", "Visits");
        assertThat(rows).hasSize(1 + json.get("rows").size() + 1);
        assertThat(rows.get(1).subList(0, 5)).containsExactly(json.at("/rows/0/key/source").asText(), json.at("/rows/0/key/medium").asText(),
                json.at("/rows/0/key/campaign").asText(), json.at("/rows/0/visits").asText(), json.at("/rows/0/calls").asText());
        assertThat(rows.get(rows.size() - 1).get(0)).isEqualTo("Total");
        for (String report : List.of("devices", "paths", "daily", "time")) {
            assertThat(csv(get(owner, "/reports/" + report + ".csv"))).as(report).isNotEmpty();
        }
    }

    /** More calls than one page of the log (500): the file walks every page, each call once, newest first. */
    @Test
    void aLogLongerThanOnePageComesWholeInLogOrder() {
        String from = "from=" + server.clock.instant().toString().replace(":", "%3A");
        for (int i = 0; i < 510; i++) {
            server.clock.advance(Duration.ofSeconds(1));
            String event = "{\"callId\":\"page-" + i + "\",\"event\":\"completed\",\"from\":\"+7916555" + String.format("%04d", i)
                    + "\",\"to\":\"+74950000701\",\"talkSeconds\":10}";
            TestServer.Reply r = server.send("POST", "/v1/telephony/" + siteId + "/events", null, event, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), event)));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        List<List<String>> rows = csv(get(owner, "/calls.csv?" + from));
        List<String> callers = rows.subList(1, rows.size()).stream().map(r -> r.get(rows.get(0).indexOf("Caller"))).toList();
        assertThat(callers).hasSize(510).doesNotHaveDuplicates();
        assertThat(callers.get(0)).isEqualTo("+79165550509");
        assertThat(callers.get(509)).isEqualTo("+79165550000");
    }

    @Test
    void everyDownloadIsNamedAfterItsSite() {
        String calls = get(owner, "/calls.csv?from=2026-11-07&to=2026-12-06").headers().get("content-disposition").get(0);
        assertThat(calls).isEqualTo("attachment; filename=\"calls_Mebel-Plyus_2026-11-07_2026-12-06.csv\"; filename*=UTF-8''calls_"
                + "%D0%9C%D0%B5%D0%B1%D0%B5%D0%BB%D1%8C-%D0%9F%D0%BB%D1%8E%D1%81_2026-11-07_2026-12-06.csv");
        String export = get(owner, "/exports/google-ads-clicks.csv?from=2026-11-07&to=2026-12-06").headers().get("content-disposition").get(0);
        assertThat(export).startsWith("attachment; filename=\"google-ads-clicks_Mebel-Plyus_2026-11-07_2026-12-06.csv\"; filename*=");
        assertThat(get(owner, "/leads.csv").headers().get("content-disposition").get(0)).contains("leads_Mebel-Plyus_");
        assertThat(get(owner, "/reports/sources.csv").headers().get("content-disposition").get(0)).contains("sources-by-source-medium_Mebel-Plyus_");
    }
}
