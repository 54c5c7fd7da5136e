package io.ringpool.download;

import io.ringpool.account.AccessApi;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import io.ringpool.export.CsvWriter;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.report.ReportApi;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The report tables as spreadsheets (audit AI4 F16): {@code GET …/reports/{sources,devices,paths,
 * daily,time}.csv} take the JSON report's parameters (range, model, groupBy, sort, limit) and are
 * written from its very answer, so a file has exactly the rows and figures the same query shows.
 * A report is a few hundred rows at most (its {@code limit}), so it is computed whole, as the JSON.
 */
public final class ReportDownload {
    private static final Map<String, String> KEY_TITLES = Map.ofEntries(Map.entry("source", "Source"), Map.entry("medium", "Medium"),
            Map.entry("campaign", "Campaign"), Map.entry("term", "Keyword"), Map.entry("content", "Content"),
            Map.entry("channel", "Channel"), Map.entry("landingPage", "Landing page"), Map.entry("device", "Device"),
            Map.entry("browser", "Browser"), Map.entry("os", "OS"));
    /** Aggregates' metrics in their order, with the dashboard's words. */
    private static final List<Map.Entry<String, String>> METRICS = List.of(Map.entry("visits", "Visits"), Map.entry("calls", "Calls"),
            Map.entry("uniqueCalls", "Unique calls"), Map.entry("targetCalls", "Target calls"),
            Map.entry("uniqueTargetCalls", "Unique target calls"), Map.entry("leads", "Leads"), Map.entry("uniqueLeads", "Unique leads"),
            Map.entry("contacts", "Contacts"), Map.entry("conversion", "Conversion (calls / visits)"));

    private final ReportApi reports;
    private final AccessApi access;

    public ReportDownload(ReportApi reports, AccessApi access) {
        this.reports = reports;
        this.access = access;
    }

    public void routes(Router router) {
        router.get("/v1/sites/{siteId}/reports/sources.csv", access.site(Permission.REPORTS,
                (r, g) -> grouped(g, "sources", SpreadsheetCsv.layout(r), reports.sources(SpreadsheetCsv.withoutLayout(r), g))));
        router.get("/v1/sites/{siteId}/reports/devices.csv", access.site(Permission.REPORTS,
                (r, g) -> grouped(g, "devices", SpreadsheetCsv.layout(r), reports.devices(SpreadsheetCsv.withoutLayout(r), g))));
        router.get("/v1/sites/{siteId}/reports/paths.csv", access.site(Permission.REPORTS, this::paths));
        router.get("/v1/sites/{siteId}/reports/daily.csv", access.site(Permission.REPORTS, this::daily));
        router.get("/v1/sites/{siteId}/reports/time.csv", access.site(Permission.REPORTS, this::time));
    }

    /** One row per group: its key fields, then the metrics; the totals last, as "Total". */
    @SuppressWarnings("unchecked")
    private Response grouped(SiteGrant grant, String report, SpreadsheetCsv.Layout layout, Map<String, Object> body) {
        List<String> groupBy = (List<String>) body.get("groupBy");
        String kind = report + "-by-" + String.join("-", groupBy);
        return file(grant, kind, body, layout, csv -> {
            List<String> header = new ArrayList<>();
            groupBy.forEach(k -> header.add(KEY_TITLES.getOrDefault(k, k)));
            METRICS.forEach(m -> header.add(m.getValue()));
            csv.header(header.toArray(String[]::new));
            long rows = 0;
            for (Map<String, Object> row : (List<Map<String, Object>>) body.get("rows")) {
                Map<String, Object> key = (Map<String, Object>) row.get("key");
                for (String k : groupBy) {
                    csv.text(text(key.get(k)));
                }
                metrics(csv, row);
                rows++;
            }
            csv.text("Total");
            for (int i = 1; i < groupBy.size(); i++) {
                csv.value("");
            }
            metrics(csv, (Map<String, Object>) body.get("totals"));
            return rows;
        });
    }

    private static void metrics(CsvWriter csv, Map<String, Object> figures) throws IOException {
        for (Map.Entry<String, String> m : METRICS) {
            csv.number(text(figures.get(m.getKey())));
        }
        csv.endRow();
    }

