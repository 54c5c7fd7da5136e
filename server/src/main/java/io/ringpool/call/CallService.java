package io.ringpool.call;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ringpool.failure.DomainFailure;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolService;
import io.ringpool.pool.StaticNumber;
import io.ringpool.site.E164;
import io.ringpool.site.Keys;
import io.ringpool.site.Site;
import io.ringpool.site.SiteSettings;
import io.ringpool.store.ConstraintViolationException;
import io.ringpool.store.Database;
import io.ringpool.store.GroupCommitWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 *       is stored ({@link NotATrackingNumber}): one site can never write into another's calls.</li>
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
 *
 * <p>The transaction only writes (it is group-committed and may run twice: see
 * {@link GroupCommitWriter}); it returns an {@link Outcome}, and the counters and the
 * {@code call_attributed} log are written from that once the commit is known.
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

    /**
     * What one committed ingestion did, for the counters and logs written after the commit.
     *
     * @param previousStatus the call's status before this event; null for a new call (or none yet)
     * @param attributedNow  whether the call was attributed by this event (new, or its start moved)
     */
    record Outcome(Ingested ingested, CallState.Status previousStatus, boolean newCall, boolean attributedNow, CallerNumber caller,
            boolean recordingReported) {
        Outcome(Ingested ingested, CallState.Status previousStatus, boolean newCall, boolean attributedNow, CallerNumber caller) {
            this(ingested, previousStatus, newCall, attributedNow, caller, false);
        }
    }

    /**
     * One page of the call log.
     *
     * @param next where the next page starts; null on the last page
     */
    public record Page(List<StoredCall> calls, CallQuery.Position next) {}

    private final Database db;
    private final PoolRegistry pools;
    private final PoolService poolService;
    private final Clock clock;
    private final GroupCommitWriter writer;
    private final MeterRegistry registry;
    private final Timer ingestLatency;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final CallRecords records = new CallRecords();
    private final CallerCalls callerCalls;
    private final AttributionReads attributionReads;
    private final CallLogQuery logQuery = new CallLogQuery();
    private final CallTags tags = new CallTags();
    private final CallReviews reviews = new CallReviews();
    private final CallerErasure erasure = new CallerErasure();
    private final RecordingHook recordings;
    private final CallOutbox outbox;

    public CallService(Database db, GroupCommitWriter writer, PoolRegistry pools, PoolService poolService, Clock clock,
            MeterRegistry registry) {
        this(db, writer, pools, poolService, clock, registry, RecordingHook.NONE, CallOutbox.NONE);
    }

    public CallService(Database db, GroupCommitWriter writer, PoolRegistry pools, PoolService poolService, Clock clock,
            MeterRegistry registry, RecordingHook recordings) {
        this(db, writer, pools, poolService, clock, registry, recordings, CallOutbox.NONE);
    }

    /**
     * @param recordings told, in the call's transaction, of recordings reported and callers erased
     * @param outbox     writes the events of each call change inside the change's own transaction
     */
    public CallService(Database db, GroupCommitWriter writer, PoolRegistry pools, PoolService poolService, Clock clock,
            MeterRegistry registry, RecordingHook recordings, CallOutbox outbox) {
        this.recordings = recordings;
        this.outbox = outbox;
        this.writer = writer;
        this.db = db;
        this.callerCalls = new CallerCalls(db.dialect());
        this.attributionReads = new AttributionReads(db.dialect());
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
     * The site's tracking number for a dialled number as a provider wrote it.
     *
     * @throws NotATrackingNumber when the site owns no such pool or static number
     */
    public String trackingNumber(Site site, String raw) {
        String number = normaliseDialled(raw, site.settings().country());
        if (number == null || (pools.holding(site.siteId(), number).isEmpty()
                && poolService.staticNumber(site.siteId(), number).isEmpty())) {
            throw new NotATrackingNumber();
        }
        return number;
    }

    /** E.164 for a dialled number: as configured (E.164 with punctuation forgiven), else parsed with the site's country. */
    static String normaliseDialled(String raw, String country) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String configured = E164.withoutPunctuation(raw.strip());
        if (configured != null) {
            return configured;
        }
        CallerNumber parsed = CallerNumber.of(raw, country);
        return parsed.valid() ? parsed.value() : null;
    }

    /**
     * Ingests one event of {@code site}; committed when this returns. The one entry for every
     * telephony adapter.
     *
     * @throws NotATrackingNumber when the event names a number the site does not own
     * @throws NumberMissing      when a call's first event names no number and
     *                            {@code requireNumberForNewCall} is set; nothing is stored then
     */
    public Ingested ingest(Site site, CallEvent event, boolean requireNumberForNewCall) {
        long start = System.nanoTime();
        if (event.to() != null && !event.to().isBlank()) {
            trackingNumber(site, event.to());
        }
        ReentrantLock lock = stripes[stripeOf(site.siteId(), event.provider(), event.providerCallId())];
        lock.lock();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    // Group-committed with whatever else is being written: one commit for many events
                    // instead of one each. The stripe lock keeps one call's events in order.
                    Outcome outcome = writer.commitReturning(c -> ingestIn(c, site, event, requireNumberForNewCall));
                    recordCommitted(site, outcome);
                    return outcome.ingested();
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

    static int stripeOf(String siteId, String provider, String providerCallId) {
        return Math.floorMod(Objects.hash(siteId, provider, providerCallId), STRIPES);
    }

    /** Writes only: may run twice (see {@link GroupCommitWriter}); what it did goes out in the {@link Outcome}. */
    private Outcome ingestIn(Connection c, Site site, CallEvent incoming, boolean requireNumberForNewCall) throws SQLException {
        String siteId = site.siteId();
        long now = clock.millis();
        StoredCall existing = records.byProviderId(c, siteId, incoming.provider(), incoming.providerCallId()).orElse(null);
        // An erased caller stays erased, even when the provider repeats an old event.
        CallEvent event = existing != null && CallerNumber.ERASED.equals(existing.caller()) && incoming.from() != null
                ? new CallEvent(incoming.provider(), incoming.providerCallId(), incoming.kind(), incoming.at(), CallerNumber.ERASED,
                        incoming.to(), incoming.durationSeconds(), incoming.talkSeconds(), incoming.recordingUrl())
                : incoming;
        List<CallEvent> events = new ArrayList<>(records.events(c, siteId, event.provider(), event.providerCallId()));
        if (existing == null && requireNumberForNewCall && (event.to() == null || event.to().isBlank())
                && events.stream().allMatch(e -> e.to() == null)) {
            throw new NumberMissing();
        }
        CallState.Status previousStatus = existing == null ? null : existing.status();
        CallEvent same = events.stream().filter(e -> e.kind() == event.kind()).findFirst().orElse(null);
        if (same != null) {
            CallEvent joined = CallStateMerger.join(same, event);
            if (joined.equals(same)) {
                return new Outcome(new Ingested(event.provider(), event.providerCallId(), existing, true), previousStatus, false,
                        false, null);
            }
            records.updateEvent(c, siteId, joined);
            events.set(events.indexOf(same), joined);
        } else {
            records.insertEvent(c, siteId, event, existing == null ? null : existing.callId(), now);
            events.add(event);
        }

        CallState state = CallStateMerger.fold(events);
        if (state.to() == null) {
            // waits for the voice webhook
            return new Outcome(new Ingested(event.provider(), event.providerCallId(), null, false), previousStatus, false, false, null);
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
            records.insert(c, call, now);
            records.linkEvents(c, siteId, state.provider(), state.providerCallId(), callId);
        } else {
            records.update(c, call, now);
        }
        reclassify(c, site, call);
        boolean recordingReported = call.recordingUrl() != null
                && (existing == null || !call.recordingUrl().equals(existing.recordingUrl()));
        if (recordingReported) {
            recordings.reported(c, call, now);
        }
        StoredCall stored = records.byId(c, siteId, callId).orElseThrow();
        outbox.changed(c, existing, stored);
        return new Outcome(new Ingested(event.provider(), event.providerCallId(), stored, false), previousStatus, existing == null,
                attributedNow, caller, recordingReported);
    }

    /** Counters and the attribution log of a committed ingestion: once per commit, never per attempt. */
    private void recordCommitted(Site site, Outcome outcome) {
        if (outcome.recordingReported()) {
            recordings.afterReport();
        }
        StoredCall stored = outcome.ingested().call();
        if (stored == null || outcome.ingested().duplicate()) {
            return;
        }
        if (outcome.previousStatus() != stored.status()) {
            Counter.builder("ringpool.calls.received").description("calls reaching each status, by provider")
                    .tag("provider", stored.provider()).tag("status", stored.status().wireName()).register(registry).increment();
        }
        if (outcome.attributedNow()) {
            CallAttribution attribution = stored.attribution();
            if (outcome.newCall()) {
                Counter.builder("ringpool.calls.attributed").description("new calls by attribution method")
                        .tag("method", attribution.method().wireName()).register(registry).increment();
            }
            LOG.info("call_attributed site={} call={} provider={} caller={} number={} method={} session={} candidates={}",
                    site.siteId(), stored.callId(), stored.provider(), outcome.caller().masked(), stored.number(),
                    attribution.method().wireName(), shortId(attribution.sessionId()), attribution.candidates().size());
        }
    }

    /** Attribution at {@code callAt} with the chosen visit's data, as stored with the call. */
    private CallAttribution attribute(Connection c, Site site, String callId, String number, Instant callAt, CallerNumber caller)
            throws SQLException {
        SiteSettings settings = site.settings();
        StaticNumberSource staticSource = poolService.staticNumber(site.siteId(), number)
                .map(CallService::source).orElse(null);
        List<LeaseInterval> leases = staticSource != null ? List.of()
                : attributionReads.leases(c, site.siteId(), number, callAt, settings.coolDown().toMillis());
        PreviousAttribution previous = caller.valid()
                ? attributionReads.previousAttribution(c, site.siteId(), caller.value(), callAt, callId)
                : null;
        AttributionResult result = Attribution.attribute(callAt, number, leases, settings.coolDown(), staticSource, previous);
        CallAttribution.Visit visit = null;
        List<CallAttribution.EarlierVisit> earlier = List.of();
        if (result.sessionId() != null) {
            Optional<CallAttribution.Visit> v = attributionReads.visit(c, site.siteId(), result.sessionId());
            if (v.isPresent()) {
                visit = v.get();
                if (result.visitorId() != null) {
                    earlier = attributionReads.earlierVisits(c, site.siteId(), result.visitorId(), visit.startedAt(),
                            EARLIER_VISITS_MAX);
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
    private void reclassify(Connection c, Site site, StoredCall call) throws SQLException {
        SiteSettings s = site.settings();
        ClassificationSettings settings = new ClassificationSettings(s.uniquenessDays(), s.targetCallSeconds());
        if (!call.callerValid()) {
            CallClass k = CallClassifier.classify(call.startedAt(), call.answered(), call.talkSeconds(), false, List.of(), settings);
            callerCalls.updateClass(c, site.siteId(), call.callId(), k);
            return;
        }
        List<CallerCalls.CallerCall> calls = callerCalls.of(c, site.siteId(), call.caller());
        List<Instant> times = calls.stream().map(CallerCalls.CallerCall::startedAt).toList();
        for (CallerCalls.CallerCall cc : calls) {
            CallClass k = CallClassifier.classify(cc.startedAt(), cc.answered(), cc.talkSeconds(), true, times, settings);
            if (!k.equals(cc.classes()) || cc.callId().equals(call.callId())) {
                callerCalls.updateClass(c, site.siteId(), cc.callId(), k);
            }
        }
    }

    // ---- call log, tags, erasure -------------------------------------------------------------

    public Page log(CallQuery query) {
        List<StoredCall> rows = db.read(c -> logQuery.read(c, query));
        if (rows.size() <= query.limit()) {
            return new Page(rows, null);
        }
        List<StoredCall> page = rows.subList(0, query.limit());
        StoredCall last = page.get(page.size() - 1);
        return new Page(List.copyOf(page), new CallQuery.Position(last.startedAt(), last.callId()));
    }

    /** A call of this site, if it has one by that id. */
    public Optional<StoredCall> call(String siteId, String callId) {
        return db.read(c -> records.byId(c, siteId, callId));
    }

    /**
     * Applies the marketer's changes and returns the call as stored.
     *
     * @throws UnknownCall when the site has no such call
     */
    public StoredCall patch(Site site, String callId, CallChanges changes) {
        return db.inTransaction(c -> {
            StoredCall call = records.byId(c, site.siteId(), callId).orElseThrow(UnknownCall::new);
            Double value = changes.value() != null ? changes.value() : call.value();
            String currency = changes.currency() != null ? changes.currency() : call.currency();
            if (value != null && currency == null) {
                currency = site.settings().currency(); // a value without a currency is in the site's currency
            }
            tags.write(c, site.siteId(), callId, changes.tags() != null ? changes.tags() : call.tags(), value, currency,
                    clock.millis());
            if (changes.reviewed() != null || changes.note() != null) {
                boolean reviewed = changes.reviewed() != null ? changes.reviewed() : call.review().reviewed();
                String note = changes.note() != null ? (changes.note().isBlank() ? null : changes.note().strip()) : call.review().note();
                reviews.write(c, site.siteId(), callId, reviewed, note, clock.millis());
            }
            StoredCall updated = records.byId(c, site.siteId(), callId).orElseThrow();
            outbox.changed(c, call, updated);
            return updated;
        });
    }

    /**
     * Caller numbers are personal data kept for the site's {@code retentionDays}: older calls keep
     * their attribution, times and tags, but their caller becomes {@code erased}. Run hourly.
     */
    public int purgeExpiredCallers(Site site) {
        long before = clock.millis() - Duration.ofDays(site.settings().retentionDays()).toMillis();
        int purged = db.inTransaction(c -> erasure.purgeBefore(c, site.siteId(), before));
        if (purged > 0) {
            LOG.info("callers_purged site={} calls={} retentionDays={}", site.siteId(), purged, site.settings().retentionDays());
        }
        return purged;
    }

    /**
     * Erases a caller's number from the site's calls (PRODUCT.md §5): replaced by
     * {@link CallerNumber#ERASED}; counts and classifications stay. Returns the calls changed.
     */
    public int eraseCaller(Site site, String raw) {
        CallerNumber caller = CallerNumber.of(raw, site.settings().country());
        String value = caller.valid() ? caller.value() : raw == null ? "" : raw.strip();
        if (value.isEmpty() || CallerNumber.ERASED.equals(value)) {
            throw DomainFailure.invalid("e164", "give the caller's number, E.164 such as +79161234567");
        }
        int erased = db.inTransaction(c -> {
            // The visits linked to these calls hold the person's landing pages and client ids: they go too.
            io.ringpool.session.VisitErasure.eraseLinkedToCaller(c, site.siteId(), value);
            recordings.erased(c, site.siteId(), erasure.callIdsOf(c, site.siteId(), value), clock.millis());
            return erasure.erase(c, site.siteId(), value);
        });
        recordings.afterErasure(site.siteId());
        LOG.info("caller_erased site={} caller={} calls={}", site.siteId(), caller.masked(), erased);
        return erased;
    }

    /**
     * Keeps a provider's transcript with its call and applies the site's keyword rules: each rule
     * whose phrase the transcript contains adds its tag to the call (once) and is recorded with it
     * as an automatic tag. Returns the call, or empty when the provider's call is not (yet) known.
     */
    public Optional<StoredCall> transcript(Site site, String provider, String providerCallId, String text, List<KeywordRule> rules) {
        String clean = text == null ? "" : text.strip();
        if (clean.length() > CallReviews.MAX_TRANSCRIPT_CHARS) {
            clean = clean.substring(0, CallReviews.MAX_TRANSCRIPT_CHARS);
        }
        String kept = clean;
        Optional<StoredCall> result = db.inTransaction(c -> {
            Optional<StoredCall> found = records.byProviderId(c, site.siteId(), provider, providerCallId);
            if (found.isEmpty()) {
                return found;
            }
            StoredCall call = found.get();
            long now = clock.millis();
            List<CallReview.AutoTag> autoTags = new ArrayList<>(call.review().autoTags());
            List<String> callTags = new ArrayList<>(call.tags());
            for (KeywordRule rule : rules) {
                if (rule.firstMatch(kept) != null && autoTags.stream().noneMatch(t -> t.tag().equals(rule.tag()))) {
                    autoTags.add(new CallReview.AutoTag(rule.tag(), rule.asMap(), Instant.ofEpochMilli(now)));
                    if (!callTags.contains(rule.tag()) && callTags.size() < CallChanges.MAX_TAGS) {
                        callTags.add(rule.tag());
                    }
                }
            }
            reviews.writeTranscript(c, site.siteId(), call.callId(), kept, AutoTags.write(autoTags), now);
            if (!callTags.equals(call.tags())) {
                tags.write(c, site.siteId(), call.callId(), callTags, call.value(), call.currency(), now);
            }
            return records.byId(c, site.siteId(), call.callId());
        });
        result.ifPresent(call -> LOG.info("call_transcript_kept site={} call={} chars={} autoTags={}", site.siteId(), call.callId(),
                kept.length(), call.review().autoTags().size()));
        return result;
    }

    /** The first characters of an id, for logs: enough to find it, not enough to use it. */
    static String shortId(String id) {
        return id == null ? "-" : id.length() <= 8 ? id : id.substring(0, 8) + "…";
    }
}
