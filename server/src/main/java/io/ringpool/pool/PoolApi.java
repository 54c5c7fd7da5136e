package io.ringpool.pool;

import io.ringpool.account.AccessApi;
import io.ringpool.account.AuditLog;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import io.ringpool.http.JsonBody;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Pools, their numbers, and static numbers (site key or admin key). */
public final class PoolApi {
    private final PoolService service;
    private final PoolRegistry pools;
    private final AccessApi access;
    private final AuditLog audit;

    public PoolApi(PoolService service, PoolRegistry pools, AccessApi access, AuditLog audit) {
        this.service = service;
        this.pools = pools;
        this.access = access;
        this.audit = audit;
    }

    public void routes(Router router) {
        router.post("/v1/sites/{siteId}/pools", access.site(Permission.POOLS, this::create));
        router.get("/v1/sites/{siteId}/pools", access.site(Permission.POOLS_READ, this::list));
        router.get("/v1/sites/{siteId}/pools/{poolId}", access.site(Permission.POOLS_READ, this::get));
        router.post("/v1/sites/{siteId}/pools/{poolId}/numbers", access.site(Permission.POOLS, this::addNumbers));
        router.delete("/v1/sites/{siteId}/pools/{poolId}/numbers/{number}", access.site(Permission.POOLS, this::retire));
        router.post("/v1/sites/{siteId}/static-numbers", access.site(Permission.POOLS, this::addStatic));
        router.get("/v1/sites/{siteId}/static-numbers", access.site(Permission.POOLS_READ, this::listStatic));
        router.get("/v1/sites/{siteId}/static-numbers/{number}", access.site(Permission.POOLS_READ, this::getStatic));
        router.patch("/v1/sites/{siteId}/static-numbers/{number}", access.site(Permission.POOLS, this::changeStatic));
        router.delete("/v1/sites/{siteId}/static-numbers/{number}", access.site(Permission.POOLS, this::retireStatic));
    }

