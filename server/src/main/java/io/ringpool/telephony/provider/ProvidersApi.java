package io.ringpool.telephony.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.call.CallEvent;
import io.ringpool.call.CallService;
import io.ringpool.journal.CallJournal;
import io.ringpool.call.CallerNumber;
import io.ringpool.call.NotATrackingNumber;
import io.ringpool.account.AccessApi;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import io.ringpool.failure.DomainFailure;
import io.ringpool.http.PlainText;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.inbound.SignedUrls;
import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.SiteSection;
import io.ringpool.site.UnknownSite;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of every {@link TelephonyProvider}: declares each provider's webhooks, runs them
 * (site from memory, settings from memory, authentication by the adapter, ingestion, reply), logs
 * each one in the {@link WebhookLog}, and serves that log and the {@code providers} part of a
 * site's settings.
 *
 * <p>Order of work for one webhook: unknown site → 404; provider not configured for the site →
 * 403 {@code not_configured}; the adapter authenticates and maps (a refusal → 401/403/422, nothing
 * stored); the events are ingested (committed before the answer); replay keys are remembered; the
 * provider's reply is sent. For {@link ProviderRoute.Kind#ANSWER} routes the reply (forwarding
 * markup) goes out even if ingestion failed, because a caller is on the line.
 */
public final class ProvidersApi implements SiteSection {
    private static final Logger LOG = LoggerFactory.getLogger(ProvidersApi.class);

    private final Providers providers;
    private final ProviderSettingsService settings;
    private final SiteRegistry sites;
    private final AccessApi access;
    private final CallService calls;
    private final WebhookLog log;
    private final ReplayGuard replays;
    private final String publicUrl;
    private final boolean publicUrlGuessed;
    private final Clock clock;
    private final RejectionLines rejectionLines;
    private final MeterRegistry registry;
    private final Function<String, CallRecording> recording;
    private final CallJournal journal;
    private final Executor callLane;
    private final BoundedStoreWait storeWait;

    public ProvidersApi(Providers providers, ProviderSettingsService settings, SiteRegistry sites, AccessApi access,
            CallService calls, WebhookLog log, String publicUrl, Clock clock, MeterRegistry registry) {
        this(providers, settings, sites, access, calls, log, publicUrl, clock, registry, siteId -> CallRecording.OFF);
    }

    /** @param recording a site's recording decision by site id, read from memory (markup is answered while the store is down) */
    public ProvidersApi(Providers providers, ProviderSettingsService settings, SiteRegistry sites, AccessApi access,
            CallService calls, WebhookLog log, String publicUrl, Clock clock, MeterRegistry registry,
            Function<String, CallRecording> recording) {
        this(providers, settings, sites, access, calls, null, null, log, publicUrl, clock, registry, recording);
    }

    /**
     * @param journal  keeps the events of answer webhooks (a caller waiting) instead of the store,
     *                 so the answer never waits for it; null = ingest them synchronously
     * @param callLane runs answer webhooks apart from the store-bound workers; null = the workers
     */
    public ProvidersApi(Providers providers, ProviderSettingsService settings, SiteRegistry sites, AccessApi access,
            CallService calls, CallJournal journal, Executor callLane, WebhookLog log, String publicUrl, Clock clock,
            MeterRegistry registry, Function<String, CallRecording> recording) {
        this(providers, settings, sites, access, calls, journal, callLane, log, publicUrl, false, clock, registry, recording);
    }

    /**
     * @param publicUrlGuessed {@code server.publicUrl} is not configured, so {@code publicUrl} is the
     *                         server's own guess: providers that sign the URL are checked against the
     *                         request's {@code Host} too ({@link SignedUrls})
     */
    public ProvidersApi(Providers providers, ProviderSettingsService settings, SiteRegistry sites, AccessApi access,
            CallService calls, CallJournal journal, Executor callLane, WebhookLog log, String publicUrl, boolean publicUrlGuessed,
            Clock clock, MeterRegistry registry, Function<String, CallRecording> recording) {
        this(providers, settings, sites, access, calls, journal, callLane, null, log, publicUrl, publicUrlGuessed, clock, registry,
                recording);
    }

