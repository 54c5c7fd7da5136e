package io.ringpool.pool;

import io.ringpool.http.ApiException;
import io.ringpool.http.Json;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.SiteAccess;
import io.ringpool.site.SiteApi;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pools, their numbers, and static numbers (site key or admin key). */
public final class PoolApi {
    private final PoolService service;
    private final PoolRegistry pools;
    private final SiteAccess access;

    public PoolApi(PoolService service, PoolRegistry pools, SiteAccess access) {
        this.service = service;
        this.pools = pools;
        this.access = access;
    }

    public void routes(Router router) {
        router.post("/v1/sites/{siteId}/pools", this::create);
        router.get("/v1/sites/{siteId}/pools", this::list);
        router.get("/v1/sites/{siteId}/pools/{poolId}", this::get);
        router.post("/v1/sites/{siteId}/pools/{poolId}/numbers", this::addNumbers);
        router.delete("/v1/sites/{siteId}/pools/{poolId}/numbers/{number}", this::retire);
        router.post("/v1/sites/{siteId}/static-numbers", this::addStatic);
        router.get("/v1/sites/{siteId}/static-numbers", this::listStatic);
    }

    private Response create(Request request) {
        String siteId = access.requireSite(request, request.pathParam("siteId")).site().siteId();
        PoolState pool = service.create(siteId, Json.parseObject(SiteApi.requireJson(request)));
        return Response.created(describe(pool));
    }

    private Response list(Request request) {
        String siteId = access.requireSite(request, request.pathParam("siteId")).site().siteId();
        return Response.ok(Map.of("pools", pools.ofSite(siteId).stream().map(this::describe).toList()));
    }

    private Response get(Request request) {
        return Response.ok(describe(pool(request)));
    }

    private Response addNumbers(Request request) {
        PoolState pool = pool(request);
        List<String> added = service.addNumbers(pool, Json.parseObject(SiteApi.requireJson(request)));
        Map<String, Object> out = describe(pool);
        out.put("added", added);
        return Response.created(out);
    }

    private Response retire(Request request) {
        service.retire(pool(request), request.pathParam("number"));
        return Response.noContent();
    }

    private Response addStatic(Request request) {
        String siteId = access.requireSite(request, request.pathParam("siteId")).site().siteId();
        return Response.created(service.addStatic(siteId, Json.parseObject(SiteApi.requireJson(request))));
    }

    private Response listStatic(Request request) {
        String siteId = access.requireSite(request, request.pathParam("siteId")).site().siteId();
        return Response.ok(Map.of("staticNumbers", service.staticNumbers(siteId)));
    }

    private PoolState pool(Request request) {
        String siteId = access.requireSite(request, request.pathParam("siteId")).site().siteId();
        return pools.byId(siteId, request.pathParam("poolId")).orElseThrow(() -> ApiException.notFound("pool"));
    }

    Map<String, Object> describe(PoolState state) {
        Pool pool = state.pool();
        PoolState.Snapshot s = service.snapshot(state);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("poolId", pool.poolId());
        out.put("siteId", pool.siteId());
        out.put("name", pool.name());
        out.put("priority", pool.priority());
        out.put("match", pool.match().rules());
        out.put("size", s.size());
        out.put("leased", s.leased());
        out.put("coolingDown", s.coolingDown());
        out.put("free", s.free());
        out.put("retired", s.retired());
        out.put("exhaustions", s.exhaustions());
        out.put("peakLeased", s.peakLeased());
        out.put("recommendedSize", service.recommendedSize(state));
        out.put("numbers", state.numbers());
        out.put("createdAt", pool.createdAt());
        return out;
    }
}