    private Response create(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("name", "priority", "match", "numbers"));
        List<String> numbers = numbers(body);
        if (numbers == null || numbers.isEmpty()) {
            // An empty pool would count an exhaustion on every visit it matches (audit L #2): the contract makes numbers required.
            throw new io.ringpool.failure.DomainFailure(io.ringpool.failure.DomainFailure.Kind.INVALID, "missing_field",
                    "'numbers' is required: a pool needs at least one number (more can be added with POST …/pools/{poolId}/numbers)",
                    "numbers");
        }
        NewPool command = new NewPool(body.optionalString("name", 200),
                body.optionalInt("priority", Integer.MIN_VALUE, Integer.MAX_VALUE),
                body.optionalStringMap("match", 20, 200),
                numbers);
        PoolState created = service.create(siteId, command);
        audit.onSite(grant.caller(), siteId, request.clientIp(), "pool.create", created.pool().poolId(),
                created.pool().name() + ", " + created.numbers().size() + " numbers, match " + created.pool().match().rules());
        return Response.created(describe(created));
    }

    /** Most pools one page of the pool list holds, and its default: the cap on pools in use, so a site within it reads them at once. */
    static final int MAX_POOLS_PER_PAGE = PoolService.MAX_POOLS_PER_SITE;
    /**
     * Most numbers one page of the pool list holds, about 150 KB of JSON (docs/measurements.md,
     * session 45): a page ends before a pool that would take it past this, so a site of a hundred
     * pools of 10,000 numbers is read in pages instead of one 15 MB body built in memory (audit AK2 F0). A pool bigger than this alone is a
     * page of its own, whole, as {@code GET …/pools/{poolId}} answers it.
     */
    static final int MAX_NUMBERS_PER_PAGE = 10_000;

    /**
     * The site's pools in the order visits try them (higher priority first, then the older), in
     * pages of at most {@code limit} pools and {@link #MAX_NUMBERS_PER_PAGE} numbers; the cursor is
     * the last pool's place in that order, which never changes (a pool is never deleted and its
     * priority never edited), so a page follows on whichever node serves it.
     */
    private Response list(Request request, SiteGrant grant) {
        QueryParameters q = QueryParameters.of(request, Set.of("limit", "cursor"));
        int limit = q.limit("limit", MAX_POOLS_PER_PAGE, MAX_POOLS_PER_PAGE);
        PoolRegistry.Place after = q.cursor("cursor", 3, parts -> new PoolRegistry.Place(Integer.parseInt(parts.get(0)),
                java.time.Instant.parse(parts.get(2)), parts.get(1)));
        List<Map<String, Object>> page = new java.util.ArrayList<>();
        int numbers = 0;
        boolean more = false;
        PoolState last = null;
        for (PoolState state : pools.ofSite(grant.siteId())) {
            if (after != null && after.compareTo(PoolRegistry.Place.of(state)) >= 0) {
                continue;
            }
            int size = state.numbers().size();
            if (page.size() == limit || (!page.isEmpty() && numbers + size > MAX_NUMBERS_PER_PAGE)) {
                more = true;
                break;
            }
            page.add(describe(state));
            numbers += size;
            last = state;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pools", page);
        out.put("nextCursor", more ? cursorAfter(last) : null);
        return Response.ok(out);
    }

    private static String cursorAfter(PoolState last) {
        Pool pool = last.pool();
        return QueryParameters.cursor(Integer.toString(pool.priority()), pool.poolId(), pool.createdAt().toString());
    }

    private Response get(Request request, SiteGrant grant) {
        QueryParameters.none(request);
        return Response.ok(describe(service.pool(grant.siteId(), request.pathParam("poolId"))));
    }

    private Response addNumbers(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        String poolId = request.pathParam("poolId");
        PoolState pool = service.pool(siteId, poolId);
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("numbers"));
        List<String> added = service.addNumbers(siteId, poolId, numbers(body));
        audit.onSite(grant.caller(), siteId, request.clientIp(), "pool.numbers_add", poolId, String.join(", ", added));
        Map<String, Object> out = describe(pool);
        out.put("added", added);
        return Response.created(out);
    }

    private Response retire(Request request, SiteGrant grant) {
        String retired = service.retire(grant.siteId(), request.pathParam("poolId"), request.pathParam("number"));
        audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "pool.number_retire", request.pathParam("poolId"), retired);
        return Response.noContent();
    }

    private Response addStatic(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("number", "source", "medium", "campaign", "label"));
        NewStaticNumber command = new NewStaticNumber(body.optionalString("number", 40), body.optionalString("source", 200),
                body.optionalString("medium", 200), body.optionalString("campaign", 200), body.optionalString("label", 200));
        StaticNumber added = service.addStatic(siteId, command);
        audit.onSite(grant.caller(), siteId, request.clientIp(), "static_number.add", added.number(), "source " + added.source());
        return Response.created(added);
    }

    private Response listStatic(Request request, SiteGrant grant) {
        QueryParameters.none(request);
        return Response.ok(Map.of("staticNumbers", service.staticNumbers(grant.siteId())));
    }

    private Response getStatic(Request request, SiteGrant grant) {
        QueryParameters.none(request);
        return Response.ok(service.staticNumberInUse(grant.siteId(), request.pathParam("number")));
    }

    private static final Set<String> STATIC_CHANGES = Set.of("source", "medium", "campaign", "label");

    private Response changeStatic(Request request, SiteGrant grant) {
        JsonBody body = JsonBody.of(request).rejectUnknown(STATIC_CHANGES).rejectNulls(Set.of("medium", "campaign", "label"));
        Set<String> given = new java.util.HashSet<>();
        for (String field : STATIC_CHANGES) {
            if (body.has(field) || body.isExplicitNull(field)) {
                given.add(field);
            }
        }
        StaticNumberChange change = new StaticNumberChange(body.optionalString("source", 200), body.optionalString("medium", 200),
                body.optionalString("campaign", 200), body.optionalString("label", 200), given);
        StaticNumber changed = service.changeStatic(grant.siteId(), request.pathParam("number"), change);
        audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "static_number.update", changed.number(),
                "source " + changed.source() + ", medium " + changed.medium() + ", campaign " + changed.campaign());
        return Response.ok(changed);
    }

    private Response retireStatic(Request request, SiteGrant grant) {
        StaticNumber retired = service.retireStatic(grant.siteId(), request.pathParam("number"));
        audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "static_number.retire", retired.number(),
                "source " + retired.source());
        return Response.noContent();
    }

    private static List<String> numbers(JsonBody body) {
        return body.optionalStringList("numbers", PoolService.MAX_NUMBERS_PER_REQUEST, 40);
    }

    Map<String, Object> describe(PoolState state) {
        Pool pool = state.pool();
        PoolState.Snapshot s = service.occupancy(state);
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
        out.put("retiredLeased", s.retiredLeased());
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
