package io.ringpool.webhook;

import io.ringpool.account.AccessApi;
import io.ringpool.account.AuditLog;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import io.ringpool.http.JsonBody;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.outbox.Delivery;
import io.ringpool.outbox.Outbox;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Webhook routes (site key; another site's webhook is 404):
 * {@code POST /v1/sites/{siteId}/webhooks} {@code {"url", "events"}} → 201 with the secret (once);
 * {@code GET} the list or one; {@code DELETE} one; {@code GET …/deliveries?limit} the delivery log;
 * {@code POST …/deliveries/{deliveryId}/retry} → 202, sent again now.
 */
public final class WebhookApi {
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;

    private final WebhookService webhooks;
    private final AccessApi access;
    private final AuditLog audit;

    public WebhookApi(WebhookService webhooks, AccessApi access, AuditLog audit) {
        this.webhooks = webhooks;
        this.access = access;
        this.audit = audit;
    }

    public void routes(Router router) {
        router.post("/v1/sites/{siteId}/webhooks", access.site(Permission.WEBHOOKS, this::create));
        router.get("/v1/sites/{siteId}/webhooks", access.site(Permission.WEBHOOKS, this::list));
        router.get("/v1/sites/{siteId}/webhooks/{webhookId}", access.site(Permission.WEBHOOKS, this::one));
        router.delete("/v1/sites/{siteId}/webhooks/{webhookId}", access.site(Permission.WEBHOOKS, this::delete));
        router.get("/v1/sites/{siteId}/webhooks/{webhookId}/deliveries", access.site(Permission.WEBHOOKS, this::deliveries));
        router.post("/v1/sites/{siteId}/webhooks/{webhookId}/deliveries/{deliveryId}/retry", access.site(Permission.WEBHOOKS, this::retry));
    }

    private Response create(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        JsonBody body = JsonBody.of(request).rejectUnknown(Set.of("url", "events"));
        String url = body.requiredString("url", 2000);
        List<String> events = body.optionalStringList("events", 20, 40);
        WebhookService.Created created = webhooks.create(siteId, new WebhookService.NewWebhook(url, events));
        audit.onSite(grant.caller(), siteId, request.clientIp(), "webhook.create", created.webhook().webhookId(),
                "to " + AuditLog.origin(created.webhook().url()) + ", events " + String.join(", ", created.webhook().events()));
        Map<String, Object> out = view(new WebhookService.View(created.webhook(), new Outbox.Health(0, 0, 0, null)));
        out.put("secret", created.secret());
        return Response.created(out);
    }

    private Response list(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        QueryParameters.of(request, Set.of());
        return Response.ok(Map.of("webhooks", webhooks.list(siteId).stream().map(WebhookApi::view).toList()));
    }

    private Response one(Request request, SiteGrant grant) {
        QueryParameters.none(request);
        String siteId = grant.siteId();
        return Response.ok(view(webhooks.get(siteId, request.pathParam("webhookId"))));
    }

    private Response delete(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        webhooks.delete(siteId, request.pathParam("webhookId"));
        audit.onSite(grant.caller(), siteId, request.clientIp(), "webhook.delete", request.pathParam("webhookId"), null);
        return Response.noContent();
    }

    private Response deliveries(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        int limit = limit(request);
        List<Delivery> list = webhooks.deliveries(siteId, request.pathParam("webhookId"), limit);
        return Response.ok(Map.of("deliveries", list.stream().map(WebhookApi::delivery).toList()));
    }

    private Response retry(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        webhooks.retry(siteId, request.pathParam("webhookId"), request.pathParam("deliveryId"));
        audit.onSite(grant.caller(), siteId, request.clientIp(), "webhook.retry", request.pathParam("webhookId"),
                "delivery " + request.pathParam("deliveryId"));
        return Response.json(202, Map.of("deliveryId", request.pathParam("deliveryId"), "state", "pending"));
    }

    static Map<String, Object> view(WebhookService.View v) {
        Webhook w = v.webhook();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("webhookId", w.webhookId());
        out.put("url", w.url());
        out.put("events", w.events());
        out.put("createdAt", w.createdAt());
        out.put("enabled", w.enabled());
        out.put("disabledAt", w.disabledAt());
        out.put("disabledReason", w.disabledReason());
        out.put("failingSince", w.failingSince());
        out.put("lastSuccessAt", w.lastSuccessAt());
        out.put("lastFailureAt", w.lastFailureAt());
        Outbox.Health h = v.health();
        out.put("deliveries", Map.of("pending", h.pending(), "delivered", h.delivered(), "failed", h.failed()));
        out.put("heldUntil", h.heldUntil()); // the endpoint asked to wait (Retry-After, RetryInfo): nothing goes before then
        if (h.last() != null) {
            out.put("lastDelivery", delivery(h.last()));
        }
        return out;
    }

    public static Map<String, Object> delivery(Delivery d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deliveryId", d.deliveryId());
        out.put("eventId", d.eventId());
        out.put("type", d.type());
        out.put("subjectId", d.subjectId());
        out.put("state", d.state());
        out.put("attempts", d.attempts());
        out.put("createdAt", d.createdAt());
        out.put("nextAttemptAt", d.nextAttemptAt());
        out.put("lastAttemptAt", d.lastAttemptAt());
        out.put("responseCode", d.lastStatus());
        out.put("lastError", d.lastError());
        out.put("deliveredAt", d.deliveredAt());
        out.put("log", d.log().stream().map(a -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("attempt", a.attempt());
            m.put("at", a.at());
            m.put("durationMillis", a.durationMillis());
            m.put("responseCode", a.statusCode());
            m.put("error", a.error());
            m.put("response", a.response());
            return m;
        }).toList());
        return out;
    }

    /** The delivery log's page size; an unknown query parameter is 400 {@code unknown_parameter}, as on every route. */
    static int limit(Request request) {
        return QueryParameters.of(request, Set.of("limit")).limit("limit", DEFAULT_LIMIT, MAX_LIMIT);
    }
}
