package io.ringpool.download;

import io.ringpool.account.AccessApi;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import io.ringpool.export.CsvWriter;
import io.ringpool.export.TagList;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.lead.LeadApi;
import io.ringpool.lead.LeadQuery;
import io.ringpool.lead.LeadService;
import io.ringpool.lead.StoredLead;
import io.ringpool.site.Site;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/sites/{siteId}/leads.csv}: the lead log as a spreadsheet (audit AI4 F16), with the
 * JSON log's filters, permission and masking (a viewer gets phones and e-mails masked and no name
 * or message, as in {@code GET …/leads}), read in pages of the log's largest page. Newest first.
 */
public final class LeadLogDownload {
    static final Set<String> PARAMETERS = CallLogDownload.without(LeadApi.LOG_PARAMETERS, "limit", "cursor");

    private final LeadService leads;
    private final AccessApi access;

    public LeadLogDownload(LeadService leads, AccessApi access) {
        this.leads = leads;
        this.access = access;
    }

    public void routes(Router router) {
        router.get("/v1/sites/{siteId}/leads.csv", access.site(Permission.LEAD_LOG, this::download));
    }

    private Response download(Request request, SiteGrant grant) {
        Site site = grant.site();
        SpreadsheetCsv.Layout layout = SpreadsheetCsv.layout(request);
        LeadQuery asked = LeadApi.query(SpreadsheetCsv.withoutLayout(request), site, PARAMETERS);
        LeadQuery first = new LeadQuery(asked.siteId(), asked.from(), asked.to(), asked.equalities(), asked.tag(), LeadQuery.MAX_LIMIT, null);
        ZoneId zone = site.settings().timeZone();
        return SpreadsheetCsv.response(site, "leads", first.from(), first.to(), layout, csv -> {
            csv.header("Time (" + zone.getId() + ")", "Kind", "Submissions", "Unique", "Name", "Phone", "E-mail", "Message", "Source",
                    "Medium", "Campaign", "Keyword", "Channel", "Page", "Attribution", "Status", "Value", "Currency", "Tags", "Lead id");
            long rows = 0;
            LeadQuery page = first;
            while (page != null) {
                LeadService.Page read = leads.log(page);
                for (StoredLead lead : read.leads()) {
                    row(csv, LeadApi.shown(read, lead, grant), zone);
                    rows++;
                }
                page = read.next() == null ? null
                        : new LeadQuery(page.siteId(), page.from(), page.to(), page.equalities(), page.tag(), page.limit(), read.next());
            }
            return rows;
        });
    }

    @SuppressWarnings("unchecked")
    private static void row(CsvWriter csv, Map<String, Object> l, ZoneId zone) throws java.io.IOException {
        Map<String, Object> a = (Map<String, Object>) l.get("attribution");
        csv.value(SpreadsheetCsv.localTime((Instant) l.get("at"), zone)).value(text(l.get("kind"))).value(text(l.get("submissions")))
                .value(CallLogDownload.yesNo(l.get("unique"))).text(text(l.get("name"))).phone(text(l.get("phone")))
                .text(text(l.get("email"))).text(text(l.get("message")))
                .text(text(a.get("source"))).text(text(a.get("medium"))).text(text(a.get("campaign"))).text(text(a.get("term")))
                .text(text(a.get("channel"))).text(text(l.get("url"))).value(text(a.get("method"))).value(text(l.get("status")))
                .number(text(l.get("value"))).value(text(l.get("currency"))).text(TagList.cell((List<String>) l.get("tags")))
                .text(text(l.get("leadId"))).endRow();
    }

    private static String text(Object v) {
        return CallLogDownload.text(v);
    }
}
