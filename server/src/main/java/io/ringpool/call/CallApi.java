package io.ringpool.call;

import io.ringpool.account.AccessApi;
import io.ringpool.account.AuditLog;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import io.ringpool.http.Json;
import io.ringpool.http.JsonBody;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.Site;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The marketer's call endpoints: the call log, tagging and valuing a call, and erasing a caller.
 * Another site's key gets 404, as if the call did not exist. Viewers see callers masked
 * ({@code +7916***4567}), as the logs do.
 */
public final class CallApi {
    private final CallService calls;
    private final AccessApi access;
    private final AuditLog audit;

    public CallApi(CallService calls, AccessApi access, AuditLog audit) {
        this.calls = calls;
        this.access = access;
        this.audit = audit;
    }

    public void routes(Router router) {
        router.get("/v1/sites/{siteId}/calls", access.site(Permission.CALL_LOG, this::log));
        router.get("/v1/sites/{siteId}/calls/{callId}", access.site(Permission.CALL_LOG, this::one));
        router.patch("/v1/sites/{siteId}/calls/{callId}", access.site(Permission.TAGS, this::patch));
        router.delete("/v1/sites/{siteId}/callers/{e164}", access.site(Permission.ERASE, this::erase));
    }

    private Response log(Request request, SiteGrant grant) {
        Site site = grant.site();
        CallQuery query = CallQuery.of(request, site.siteId(), site.settings().timeZone());
        CallService.Page page = calls.log(query);
        List<Map<String, Object>> out = page.calls().stream().map(c -> view(c, grant)).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("calls", out);
        body.put("nextCursor", page.nextCursor());
        return CallJson.response(200, body);
    }

    private Response one(Request request, SiteGrant grant) {
        return calls.call(grant.siteId(), request.pathParam("callId"))
                .map(c -> CallJson.response(200, view(c, grant)))
                .orElseThrow(() -> io.ringpool.http.ApiException.notFound("call"));
    }

    private Response patch(Request request, SiteGrant grant) {
        JsonBody body = Json.parseObject(request.body());
        StoredCall call = calls.patch(grant.site(), request.pathParam("callId"), body);
        audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "call.update", call.callId(),
                "tags " + call.tags() + (call.value() == null ? "" : ", value " + call.value() + " " + call.currency()));
        return CallJson.response(200, view(call, grant));
    }

    private Response erase(Request request, SiteGrant grant) {
        CallerNumber erased = CallerNumber.of(request.pathParam("e164"), grant.site().settings().country());
        calls.eraseCaller(grant.site(), request.pathParam("e164"));
        audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "caller.erase", erased.masked(), null);
        return Response.noContent();
    }

    private static Map<String, Object> view(StoredCall call, SiteGrant grant) {
        Map<String, Object> out = CallJson.of(call);
        if (grant.masksCallers() && call.caller() != null) {
            out.put("caller", CallerNumber.of(call.caller(), null).masked());
        }
        return out;
    }
}
