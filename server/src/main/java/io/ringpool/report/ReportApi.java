package io.ringpool.report;

import io.ringpool.account.AccessApi;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import io.ringpool.failure.DomainFailure;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.Site;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The report endpoints (site key). Every parameter is read through {@link QueryParameters}: an
 * unknown parameter is 400, and so is a {@code groupBy} or {@code sort} naming a field outside the
 * allow-list (it names something the report does not know); a value that cannot be used is 422.
 * Each error names the parameter. Bodies keep null fields: a row key {@code {"campaign": null}}
 * means "no campaign", and must be visible.
 */
public final class ReportApi {
    static final Set<Dimension> SOURCE_FIELDS = EnumSet.allOf(Dimension.class);
    static final Set<Dimension> DEVICE_FIELDS = EnumSet.of(Dimension.DEVICE, Dimension.BROWSER, Dimension.OS);
    static final int DEFAULT_LIMIT = 100;
    static final int DEFAULT_PATHS = 50;
    static final int MAX_LIMIT = 1_000;
    /** Longest bucket of the pools report: a day. */
    static final int MAX_BUCKET_MINUTES = 1440;
    /**
     * Most pool × bucket rows one pool report holds: a site of PoolService.MAX_POOLS_PER_SITE pools
     * over the longest range (ReportRange.MAX_DAYS) in daily buckets, about 15 MB of answer.
     */
    static final long MAX_POOL_ROWS = 40_000;
    /** Most buckets one pools report draws: beyond a few thousand points a chart shows nothing more. */
    static final long MAX_BUCKETS = 5_000;

    private static final Map<String, Boolean> ASCENDING = new TreeMap<>(Map.of("asc", true, "desc", false));

    private final ReportService reports;
    private final AccessApi access;

    public ReportApi(ReportService reports, AccessApi access) {
        this.reports = reports;
        this.access = access;
    }

    public void routes(Router router) {
        router.get("/v1/sites/{siteId}/reports/sources", access.site(Permission.REPORTS, (r, g) -> Response.json(200, sources(r, g))));
        router.get("/v1/sites/{siteId}/reports/devices", access.site(Permission.REPORTS, (r, g) -> Response.json(200, devices(r, g))));
        router.get("/v1/sites/{siteId}/reports/time", access.site(Permission.REPORTS, (r, g) -> Response.json(200, time(r, g))));
        router.get("/v1/sites/{siteId}/reports/daily", access.site(Permission.REPORTS, (r, g) -> Response.json(200, daily(r, g))));
        router.get("/v1/sites/{siteId}/reports/paths", access.site(Permission.REPORTS, (r, g) -> Response.json(200, paths(r, g))));
        router.get("/v1/sites/{siteId}/reports/pools", access.site(Permission.REPORTS, this::pools));
    }

    /** {@code reports/sources}' body: its CSV (download.ReportDownload) is written from the same answer. */
    public Map<String, Object> sources(Request request, SiteGrant grant) {
        return grouped(request, grant, SOURCE_FIELDS, List.of(Dimension.SOURCE, Dimension.MEDIUM));
    }

    public Map<String, Object> devices(Request request, SiteGrant grant) {
        return grouped(request, grant, DEVICE_FIELDS, List.of(Dimension.DEVICE));
    }

    private Map<String, Object> grouped(Request request, SiteGrant grant, Set<Dimension> allowed, List<Dimension> defaults) {
        Site site = grant.site();
        QueryParameters q = QueryParameters.of(request, Set.of("from", "to", "groupBy", "model", "sort", "order", "limit"));
        ReportRange range = range(q, site);
        List<Dimension> groupBy = groupBy(q.list("groupBy", Dimension.COUNT), allowed, defaults);
        String sort = q.text("sort") == null ? "calls" : q.text("sort");
        boolean byKey = groupBy.stream().anyMatch(d -> d.wireName().equals(sort));
        if (!Aggregates.METRICS.contains(sort) && !byKey) {
            throw new DomainFailure(DomainFailure.Kind.MALFORMED, "invalid_sort", "'sort' must be one of "
                    + String.join(", ", Aggregates.METRICS) + " or a groupBy field", "sort");
        }
        // Keys read best A to Z, figures biggest first.
        boolean ascending = q.choice("order", ASCENDING, byKey);
        Model model = model(q);
        return reports.sources(site, range, model, groupBy, sort, ascending, q.limit("limit", DEFAULT_LIMIT, MAX_LIMIT));
    }

