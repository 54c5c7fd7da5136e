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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/sites/{siteId}/keys/rotate} (site key or admin key)
 * {@code {"key": "api" | "webhook" | "twilio", "overlapSeconds": 86400, "value": "<new Twilio token>"}}
 * → 200 {@code {"key", "apiKey" | "webhookSecret" (shown once), "previousValidUntil"}}.
 */
public final class KeysApi {
    private static final Logger LOG = LoggerFactory.getLogger(KeysApi.class);

    private final KeyRotation rotation;
    private final AccessApi access;
    private final AuditLog audit;

    public KeysApi(KeyRotation rotation, AccessApi access, AuditLog audit) {
        this.rotation = rotation;
        this.access = access;
        this.audit = audit;
    }

    public void routes(Router router) {
        router.post("/v1/sites/{siteId}/keys/rotate", access.site(Permission.KEYS, this::rotate));
    }

    private Response rotate(Request request, SiteGrant grant) {
        SiteRegistry.Entry entry = grant.entry();
        JsonBody body = JsonBody.of(request).rejectUnknown(Set.of("key", "overlapSeconds", "value"));
        Integer overlap = body.optionalInt("overlapSeconds", 0, KeyRotation.MAX_OVERLAP.toSeconds());
        KeyRotation.Rotated rotated = rotation.rotate(entry.site().siteId(), new KeyRotation.Rotate(body.optionalString("key", 20),
                overlap == null ? null : overlap.longValue(), body.optionalString("value", 200)));
        LOG.info("key_rotated site={} key={} previousValidUntil={}", entry.site().siteId(), rotated.kind().wireName(),
                rotated.previousValidUntil());
        audit.onSite(grant.caller(), grant.siteId(), request.clientIp(), "key.rotate", rotated.kind().wireName(),
                "previous valid until " + rotated.previousValidUntil());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", rotated.kind().wireName());
        switch (rotated.kind()) {
            case API -> out.put("apiKey", rotated.newKey());
            case WEBHOOK -> out.put("webhookSecret", rotated.newKey());
            case TWILIO -> { }
        }
        out.put("previousValidUntil", rotated.previousValidUntil());
        return Response.ok(out);
    }
}
