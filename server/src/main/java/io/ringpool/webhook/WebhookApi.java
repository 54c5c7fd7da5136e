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
import io.ringpool.outbox.Outbox;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Webhook routes (site key; another site's webhook is 404):
 * {@code POST /v1/sites/{siteId}/webhooks} {@code {"url", "events"}} → 201 with the secret (once);
 * {@code GET} the list or one; {@code DELETE} one; {@code GET …/deliveries?limit&cursor&state} the delivery log;
 * {@code POST …/deliveries/{deliveryId}/retry} → 202, sent again now (with the other failed events of its call, in order);
 * {@code POST …/deliveries/retry} {@code {"state", "since"}} → 202, every failed one sent again.
 */
public final class WebhookApi {
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
        router.post("/v1/sites/{siteId}/webhooks/{webhookId}/deliveries/retry", access.site(Permission.WEBHOOKS, this::retryAll));
        router.post("/v1/sites/{siteId}/webhooks/{webhookId}/deliveries/{deliveryId}/retry", access.site(Permission.WEBHOOKS, this::retry));
    }

    private Response create(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        JsonBody body = JsonBody.of(request).rejectUnknown(Set.of("url", "events"));
        String url = body.requiredString("url", 2000);
        List<String> events = body.optionalStringList("events", 20, 40);
        WebhookService.Created created = webhooks.create(siteId, new WebhookService.NewWebhook(url, events),
                io.ringpool.account.CreatedBy.of(grant.caller()));
        audit.onSite(grant.caller(), siteId, request.clientIp(), "webhook.create", created.webhook().webhookId(),
                "to " + AuditLog.origin(created.webhook().url()) + ", events " + String.join(", ", created.webhook().events()));
        Map<String, Object> out = view(new WebhookService.View(created.webhook(), created.health()));
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
        Outbox.DeliveryPage page = webhooks.deliveries(grant.siteId(), request.pathParam("webhookId"), DeliveryLogApi.query(request));
        return Response.ok(DeliveryLogApi.page(page));
    }

    private Response retry(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        Outbox.Retried retried = webhooks.retry(siteId, request.pathParam("webhookId"), request.pathParam("deliveryId"));
        audit.onSite(grant.caller(), siteId, request.clientIp(), "webhook.retry", request.pathParam("webhookId"),
                "delivery " + request.pathParam("deliveryId")
                        + (retried.alsoQueued().isEmpty() ? "" : " and " + retried.alsoQueued().size() + " other failed of its call or lead"));
        return Response.json(202, DeliveryLogApi.retried(retried, webhooks.outboundPaused()));
    }

    private Response retryAll(Request request, SiteGrant grant) {
        QueryParameters.none(request);
        String siteId = grant.siteId();
        String webhookId = request.pathParam("webhookId");
        DeliveryLogApi.RetryFilter filter = DeliveryLogApi.retryFilter(request);
        int queued = webhooks.retryAll(siteId, webhookId, filter.state(), filter.since());
        audit.onSite(grant.caller(), siteId, request.clientIp(), "webhook.retry_all", webhookId,
                queued + " " + filter.state() + " deliveries" + (filter.since() == null ? "" : " since " + filter.since()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("webhookId", webhookId);
        out.put("queued", queued);
        out.put("paused", webhooks.outboundPaused());
        return Response.json(202, out);
    }

    static Map<String, Object> view(WebhookService.View v) {
        Webhook w = v.webhook();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("webhookId", w.webhookId());
        out.put("url", w.url());
        out.put("events", w.events());
        out.put("createdAt", w.createdAt());
        // Who made it (audit AM2 F10): it is not stopped when they leave, so an owner can see what a leaving person set up.
        out.put("createdBy", w.createdBy() == null ? null : w.createdBy().view());
        out.put("enabled", w.enabled());
        out.put("disabledAt", w.disabledAt());
        out.put("disabledReason", w.disabledReason());
        out.put("failingSince", w.failingSince());
        out.put("lastSuccessAt", w.lastSuccessAt());
        out.put("lastFailureAt", w.lastFailureAt());
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
