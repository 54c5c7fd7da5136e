package io.ringpool.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.failure.DomainFailure;
import io.ringpool.failure.FailureLog;
import io.ringpool.http.HttpServer;
import io.ringpool.http.Router;
import io.ringpool.http.StaticAsset;
import io.ringpool.store.ConstraintViolationException;
import io.ringpool.store.StoreException;
import io.ringpool.store.StoreOverloadedException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of the application, kept apart from the composition root so that {@link Ringpool}
 * builds components without speaking HTTP: the route table (every {@code *Api}'s routes, in the
 * order given, plus the site script), the answers for the store's faults, and the server.
 */
public final class RingpoolApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RingpoolApi.class);

    private final Router router = new Router();
    // Cached an hour (the script changes only with the server); any page may load it.
    private final StaticAsset script = new StaticAsset("/static/ringpool.js", "application/javascript; charset=utf-8",
            "public, max-age=3600", Map.of("Access-Control-Allow-Origin", "*"));
    private HttpServer server;

    RingpoolApi() {
        router.get("/s.js", script::serve);
    }

    /** Declares an {@code *Api}'s routes (pass its {@code routes} method); before {@link #start} only. */
    void add(Consumer<Router> api) {
        api.accept(router);
    }

    /**
     * Takes the port without accepting connections yet (routes may still be added); returns the
     * port bound.
     *
     * @param isSiteOrigin whether a browser origin belongs to any site (CORS preflights); must not block
     * @throws HttpServer.PortInUse when another process listens there
     */
    int bind(RingpoolConfig.Server config, Predicate<String> isSiteOrigin, Executor workers, MeterRegistry registry,
            io.ringpool.security.TrustedProxies proxies, RingpoolConfig.Security security, java.time.Clock clock,
            Executor reportWorkers) throws InterruptedException {
        io.ringpool.http.Protections protections = new io.ringpool.http.Protections(proxies,
                new io.ringpool.http.AuthFailureThrottle(security.authFailuresBeforeSlowdown(), security.authFailuresBeforeBlock(), clock,
                        registry, CREDENTIAL_KINDS),
                new io.ringpool.http.ReportLane(RingpoolApi::isReportRoute, reportWorkers, config.reportConcurrencyPerKey(),
                        config.reportYield().toMillis(), config.reportSharePercent() / 100.0),
                RingpoolApi::needsCredentials, RingpoolApi::presentedCredential);
        server = new HttpServer(config, router, isSiteOrigin::test, RingpoolApi::storeFailure, workers, registry, protections);
        try {
            return server.bind();
        } catch (HttpServer.PortInUse e) {
            throw new StartupFailure(e.getMessage()); // the operator's one line, without the HTTP layer's type
        }
    }

    /** Starts accepting connections on the port {@link #bind} took; every route must be declared by now. */
    void open() {
        server.open();
    }

    /**
     * Routes whose work is long and read-only: reports, exports, and whatever serves a CSV (feeds, the logs' downloads).
     * They run on the report lane, apart from the workers.
     */
    static boolean isReportRoute(Router.Route route) {
        String template = route.template();
        return "GET".equals(route.method())
                && (template.contains("/reports/") || template.contains("/exports/") || template.contains("/feeds/")
                        || template.endsWith(".csv"));
    }

    /**
     * Routes that answer 401 to a request with neither a bearer token nor a cookie, so such a
     * request is refused from its headers, before its body is read (RequestGate): every route of
     * the admin API but those that take a body from someone not signed in yet (signing in, the
     * one-time invite and password-reset links). The site script and telephony webhooks
     * authenticate by their body and are never of this kind.
     */
    static boolean needsCredentials(Router.Route route) {
        String template = route.template();
        return io.ringpool.http.RouteKind.of(template) == io.ringpool.http.RouteKind.ADMIN
                && template.startsWith("/v1/")
                && !PUBLIC_BODY_ROUTES.contains(template);
    }

    /**
     * What the request carried that can be a wrong credential (null: nothing), so that its 401 counts
     * against the address (AuthFailureThrottle): an {@code Authorization} header (keys, the metrics
     * token, a feed's or a provider's Basic credentials), a signed-event signature, a recording's
     * playback link, or a password (the body of a sign-in or of accepting an invitation). A request
     * with none of them, such as a dashboard tab that polls on after its session ended, guesses
     * nothing: counting it let ~30 of them lock an office's shared address out, its admin key and
     * correct sign-ins included (audit K #5). The session cookie is not counted either: the tab
     * that polls on still sends its dead session's cookie, and a session token is 32 random
     * characters, which no one guesses by trying.
     */
    static String presentedCredential(io.ringpool.http.Request request) {
        if (PASSWORD_ROUTES.contains(request.route()) && request.body() != null && request.body().length > 0) {
            return "password";
        }
        String authorization = request.header("authorization");
        if (authorization != null && !authorization.isBlank()) {
            String route = String.valueOf(request.route());
            if (route.equals("/metrics")) {
                return "metrics_token";
            }
            if (route.startsWith("/v1/telephony/")) {
                return "provider_signature"; // a provider's Basic credentials or signed JWT
            }
            if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                return "basic"; // a feed's password
            }
            return bearerKind(request.bearerToken(), route);
        }
        if (request.header(io.ringpool.telephony.RingpoolSignature.HEADER.toLowerCase(java.util.Locale.ROOT)) != null) {
            return "event_signature";
        }
        return request.queryParam("access") != null ? "playback_link" : null;
    }

    /**
     * What a wrong bearer token was, as far as its shape tells (audit T #2): site keys all start
     * {@code sk_}; any other token is a guess at the admin key only where the admin key opens the
     * route, so on a signed-in person's own routes and the dashboard's site-key check it is named
     * for what it is, a bearer token of no shape the route takes. A header that is no bearer token
     * at all (another scheme, or {@code Bearer} with nothing after it) guesses no key.
     */
    private static String bearerKind(String token, String route) {
        if (token == null) {
            return "other_authorization";
        }
        if (token.regionMatches(true, 0, "sk_", 0, 3)) {
            return "site_key";
        }
        return NO_ADMIN_KEY_ROUTES.contains(route) ? "other_bearer" : "admin_key";
    }

    /** The kinds {@link #presentedCredential} names: ringpool_auth_failures_total's series, each at 0 from the start. */
    static final List<String> CREDENTIAL_KINDS = List.of("admin_key", "site_key", "other_bearer", "other_authorization",
            "metrics_token", "password", "basic", "provider_signature", "event_signature", "playback_link");

    /**
     * Routes no admin key opens: a signed-in person's own (a session cookie alone) and
     * {@code GET /v1/dashboard/site}, which tells the dashboard whose site key it was given.
     */
    static final java.util.Set<String> NO_ADMIN_KEY_ROUTES = java.util.Set.of("/v1/auth/logout", "/v1/me", "/v1/me/sessions",
            "/v1/me/sessions/{sessionId}", "/v1/me/password", "/v1/dashboard/site");

    /** Routes whose 401 answers a wrong password in the body. */
    private static final java.util.Set<String> PASSWORD_ROUTES = java.util.Set.of("/v1/auth/login", "/v1/invites/{token}");

    private static final java.util.Set<String> PUBLIC_BODY_ROUTES = java.util.Set.of("/v1/auth/login", "/v1/invites/{token}",
            "/v1/password-resets/{token}");

    /** Every route as declared, for tests that hold the documentation to the router. */
    public List<Router.Route> routes() {
        return router.routes();
    }

    int scriptGzippedSize() {
        return script.gzippedSize();
    }

    /** The store's faults as the failures clients see: a lost race is a conflict, an outage or overload worth retrying in a second. */
    static DomainFailure storeFailure(Throwable failure) {
        if (failure instanceof StoreOverloadedException) {
            return new DomainFailure(DomainFailure.Kind.UNAVAILABLE, "overloaded", "the store cannot keep up right now; retry later",
                    null, 1);
        }
        if (failure instanceof ConstraintViolationException) {
            // Two requests raced to make or remove the same thing and this one's checks ran before
            // the other committed: the store is fine, so it is the client's conflict, not an outage.
            LOG.warn("concurrent_change reason={}", failure.toString());
            return new DomainFailure(DomainFailure.Kind.CONFLICT, "concurrent_change",
                    "another request changed the same data at the same moment; read it again and retry", null, null);
        }
        if (failure instanceof StoreException) {
            FailureLog.SHARED.warn(LOG, "store_unavailable", failure); // one per refused request otherwise
            return new DomainFailure(DomainFailure.Kind.UNAVAILABLE, "store_unavailable", "the store is unavailable; retry later",
                    null, 1);
        }
        return null;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
