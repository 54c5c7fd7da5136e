package io.ringpool.dashboard;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.http.StaticAsset;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolState;
import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code GET /demo}: a small shop's page for the demo site, with the site's own number in its text
 * and {@code tel:} links and the real site script, so a first-time user sees the number swapped
 * without writing a page, and a box that says what happened and how to simulate the call. Built
 * per request from the site as it is now (its name, number and pools); it holds the site's public
 * key, which every page of a site shows anyway, and nothing else of the site's.
 */
public final class DemoPage {
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    private final SiteRegistry sites;
    private final PoolRegistry pools;
    private final String demoSiteId;
    private final String template;
    private final StaticAsset script = new StaticAsset("/demo/demo.js", "application/javascript; charset=utf-8", "no-cache");
    private final StaticAsset styles = new StaticAsset("/demo/demo.css", "text/css; charset=utf-8", "no-cache");

    /** @param demoSiteId the demo site's id; the page answers 404 while no site has it */
    public DemoPage(SiteRegistry sites, PoolRegistry pools, String demoSiteId) {
        this.sites = sites;
        this.pools = pools;
        this.demoSiteId = demoSiteId;
        try (InputStream in = DemoPage.class.getResourceAsStream("/demo/page.html")) {
            this.template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void routes(Router router) {
        router.get("/demo", this::page);
        router.get("/demo/demo.js", script::serve);
        router.get("/demo/demo.css", styles::serve);
    }

    private Response page(Request request) {
        Optional<Site> demo = sites.byId(demoSiteId).map(SiteRegistry.Entry::site);
        if (demo.isEmpty()) {
            // As any path the server does not have: the demo site was deleted, or never seeded.
            return Response.error(404, "not_found", "no such endpoint: " + request.path());
        }
        Site site = demo.get();
        String number = site.settings().defaultNumber();
        String host = request.header("host");
        String html = template
                .replace("{{name}}", escape(site.name()))
                .replace("{{siteId}}", escape(site.siteId()))
                .replace("{{publicKey}}", escape(site.publicKey()))
                .replace("{{number}}", escape(number))
                .replace("{{numberShown}}", escape(shown(number)))
                .replace("{{origin}}", escape("http://" + (host == null || host.isBlank() ? "localhost:8080" : host)))
                .replace("{{pools}}", poolList(site.siteId()));
        Response page = new Response(200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8),
                Map.of("Cache-Control", "no-store"));
        return DashboardApi.security(page);
    }

    /** The number as a shop writes it ({@code +7 495 139-91-93}), which the script must find and keep the format of. */
    static String shown(String e164) {
        try {
            return PHONES.format(PHONES.parse(e164, null), PhoneNumberUtil.PhoneNumberFormat.INTERNATIONAL);
        } catch (NumberParseException e) {
            return e164;
        }
    }

    private String poolList(String siteId) {
        var list = pools.ofSite(siteId);
        if (list.isEmpty()) {
            return "<li>The site has no pool, so every visitor keeps the site's own number.</li>";
        }
        return list.stream().map(PoolState::pool).map(p -> "<li><b>" + escape(p.name()) + "</b>: "
                + (p.match().rules().isEmpty() ? "any visit" : "visits with " + escape(p.match().rules().entrySet().stream()
                        .sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + " = " + e.getValue())
                        .collect(Collectors.joining(", "))))
                + "</li>").collect(Collectors.joining("\n      "));
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
