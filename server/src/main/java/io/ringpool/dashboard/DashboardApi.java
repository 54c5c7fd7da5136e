package io.ringpool.dashboard;

import io.ringpool.failure.DomainFailure;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.http.StaticAsset;
import io.ringpool.site.Keys;
import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.Unauthenticated;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The marketer's dashboard: a single page at {@code /dashboard/} with its script and styles, the
 * chart library (uPlot, from its WebJar on the classpath: no CDN, works offline), and
 * {@code GET /v1/dashboard/site}, which tells the page whose site key it was given, so signing in
 * needs only the key. The page then talks to the public API with that key.
 */
public final class DashboardApi {
    /** The WebJar's files, as packaged by webjars.org for uPlot 1.6.30. */
    static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";

    private final SiteRegistry sites;
    private final Map<String, StaticAsset> files = new LinkedHashMap<>();
    private final StaticAsset index;

    public DashboardApi(SiteRegistry sites) {
        this.sites = sites;
        // Page files revalidate every time (they change with the server); the library is versioned.
        String revalidate = "no-cache";
        this.index = new StaticAsset("/dashboard/index.html", "text/html; charset=utf-8", revalidate);
        files.put("app.js", new StaticAsset("/dashboard/app.js", "application/javascript; charset=utf-8", revalidate));
        files.put("app.css", new StaticAsset("/dashboard/app.css", "text/css; charset=utf-8", revalidate));
        files.put("accounts.js", new StaticAsset("/dashboard/accounts.js", "application/javascript; charset=utf-8", revalidate));
        files.put("favicon.svg", new StaticAsset("/dashboard/favicon.svg", "image/svg+xml", "public, max-age=86400"));
        files.put("recordings.js", new StaticAsset("/dashboard/recordings.js", "application/javascript; charset=utf-8", revalidate));
        files.put("recordings.css", new StaticAsset("/dashboard/recordings.css", "text/css; charset=utf-8", revalidate));
        files.put("details.js", new StaticAsset("/dashboard/details.js", "application/javascript; charset=utf-8", revalidate));
        files.put("edits.js", new StaticAsset("/dashboard/edits.js", "application/javascript; charset=utf-8", revalidate));
        files.put("details.css", new StaticAsset("/dashboard/details.css", "text/css; charset=utf-8", revalidate));
        // The dashboard on a phone: the logs as cards, tap-sized controls (session 45).
        files.put("phone.css", new StaticAsset("/dashboard/phone.css", "text/css; charset=utf-8", revalidate));
        // CSV downloads of the tables (audit AI4 F16) and the credited source in the call log (F14).
        files.put("downloads.js", new StaticAsset("/dashboard/downloads.js", "application/javascript; charset=utf-8", revalidate));
        files.put("credit.js", new StaticAsset("/dashboard/credit.js", "application/javascript; charset=utf-8", revalidate));
        // Webhooks, feeds and upload destinations (issue 12), on a page of their own.
        files.put("integrations.html", new StaticAsset("/dashboard/integrations.html", "text/html; charset=utf-8", revalidate));
        files.put("integrations.js", new StaticAsset("/dashboard/integrations.js", "application/javascript; charset=utf-8", revalidate));
        files.put("uPlot.min.js", new StaticAsset(UPLOT + "uPlot.iife.min.js", "application/javascript; charset=utf-8", "public, max-age=86400"));
        files.put("uPlot.min.css", new StaticAsset(UPLOT + "uPlot.min.css", "text/css; charset=utf-8", "public, max-age=86400"));
    }

    public void routes(Router router) {
        // The server's front door is the dashboard; browsers ask every host for /favicon.ico.
        router.get("/", request -> new Response(302, null, new byte[0], Map.of("Location", "/dashboard/")));
        router.get("/favicon.ico", request -> files.get("favicon.svg").serve(request));
        router.get("/dashboard", this::page);
        router.get("/dashboard/{file}", this::file);
        router.get("/v1/dashboard/site", this::site);
    }

    private Response page(Request request) {
        if (!request.path().endsWith("/")) {
            // Relative asset URLs need the trailing slash.
            return new Response(301, null, new byte[0], Map.of("Location", "/dashboard/"));
        }
        return security(index.serve(request));
    }

    private Response file(Request request) {
        StaticAsset f = files.get(request.pathParam("file"));
        if (f == null) {
            throw DomainFailure.notFound("file");
        }
        Response r = f.serve(request);
        return request.pathParam("file").endsWith(".html") ? security(r) : r;
    }

    /**
     * Whose key is this: {@code {"siteId", "name", "timeZone", "currency", "country"}} (the country
     * reads numbers typed locally); 401 for any other token.
     */
    private Response site(Request request) {
        QueryParameters.none(request);
        String token = request.bearerToken();
        if (token == null) {
            throw new Unauthenticated();
        }
        Site site = sites.byApiKeyHash(Keys.sha256Hex(token)).map(SiteRegistry.Entry::site)
                .orElseThrow(Unauthenticated::new);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("siteId", site.siteId());
        out.put("name", site.name());
        out.put("timeZone", site.settings().timeZone().getId());
        out.put("currency", site.settings().currency());
        out.put("country", site.settings().country());
        return Response.ok(out).withHeader("Cache-Control", "no-store");
    }

    /** The page loads nothing from elsewhere; say so to the browser too. */
    static Response security(Response r) {
        return r.withHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
                .withHeader("Referrer-Policy", "no-referrer");
    }
}