    @SuppressWarnings("unchecked")
    private Response paths(Request request, SiteGrant grant) {
        SpreadsheetCsv.Layout layout = SpreadsheetCsv.layout(request);
        Map<String, Object> body = reports.paths(SpreadsheetCsv.withoutLayout(request), grant);
        return file(grant, "paths", body, layout, csv -> {
            csv.header("Path", "Steps", "Calls", "Target calls", "Unique calls", "Leads", "Unique leads", "Visitors");
            long rows = 0;
            for (Map<String, Object> row : (List<Map<String, Object>>) body.get("rows")) {
                csv.text(text(row.get("path"))).value(text(row.get("steps") instanceof List<?> l ? l.size() : row.get("steps")))
                        .value(text(row.get("calls"))).value(text(row.get("targetCalls"))).value(text(row.get("uniqueCalls")))
                        .value(text(row.get("leads"))).value(text(row.get("uniqueLeads"))).value(text(row.get("visitors"))).endRow();
                rows++;
            }
            return rows;
        });
    }

    /** One row per day: visits, calls, target calls, leads, then calls per channel. */
    @SuppressWarnings("unchecked")
    private Response daily(Request request, SiteGrant grant) {
        SpreadsheetCsv.Layout layout = SpreadsheetCsv.layout(request);
        Map<String, Object> body = reports.daily(SpreadsheetCsv.withoutLayout(request), grant);
        Map<String, long[]> byChannel = (Map<String, long[]>) body.get("callsByChannel");
        List<String> channels = byChannel.keySet().stream().sorted().toList();
        return file(grant, "daily", body, layout, csv -> {
            List<String> header = new ArrayList<>(List.of("Day", "Visits", "Calls", "Target calls", "Leads"));
            channels.forEach(c -> header.add("Calls: " + c));
            csv.header(header.toArray(String[]::new));
            List<String> days = (List<String>) body.get("days");
            long[] visits = (long[]) body.get("visits");
            long[] calls = (long[]) body.get("calls");
            long[] target = (long[]) body.get("targetCalls");
            long[] leads = (long[]) body.get("leads");
            for (int d = 0; d < days.size(); d++) {
                csv.value(days.get(d)).value(Long.toString(visits[d])).value(Long.toString(calls[d])).value(Long.toString(target[d]))
                        .value(Long.toString(leads[d]));
                for (String c : channels) {
                    csv.value(Long.toString(byChannel.get(c)[d]));
                }
                csv.endRow();
            }
            return days.size();
        });
    }

    /** The heatmap: calls by weekday (rows) and hour of the day (columns), in the site's zone. */
    @SuppressWarnings("unchecked")
    private Response time(Request request, SiteGrant grant) {
        SpreadsheetCsv.Layout layout = SpreadsheetCsv.layout(request);
        Map<String, Object> body = reports.time(SpreadsheetCsv.withoutLayout(request), grant);
        return file(grant, "calls-by-hour", body, layout, csv -> {
            List<String> header = new ArrayList<>(List.of("Weekday"));
            for (int h = 0; h < 24; h++) {
                header.add(String.format("%02d:00", h));
            }
            header.add("Total");
            csv.header(header.toArray(String[]::new));
            List<String> weekdays = (List<String>) body.get("weekdays");
            long[][] calls = (long[][]) body.get("calls");
            for (int w = 0; w < weekdays.size(); w++) {
                csv.value(weekdays.get(w));
                long total = 0;
                for (long n : calls[w]) {
                    csv.value(Long.toString(n));
                    total += n;
                }
                csv.value(Long.toString(total)).endRow();
            }
            return weekdays.size();
        });
    }

    private static Response file(SiteGrant grant, String kind, Map<String, Object> body, SpreadsheetCsv.Layout layout,
            SpreadsheetCsv.Rows rows) {
        return SpreadsheetCsv.response(grant.site(), kind, (Instant) body.get("from"), (Instant) body.get("to"), layout, rows);
    }

    private static String text(Object v) {
        return CallLogDownload.text(v);
    }
}