    /**
     * @param storeLane runs notifications' store writes, so that a webhook waits for the store
     *                  {@link BoundedStoreWait#DEFAULT_BOUND} at most and then journals its events
     *                  (with a journal); null = the worker writes, waiting as long as the store takes
     */
    public ProvidersApi(Providers providers, ProviderSettingsService settings, SiteRegistry sites, AccessApi access,
            CallService calls, CallJournal journal, Executor callLane, Executor storeLane, WebhookLog log, String publicUrl,
            boolean publicUrlGuessed, Clock clock, MeterRegistry registry, Function<String, CallRecording> recording) {
        this.storeWait = new BoundedStoreWait(journal == null ? null : storeLane, BoundedStoreWait.DEFAULT_BOUND);
        this.publicUrlGuessed = publicUrlGuessed;
        this.recording = recording;
        this.journal = journal;
        this.callLane = callLane;
        this.providers = providers;
        this.settings = settings;
        this.sites = sites;
        this.access = access;
        this.calls = calls;
        this.log = log;
        this.replays = new ReplayGuard(clock);
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        this.clock = clock;
        this.rejectionLines = new RejectionLines(clock::millis);
        this.registry = registry;
    }

    public void routes(Router router) {
        for (TelephonyProvider provider : providers.all()) {
            for (ProviderRoute route : provider.routes()) {
                if (route.kind() == ProviderRoute.Kind.ANSWER && callLane != null) {
                    router.addOnLane(callLane, route.method(), route.template(), request -> webhook(provider, route, request));
                } else {
                    router.add(route.method(), route.template(), request -> webhook(provider, route, request));
                }
            }
        }
        router.get("/v1/sites/{siteId}/telephony/events", access.site(Permission.SITE_SETTINGS, this::events));
    }

    // ---- webhooks ----------------------------------------------------------------------------

