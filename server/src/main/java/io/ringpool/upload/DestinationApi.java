package io.ringpool.upload;

import io.ringpool.account.AccessApi;
import io.ringpool.account.AuditLog;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.failure.DomainFailure;
import io.ringpool.http.Json;
import io.ringpool.http.JsonBody;
import io.ringpool.http.PlainText;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.outbox.Outbox;
import io.ringpool.webhook.DeliveryLogApi;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Upload destination routes (site key): {@code POST /v1/sites/{siteId}/destinations}
 * {@code {"type", <the platform's settings and credentials>, "baseUrl", "filter", "dryRun"}} → 201 (credentials
 * are never shown again); {@code GET} the list or one; {@code DELETE} one;
 * {@code GET …/{destinationId}/uploads?limit&cursor} → a page of uploads, each with its rows, status, requests and
 * the platform's answer; {@code GET …/deliveries}, {@code POST …/deliveries/{deliveryId}/retry} and
 * {@code POST …/deliveries/retry} as for webhooks ({@link DeliveryLogApi}).
 */
public final class DestinationApi {
    private static final Set<String> UPLOAD_LOG_PARAMETERS = Set.of("limit", "cursor");
    private static final Set<String> FILTERS = Set.of("target", "unique", "uniqueTarget", "tag", "leads", "ambiguous");
    /** A tag's length, as everywhere: code points. */
    private static final int TAG_CHARS = 50;
    private final DestinationService destinations;
    private final AccessApi access;
    private final AuditLog audit;

    public DestinationApi(DestinationService destinations, AccessApi access, AuditLog audit) {
        this.destinations = destinations;
        this.access = access;
        this.audit = audit;
    }

    public void routes(Router router) {
        router.post("/v1/sites/{siteId}/destinations", access.site(Permission.WEBHOOKS, this::create));
        router.get("/v1/sites/{siteId}/destinations", access.site(Permission.WEBHOOKS, this::list));
        router.get("/v1/sites/{siteId}/destinations/{destinationId}", access.site(Permission.WEBHOOKS, this::one));
        router.patch("/v1/sites/{siteId}/destinations/{destinationId}", access.site(Permission.WEBHOOKS, this::update));
        router.delete("/v1/sites/{siteId}/destinations/{destinationId}", access.site(Permission.WEBHOOKS, this::delete));
        router.get("/v1/sites/{siteId}/destinations/{destinationId}/uploads", access.site(Permission.WEBHOOKS, this::uploads));
        router.get("/v1/sites/{siteId}/destinations/{destinationId}/deliveries", access.site(Permission.WEBHOOKS, this::deliveries));
        router.post("/v1/sites/{siteId}/destinations/{destinationId}/deliveries/retry", access.site(Permission.WEBHOOKS, this::retryAll));
        router.post("/v1/sites/{siteId}/destinations/{destinationId}/deliveries/{deliveryId}/retry", access.site(Permission.WEBHOOKS, this::retry));
    }

    private Response create(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        // Read whole rather than through JsonBody: the platform's settings are open-ended names.
        JsonBody.requireJsonMediaType(request);
        JsonNode body = Json.parseObjectNode(request.body());
        String type = body.path("type").asText(null);
        if (type == null) {
            throw new DomainFailure(DomainFailure.Kind.INVALID, "missing_field", "'type' is required", "type");
        }
        JsonNode dry = body.get("dryRun");
        if (dry != null && !dry.isBoolean()) {
            throw DomainFailure.invalid("dryRun", "'dryRun' must be true or false");
        }
        DestinationFilter filter = filter(Json.parseObject(request.body()).optionalObject("filter"));
        Map<String, String> fields = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = body.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("type") || f.getKey().equals("dryRun") || f.getKey().equals("filter")) {
                continue;
            }
            fields.put(f.getKey(), setting(f.getKey(), f.getValue()));
        }
        DestinationService.View created = destinations.create(siteId,
                new DestinationService.NewDestination(type, fields, filter, dry != null && dry.asBoolean(),
                        io.ringpool.account.CreatedBy.of(grant.caller())));
        audit.onSite(grant.caller(), siteId, request.clientIp(), "destination.create", created.destination().destinationId(),
                auditDetail(created.destination()));
        return Response.created(view(created));
    }

    /**
     * {@code PATCH}: the fields POST takes but {@code type}, each optional; a setting given as null
     * is removed (an optional one: {@code {"eventName": null}} goes back to GA4's default name).
     * Changing {@code baseUrl} or {@code tokenUrl} needs the {@code keys} permission besides {@code webhooks}.
     */
    private Response update(Request request, SiteGrant grant) {
        JsonBody.requireJsonMediaType(request);
        JsonNode body = Json.parseObjectNode(request.body());
        if (body.has("type")) {
            throw DomainFailure.invalid("type", "a destination's 'type' cannot change: create another destination");
        }
        if (DestinationService.ADDRESSES.stream().anyMatch(body::has)) {
            // Its stored credentials would go to the new address: moving them is key rotation (audit AG2 #2). A
            // manager may still make a destination of their own, with their own credentials, that sends anywhere.
            access.site(request, Permission.KEYS);
        }
        JsonNode dry = body.get("dryRun");
        if (dry != null && !dry.isBoolean()) {
            throw DomainFailure.invalid("dryRun", "'dryRun' must be true or false");
        }
        DestinationFilter filter = null;
        if (body.has("filter")) {
            filter = body.get("filter").isNull() ? DestinationFilter.NONE : filter(Json.parseObject(request.body()).optionalObject("filter"));
        }
        Map<String, String> fields = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = body.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("dryRun") || f.getKey().equals("filter")) {
                continue;
            }
            fields.put(f.getKey(), f.getValue().isNull() ? null : setting(f.getKey(), f.getValue()));
        }
        DestinationService.View updated = destinations.update(grant.siteId(), request.pathParam("destinationId"),
                new DestinationService.Change(fields, filter, dry == null ? null : dry.asBoolean()));
        audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "destination.update", request.pathParam("destinationId"),
                auditDetail(updated.destination()));
        return Response.ok(view(updated));
    }

    /**
     * A platform setting's value: ids such as a counter or customer id may come as JSON numbers; a
     * fraction, an overflowing number or a boolean is no platform's setting, and as text ("1.5",
     * "Infinity", "true") it would be stored as one. A credential ({@code apiSecret}, a token) is
     * text only: {@code 123} is a mistake, not a secret. Text holds no control character or broken
     * character, as every text field (api.md conventions; audit AB1 #4).
     */
    private String setting(String name, JsonNode value) {
        boolean text = value.isTextual() || (value.isIntegralNumber() && !destinations.isCredential(name));
        if (!text || value.asText().length() > 2000) {
            throw DomainFailure.invalid(name, destinations.isCredential(name)
                    ? "'" + name + "' must be a string of at most 2000 characters"
                    : "'" + name + "' must be a text (or a whole number) of at most 2000 characters");
        }
        if (destinations.isCredential(name)) {
            // A credential goes into a header or a form field as it is: a line break or a tab inside it is
            // no token, and was refused by every upload for a day instead of here (audit AN2 F2). A line
            // break around it (a paste) is trimmed, as the stored value is.
            return PlainText.requireOneLine(value.asText().strip(), name);
        }
        return DestinationService.NAMES.contains(name) ? PlainText.requireOneLine(value.asText(), name)
                : PlainText.requireClean(value.asText(), name);
    }

    /**
     * {@code "filter": {"target", "unique", "uniqueTarget", "tag", "leads", "ambiguous"}}, as a feed takes them
     * (a nested object: {@code target} is already the Metrica goal of {@code yandex-metrica-offline}).
     */
    private static DestinationFilter filter(JsonBody filter) {
        if (filter == null) {
            return DestinationFilter.NONE;
        }
        filter.rejectUnknown(FILTERS);
        // Any length read here, so a long tag gets the one message that states the limit.
        String tag = filter.optionalString("tag", Integer.MAX_VALUE);
        if (tag != null && (tag.isEmpty() || tag.codePointCount(0, tag.length()) > TAG_CHARS)) {
            throw DomainFailure.invalid("filter.tag", "'filter.tag' must be 1 to " + TAG_CHARS + " characters");
        }
        return new DestinationFilter(filter.optionalBoolean("target"), filter.optionalBoolean("unique"),
                filter.optionalBoolean("uniqueTarget"), tag, filter.optionalBoolean("leads"), filter.optionalBoolean("ambiguous"));
    }

    private Response list(Request request, SiteGrant grant) {
        QueryParameters.none(request);
        String siteId = grant.siteId();
        return Response.ok(Map.of("destinations", destinations.list(siteId).stream().map(DestinationApi::view).toList()));
    }

    private Response one(Request request, SiteGrant grant) {
        QueryParameters.none(request);
        return Response.ok(view(destinations.get(grant.siteId(), request.pathParam("destinationId"))));
    }

    private Response delete(Request request, SiteGrant grant) {
        destinations.delete(grant.siteId(), request.pathParam("destinationId"));
        audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "destination.delete", request.pathParam("destinationId"), null);
        return Response.noContent();
    }

    /** {@code ?limit&cursor}: a page of the upload log, newest first, and {@code nextCursor} (null on the last page). */
    private Response uploads(Request request, SiteGrant grant) {
        QueryParameters q = QueryParameters.of(request, UPLOAD_LOG_PARAMETERS);
        int limit = q.limit("limit", 50, 500);
        UploadStore.Position before = q.cursor("cursor", 2,
                parts -> new UploadStore.Position(Long.parseLong(parts.get(0)), parts.get(1)));
        UploadStore.UploadPage page = destinations.uploads(grant.siteId(), request.pathParam("destinationId"), before, limit);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("uploads", page.uploads().stream().map(u -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("uploadId", u.uploadId());
            m.put("createdAt", u.createdAt());
            m.put("status", u.status());
            m.put("rowCount", u.rowCount());
            m.put("skipped", u.skippedCount());
            m.put("rows", u.rows());
            m.put("requests", u.requests());
            m.put("responseCode", u.responseStatus());
            m.put("response", u.response());
            m.put("error", u.error());
            return m;
        }).toList());
        out.put("nextCursor", page.next() == null ? null
                : QueryParameters.cursor(Long.toString(page.next().createdAt()), page.next().uploadId()));
        return Response.ok(out);
    }

    private Response deliveries(Request request, SiteGrant grant) {
        return Response.ok(DeliveryLogApi.page(destinations.deliveries(grant.siteId(), request.pathParam("destinationId"),
                DeliveryLogApi.query(request))));
    }

    private Response retry(Request request, SiteGrant grant) {
        Outbox.Retried retried = destinations.retry(grant.siteId(), request.pathParam("destinationId"), request.pathParam("deliveryId"));
        audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "destination.retry", request.pathParam("destinationId"),
                "delivery " + request.pathParam("deliveryId")
                        + (retried.alsoQueued().isEmpty() ? "" : " and " + retried.alsoQueued().size() + " other failed of its call or lead"));
        return Response.json(202, DeliveryLogApi.retried(retried, destinations.outboundPaused()));
    }

    private Response retryAll(Request request, SiteGrant grant) {
        QueryParameters.none(request);
        String destinationId = request.pathParam("destinationId");
        DeliveryLogApi.RetryFilter filter = DeliveryLogApi.retryFilter(request);
        int queued = destinations.retryAll(grant.siteId(), destinationId, filter.state(), filter.since());
        audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "destination.retry_all", destinationId,
                queued + " " + filter.state() + " deliveries" + (filter.since() == null ? "" : " since " + filter.since()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("destinationId", destinationId);
        out.put("queued", queued);
        out.put("paused", destinations.outboundPaused());
        return Response.json(202, out);
    }

    /**
     * The platform and its settings (ids and names, as GET shows them; the addresses as their
     * origin only, see {@link AuditLog#origin}); the credentials never.
     */
    static String auditDetail(Destination d) {
        StringBuilder out = new StringBuilder(d.type());
        if (d.dryRun()) {
            out.append(" (dry run)");
        }
        if (!d.filter().isNone()) {
            out.append(", filter ").append(d.filter().asMap());
        }
        new java.util.TreeMap<>(d.settings()).forEach((name, value) -> out.append(", ").append(name).append(' ')
                .append(name.endsWith("Url") ? AuditLog.origin(value) : value));
        return out.toString();
    }

    static Map<String, Object> view(DestinationService.View v) {
        Destination d = v.destination();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("destinationId", d.destinationId());
        out.put("type", d.type());
        out.put("settings", d.settings());
        out.put("filter", d.filter().isNone() ? null : d.filter().asMap());
        out.put("dryRun", d.dryRun());
        out.put("createdAt", d.createdAt());
        // Who made it, as feeds and webhooks say: an owner sees what a leaving person set up (not stopped with them).
        out.put("createdBy", d.createdBy() == null ? null : d.createdBy().view());
        // Settings today's rules refuse (a GA4 event name from before they were checked): nothing is sent until fixed.
        out.put("problems", v.problems().stream().map(p -> Map.of("field", p.field(), "message", p.message())).toList());
        Outbox.Health h = v.health();
        out.put("deliveries", Map.of("pending", h.pending(), "delivered", h.delivered(), "failed", h.failed()));
        out.put("heldUntil", h.heldUntil()); // the endpoint asked to wait (Retry-After, RetryInfo): nothing goes before then
        out.put("paused", h.paused()); // outbound.paused on this node: nothing is sent from it, deliveries stay pending
        if (h.last() != null) {
            out.put("lastDelivery", DeliveryLogApi.delivery(h.last()));
        }
        return out;
    }
}
