package io.ringpool.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.http.StaticAsset;
import io.ringpool.store.StoreProbe;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import io.ringpool.journal.CallJournal;

/**
 * What an operator or load balancer polls: health (the store checked on each request while
 * {@link StoreProbe} last saw it up; its last outcome, at once, while down) and Prometheus metrics; and
 * the OpenAPI document of every route (a resource file, kept equal to the router by a test).
 */
final class OpsApi {
    private final StoreProbe store;
    private final PrometheusMeterRegistry registry;
    private final IntSupplier liveSessions;
    private final Supplier<CallJournal> journal;
    private final Supplier<Map<String, Object>> asterisk;
    // Revalidated on every use (ETag): the document changes with the server's version.
    private final StaticAsset openApi = new StaticAsset("/openapi.json", Response.JSON, "no-cache");

    /** SHA-256 of the metrics token, or null when /metrics is public. */
    private final byte[] metricsTokenHash;

    OpsApi(StoreProbe store, PrometheusMeterRegistry registry, IntSupplier liveSessions) {
        this(store, registry, liveSessions, () -> null, Map::of, "");
    }

    /**
     * @param journal      the call journal (null before it exists): its depth and the store's state make the status
     * @param asterisk     each site's AMI connection state; shown, but not part of up/down (a PBX is the customer's)
     * @param metricsToken the bearer token /metrics requires; empty = public
     */
    OpsApi(StoreProbe store, PrometheusMeterRegistry registry, IntSupplier liveSessions, Supplier<CallJournal> journal,
            Supplier<Map<String, Object>> asterisk, String metricsToken) {
        this.metricsTokenHash = metricsToken.isEmpty() ? null : io.ringpool.site.Keys.sha256(metricsToken);
        this.store = store;
        this.registry = registry;
        this.liveSessions = liveSessions;
        this.journal = journal;
        this.asterisk = asterisk;
    }

    void routes(Router router) {
        router.get("/health", this::health);
        router.get("/metrics", this::metrics);
        router.get("/v1/openapi.json", openApi::serve);
    }

    /**
     * {@code up} (200): the store answers and the journal is empty. {@code degraded} (200, with a
     * {@code reason} and the {@code journalDepth}): calls are still put through and kept, but the
     * store is down ({@code store_unavailable}) or the journal is still delivering what it kept
     * ({@code journal_replaying}); sessions may get 503 meanwhile. 200, because a load balancer
     * that takes a degraded node out would drop the ringing calls it can still answer. {@code down}
     * (503): the store is down and the journal is full, or the disk refuses the journal's writes
     * ({@code journal_unwritable}: full, read-only), so new calls would not be kept.
     */
    private Response health(Request request) {
        boolean storeUp = store.isUpNow();
        CallJournal calls = journal.get();
        int depth = calls == null ? 0 : calls.depth();
        boolean journalFull = calls != null && calls.isFull();
        String status;
        String reason = null;
        if (calls != null && calls.isUnwritable()) {
            // Callers are still put through, but no call is kept: another node should take them.
            status = "down";
            reason = "journal_unwritable";
        } else if (!storeUp && (calls == null || journalFull)) {
            status = "down";
            reason = calls == null ? "store_unavailable" : "store_unavailable_and_journal_full";
        } else if (!storeUp) {
            status = "degraded";
            reason = "store_unavailable";
        } else if (depth > 0) {
            status = "degraded";
            reason = calls.storeProblem().orElse("journal_replaying");
        } else {
            status = "up";
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", status);
        if (reason != null) {
            out.put("reason", reason);
        }
        out.put("store", storeUp ? "up" : "down");
        out.put("journalDepth", depth);
        out.put("liveSessions", liveSessions.getAsInt());
        Map<String, Object> pbx = asterisk.get();
        if (!pbx.isEmpty()) {
            // Per site only to whoever may read /metrics: /health is public (load balancers), and
            // each site's id and its PBX's reachability, flipping with every retry, are not (audit H).
            out.put("asterisk", mayReadMetrics(request) && metricsTokenHash != null ? pbx : countsByState(pbx));
        }
        return Response.json(status.equals("down") ? 503 : 200, out);
    }

    /** {@code {"connected": 2, "connecting": 1}}: how many sites' PBX connections are in each state. */
    private static Map<String, Object> countsByState(Map<String, Object> perSite) {
        Map<String, Object> counts = new java.util.TreeMap<>();
        for (Object site : perSite.values()) {
            Object state = site instanceof Map<?, ?> m ? m.get("state") : null;
            counts.merge(String.valueOf(state), 1, (a, b) -> (Integer) a + (Integer) b);
        }
        return counts;
    }

    /** Whether the request carries the metrics token (true when none is set: /metrics is then public). */
    private boolean mayReadMetrics(Request request) {
        if (metricsTokenHash == null) {
            return true;
        }
        String token = request.bearerToken();
        return token != null && java.security.MessageDigest.isEqual(io.ringpool.site.Keys.sha256(token), metricsTokenHash);
    }

    private Response metrics(Request request) {
        if (metricsTokenHash != null) {
            if (!mayReadMetrics(request)) {
                return Response.error(401, "unauthorized", "/metrics needs the metrics token: Authorization: Bearer <token>")
                        .withHeader("WWW-Authenticate", "Bearer");
            }
        }
        return Response.text(200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
    }
}