    private Response webhook(TelephonyProvider provider, ProviderRoute route, Request request) {
        String siteId = request.pathParam("siteId");
        SiteRegistry.Entry entry = sites.byId(siteId).orElse(null);
        if (entry == null) {
            count(provider.name(), "unknown_site");
            long suppressed = rejectionLines.admit(provider.name(), null, "unknown_site");
            if (suppressed >= 0) {
                LOG.info("webhook_rejected provider={} reason=unknown_site suppressed={}", provider.name(), suppressed);
            }
            throw new UnknownSite();
        }
        Site site = entry.site();
        ProviderSettings configured = settings.settings(siteId, provider.name()).orElse(null);
        if (configured == null) {
            WebhookRefused refused = notConfigured(provider.name(), siteId);
            throw refuse(provider.name(), route, site, refused);
        }
        WebhookCall call = new WebhookCall(toWebhookRequest(request), site, configured, clock, replays, publicUrl,
                recording.apply(siteId), number -> isTrackingNumber(site, number));
        WebhookResult result;
        try {
            result = route.handler().handle(call);
        } catch (WebhookRefused refused) {
            throw refuse(provider.name(), route, site, refused);
        }
        for (ReplayGuard.Key key : result.replayKeys()) {
            if (replays.seen(key)) {
                if (key.repeat() == ReplayGuard.Repeat.ANSWERED_AGAIN) {
                    return answeredAgain(provider, route, site, result);
                }
                throw refuse(provider.name(), route, site, WebhookRefused.replayed(
                        "this request was already accepted once; a provider signs every delivery anew"));
            }
        }
        // A caller waits on this answer only when it carries markup (Telnyx's Call Control events share the
        // TeXML URL and answer empty: those must fail so that Telnyx retries).
        boolean callerWaits = route.kind() == ProviderRoute.Kind.ANSWER && !result.reply().body().isEmpty();
        String providerCallId = result.events().isEmpty() ? null : result.events().get(0).providerCallId();
        String caller = result.events().stream().map(CallEvent::from).filter(f -> f != null).findFirst()
                .map(f -> CallerNumber.of(f, site.settings().country()).masked()).orElse(null);
        if (callerWaits && journal != null) {
            return answerFromMemory(provider, route, site, result, providerCallId, caller);
        }
        Progress progress = new Progress();
        try {
            storeWait.call(() -> {
                for (CallEvent event : result.events()) {
                    java.time.Instant impliedStart = result.impliedStarts().get(event);
                    progress.stored(event, impliedStart == null ? calls.ingest(site, event, false)
                            : calls.ingestWithImpliedStart(site, event, impliedStart, false));
                }
                return null;
            });
        } catch (BoundedStoreWait.TooSlow slow) {
            // The store holds on (locked tables): journaled and acknowledged, as when it fails, rather than a 503
            // for a notice it may yet store (audit AN3 F5). What it does store meanwhile is delivered once.
            List<CallEvent> rest = result.events().subList(Math.min(progress.count(), result.events().size()), result.events().size());
            Response kept = keepInJournal(provider, route, site, result, rest, providerCallId, caller, "store_slow (" + slow.getMessage() + ")",
                    "journaled: the store did not answer within " + storeWait.bound().toSeconds() + " s; reaches it when it can");
            if (kept != null) {
                return kept;
            }
            log.add(siteId, new WebhookLog.Entry(clock.instant(), provider.name(), route.template(), "refused", "store_unavailable",
                    "the store did not answer in time and the journal is full; the provider will retry", providerCallId,
                    progress.kinds(), progress.callId(), caller));
            throw new io.ringpool.store.StoreException(slow.getMessage());
        } catch (DomainFailure failed) {
            String code = failed.code();
            String reason = "unknown_number".equals(code) ? "unknown_number" : "invalid_body";
            count(provider.name(), reason);
            LOG.info("webhook_rejected provider={} site={} reason={}", provider.name(), siteId, reason);
            log.add(siteId, new WebhookLog.Entry(clock.instant(), provider.name(), route.template(), "refused", reason,
                    failed.getMessage(), providerCallId, progress.kinds(), progress.callId(), caller));
            if (callerWaits) {
                return reply(result.reply()); // forward the caller anyway
            }
            // The provider's own name of the dialled number, in the field and in the message alike (audit AE2 #5).
            throw "to".equals(failed.field()) && !"to".equals(provider.dialledNumberField())
                    ? new DomainFailure(failed.kind(), failed.code(),
                            failed.getMessage().replace("'to'", "'" + provider.dialledNumberField() + "'"), provider.dialledNumberField())
                    : failed;
        } catch (RuntimeException storeDown) {
            if (storeDown instanceof io.ringpool.store.StoreException && journal != null) {
                List<CallEvent> rest = result.events().subList(progress.count(), result.events().size());
                Response kept = keepInJournal(provider, route, site, result, rest, providerCallId, caller, storeDown.toString(),
                        "journaled while the store is unavailable: reaches it when it is back");
                if (kept != null) {
                    return kept;
                }
            }
            log.add(siteId, new WebhookLog.Entry(clock.instant(), provider.name(), route.template(), "refused", "store_unavailable",
                    "the call could not be stored; the provider will retry", providerCallId, progress.kinds(), progress.callId(), caller));
            if (callerWaits) {
                LOG.warn("webhook_answered_unstored provider={} site={} reason={}", provider.name(), siteId, storeDown.toString());
                return reply(result.reply());
            }
            throw storeDown;
        }
        result.replayKeys().forEach(replays::remember);
        log.add(siteId, new WebhookLog.Entry(clock.instant(), provider.name(), route.template(),
                result.events().isEmpty() ? "ignored" : "accepted", null, result.note(), providerCallId, progress.kinds(),
                progress.callId(), caller));
        return reply(result.reply());
    }

