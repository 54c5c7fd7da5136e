package io.ringpool.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringpool.http.ApiException;
import io.ringpool.http.Json;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.Site;
import io.ringpool.site.SiteAccess;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The report endpoints (site key). Every parameter is validated: unknown parameters, group-by and
 * sort fields outside the allow-list are 400; malformed values 422; each error names the parameter.
 */
public final class ReportApi {
    /** Writes nulls: a row key {@code {"campaign": null}} means "no campaign", and must be visible. */
    private static final ObjectMapper WITH_NULLS = Json.MAPPER.copy()
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS));

    static final Set<Dimension> SOURCE_FIELDS = EnumSet.allOf(Dimension.class);
    static final Set<Dimension> DEVICE_FIELDS = EnumSet.of(Dimension.DEVICE, Dimension.BROWSER, Dimension.OS);
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1_000;

    private final ReportService reports;
    private final SiteAccess access;

    public ReportApi(ReportService reports, SiteAccess access) {
        this.reports = reports;
        this.access = access;
    }

    public void routes(Router router) {
        router.get("/v1/sites/{siteId}/reports/sources", r -> grouped(r, SOURCE_FIELDS, List.of(Dimension.SOURCE, Dimension.MEDIUM)));
        router.get("/v1/sites/{siteId}/reports/devices", r -> grouped(r, DEVICE_FIELDS, List.of(Dimension.DEVICE)));
        router.get("/v1/sites/{siteId}/reports/time", this::time);
        router.get("/v1/sites/{siteId}/reports/daily", this::daily);
        router.get("/v1/sites/{siteId}/reports/paths", this::paths);
        router.get("/v1/sites/{siteId}/reports/pools", this::pools);
    }

    private Response grouped(Request request, Set<Dimension> allowed, List<Dimension> defaults) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        ReportRange.rejectUnknown(request, Set.of("from", "to", "groupBy", "model", "sort", "order", "limit"));
        ReportRange range = ReportRange.of(request, site.settings().timeZone(), reports.now());
        List<Dimension> groupBy = groupBy(request.queryParam("groupBy"), allowed, defaults);
        String sort = request.queryParam("sort") == null || request.queryParam("sort").isBlank() ? "calls" : request.queryParam("sort").trim();
        if (!Aggregates.METRICS.contains(sort) && groupBy.stream().noneMatch(d -> d.wireName().equals(sort))) {
            throw new ApiException(400, "invalid_sort", "'sort' must be one of " + String.join(", ", Aggregates.METRICS)
                    + " or a groupBy field", "sort");
        }
        String order = request.queryParam("order");
        boolean ascending;
        if (order == null || order.isBlank()) {
            ascending = groupBy.stream().anyMatch(d -> d.wireName().equals(sort));
        } else if (order.equalsIgnoreCase("asc") || order.equalsIgnoreCase("desc")) {
            ascending = order.equalsIgnoreCase("asc");
        } else {
            throw new ApiException(400, "invalid_order", "'order' must be asc or desc", "order");
        }
        Model model = Model.parse(request.queryParam("model"));
        return json(reports.sources(site, range, model, groupBy, sort, ascending, limit(request, DEFAULT_LIMIT)));
    }

    private Response time(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        ReportRange.rejectUnknown(request, Set.of("from", "to"));
        return json(reports.time(site, ReportRange.of(request, site.settings().timeZone(), reports.now())));
    }

    private Response daily(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        ReportRange.rejectUnknown(request, Set.of("from", "to", "model"));
        ReportRange range = ReportRange.of(request, site.settings().timeZone(), reports.now());
        return json(reports.daily(site, range, Model.parse(request.queryParam("model"))));
    }

    private Response paths(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        ReportRange.rejectUnknown(request, Set.of("from", "to", "limit"));
        ReportRange range = ReportRange.of(request, site.settings().timeZone(), reports.now());
        return json(reports.paths(site, range, limit(request, 50)));
    }

    private Response pools(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        ReportRange.rejectUnknown(request, Set.of("from", "to", "bucketMinutes"));
        ReportRange range = ReportRange.of(request, site.settings().timeZone(), reports.now());
        long span = range.to() - range.from();
        long bucket;
        String text = request.queryParam("bucketMinutes");
        if (text == null || text.isBlank()) {
            // About 100–700 points: a quarter hour up to two days, hours up to a month, else days.
            bucket = span <= 2 * 86_400_000L ? 900_000L : span <= 31 * 86_400_000L ? 3_600_000L : 86_400_000L;
        } else {
            long minutes;
            try {
                minutes = Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                minutes = -1;
            }
            if (minutes < 1 || minutes > 1440) {
                throw ApiException.invalid("bucketMinutes", "'bucketMinutes' must be a whole number from 1 to 1440");
            }
            bucket = minutes * 60_000L;
            if (span / bucket > 5_000) {
                throw ApiException.invalid("bucketMinutes", "'bucketMinutes' makes more than 5000 buckets for this range");
            }
        }
        return json(reports.pools(site, range, bucket));
    }

    static List<Dimension> groupBy(String text, Set<Dimension> allowed, List<Dimension> defaults) {
        if (text == null || text.isBlank()) {
            return defaults;
        }
        List<Dimension> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            Dimension d = Dimension.byWireName(part).filter(allowed::contains).orElseThrow(() -> new ApiException(400, "invalid_group_by",
                    "'groupBy' may name only " + String.join(", ", allowed.stream().map(Dimension::wireName).toList())
                            + "; got '" + part.trim() + "'", "groupBy"));
            if (!out.contains(d)) {
                out.add(d);
            }
        }
        if (out.isEmpty()) {
            return defaults;
        }
        return out;
    }

    private static int limit(Request request, int defaultLimit) {
        String text = request.queryParam("limit");
        if (text == null || text.isBlank()) {
            return defaultLimit;
        }
        int limit;
        try {
            limit = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.invalid("limit", "'limit' must be a whole number from 1 to " + MAX_LIMIT);
        }
        return limit;
    }

    static Response json(Map<String, Object> body) {
        try {
            return new Response(200, Response.JSON, WITH_NULLS.writeValueAsBytes(body), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode report", e);
        }
    }

}