    public Map<String, Object> time(Request request, SiteGrant grant) {
        Site site = grant.site();
        QueryParameters q = QueryParameters.of(request, Set.of("from", "to"));
        return reports.time(site, range(q, site));
    }

    public Map<String, Object> daily(Request request, SiteGrant grant) {
        Site site = grant.site();
        QueryParameters q = QueryParameters.of(request, Set.of("from", "to", "model"));
        return reports.daily(site, range(q, site), model(q));
    }

    public Map<String, Object> paths(Request request, SiteGrant grant) {
        Site site = grant.site();
        QueryParameters q = QueryParameters.of(request, Set.of("from", "to", "limit"));
        return reports.paths(site, range(q, site), q.limit("limit", DEFAULT_PATHS, MAX_LIMIT));
    }

    private Response pools(Request request, SiteGrant grant) {
        Site site = grant.site();
        QueryParameters q = QueryParameters.of(request, Set.of("from", "to", "bucketMinutes"));
        ReportRange range = range(q, site);
        long span = range.to() - range.from();
        long minutes = q.integer("bucketMinutes", 0, 1, MAX_BUCKET_MINUTES);
        // The answer is a row per pool and bucket, built in memory: the bound is on their product
        // (audit AK2 F0: 300 pools × 4,937 buckets ran a 512 MB heap out and the server exited).
        long pools = Math.max(1, reports.poolCount(site));
        long bucket;
        if (minutes == 0) {
            // About 100–700 points a pool: a quarter hour up to two days, hours up to a month, else
            // days; coarser while the site's pools would make too many rows.
            bucket = span <= 2 * 86_400_000L ? 900_000L : span <= 31 * 86_400_000L ? 3_600_000L : 86_400_000L;
            while (bucket < 86_400_000L && buckets(span, bucket) * pools > MAX_POOL_ROWS) {
                bucket = bucket == 900_000L ? 3_600_000L : 86_400_000L;
            }
            if (buckets(span, bucket) * pools > MAX_POOL_ROWS) {
                // Days too, for a site with hundreds of pools (retired ones count: they have history).
                throw DomainFailure.invalid("from", "the site's " + pools + " pools make more than " + MAX_POOL_ROWS
                        + " pool × day rows over this range; take at most " + Math.max(1, MAX_POOL_ROWS / pools) + " days");
            }
        } else {
            bucket = minutes * 60_000L;
            if (span / bucket > MAX_BUCKETS) {
                throw DomainFailure.invalid("bucketMinutes", "'bucketMinutes' makes more than " + MAX_BUCKETS
                        + " buckets for this range");
            }
            if (buckets(span, bucket) * pools > MAX_POOL_ROWS) {
                long least = Math.min(MAX_BUCKET_MINUTES, Math.ceilDiv(Math.ceilDiv(span * pools, MAX_POOL_ROWS), 60_000L));
                throw DomainFailure.invalid("bucketMinutes", "'bucketMinutes' makes " + buckets(span, bucket) + " buckets for each of the site's "
                        + pools + " pools, more than " + MAX_POOL_ROWS + " rows in all; take at least " + least
                        + " minutes, or a shorter range");
            }
        }
        return Response.json(200, reports.pools(site, range, bucket));
    }

    private static long buckets(long span, long bucket) {
        return Math.ceilDiv(span, bucket);
    }

    /** {@code from}/{@code to} in the site's time zone, defaulting to the last 30 days. */
    private ReportRange range(QueryParameters q, Site site) {
        QueryParameters.Range given = q.range(site.settings().timeZone());
        return ReportRange.of(given.from(), given.to(), site.settings().timeZone(), reports.now());
    }

    private static Model model(QueryParameters q) {
        return q.choice("model", Model.class, Model::wireName, Model.LAST_NON_DIRECT);
    }

    static List<Dimension> groupBy(List<String> names, Set<Dimension> allowed, List<Dimension> defaults) {
        List<Dimension> out = new ArrayList<>();
        for (String name : names) {
            Dimension d = Dimension.byWireName(name).filter(allowed::contains).orElseThrow(() -> new DomainFailure(
                    DomainFailure.Kind.MALFORMED, "invalid_group_by", "'groupBy' may name only "
                            + String.join(", ", allowed.stream().map(Dimension::wireName).toList()) + "; got '" + name + "'",
                    "groupBy"));
            if (!out.contains(d)) {
                out.add(d);
            }
        }
        return out.isEmpty() ? defaults : out;
    }
}