    /** How far a webhook's ingestion got, read by the worker while the store lane may still be writing. */
    private static final class Progress {
        private final List<String> kinds = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile String callId;

        void stored(CallEvent event, CallService.Ingested ingested) {
            kinds.add(event.kind().wireName());
            if (ingested.call() != null) {
                callId = ingested.call().callId();
            }
        }

        int count() {
            return kinds.size();
        }

        List<String> kinds() {
            return List.copyOf(kinds);
        }

        String callId() {
            return callId;
        }
    }

    /**
     * The store failed under a notification that is the whole record of a call (Mango's and
     * Zadarma's events, a FreeSWITCH CDR, UIS): those providers retry a 503 a few times at most
     * (mod_json_cdr three times, 5 s apart, then files the CDR away for good), so an outage longer
     * than that lost the call (audit I #3). The events not yet stored go to the call journal, as an
     * answer webhook's do, and the provider gets its usual reply. The same when the store has not
     * answered within {@link BoundedStoreWait#DEFAULT_BOUND} (audit AN3 F5). Null when the journal
     * is full: then the 503 stands, and the provider's retry is the only chance left.
     *
     * @param why  for the log line: the store's failure, or its slowness
     * @param note for the webhook log
     */
    private Response keepInJournal(TelephonyProvider provider, ProviderRoute route, Site site, WebhookResult result, List<CallEvent> rest,
            String providerCallId, String caller, String why, String note) {
        List<String> kinds = new ArrayList<>();
        for (CallEvent event : rest) {
            if (journal.record(site, event) == CallJournal.Kept.FULL) {
                LOG.warn("webhook_unstored provider={} site={} reason=journal_full", provider.name(), site.siteId());
                return null;
            }
            kinds.add(event.kind().wireName());
        }
        LOG.info("webhook_journaled provider={} site={} reason={}", provider.name(), site.siteId(), why);
        result.replayKeys().forEach(replays::remember);
        log.add(site.siteId(), new WebhookLog.Entry(clock.instant(), provider.name(), route.template(), "accepted", null, note,
                providerCallId, kinds, null, caller));
        return reply(result.reply());
    }

    /** Whether {@code number}, as a provider wrote it, is one of the site's tracking numbers (pools in memory, no store read). */
    private boolean isTrackingNumber(Site site, String number) {
        try {
            calls.trackingNumber(site, number);
            return true;
        } catch (NotATrackingNumber notOurs) {
            return false;
        }
    }

    /**
     * A caller is on the line: the events go to the call journal (fsynced, delivered to the store
     * when it can take them, see {@link CallJournal}) and the markup is answered at once, whatever
     * the store is doing. A number the site does not track is still forwarded, not kept.
     */
    private Response answerFromMemory(TelephonyProvider provider, ProviderRoute route, Site site, WebhookResult result,
            String providerCallId, String caller) {
        List<String> kinds = new ArrayList<>();
        for (CallEvent event : result.events()) {
            if (event.to() != null && !event.to().isBlank()) {
                try {
                    calls.trackingNumber(site, event);
                } catch (DomainFailure unknown) {
                    count(provider.name(), "unknown_number");
                    LOG.info("webhook_rejected provider={} site={} reason=unknown_number", provider.name(), site.siteId());
                    log.add(site.siteId(), new WebhookLog.Entry(clock.instant(), provider.name(), route.template(), "refused",
                            "unknown_number", unknown.getMessage(), providerCallId, kinds, null, caller));
                    return reply(result.reply()); // forward the caller anyway
                }
            }
            if (journal.record(site, event) == CallJournal.Kept.FULL) {
                LOG.warn("webhook_answered_unstored provider={} site={} reason=journal_full", provider.name(), site.siteId());
            }
            kinds.add(event.kind().wireName());
        }
        result.replayKeys().forEach(replays::remember);
        log.add(site.siteId(), new WebhookLog.Entry(clock.instant(), provider.name(), route.template(),
                result.events().isEmpty() ? "ignored" : "accepted", null,
                // nothing journaled for a request that carries no event (a provider's URL check, such as Zadarma's zd_echo)
                result.events().isEmpty() ? result.note() : "journaled: reaches the store just after the answer",
                providerCallId, kinds, null, caller));
        return reply(result.reply());
    }

