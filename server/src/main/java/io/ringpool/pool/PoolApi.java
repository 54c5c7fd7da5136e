package io.ringpool.pool;

import io.ringpool.http.JsonBody;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.SiteAccess;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        String siteId = siteId(request);
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("name", "priority", "match", "numbers"));
        NewPool command = new NewPool(body.optionalString("name", 200),
                body.optionalInt("priority", Integer.MIN_VALUE, Integer.MAX_VALUE),
                body.optionalStringMap("match", 20, 200),
                numbers(body));
        return Response.created(describe(service.create(siteId, command)));
    }

    private Response list(Request request) {
        String siteId = siteId(request);
        return Response.ok(Map.of("pools", pools.ofSite(siteId).stream().map(this::describe).toList()));
    }

    private Response get(Request request) {
        return Response.ok(describe(service.pool(siteId(request), request.pathParam("poolId"))));
    }

    private Response addNumbers(Request request) {
        String siteId = siteId(request);
        String poolId = request.pathParam("poolId");
        PoolState pool = service.pool(siteId, poolId);
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("numbers"));
        List<String> added = service.addNumbers(siteId, poolId, numbers(body));
        Map<String, Object> out = describe(pool);
        out.put("added", added);
        return Response.created(out);
    }

    private Response retire(Request request) {
        service.retire(siteId(request), request.pathParam("poolId"), request.pathParam("number"));
        return Response.noContent();
    }

    private Response addStatic(Request request) {
        String siteId = siteId(request);
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("number", "source", "medium", "campaign", "label"));
        NewStaticNumber command = new NewStaticNumber(body.optionalString("number", 40), body.optionalString("source", 200),
                body.optionalString("medium", 200), body.optionalString("campaign", 200), body.optionalString("label", 200));
        return Response.created(service.addStatic(siteId, command));
    }

    private Response listStatic(Request request) {
        return Response.ok(Map.of("staticNumbers", service.staticNumbers(siteId(request))));
    }

    private String siteId(Request request) {
        return access.requireSite(request.bearerToken(), request.pathParam("siteId")).site().siteId();
    }

    private static List<String> numbers(JsonBody body) {
        return body.optionalStringList("numbers", PoolService.MAX_NUMBERS_PER_REQUEST, 40);
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
        PoolAdvice advice = service.advice(state);
        out.put("recommendedSize", advice.recommendedSize());
        out.put("recommendation", advice.note());
        out.put("numbers", state.numbers());
        out.put("createdAt", pool.createdAt());
        return out;
    }
}
