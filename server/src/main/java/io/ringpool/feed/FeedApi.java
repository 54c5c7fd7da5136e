package io.ringpool.feed;

import io.ringpool.account.CreatedBy;
import io.ringpool.account.AccessApi;
import io.ringpool.account.AuditLog;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import io.ringpool.call.CallFilterParameters;
import io.ringpool.export.ExportFilters;
import io.ringpool.export.ExportQuery;
import io.ringpool.export.ExportService;
import io.ringpool.failure.DomainFailure;
import io.ringpool.http.JsonBody;
import io.ringpool.http.PlainText;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Feed routes. Site key: {@code POST /v1/sites/{siteId}/feeds} {@code {"format", "windowDays",
 * "conversionName", "layout"}} and the export's filters ({@code "tag", "target", "unique", "uniqueTarget",
 * "idType", "leads", "leadConversionName"}, the call log's {@code "status", "method", "caller"}, and {@code "ambiguous"}) → 201 {@code {"feedId", "url", "username", "password"}} (the password once);
 * {@code GET} the list; {@code DELETE …/feeds/{feedId}} revokes. Public, HTTP Basic:
 * {@code GET /v1/feeds/{feedId}.csv} → the CSV, or 401 with a {@code WWW-Authenticate} challenge.
 */
public final class FeedApi {
    private static final Set<String> FIELDS = Set.of("format", "windowDays", "conversionName", "layout", "tag", "target", "unique",
            "uniqueTarget", "idType", "leads", "leadConversionName", "status", "method", "caller", "ambiguous");
    /** A tag's length, as everywhere: code points. */
    private static final int TAG_CHARS = 50;
    /** As the call log's {@code caller} parameter takes it. */
    private static final int CALLER_CHARS = 64;

    private final FeedService feeds;
    private final AccessApi access;
    private final AuditLog audit;

    public FeedApi(FeedService feeds, AccessApi access, AuditLog audit) {
        this.feeds = feeds;
        this.access = access;
        this.audit = audit;
    }

    public void routes(Router router) {
        router.post("/v1/sites/{siteId}/feeds", access.site(Permission.WEBHOOKS, this::create));
        router.get("/v1/sites/{siteId}/feeds", access.site(Permission.WEBHOOKS, this::list));
        router.delete("/v1/sites/{siteId}/feeds/{feedId}", access.site(Permission.WEBHOOKS, this::revoke));
        router.get("/v1/feeds/{file}", this::fetch);
    }

    private Response create(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        JsonBody body = JsonBody.of(request).rejectUnknown(FIELDS);
        FeedService.Created created = feeds.create(siteId, new FeedService.NewFeed(body.requiredString("format", 40),
                body.optionalInt("windowDays", 1, FeedService.MAX_WINDOW_DAYS), name(body, "conversionName"),
                given(body, "layout", 40), filters(body), given(body, "caller", CALLER_CHARS)),
                CreatedBy.of(grant.caller()));
        Feed f = created.feed();
        // Never the password: the log says who can now download what, not how.
        audit.onSite(grant.caller(), siteId, request.clientIp(), "feed.create", f.feedId(),
                f.format() + " (" + f.layout().wireName() + " layout), last " + f.windowDays() + " days, username " + created.username());
        Map<String, Object> out = view(f);
        out.put("username", created.username());
        out.put("password", created.password());
        return Response.created(out);
    }

    /**
     * An optional text that, when given, says something: an empty one was read as "not given", so a
     * feed made with {@code "caller": ""} held every caller's calls and {@code "conversionName": ""}
     * the default name (audit AH1), as empty query values were before session 42.
     */
    private static String given(JsonBody body, String field, int maxLength) {
        String value = body.optionalString(field, maxLength);
        if (value != null && value.isEmpty()) {
            throw DomainFailure.invalid(field, "'" + field + "' must not be empty: leave it out for the default");
        }
        return value;
    }

    /**
     * A conversion name as {@link #given} reads it, one line: it is written into every row of the
     * feed's CSV, and a line break or tab names no conversion action (audit AK2 F1).
     */
    private static String name(JsonBody body, String field) {
        String value = given(body, field, 100);
        return value == null ? null : PlainText.requireOneLine(value, field);
    }