    /**
     * The provider's own retry of a request already accepted, identical because its signature covers
     * the content alone (see {@link ReplayGuard}): its events are stored, so it is answered as the
     * first time was and nothing is ingested again (at-least-once delivery, PRODUCT.md §4).
     */
    private Response answeredAgain(TelephonyProvider provider, ProviderRoute route, Site site, WebhookResult result) {
        String providerCallId = result.events().isEmpty() ? null : result.events().get(0).providerCallId();
        LOG.info("webhook_repeated provider={} site={}", provider.name(), site.siteId());
        log.add(site.siteId(), new WebhookLog.Entry(clock.instant(), provider.name(), route.template(), "ignored", null,
                "a repeat of a request already accepted: answered again, nothing stored again", providerCallId, List.of(), null,
                null));
        return reply(result.reply());
    }

    private static WebhookRefused notConfigured(String provider, String siteId) {
        return WebhookRefused.notConfigured(provider + "_not_configured", "this site has no " + provider
                + " settings, so its requests cannot be verified; set them with PATCH /v1/sites/" + siteId
                + " {\"providers\": {\"" + provider + "\": {...}}}");
    }

    private WebhookRefused refuse(String provider, ProviderRoute route, Site site, WebhookRefused refused) {
        count(provider, refused.reason());
        long suppressed = rejectionLines.admit(provider, site.siteId(), refused.reason());
        if (suppressed >= 0) {
            LOG.info("webhook_rejected provider={} site={} reason={} suppressed={}", provider, site.siteId(), refused.reason(), suppressed);
        }
        log.add(site.siteId(), new WebhookLog.Entry(clock.instant(), provider, route.template(), "refused", refused.reason(),
                refused.getMessage(), null, List.of(), null, null));
        return refused;
    }

    private static Response reply(WebhookResult.Reply reply) {
        if (reply.status() == 204) {
            return Response.noContent();
        }
        return Response.text(reply.status(), reply.contentType(), reply.body());
    }

    private WebhookRequest toWebhookRequest(Request request) {
        return new WebhookRequest(request.method(), request.path(), request.pathParams(), request.query(), request.headers(),
                request.body(), SignedUrls.of(publicUrl, request.target(),
                publicUrlGuessed ? request.header("host") : null));
    }

    private void count(String provider, String reason) {
        io.ringpool.telephony.WebhookRejections.count(registry, provider, reason);
    }

    // ---- diagnostics -------------------------------------------------------------------------

    /** Providers whose routes are not adapters' ({@code TelephonyApi}) but write to the same log: Twilio and the generic route. */
    private static final List<String> OWN_ROUTES = List.of("twilio", "generic");

