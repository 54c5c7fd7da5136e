package io.ringpool.call;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ringpool.http.ApiException;
import io.ringpool.http.JsonBody;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolService;
import io.ringpool.pool.StaticNumber;
import io.ringpool.site.E164;
import io.ringpool.site.Keys;
import io.ringpool.site.Site;
import io.ringpool.site.SiteSettings;
import io.ringpool.store.ConstraintViolationException;
import io.ringpool.store.Database;
import java.sql.Connection;
import java.sql.SQLException;
import io.ringpool.store.GroupCommitWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests call events into the one call model, attributes and classifies calls, and serves the
 * call log, tags and erasure.
 *
 * <h2>Ingestion of one event, in one transaction</h2>
 * <ol>
 *   <li>The dialled number ({@code to}) must be a pool or static number of the site, or nothing
 *       is stored (422 {@code unknown_number}): one site can never write into another's calls.</li>
 *   <li>The event is stored under its idempotency key (site, provider, provider call id, kind),
 *       the primary key of {@code call_events}. A repeat that adds nothing is a duplicate: the
 *       answer is the call as it is. A repeat that adds something (a duration the first delivery
 *       lacked) is joined into the stored event ({@link CallStateMerger#join}), so any order and
 *       any number of deliveries end in the same state.</li>
 *   <li>The call's state is folded from all its stored events ({@link CallStateMerger#fold}).
 *       While no event names the dialled number (a Twilio status callback of the forwarded leg
 *       that overtook the voice webhook) the events wait, and the call is created when one does.</li>
 *   <li>A new call is attributed at its start ({@link Attribution#attribute}); the result and the
 *       chosen visit's data are stored with it. It is decided again only if an earlier event moves
 *       the start (out-of-order delivery), never because of what happened after the call.</li>
 *   <li>Every call of the same caller on the site is reclassified ({@link CallClassifier}): a late
 *       event may change this call's answer, and an out-of-order earlier call the others'.</li>
 * </ol>
 * Concurrent deliveries of one call are serialised in-process by a striped lock; across nodes the
 * unique keys decide and the loser retries from the top, reading what the winner wrote.
 */
public final class CallService {
    private static final Logger LOG = LoggerFactory.getLogger(CallService.class);

    /** How many of the visitor's earlier visits a call keeps: enough for a channel path, bounded. */
    static final int EARLIER_VISITS_MAX = 10;

    /** Attempts at one ingestion when another node wins a unique-key race; the second always sees the winner. */
    private static final int RACE_ATTEMPTS = 3;

    /** Lock stripes for in-process serialisation of one call's events (power of two). */
    private static final int STRIPES = 64;

    /** The outcome of one event: the call (null while it waits for its dialled number) and whether it was a repeat. */
    public record Ingested(String provider, String providerCallId, StoredCall call, boolean duplicate) {}

    /** One page of the call log. */
    public record Page(List<StoredCall> calls, String nextCursor) {}

    private final Database db;
    private final PoolRegistry pools;
    private final PoolService poolService;
    private final Clock clock;
    private final GroupCommitWriter writer;
    private final MeterRegistry registry;
    private final Timer ingestLatency;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    public CallService(Database db, GroupCommitWriter writer, PoolRegistry pools, PoolService poolService, Clock clock,
            MeterRegistry registry) {
        this.writer = writer;
        CallStore.useH2IndexHints(db.isH2());
        this.db = db;
        this.pools = pools;
        this.poolService = poolService;
        this.clock = clock;
        this.registry = registry;
        this.ingestLatency = Timer.builder("ringpool.calls.ingest.latency")
                .description("time to ingest one call event: verify the number, store, attribute, classify, commit")
                .publishPercentiles(0.5, 0.99).register(registry);
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /**
     * The site's tracking number for a dialled number as a provider wrote it, or 422
     * {@code unknown_number} (field {@code to}) when the site owns no such pool or static number.
     */
    public String trackingNumber(Site site, String raw) {
        String number = normaliseDialled(raw, site.settings().country());
        if (number == null || (pools.holding(site.siteId(), number).isEmpty()
                && poolService.staticNumber(site.siteId(), number).isEmpty())) {
            throw new ApiException(422, "unknown_number",
                    "'to' is not a tracking number of this site (neither a pool nor a static number)", "to");
        }
        return number;
    }

    /** E.164 for a dialled number: as configured (E.164 with punctuation forgiven), else parsed with the site's country. */
    static String normaliseDialled(String raw, String country) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String cleaned = raw.strip().replaceAll("[\\s\\u00a0().-]", "");
        if (E164.isE164(cleaned)) {
            return cleaned;
        }
        CallerNumber parsed = CallerNumber.of(raw, country);
        return parsed.valid() ? parsed.value() : null;
    }

    /**
     * Ingests one event of {@code site}; committed when this returns.
     *
     * @throws ApiException 422 {@code unknown_number} when the event names a number the site does
     *                      not own, or {@code missing_field to} when a call's first event names none
     *                      and {@code requireNumberForNewCall} is set; nothing is stored then
     */
    public Ingested ingest(Site site, CallEvent event, boolean requireNumberForNewCall) {
        long start = System.nanoTime();
        if (event.to() != null && !event.to().isBlank()) {
            trackingNumber(site, event.to());
        }
        ReentrantLock lock = stripes[Math.floorMod(Objects.hash(site.siteId(), event.provider(), event.providerCallId()), STRIPES)];
        lock.lock();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    // Group-committed with whatever else is being written: one commit for many events
                    // instead of one each. The stripe lock keeps one call's events in order.
                    var result = new java.util.concurrent.atomic.AtomicReference<Ingested>();
                    writer.commit(c -> result.set(ingestIn(c, site, event, requireNumberForNewCall)));
                    return result.get();
                } catch (ConstraintViolationException race) {
                    if (attempt >= RACE_ATTEMPTS) {
                        throw race;
                    }
                }
            }
        } finally {
            lock.unlock();
            ingestLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private Ingested ingestIn(Connection c, Site site, CallEvent incoming, boolean requireNumberForNewCall) throws SQLException {
        String siteId = site.siteId();
        long now = clock.millis();
        StoredCall existing = CallStore.callByProviderId(c, siteId, incoming.provider(), incoming.providerCallId()).orElse(null);
        // An erased caller stays erased, even when the provider repeats an old event.
        CallEvent event = existing != null && CallerNumber.ERASED.equals(existing.caller()) && incoming.from() != null
                ? new CallEvent(incoming.provider(), incoming.providerCallId(), incoming.kind(), incoming.at(), CallerNumber.ERASED,
                        incoming.to(), incoming.durationSeconds(), incoming.talkSeconds(), incoming.recordingUrl())
                : incoming;
        List<CallEvent> events = new ArrayList<>(CallStore.events(c, siteId, event.provider(), event.providerCallId()));
        if (existing == null && requireNumberForNewCall && (event.to() == null || event.to().isBlank())
                && events.stream().allMatch(e -> e.to() == null)) {
            throw new ApiException(422, "missing_field", "'to' is required on the first event of a call", "to");
        }
        CallEvent same = events.stream().filter(e -> e.kind() == event.kind()).findFirst().orElse(null);
        if (same != null) {
            CallEvent joined = CallStateMerger.join(same, event);
            if (joined.equals(same)) {
                return new Ingested(event.provider(), event.providerCallId(), existing, true);
            }
            CallStore.updateEvent(c, siteId, joined);
            events.set(events.indexOf(same), joined);
        } else {
            CallStore.insertEvent(c, siteId, event, existing == null ? null : existing.callId(), now);
            events.add(event);
        }

        CallState state = CallStateMerger.fold(events);
        if (state.to() == null) {
            return new Ingested(event.provider(), event.providerCallId(), null, false); // waits for the voice webhook
        }
        String number = trackingNumber(site, state.to());
        SiteSettings settings = site.settings();
        CallerNumber caller = existing != null && CallerNumber.ERASED.equals(existing.caller())
                ? new CallerNumber(CallerNumber.ERASED, false)
                : CallerNumber.of(state.from(), settings.country());

        String callId = existing != null ? existing.callId() : Keys.random("call_", 12);
        CallAttribution attribution;
        boolean attributedNow = existing == null || !existing.attribution().decidedFor().equals(state.startedAt());
        if (attributedNow) {
            attribution = attribute(c, site, callId, number, state.startedAt(), caller);
        } else {
            attribution = existing.attribution();
        }
        CallClass placeholder = existing != null ? existing.classes() : new CallClass(false, false, false, false);
        StoredCall call = new StoredCall(callId, siteId, state.provider(), state.providerCallId(), caller.value(), caller.valid(),
                number, state.status(), state.answered(), state.startedAt(), state.answeredAt(), state.endedAt(),
                state.durationSeconds(), state.talkSeconds(), state.recordingUrl(), placeholder, attribution,
                existing != null ? existing.tags() : List.of(), existing != null ? existing.value() : null,
                existing != null ? existing.currency() : null);
        if (existing == null) {
            CallStore.insertCall(c, call, now);
            CallStore.linkEvents(c, siteId, state.provider(), state.providerCallId(), callId);
        } else {
            CallStore.updateCall(c, call, now);
        }
        reclassify(c, site, call);
        StoredCall stored = CallStore.callById(c, siteId, callId).orElseThrow();

        if (existing == null || existing.status() != stored.status()) {
            Counter.builder("ringpool.calls.received").description("calls reaching each status, by provider")
                    .tag("provider", stored.provider()).tag("status", stored.status().wireName()).register(registry).increment();
        }
        if (attributedNow) {
            if (existing == null) {
                Counter.builder("ringpool.calls.attributed").description("new calls by attribution method")
                        .tag("method", attribution.method().wireName()).register(registry).increment();
            }
            LOG.info("call_attributed site={} call={} provider={} caller={} number={} method={} session={} candidates={}",
                    siteId, callId, stored.provider(), caller.masked(), number, attribution.method().wireName(),
                    shortId(attribution.sessionId()), attribution.candidates().size());
        }
        return new Ingested(event.provider(), event.providerCallId(), stored, false);
    }

    /** Attribution at {@code callAt} with the chosen visit's data, as stored with the call. */
    private CallAttribution attribute(Connection c, Site site, String callId, String number, Instant callAt, CallerNumber caller)
            throws SQLException {
        SiteSettings settings = site.settings();
        StaticNumberSource staticSource = poolService.staticNumber(site.siteId(), number)
                .map(CallService::source).orElse(null);
        List<LeaseInterval> leases = staticSource != null ? List.of()
                : CallStore.leases(c, site.siteId(), number, callAt, settings.coolDown().toMillis());
        PreviousAttribution previous = caller.valid()
                ? CallStore.previousAttribution(c, site.siteId(), caller.value(), callAt, callId)
                : null;
        AttributionResult result = Attribution.attribute(callAt, number, leases, settings.coolDown(), staticSource, previous);
        CallAttribution.Visit visit = null;
        List<CallAttribution.EarlierVisit> earlier = List.of();
        if (result.sessionId() != null) {
            Optional<CallAttribution.Visit> v = CallStore.visit(c, site.siteId(), result.sessionId());
            if (v.isPresent()) {
                visit = v.get();
                if (result.visitorId() != null) {
                    earlier = CallStore.earlierVisits(c, site.siteId(), result.visitorId(), visit.startedAt(), EARLIER_VISITS_MAX);
                }
            }
        }
        return new CallAttribution(result.method(), callAt, result.sessionId(), result.visitorId(), visit, result.staticSource(),
                result.candidates(), earlier);
    }

    private static StaticNumberSource source(StaticNumber s) {
        return new StaticNumberSource(s.number(), s.source(), s.medium(), s.campaign(), s.label());
    }

    /** Classifies every call of this call's caller again (just this one for an invalid caller). */
    private static void reclassify(Connection c, Site site, StoredCall call) throws SQLException {
        SiteSettings s = site.settings();
        ClassificationSettings settings = new ClassificationSettings(s.uniquenessDays(), s.targetCallSeconds());
        if (!call.callerValid()) {
            CallClass k = CallClassifier.classify(call.startedAt(), call.answered(), call.talkSeconds(), false, List.of(), settings);
            CallStore.updateClass(c, site.siteId(), call.callId(), k);
            return;
        }
        List<CallStore.CallerCall> calls = CallStore.callerCalls(c, site.siteId(), call.caller());
        List<Instant> times = calls.stream().map(CallStore.CallerCall::startedAt).toList();
        for (CallStore.CallerCall cc : calls) {
            CallClass k = CallClassifier.classify(cc.startedAt(), cc.answered(), cc.talkSeconds(), true, times, settings);
            if (!k.equals(cc.classes()) || cc.callId().equals(call.callId())) {
                CallStore.updateClass(c, site.siteId(), cc.callId(), k);
            }
        }
    }

    // ---- call log, tags, erasure -------------------------------------------------------------

    public Page log(CallQuery query) {
        List<StoredCall> rows = db.read(c -> CallStore.query(c, query));
        if (rows.size() <= query.limit()) {
            return new Page(rows, null);
        }
        List<StoredCall> page = rows.subList(0, query.limit());
        StoredCall last = page.get(page.size() - 1);
        return new Page(List.copyOf(page), new CallQuery.Cursor(last.startedAt(), last.callId()).encode());
    }

    public Optional<StoredCall> call(String siteId, String callId) {
        return db.read(c -> CallStore.callById(c, siteId, callId));
    }

    /** Applies {@code {"tags", "value", "currency"}} (each optional) and returns the call; 404 for another site's call. */
    public StoredCall patch(Site site, String callId, JsonBody body) {
        body.rejectUnknown(Set.of("tags", "value", "currency"));
        List<String> tags = body.optionalStringList("tags", 20, 50);
        Double value = body.optionalNumber("value", 0, 1e12);
        String currency = body.optionalString("currency", 3);
        if (currency != null) {
            currency = currency.toUpperCase(java.util.Locale.ROOT);
            try {
                Currency.getInstance(currency);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("currency", "'currency' must be an ISO 4217 code such as RUB, USD, EUR");
            }
        }
        List<String> newTags = tags == null ? null : List.copyOf(new LinkedHashSet<>(tags));
        String newCurrency = currency;
        return db.inTransaction(c -> {
            StoredCall call = CallStore.callById(c, site.siteId(), callId).orElseThrow(() -> ApiException.notFound("call"));
            Double v = value != null ? value : call.value();
            String cur = newCurrency != null ? newCurrency : call.currency();
            if (v != null && cur == null) {
                cur = site.settings().currency(); // a value without a currency is in the site's currency
            }
            CallStore.updateMarketing(c, site.siteId(), callId, newTags != null ? newTags : call.tags(), v, cur, clock.millis());
            return CallStore.callById(c, site.siteId(), callId).orElseThrow();
        });
    }

    /**
     * Erases a caller's number from the site's calls (PRODUCT.md §5): replaced by
     * {@link CallerNumber#ERASED}; counts and classifications stay. Returns the calls changed.
     */
    /**
     * Caller numbers are personal data kept for the site's {@code retentionDays}: older calls keep
     * their attribution, times and tags, but their caller becomes {@code erased}. Run hourly.
     */
    public int purgeExpiredCallers(Site site) {
        long before = clock.millis() - java.time.Duration.ofDays(site.settings().retentionDays()).toMillis();
        int purged = db.inTransaction(c -> CallStore.purgeCallersBefore(c, site.siteId(), before));
        if (purged > 0) {
            LOG.info("callers_purged site={} calls={} retentionDays={}", site.siteId(), purged, site.settings().retentionDays());
        }
        return purged;
    }

    public int eraseCaller(Site site, String raw) {
        CallerNumber caller = CallerNumber.of(raw, site.settings().country());
        String value = caller.valid() ? caller.value() : raw == null ? "" : raw.strip();
        if (value.isEmpty() || CallerNumber.ERASED.equals(value)) {
            throw ApiException.invalid("e164", "give the caller's number, E.164 such as +79161234567");
        }
        int erased = db.inTransaction(c -> {
            // The visits linked to these calls hold the person's landing pages and client ids: they go too.
            io.ringpool.session.VisitErasure.eraseLinkedToCaller(c, site.siteId(), value);
            return CallStore.eraseCaller(c, site.siteId(), value);
        });
        LOG.info("caller_erased site={} caller={} calls={}", site.siteId(), caller.masked(), erased);
        return erased;
    }

    /** The first characters of an id, for logs: enough to find it, not enough to use it. */
    static String shortId(String id) {
        return id == null ? "-" : id.length() <= 8 ? id : id.substring(0, 8) + "…";
    }
}
