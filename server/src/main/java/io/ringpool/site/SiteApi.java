package io.ringpool.site;

import io.ringpool.http.JsonBody;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Admin and marketer endpoints for sites: JSON in, typed commands to {@link SiteService}, JSON out. */
public final class SiteApi {

    /** Every field a site body may carry, on creation and on change alike. */
    static final Set<String> FIELDS = Set.of("name",
            "leaseTtlSeconds", "heartbeatSeconds", "endGraceSeconds", "coolDownSeconds", "intentHoldSeconds",
            "exhaustionPolicy", "uniquenessDays", "targetCallSeconds", "retentionDays", "country", "twilioAuthToken",
            "domains", "defaultNumber", "forwardTo", "timeZone", "currency");

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
        access.requireAdmin(request.bearerToken());
        SiteService.CreatedSite created = service.create(new NewSite(changes(JsonBody.of(request))));
        Map<String, Object> out = describe(created.site());
        out.put("apiKey", created.apiKey());
        out.put("webhookSecret", created.webhookSecret());
        return Response.created(out);
    }

    private Response get(Request request) {
        SiteRegistry.Entry entry = access.requireSite(request.bearerToken(), request.pathParam("siteId"));
        return Response.ok(describe(entry.site()));
    }

    private Response patch(Request request) {
        SiteRegistry.Entry entry = access.requireSite(request.bearerToken(), request.pathParam("siteId"));
        SiteChanges changes = changes(JsonBody.of(request));
        return Response.ok(describe(service.update(entry.site().siteId(), changes)));
    }

    /** The body as a command; the sizes here bound what is read, {@link SiteSettingsCodec} judges the values. */
    static SiteChanges changes(JsonBody body) {
        body.rejectUnknown(FIELDS);
        return new SiteChanges(
                body.optionalString("name", 200),
                seconds(body, "leaseTtlSeconds"),
                seconds(body, "heartbeatSeconds"),
                seconds(body, "endGraceSeconds"),
                seconds(body, "coolDownSeconds"),
                seconds(body, "intentHoldSeconds"),
                body.optionalString("exhaustionPolicy", 40),
                seconds(body, "uniquenessDays"),
                seconds(body, "targetCallSeconds"),
                seconds(body, "retentionDays"),
                body.optionalString("country", 10),
                body.optionalStringList("domains", 100, 253),
                body.optionalString("defaultNumber", 40),
                body.optionalString("forwardTo", 40),
                body.optionalString("timeZone", 60),
                body.optionalString("currency", 10),
                body.optionalString("twilioAuthToken", 200));
    }

    private static Integer seconds(JsonBody body, String field) {
        return body.optionalInt(field, Integer.MIN_VALUE, Integer.MAX_VALUE);
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
}