    /** {@code GET /v1/sites/{siteId}/telephony/events?provider=&limit=}: the last webhooks, newest first. */
    private Response events(Request request, SiteGrant grant) {
        SiteRegistry.Entry entry = grant.entry();
        QueryParameters query = QueryParameters.of(request, Set.of("provider", "limit"));
        String provider = query.text("provider", 100);
        List<String> names = new ArrayList<>(OWN_ROUTES);
        providers.all().forEach(p -> names.add(p.name()));
        if (provider != null && !names.contains(provider)) {
            throw DomainFailure.invalid("provider", "'provider' must be one of " + names);
        }
        int limit = query.limit("limit", WebhookLog.PER_PROVIDER, 500);
        List<Map<String, Object>> out = new ArrayList<>();
        for (WebhookLog.Entry e : log.recent(entry.site().siteId(), provider)) {
            if (out.size() >= limit) {
                break;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", e.at());
            m.put("provider", e.provider());
            m.put("route", e.route());
            m.put("outcome", e.outcome());
            m.put("reason", e.reason());
            m.put("message", e.message());
            m.put("providerCallId", e.providerCallId());
            m.put("events", e.events());
            m.put("callId", e.callId());
            m.put("caller", e.caller());
            out.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("events", out);
        body.put("configured", settings.describe(entry.site().siteId()).keySet());
        body.put("note", "kept in memory on this node only: the last " + WebhookLog.PER_PROVIDER + " per provider since the server started");
        return Response.ok(body);
    }

    // ---- the "providers" part of a site's settings ---------------------------------------------

    @Override
    public String field() {
        return "providers";
    }

    /** {@code {"mango": {"apiKey": "...", "apiSalt": "..."}, "zadarma": null}}: validated whole, then written. */
    @Override
    public void apply(String siteId, JsonNode value) {
        if (!value.isObject()) {
 throw DomainFailure.invalid("providers", "'providers' must be an object of provider name → settings");
        }
        Map<String, Map<String, String>> changes = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = value.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> p = it.next();
            String path = "providers." + p.getKey();
            if (providers.byName(p.getKey()).isEmpty()) {
                throw new DomainFailure(DomainFailure.Kind.MALFORMED, "unknown_field", "unknown provider '" + p.getKey() + "'; known: "
                        + providers.all().stream().map(TelephonyProvider::name).toList(), path);
            }
            if (p.getValue().isNull()) {
                changes.put(p.getKey(), null);
                continue;
            }
            if (!p.getValue().isObject()) {
                throw DomainFailure.invalid(path, "'" + path + "' must be an object (or null to remove the provider)");
            }
            Map<String, String> fields = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fs = p.getValue().fields();
            while (fs.hasNext()) {
                Map.Entry<String, JsonNode> f = fs.next();
                JsonNode v = f.getValue();
                String fp = path + "." + f.getKey();
                boolean secret = providers.byName(p.getKey()).get().settings().field(f.getKey())
                        .map(ProviderSettingsSpec.Field::secret).orElse(false);
                if (v.isNull()) {
                    fields.put(f.getKey(), null);
                } else if (v.isTextual()) {
                    // The one text rule (a control character or half a surrogate pair is 422 naming the field).
                    fields.put(f.getKey(), PlainText.requireClean(v.asText(), fp));
                } else if (v.isNumber() && !secret) {
                    fields.put(f.getKey(), v.asText()); // a port, an account or line number typed as a number
                } else {
                    throw DomainFailure.invalid(fp, "'" + fp + "' must be a string");
                }
            }
            changes.put(p.getKey(), fields);
        }
        settings.update(siteId, changes);
    }

    /**
     * A provider removed ({@code null}) takes its credentials with it; otherwise any field the
     * provider marks {@link ProviderSettingsSpec.Field#credential} counts, set or removed alike.
     */
    @Override
    public boolean changesCredentials(JsonNode value) {
        if (!value.isObject()) {
            return false;
        }
        Iterator<Map.Entry<String, JsonNode>> it = value.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> p = it.next();
            TelephonyProvider provider = providers.byName(p.getKey()).orElse(null);
            if (provider == null) {
                continue; // refused by apply
            }
            if (p.getValue().isNull()) {
                return true;
            }
            if (!p.getValue().isObject()) {
                continue; // refused by apply
            }
            Iterator<String> names = p.getValue().fieldNames();
            while (names.hasNext()) {
                if (provider.settings().field(names.next()).map(ProviderSettingsSpec.Field::credential).orElse(false)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public Object describe(String siteId) {
        return settings.describe(siteId);
    }
}
