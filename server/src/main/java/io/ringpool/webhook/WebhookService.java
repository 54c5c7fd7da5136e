package io.ringpool.webhook;

import io.ringpool.account.CreatedBy;
import io.ringpool.failure.DomainFailure;
import io.ringpool.outbound.AddressPolicy;
import io.ringpool.outbox.Outbox;
import io.ringpool.site.Keys;
import io.ringpool.store.SiteRowLock;
import io.ringpool.store.ChangeLog;
import io.ringpool.site.SecretCipher;
import io.ringpool.store.Database;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creating, listing and deleting a site's webhooks, and their delivery log and redelivery. */
public final class WebhookService {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookService.class);

    /** The event types a webhook may take (API.md, "Conversions out"). */
    public static final List<String> EVENT_TYPES = List.of("call.started", "call.completed", "call.updated", "lead.created",
            "lead.updated");

    /** Most webhooks per site: each event is written once per endpoint. */
    static final int MAX_PER_SITE = 20;

    /** A request to create a webhook. */
    public record NewWebhook(String url, List<String> events) {}

    /** A created webhook and its signing secret, shown exactly once. */
    public record Created(Webhook webhook, String secret, Outbox.Health health) {}

    /** A webhook with its delivery counts and newest delivery. */
    public record View(Webhook webhook, Outbox.Health health) {}

    private final Database db;
    private final Outbox outbox;
    private final AddressPolicy policy;
    private final SecretCipher cipher;
    private final Clock clock;

    public WebhookService(Database db, Outbox outbox, AddressPolicy policy, SecretCipher cipher, Clock clock) {
        this.db = db;
        this.outbox = outbox;
        this.policy = policy;
        this.cipher = cipher;
        this.clock = clock;
    }

    /**
     * Creates a webhook after checking its URL: an absolute http(s) URL whose host resolves only to
     * addresses Ringpool may reach (checked again at every connection).
     */
    public Created create(String siteId, NewWebhook request, CreatedBy createdBy) {
        if (request.url() == null || request.url().isBlank()) {
            throw new DomainFailure(DomainFailure.Kind.INVALID, "missing_field", "'url' is required", "url");
        }
        if (request.url().length() > 2000) {
            throw DomainFailure.invalid("url", "'url' is longer than 2000 characters");
        }
        String url = policy.requireReachable(request.url(), "url").toString();
        // Absent means all; an empty list was given and means none, which is no webhook (audit C, finding 8).
        if (request.events() != null && request.events().isEmpty()) {
            throw DomainFailure.invalid("events", "'events' must name at least one event (leave it out for all): "
                    + String.join(", ", EVENT_TYPES));
        }
        List<String> events = request.events() == null ? EVENT_TYPES : request.events();
        Set<String> chosen = new LinkedHashSet<>();
        for (String e : events) {
            if (!EVENT_TYPES.contains(e)) {
                throw DomainFailure.invalid("events", "unknown event '" + e + "'; events: " + String.join(", ", EVENT_TYPES));
            }
            chosen.add(e);
        }
        String secret = Keys.random("whsec_", 32);
        Webhook webhook = new Webhook(Keys.id("wh_"), siteId, url, List.copyOf(chosen), clock.instant(), null, null, null,
                null, null, createdBy);
        db.inTransaction(c -> {
            SiteRowLock.hold(c, siteId); // creates of one site count and insert in turn, or both may pass the limit
            if (WebhookStore.ofSite(c, siteId).size() >= MAX_PER_SITE) {
                throw DomainFailure.conflict("too_many_webhooks", "a site may have at most " + MAX_PER_SITE + " webhooks", null);
            }
            WebhookStore.insert(c, webhook, cipher.encrypt(secret));
            ChangeLog.record(c, ChangeLog.WEBHOOK, siteId, webhook.webhookId(), clock.millis());
            return null;
        });
        LOG.info("webhook_created site={} webhook={} events={}", siteId, webhook.webhookId(), webhook.events());
        return new Created(webhook, secret, outbox.noDeliveries());
    }

    public List<View> list(String siteId) {
        return db.read(c -> WebhookStore.ofSite(c, siteId)).stream().map(w -> new View(w, outbox.health(w.webhookId()))).toList();
    }

    public View get(String siteId, String webhookId) {
        Webhook w = find(siteId, webhookId);
        return new View(w, outbox.health(webhookId));
    }

    /** Deletes the webhook; its pending deliveries are given up, its log stays readable by nobody. */
    public void delete(String siteId, String webhookId) {
        boolean deleted = db.inTransaction(c -> {
            boolean d = WebhookStore.delete(c, siteId, webhookId, clock.millis());
            if (d) {
                Outbox.abandon(c, webhookId, "webhook deleted");
                ChangeLog.record(c, ChangeLog.WEBHOOK, siteId, webhookId, clock.millis());
            }
            return d;
        });
        if (!deleted) {
            throw DomainFailure.notFound("webhook");
        }
        LOG.info("webhook_deleted site={} webhook={}", siteId, webhookId);
    }

    public Outbox.DeliveryPage deliveries(String siteId, String webhookId, Outbox.DeliveryQuery query) {
        find(siteId, webhookId);
        return outbox.deliveries(webhookId, query);
    }

    /** Whether this node sends nothing ({@code outbound.paused}): a retry queues, and another node or a later start sends. */
    public boolean outboundPaused() {
        return outbox.paused();
    }

    /**
     * Sends a delivery again now (whatever its state), with a fresh 24-hour retry window, and the
     * other failed deliveries of the same call or lead with it (see {@link Outbox#retry}). A
     * disabled webhook is enabled again: asking for a redelivery says the receiver is fixed.
     */
    public Outbox.Retried retry(String siteId, String webhookId, String deliveryId) {
        find(siteId, webhookId);
        boolean[] reenabled = {false};
        Outbox.Retried retried = db.inTransaction(c -> {
            WebhookStore.lock(c, webhookId); // the webhook's row before the delivery's, as the outbox's records take them
            Optional<Outbox.Retried> r = outbox.retry(c, webhookId, deliveryId);
            if (r.isPresent()) {
                reenabled[0] = enableIfDisabled(c, siteId, webhookId);
            }
            return r.orElse(null);
        });
        if (retried == null) {
            throw DomainFailure.notFound("delivery");
        }
        LOG.info("webhook_redelivery site={} webhook={} delivery={} alsoQueued={} reenabled={}", siteId, webhookId, deliveryId,
                retried.alsoQueued().size(), reenabled[0]);
        return retried;
    }

    /**
     * Queues again every delivery of the webhook in {@code state} ({@code failed}; {@code pending}:
     * the waiting ones, now instead of at their backoff) created at or after {@code since} (null:
     * any), in the order of their events, with a fresh 24-hour window: the way back after an outage.
     * A disabled webhook is enabled again, as by a single retry. The number queued.
     */
    public int retryAll(String siteId, String webhookId, String state, java.time.Instant since) {
        find(siteId, webhookId);
        boolean[] reenabled = {false};
        int queued = db.inTransaction(c -> {
            WebhookStore.lock(c, webhookId);
            int n = outbox.retryAll(c, webhookId, state, since);
            reenabled[0] = enableIfDisabled(c, siteId, webhookId);
            return n;
        });
        LOG.info("webhook_redelivery_all site={} webhook={} state={} since={} queued={} reenabled={}", siteId, webhookId, state, since,
                queued, reenabled[0]);
        return queued;
    }

    /** Enables the webhook when it is disabled, read under its row lock; whether it was. */
    private boolean enableIfDisabled(java.sql.Connection c, String siteId, String webhookId) throws java.sql.SQLException {
        boolean disabled = WebhookStore.byId(c, webhookId).map(s -> !s.webhook().enabled()).orElse(false);
        if (disabled) {
            WebhookStore.enable(c, webhookId);
            ChangeLog.record(c, ChangeLog.WEBHOOK, siteId, webhookId, clock.millis());
        }
        return disabled;
    }

    private Webhook find(String siteId, String webhookId) {
        return db.read(c -> WebhookStore.byId(c, webhookId))
                .filter(s -> !s.deleted() && s.webhook().siteId().equals(siteId))
                .map(WebhookStore.Stored::webhook)
                .orElseThrow(() -> DomainFailure.notFound("webhook"));
    }
}
