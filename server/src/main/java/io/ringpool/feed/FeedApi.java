package io.ringpool.feed;

import io.ringpool.failure.DomainFailure;
import io.ringpool.http.Json;
import io.ringpool.http.JsonBody;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.SiteAccess;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Feed routes. Site key: {@code POST /v1/sites/{siteId}/feeds} {@code {"format", "windowDays",
 * "conversionName"}} → 201 {@code {"feedId", "url", "username", "password"}} (the password once);
 * {@code GET} the list; {@code DELETE …/feeds/{feedId}} revokes. Public, HTTP Basic:
 * {@code GET /v1/feeds/{feedId}.csv} → the CSV, or 401 with a {@code WWW-Authenticate} challenge.
 */
public final class FeedApi {
    private final FeedService feeds;
    private final SiteAccess access;

    public FeedApi(FeedService feeds, SiteAccess access) {
        this.feeds = feeds;
        this.access = access;
    }

    public void routes(Router router) {
        router.post("/v1/sites/{siteId}/feeds", this::create);
        router.get("/v1/sites/{siteId}/feeds", this::list);
        router.delete("/v1/sites/{siteId}/feeds/{feedId}", this::revoke);
        router.get("/v1/feeds/{file}", this::fetch);
    }

    private Response create(Request request) {
        String siteId = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site().siteId();
        JsonBody body = Json.parseObject(request.body()).rejectUnknown(Set.of("format", "windowDays", "conversionName"));
        FeedService.Created created = feeds.create(siteId, new FeedService.NewFeed(body.requiredString("format", 40),
                body.optionalInt("windowDays", 1, 10_000), body.optionalString("conversionName", 100)));
        Map<String, Object> out = view(created.feed());
        out.put("username", created.username());
        out.put("password", created.password());
        return Response.created(out);
    }

    private Response list(Request request) {
        String siteId = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site().siteId();
        return Response.ok(Map.of("feeds", feeds.list(siteId).stream().map(this::view).toList()));
    }

    private Response revoke(Request request) {
        String siteId = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site().siteId();
        feeds.revoke(siteId, request.pathParam("feedId"));
        return Response.noContent();
    }

    private Response fetch(Request request) {
        String file = request.pathParam("file");
        String feedId = file.endsWith(".csv") ? file.substring(0, file.length() - 4) : file;
        String[] credentials = basic(request.header("authorization"));
        ByteArrayOutputStream csv = new ByteArrayOutputStream(8 * 1024);
        FeedService.Fetched fetched;
        try {
            fetched = feeds.fetch(feedId, credentials[0], credentials[1], csv);
        } catch (DomainFailure e) {
            if (e.kind() != DomainFailure.Kind.UNAUTHENTICATED) {
                throw e;
            }
            return Response.error(401, e.code(), e.getMessage())
                    .withHeader("WWW-Authenticate", "Basic realm=\"Ringpool feed\", charset=\"UTF-8\"");
        }
        return new Response(200, "text/csv; charset=utf-8", csv.toByteArray(), Map.of(
                "Content-Disposition", "inline; filename=\"" + fetched.feed().format() + ".csv\"",
                "Cache-Control", "no-store",
                "X-Ringpool-Exported-Rows", Long.toString(fetched.result().rows()),
                "X-Ringpool-Skipped-Rows", Long.toString(fetched.result().skipped())));
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
        out.put("url", feeds.url(f));
        out.put("username", f.username());
        out.put("createdAt", f.createdAt());
        out.put("lastFetchAt", f.lastFetchAt());
        out.put("fetchCount", f.fetchCount());
        return out;
    }
}
