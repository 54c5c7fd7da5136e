package io.ringpool.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.http.StaticAsset;
import io.ringpool.store.Database;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What an operator or load balancer polls: health (checks the store) and Prometheus metrics; and
 * the OpenAPI document of every route (a resource file, kept equal to the router by a test).
 */
final class OpsApi {
    private final Database db;
    private final PrometheusMeterRegistry registry;
    private final IntSupplier liveSessions;
    private final Supplier<Map<String, Object>> asterisk;
    // Revalidated on every use (ETag): the document changes with the server's version.
    private final StaticAsset openApi = new StaticAsset("/openapi.json", Response.JSON, "no-cache");

    /** SHA-256 of the metrics token, or null when /metrics is public. */
    private final byte[] metricsTokenHash;

    OpsApi(Database db, PrometheusMeterRegistry registry, IntSupplier liveSessions) {
        this(db, registry, liveSessions, Map::of, "");
    }

    /**
     * @param asterisk     each site's AMI connection state; shown, but not part of up/down (a PBX is the customer's)
     * @param metricsToken the bearer token /metrics requires; empty = public
     */
    OpsApi(Database db, PrometheusMeterRegistry registry, IntSupplier liveSessions, Supplier<Map<String, Object>> asterisk,
            String metricsToken) {
        this.metricsTokenHash = metricsToken.isEmpty() ? null : io.ringpool.site.Keys.sha256(metricsToken);
        this.db = db;
        this.registry = registry;
        this.liveSessions = liveSessions;
        this.asterisk = asterisk;
    }

    void routes(Router router) {
        router.get("/health", this::health);
        router.get("/metrics", this::metrics);
        router.get("/v1/openapi.json", openApi::serve);
    }

    private Response health(Request request) {
        boolean up = db.isHealthy();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", up ? "up" : "down");
        out.put("store", up ? "up" : "down");
        out.put("liveSessions", liveSessions.getAsInt());
        Map<String, Object> pbx = asterisk.get();
        if (!pbx.isEmpty()) {
            out.put("asterisk", pbx);
        }
        return Response.json(up ? 200 : 503, out);
    }

    private Response metrics(Request request) {
        if (metricsTokenHash != null) {
            String token = request.bearerToken();
            if (token == null || !java.security.MessageDigest.isEqual(io.ringpool.site.Keys.sha256(token), metricsTokenHash)) {
                return Response.error(401, "unauthorized", "/metrics needs the metrics token: Authorization: Bearer <token>")
                        .withHeader("WWW-Authenticate", "Bearer");
            }
        }
        return Response.text(200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
    }
}
