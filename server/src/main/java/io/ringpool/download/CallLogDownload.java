package io.ringpool.download;

import io.ringpool.account.AccessApi;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import io.ringpool.call.CallApi;
import io.ringpool.call.CallQuery;
import io.ringpool.call.CallService;
import io.ringpool.call.StoredCall;
import io.ringpool.export.CsvWriter;
import io.ringpool.export.TagList;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.Site;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/sites/{siteId}/calls.csv}: the call log as a spreadsheet (audit AI4 F16), with the
 * JSON log's filters, permission and masking: each row is the call as {@code GET …/calls} shows it
 * to the same person (a viewer's callers masked), read in pages of the log's largest page, so a
 * site with 100,000 calls is never held in memory. Newest first, as the log.
 */
public final class CallLogDownload {
    /** The log's filters; neither {@code limit} nor {@code cursor}: the file holds every matching call. */
    static final Set<String> PARAMETERS = without(CallApi.LOG_PARAMETERS, "limit", "cursor");

    private final CallService calls;
    private final AccessApi access;

    public CallLogDownload(CallService calls, AccessApi access) {
        this.calls = calls;
        this.access = access;
    }

    public void routes(Router router) {
        router.get("/v1/sites/{siteId}/calls.csv", access.site(Permission.CALL_LOG, this::download));
    }

    private Response download(Request request, SiteGrant grant) {
        Site site = grant.site();
        // Read before the answer starts, so a bad filter is a 400/422 rather than a cut-off file.
        SpreadsheetCsv.Layout layout = SpreadsheetCsv.layout(request);
        CallQuery first = CallApi.query(SpreadsheetCsv.withoutLayout(request), site, grant.masksCallers(), PARAMETERS)
                .withLimit(CallQuery.MAX_LIMIT);
        ZoneId zone = site.settings().timeZone();
        return SpreadsheetCsv.response(site, "calls", first.from(), first.to(), layout, csv -> {
            csv.header("Time (" + zone.getId() + ")", "Caller", "Tracking number", "Source", "Medium", "Campaign", "Keyword", "Channel",
                    "Landing page", "Attribution", "Status", "Target", "Unique", "Talk seconds", "Duration seconds", "Value", "Currency",
                    "Tags", "Reviewed", "Note", "Call id");
            long rows = 0;
            CallQuery page = first;
            while (page != null) {
                CallService.Page read = calls.log(page);
                for (StoredCall call : read.calls()) {
                    row(csv, CallApi.view(call, grant), zone);
                    rows++;
                }
                page = read.next() == null ? null : page.after(read.next());
            }
            return rows;
        });
    }

    @SuppressWarnings("unchecked")
    private static void row(CsvWriter csv, Map<String, Object> c, ZoneId zone) throws java.io.IOException {
        Map<String, Object> a = (Map<String, Object>) c.get("attribution");
        csv.value(SpreadsheetCsv.localTime((Instant) c.get("startedAt"), zone))
                .phone(text(c.get("caller"))).phone(text(c.get("number")))
                .text(text(a.get("source"))).text(text(a.get("medium"))).text(text(a.get("campaign"))).text(text(a.get("term")))
                .text(text(a.get("channel"))).text(text(a.get("landingPage"))).value(text(a.get("method")))
                .value(text(c.get("status"))).value(yesNo(c.get("target"))).value(yesNo(c.get("unique")))
                .value(text(c.get("talkSeconds"))).value(text(c.get("durationSeconds"))).number(text(c.get("value")))
                .value(text(c.get("currency"))).text(TagList.cell((List<String>) c.get("tags"))).value(yesNo(c.get("reviewed")))
                .text(text(c.get("note"))).text(text(c.get("callId"))).endRow();
    }

    static String text(Object v) {
        return v == null ? "" : v.toString();
    }

    static String yesNo(Object v) {
        return v == null ? "" : Boolean.TRUE.equals(v) ? "yes" : "no";
    }

    static Set<String> without(Set<String> all, String... dropped) {
        Set<String> out = new HashSet<>(all);
        out.removeAll(List.of(dropped));
        return Set.copyOf(out);
    }
}
