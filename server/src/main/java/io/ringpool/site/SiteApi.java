package io.ringpool.site;

import io.ringpool.http.ApiException;
import io.ringpool.http.Json;
import io.ringpool.http.JsonBody;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import java.util.LinkedHashMap;
import java.util.Map;

/** Admin and marketer endpoints for sites. */
public final class SiteApi {
    private final SiteService service;
    private final SiteAccess access;

    public SiteApi(SiteService service, SiteAccess access) {
        this.service = service;
        this.access = access;
    }

    public void routes(Router router) {
        router.post("/v1/sites", this::create);
        router.get("/v1/sites/{siteId}", this::get);
        router.patch("/v1/sites/{siteId}", this::patch);
    }

    private Response create(Request request) {
        access.requireAdmin(request);
        JsonBody body = Json.parseObject(requireJson(request));
        SiteService.CreatedSite created = service.create(body, null);
        Map<String, Object> out = describe(created.site());
        out.put("apiKey", created.apiKey());
        out.put("webhookSecret", created.webhookSecret());
        return Response.created(out);
    }

    private Response get(Request request) {
        SiteRegistry.Entry entry = access.requireSite(request, request.pathParam("siteId"));
        return Response.ok(describe(entry.site()));
    }

    private Response patch(Request request) {
        SiteRegistry.Entry entry = access.requireSite(request, request.pathParam("siteId"));
        JsonBody body = Json.parseObject(requireJson(request));
        return Response.ok(describe(service.update(entry, body)));
    }

    static Map<String, Object> describe(Site site) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("siteId", site.siteId());
        out.put("name", site.name());
        out.put("publicKey", site.publicKey());
        out.putAll(SiteSettingsCodec.toMap(site.settings()));
        out.put("twilioConfigured", site.twilioConfigured());
        out.put("createdAt", site.createdAt());
        return out;
    }

    /**
     * Admin endpoints take JSON. Besides {@code application/json} (and {@code +json} types) we
     * accept no type, {@code text/plain} and {@code application/x-www-form-urlencoded}, which is
     * what {@code curl -d '{...}'} sends without {@code -H}: the body must still be JSON. Any other
     * declared type is a 415.
     */
    public static byte[] requireJson(Request request) {
        String type = request.mediaType();
        boolean accepted = type.isEmpty() || type.equals("application/json") || type.endsWith("+json")
                || type.equals("text/plain") || type.equals("application/x-www-form-urlencoded");
        if (!accepted) {
            throw new ApiException(415, "unsupported_media_type", "send the body as application/json (got " + type + ")");
        }
        return request.body();
    }
}
