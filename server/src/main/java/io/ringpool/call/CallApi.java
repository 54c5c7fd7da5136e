package io.ringpool.call;

import io.ringpool.http.Json;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.Site;
import io.ringpool.site.SiteAccess;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The marketer's call endpoints (site key): the call log, tagging and valuing a call, and erasing
 * a caller. Another site's key gets 404, as if the call did not exist.
 */
public final class CallApi {
    private final CallService calls;
    private final SiteAccess access;

    public CallApi(CallService calls, SiteAccess access) {
        this.calls = calls;
        this.access = access;
    }

    public void routes(Router router) {
        router.get("/v1/sites/{siteId}/calls", this::log);
        router.get("/v1/sites/{siteId}/calls/{callId}", this::one);
        router.patch("/v1/sites/{siteId}/calls/{callId}", this::patch);
        router.delete("/v1/sites/{siteId}/callers/{e164}", this::erase);
    }

    private Response log(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        CallQuery query = CallQuery.of(request, site.siteId(), site.settings().timeZone());
        CallService.Page page = calls.log(query);
        List<Map<String, Object>> out = page.calls().stream().map(CallJson::of).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("calls", out);
        body.put("nextCursor", page.nextCursor());
        return CallJson.response(200, body);
    }

    private Response one(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        return calls.call(site.siteId(), request.pathParam("callId"))
                .map(c -> CallJson.response(200, CallJson.of(c)))
                .orElseThrow(() -> io.ringpool.http.ApiException.notFound("call"));
    }

    private Response patch(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        StoredCall call = calls.patch(site, request.pathParam("callId"), Json.parseObject(request.body()));
        return CallJson.response(200, CallJson.of(call));
    }

    private Response erase(Request request) {
        Site site = access.requireSite(request.bearerToken(), request.pathParam("siteId")).site();
        calls.eraseCaller(site, request.pathParam("e164"));
        return Response.noContent();
    }
}
