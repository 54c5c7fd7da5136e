package io.ringpool.export;

import io.ringpool.account.AccessApi;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import io.ringpool.call.CallFilterParameters;
import io.ringpool.failure.DomainFailure;
import io.ringpool.http.DownloadName;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.Site;
import io.ringpool.report.ReportRange;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/sites/{siteId}/exports/{format}.csv} (site key).
 *
 * <p>Rows go to the client as they are read from the database (a streamed response: no size
 * limit, memory bounded whatever the number of calls). The counts are known only at the end:
 * {@code X-Ringpool-Exported-Rows}, {@code X-Ringpool-Skipped-Rows} (calls and leads left out for
 * lack of the format's id; a call still under way, which the conversion formats leave out until it
 * ends, is in neither count), and of these the leads: {@code X-Ringpool-Exported-Leads},
 * {@code X-Ringpool-Skipped-Leads}. An export that fits in the HTTP layer's first megabyte is sent
 * whole with them as headers; a longer one is sent chunked with them as trailers. A failure once
 * rows have gone out cuts the transfer short (the client sees an incomplete chunked body).
 */
public final class ExportApi {
    static final Set<String> PARAMETERS = Set.of("from", "to", "tag", "target", "unique", "uniqueTarget", "conversionName", "idType",
            "leads", "leadConversionName", "status", "method", "caller", "ambiguous");
    private static final int TAG_CHARS = 50;
    private static final int CONVERSION_NAME_CHARS = 100;

    private final ExportService exports;
    private final AccessApi access;
    private final Clock clock;

    public ExportApi(ExportService exports, AccessApi access, Clock clock) {
        this.exports = exports;
        this.access = access;
        this.clock = clock;
    }

    public void routes(Router router) {
        router.get("/v1/sites/{siteId}/exports/{file}", access.site(Permission.EXPORTS, this::export));
    }

    private Response export(Request request, SiteGrant grant) {
        Site site = grant.site();
        String file = request.pathParam("file");
        ExportFormat format = file.endsWith(".csv")
                ? ExportFormat.byUrlName(file.substring(0, file.length() - 4)).orElse(null) : null;
        if (format == null) {
            throw new DomainFailure(DomainFailure.Kind.NOT_FOUND, "unknown_format", "no such export; formats: " + String.join(", ",
                    Arrays.stream(ExportFormat.values()).map(f -> f.urlName() + ".csv").toList()));
        }
        ExportQuery query = query(format, request, site);
        LocalDate first = query.range().firstDay();
        LocalDate last = query.range().lastDay();
        // The site in the name: three clients' exports must not all be google-ads-clicks_<range>.csv (audit AI4 F11).
        String name = DownloadName.of(format.urlName(), site.name(), site.siteId(), first + "_" + last, "csv");
        return Response.streamed(200, "text/csv; charset=utf-8", Map.of(
                "Content-Disposition", DownloadName.contentDisposition("attachment", name),
                "Cache-Control", "no-store"), COUNT_HEADERS, out -> counts(exports.write(site, query, out)));
    }

    static final List<String> COUNT_HEADERS = List.of("X-Ringpool-Exported-Rows", "X-Ringpool-Skipped-Rows", "X-Ringpool-Exported-Leads",
            "X-Ringpool-Skipped-Leads");

    private static Map<String, String> counts(ExportService.Result result) {
        return Map.of(
                "X-Ringpool-Exported-Rows", Long.toString(result.rows()),
                "X-Ringpool-Skipped-Rows", Long.toString(result.skipped()),
                "X-Ringpool-Exported-Leads", Long.toString(result.leadRows()),
                "X-Ringpool-Skipped-Leads", Long.toString(result.leadsSkipped()));
    }

    /** The query string as an {@link ExportQuery}; 400 for an unknown parameter, 422 naming a bad value. */
    private ExportQuery query(ExportFormat format, Request request, Site site) {
        QueryParameters q = QueryParameters.of(request, PARAMETERS);
        QueryParameters.Range given = q.range(site.settings().timeZone());
        ReportRange range = ReportRange.of(given.from(), given.to(), site.settings().timeZone(), clock.instant());
        Boolean leads = q.bool("leads");
        format.refuseLeadsWithoutPlace(leads);
        return new ExportQuery(format, range, q.text("tag", TAG_CHARS), q.bool("target"), q.bool("unique"), q.bool("uniqueTarget"),
                q.line("conversionName", CONVERSION_NAME_CHARS),
                q.choice("idType", ExportQuery.IdType.class, ExportQuery.IdType::wireName, null), leads,
                q.line("leadConversionName", CONVERSION_NAME_CHARS), CallFilterParameters.status(q), CallFilterParameters.method(q),
                CallFilterParameters.caller(q, site), q.bool("ambiguous"));
    }

}
