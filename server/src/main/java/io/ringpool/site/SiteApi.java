package io.ringpool.site;

import io.ringpool.account.AccessApi;
import io.ringpool.account.AuditLog;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
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
    private final AccessApi access;
    private final AuditLog audit;

    public SiteApi(SiteService service, AccessApi access, AuditLog audit) {
        this.service = service;
        this.access = access;
        this.audit = audit;
    }

    public void routes(Router router) {
        router.post("/v1/sites", this::create);
        router.get("/v1/sites/{siteId}", access.site(Permission.SITE_READ, this::get));
        router.patch("/v1/sites/{siteId}", access.site(Permission.SITE_SETTINGS, this::patch));
    }

    private Response create(Request request) {
        access.admin(request);
        SiteService.CreatedSite created = service.create(new NewSite(changes(JsonBody.of(request))));
        Map<String, Object> out = describe(created.site());
        out.put("apiKey", created.apiKey());
        out.put("webhookSecret", created.webhookSecret());
        return Response.created(out);
    }

    private Response get(Request request, SiteGrant grant) {
        return Response.ok(describe(grant.site()));
    }

    private Response patch(Request request, SiteGrant grant) {
        JsonBody body = JsonBody.of(request);
        SiteChanges changes = changes(body);
        Site updated = service.update(grant.siteId(), changes);
        audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "site.settings", grant.siteId(),
                "changed " + String.join(", ", FIELDS.stream().filter(body::has).sorted().toList()));
        return Response.ok(describe(updated));
    }

    /** The body as a command; the sizes here bound what is read, {@link SiteSettingsCodec} judges the values. */
    public static SiteChanges changes(JsonBody body) {
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

    public static Map<String, Object> describe(Site site) {
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
