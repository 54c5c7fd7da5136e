package io.ringpool.site;

import io.ringpool.http.ApiException;
import io.ringpool.http.Json;
import io.ringpool.http.JsonBody;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Admin and marketer endpoints for sites. */
public final class SiteApi {
    private final SiteService service;
    private final SiteAccess access;
    private final List<SiteSection> sections;

    public SiteApi(SiteService service, SiteAccess access) {
        this(service, access, List.of());
    }

    /** @param sections parts of the settings owned by other capabilities (telephony providers) */
    public SiteApi(SiteService service, SiteAccess access, List<SiteSection> sections) {
        this.service = service;
        this.access = access;
        this.sections = List.copyOf(sections);
    }

    public void routes(Router router) {
        router.post("/v1/sites", this::create);
        router.get("/v1/sites/{siteId}", this::get);
        router.patch("/v1/sites/{siteId}", this::patch);
    }

    private Response create(Request request) {
        access.requireAdmin(request);
        byte[] raw = requireJson(request);
        JsonBody body = Json.parseObject(raw);
        SiteService.CreatedSite created = service.create(body, null);
        applySections(created.site().siteId(), raw);
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
        byte[] raw = requireJson(request);
        JsonBody body = Json.parseObject(raw);
        Site updated = service.update(entry, body);
        applySections(updated.siteId(), raw);
        return Response.ok(describe(updated));
    }

    /** Hands each section its part of the body (already known to be one JSON object). */
    private void applySections(String siteId, byte[] raw) {
        if (sections.isEmpty()) {
            return;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(raw);
            for (SiteSection section : sections) {
                JsonNode part = node.get(section.field());
                if (part != null) {
                    section.apply(siteId, part);
                }
            }
        } catch (java.io.IOException unreadable) {
            throw ApiException.badRequest("malformed_json", "the body is not valid JSON");
        }
    }

    Map<String, Object> describe(Site site) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("siteId", site.siteId());
        out.put("name", site.name());
        out.put("publicKey", site.publicKey());
        out.putAll(SiteSettingsCodec.toMap(site.settings()));
        out.put("twilioConfigured", site.twilioConfigured());
        out.put("createdAt", site.createdAt());
        for (SiteSection section : sections) {
            out.put(section.field(), section.describe(site.siteId()));
        }
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