    /**
     * The export's filters under the names of its query string, so a feed is "this export, fetched
     * on a schedule": {@code "target": true} makes a feed of target calls only, as
     * {@code ?target=true} does a download. The caller is written as the site's country reads it
     * ({@link FeedService#create}), so it is passed on beside them.
     */
    private static ExportFilters filters(JsonBody body) {
        String tag = body.optionalString("tag", 200);
        if (tag != null) {
            tag = tag.strip();
            if (tag.isEmpty() || tag.codePointCount(0, tag.length()) > TAG_CHARS) {
                throw DomainFailure.invalid("tag", "'tag' must be 1 to " + TAG_CHARS + " characters");
            }
        }
        String idTypeName = body.optionalString("idType", 20);
        ExportQuery.IdType idType = null;
        if (idTypeName != null) {
            idType = Arrays.stream(ExportQuery.IdType.values()).filter(t -> t.wireName().equals(idTypeName)).findFirst()
                    .orElseThrow(() -> DomainFailure.invalid("idType", "'idType' must be one of "
                            + String.join(", ", Arrays.stream(ExportQuery.IdType.values()).map(ExportQuery.IdType::wireName).toList())));
        }
        String leadConversionName = name(body, "leadConversionName");
        return new ExportFilters(tag, body.optionalBoolean("target"), body.optionalBoolean("unique"), body.optionalBoolean("uniqueTarget"),
                idType, body.optionalBoolean("leads"), leadConversionName == null ? null : leadConversionName.strip(),
                CallFilterParameters.status(body.optionalString("status", 20)), CallFilterParameters.method(body.optionalString("method", 20)),
                null, body.optionalBoolean("ambiguous"));
    }

    private Response list(Request request, SiteGrant grant) {
        QueryParameters.none(request);
        String siteId = grant.siteId();
        return Response.ok(Map.of("feeds", feeds.list(siteId).stream().map(this::view).toList()));
    }

    private Response revoke(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        feeds.revoke(siteId, request.pathParam("feedId"));
        audit.onSite(grant.caller(), siteId, request.clientIp(), "feed.revoke", request.pathParam("feedId"), null);
        return Response.noContent();
    }

    private Response fetch(Request request) {
        String file = request.pathParam("file");
        String feedId = file.endsWith(".csv") ? file.substring(0, file.length() - 4) : file;
        String[] credentials = basic(request.header("authorization"));
        FeedService.Opened opened;
        try {
            opened = feeds.open(feedId, credentials[0], credentials[1]);
        } catch (DomainFailure e) {
            if (e.kind() != DomainFailure.Kind.UNAUTHENTICATED) {
                throw e;
            }
            return Response.error(401, e.code(), e.getMessage())
                    .withHeader("WWW-Authenticate", "Basic realm=\"Ringpool feed\", charset=\"UTF-8\"");
        }
        // A feed's filters were fixed when it was made: a filter added to its link would be ignored,
        // and the platform would import rows its owner meant to leave out (audit Z1 #4).
        for (String name : request.query().keySet()) {
            throw new DomainFailure(DomainFailure.Kind.MALFORMED, "unknown_parameter", "unknown query parameter '" + name
                    + "'; a feed takes none: its filters are fixed when it is created (make another feed for other filters)", name);
        }
        // Streamed as the exports are: whole with the counts as headers up to 1 MiB, chunked with them as trailers beyond.
        return Response.streamed(200, "text/csv; charset=utf-8", Map.of(
                "Content-Disposition", io.ringpool.http.DownloadName.contentDisposition("inline", io.ringpool.http.DownloadName.of(
                        opened.feed().format(), opened.site().name(), opened.site().siteId(), null, "csv")),
                "Cache-Control", "no-store"), List.of("X-Ringpool-Exported-Rows", "X-Ringpool-Skipped-Rows"), out -> {
                    ExportService.Result result = feeds.write(opened, out);
                    return Map.of("X-Ringpool-Exported-Rows", Long.toString(result.rows()),
                            "X-Ringpool-Skipped-Rows", Long.toString(result.skipped()));
                });
    }

    /** {@code [username, password]} of a Basic header; nulls when absent or malformed. */
    static String[] basic(String header) {
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return new String[] {null, null};
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? new String[] {decoded, null} : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return new String[] {null, null};
        }
    }

    private Map<String, Object> view(Feed f) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("feedId", f.feedId());
        out.put("format", f.format());
        out.put("windowDays", f.windowDays());
        out.put("conversionName", f.conversionName());
        out.put("layout", f.layout().wireName());
        ExportFilters x = f.filters();
        out.put("tag", x.tag());
        out.put("target", x.target());
        out.put("unique", x.unique());
        out.put("uniqueTarget", x.uniqueTarget());
        out.put("idType", x.idType() == null ? null : x.idType().wireName());
        out.put("leads", x.leads());
        out.put("leadConversionName", x.leadConversionName());
        out.put("status", x.status() == null ? null : x.status().wireName());
        out.put("method", x.method() == null ? null : x.method().wireName());
        out.put("caller", x.caller());
        out.put("ambiguous", x.ambiguous());
        out.put("url", feeds.url(f));
        out.put("username", f.username());
        out.put("createdAt", f.createdAt());
        // Who made it (audit AM2 F10): a person's feeds end with their right to manage the site; null: made before this was kept.
        out.put("createdBy", f.createdBy() == null ? null : f.createdBy().view());
        out.put("lastFetchAt", f.lastFetchAt());
        out.put("fetchCount", f.fetchCount());
        return out;
    }
}
