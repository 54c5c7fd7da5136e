package io.ringpool.call;

import io.ringpool.visit.VisitSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
import io.ringpool.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests call events into the one call model, attributes and classifies calls, and serves the
 * call log, tags and erasure.
 *
 * <h2>Ingestion of one event</h2>
 * <ol>
 *   <li>The dialled number ({@code to}) must be a pool or static number of the site, or nothing
 *       is stored ({@link NotATrackingNumber}): one site can never write into another's calls.</li>
 *   <li>The event is stored once per (site, provider, provider call id, kind), its idempotency
 *       key: the call is unique per provider call id, and its events are keyed by (call, kind) in
 *       {@code call_events}. A repeat that adds nothing is a duplicate: the
 *       answer is the call as it is. A repeat that adds something (a duration the first delivery
 *       lacked) is joined into the stored event ({@link CallStateMerger#join}), so any order and
 *       any number of deliveries end in the same state.</li>
 *   <li>The call's state is folded from all its stored events ({@link CallStateMerger#fold}).
 *       While no event names the dialled number (a Twilio status callback of the forwarded leg
 *       that overtook the voice webhook) the events wait in {@code call_events_waiting}; the
 *       call is created when one does, and they are filed under it.</li>
 *   <li>A new call is attributed at its start ({@link Attribution#attribute}); the result and the
 *       chosen visit's data are stored with it. It is decided again only if an earlier event moves
 *       the start (out-of-order delivery), never because of what happened after the call.</li>
 *   <li>Every call of the same caller on the site is reclassified ({@link CallClassifier}): a late
 *       event may change this call's answer, and an out-of-order earlier call the others'.</li>
 * </ol>
 *
 * <h2>Reads before the write, off the writer thread</h2>
 * Steps 1–5 read and decide on pooled connections; the group-commit writer gets only the rows to
 * write, plus one primary-key read of the call it wrote, for the outbox (issue 15: the single
 * writer thread used to run every attribution read, which capped call events near 400/s). What
 * keeps that correct:
 * <ul>
 *   <li>Deliveries of one call are serialised in-process by a striped lock held from the first
 *       read to the commit, so each plans from its predecessor's committed rows.</li>
 *   <li>Calls of one caller are serialised the same way (a second striped lock, always taken
 *       after the call's), because classification and the {@code repeat} method read all of them.</li>
 *   <li>The write re-checks what the plan read, cheaply: an existing call is updated only
 *       {@code WHERE revision = <read>} (erasure raises it too); a new event is inserted only if
 *       its kind is absent, a joined one updated only if its row is as read. A failed check writes
 *       nothing and the event is planned again from the top; across nodes the unique keys still
 *       decide a race between uncommitted writes, and the loser retries the same way.</li>
 * </ul>
 * Across nodes, two calls of one caller planned at once may each miss the other in their
 * classification (as before: the per-caller lock is per node).
 *
 * <p>The write only writes (it is group-committed and may run twice: see
 * {@link GroupCommitWriter}); the counters and the {@code call_attributed} log are written from
 * the {@link Outcome} once the commit is known.
 *
 * <p>The call log and one call are read by {@link CallReads}; tags, reviews and transcripts are
 * edited by {@link CallEdits}; callers are erased and purged by {@link CallerDataErasure}.
 */
public final class CallService {
    private static final Logger LOG = LoggerFactory.getLogger(CallService.class);
    /**
     * Tests set {@code -Dringpool.checkStoredCopies=true}: every ingestion then also reads its call
     * back on the writer and fails unless it equals the copy built in memory, so the whole suite
     * proves {@link CallRows#asStored} against the real row.
     */
    static final boolean CHECK_STORED_COPIES = Boolean.getBoolean("ringpool.checkStoredCopies");

    /** How many of the visitor's earlier visits a call keeps: enough for a channel path, bounded. */
    static final int EARLIER_VISITS_MAX = 10;

    /** Attempts at one ingestion when another node wins a unique-key race; the second always sees the winner. */
    private static final int RACE_ATTEMPTS = 3;

    /**
     * Lock stripes for in-process serialisation of one call's events. Many, for the callers' reason
     * below: a stripe is held until the event's commit, and with 64 stripes an event among 64 in
     * flight found its stripe held by an unrelated call 63 % of the time (random provider call ids,
     * as Twilio's and most providers' are); with 1,024, 6 %.
     */
    static final int STRIPES = 1024;

    /**
     * Lock stripes for one caller's calls, taken after a call's stripe (never the other way round,
     * so no cycle): many, since a collision makes two unrelated callers wait for each other's commit.
     */
    private static final int CALLER_STRIPES = 1024;

    /** The outcome of one event: the call (null while it waits for its dialled number) and whether it was a repeat. */
    public record Ingested(String provider, String providerCallId, StoredCall call, boolean duplicate) {}

    /**
     * What one committed ingestion did, for the counters and logs written after the commit.
     *
     * @param previousStatus the call's status before this event; null for a new call (or none yet)
     * @param attributedNow  whether the call was attributed by this event (new, or its start moved)
     * @param previousMethod the call's attribution method before this event; null for a new call
     */
    record Outcome(Ingested ingested, CallState.Status previousStatus, boolean newCall, boolean attributedNow, CallerNumber caller,
            boolean recordingReported, AttributionMethod previousMethod) {
        Outcome(Ingested ingested, CallState.Status previousStatus, boolean newCall, boolean attributedNow, CallerNumber caller) {
            this(ingested, previousStatus, newCall, attributedNow, caller, false, null);
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
    private final ReentrantLock[] callerStripes = new ReentrantLock[CALLER_STRIPES];
    private final CallRecords records = new CallRecords();
    private final CallerCalls callerCalls;
    private final AttributionReads attributionReads;
    private final CallReads reads;
    private final CallEdits edits;
    private final CallerDataErasure erasure;
    private final RecordingHook recordings;
    private final CallOutbox outbox;
    private final CallEventTimes eventTimes;
    /** The settings of each site whose calls {@link #reclassifyAll} is classifying again right now. */
    private final Map<String, ClassificationSettings> reclassifying = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Callers per batch of {@link #reclassifyAll}: each batch is one short transaction (a few
     * thousand rows read, the changed ones written) holding these callers' locks.
     */
    static final int RECLASSIFY_CALLERS = 500;

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
        this(db, writer, pools, poolService, clock, registry, recordings, outbox, new CallEventTimes(registry, List.of()));
    }

    /** @param eventTimes the time rule, shared with the call journal (each call's correction is logged once) */
    public CallService(Database db, GroupCommitWriter writer, PoolRegistry pools, PoolService poolService, Clock clock,
            MeterRegistry registry, RecordingHook recordings, CallOutbox outbox, CallEventTimes eventTimes) {
        this(db, writer, pools, poolService, clock, registry, recordings, outbox, eventTimes, ContactLeads.NONE);
    }

    /** @param contactLeads a call's {@code leads}: the same lookup the outbox's call events make */
    public CallService(Database db, GroupCommitWriter writer, PoolRegistry pools, PoolService poolService, Clock clock,
            MeterRegistry registry, RecordingHook recordings, CallOutbox outbox, CallEventTimes eventTimes,
            ContactLeads contactLeads) {
        this.eventTimes = eventTimes;
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
        // Every method's series exists from the start at 0: Prometheus' increase() cannot see a series' first value.
        for (AttributionMethod method : AttributionMethod.values()) {
            attributedCounter(method);
            for (AttributionMethod to : AttributionMethod.values()) {
                if (to != method) {
                    reattributedCounter(method, to);
                }
            }
        }
        this.reads = new CallReads(db, records, contactLeads);
        this.edits = new CallEdits(db, clock, records, outbox);
        this.erasure = new CallerDataErasure(db, clock, recordings, outbox);
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        for (int i = 0; i < CALLER_STRIPES; i++) {
            callerStripes[i] = new ReentrantLock();
        }
    }

    /**
     * The site's tracking number for a dialled number as a provider wrote it.
     *
     * @throws NotATrackingNumber when the site owns no such pool or static number
     */
    public String trackingNumber(Site site, String raw) {
        String number = normaliseDialled(raw, site.settings().country());
        if (number == null || !poolService.isTrackingNumber(site.siteId(), number)) {
            throw new NotATrackingNumber();
        }
        return number;
    }

    /**
     * As {@link #trackingNumber(Site, String)} for the dialled number of {@code event}, checked
     * before the event is journaled (the store is not read): also refused when the site gave the
     * number up and another site holds it now, and the call started after the site gave it up
     * ({@link #startsAfterGivenUp}). At least as strict as {@link #ingest}, which also takes every
     * event of a call already stored, so an event journaled here is never refused on delivery.
     */
    public String trackingNumber(Site site, CallEvent event) {
        String number = trackingNumber(site, event.to());
        if (startsAfterGivenUp(site, number, event)) {
            throw NotATrackingNumber.givenUp();
        }
        return number;
    }

    /**
     * Whether the call of {@code event} started once the site had given {@code number} up (retired
     * it from a pool or as a static number) and another site holds the number now (audit s37 #4):
     * such a call is the other site's, and storing it here would keep one number tracked by two
     * sites. A call that started while the site held the number is still its own (a provider's
     * retry, a late delivery). The start is the event's time as sent, less the stated length of a
     * final event (a call that spanned the retirement began before it).
     */
    private boolean startsAfterGivenUp(Site site, String number, CallEvent event) {
        OptionalLong givenUpAt = poolService.givenUpTo(site.siteId(), number);
        if (givenUpAt.isEmpty()) {
            return false;
        }
        Instant start = event.at();
        Integer length = event.durationSeconds();
        if (event.kind().isTerminal() && length != null && length > 0 && Duration.ofSeconds(length).compareTo(LONGEST_INFERRED_CALL) <= 0) {
            start = start.minusSeconds(length);
        }
        return start.toEpochMilli() >= givenUpAt.getAsLong();
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
     * Ingests one event of {@code site}, received now; committed when this returns. The one entry
     * for every telephony adapter.
     *
     * @throws NotATrackingNumber when the event names a number the site does not own
     * @throws NumberMissing      when a call's first event names no number and
     *                            {@code requireNumberForNewCall} is set; nothing is stored then
     */
    public Ingested ingest(Site site, CallEvent sent, boolean requireNumberForNewCall) {
        return ingest(site, sent, requireNumberForNewCall, clock.instant());
    }

    /** The methods that say a lease of the number claims a time: someone's page showed it then. */
    private static final java.util.Set<AttributionMethod> LEASE_CLAIMS = java.util.EnumSet.of(AttributionMethod.ACTIVE,
            AttributionMethod.COOLING, AttributionMethod.AMBIGUOUS);

    /** Longest call whose start is inferred from a final event's duration (see {@link #ingestDatedOnReceipt}); past it, a mix-up. */
    static final Duration LONGEST_INFERRED_CALL = Duration.ofHours(24);

    /**
     * As {@link #ingest(Site, CallEvent, boolean)} for an event the sender did not date, so dated
     * on receipt. A final event received alone says when the call ended, not when it began: dated
     * on receipt it was attributed at the hangup, to whoever held the number then, as a sure
     * {@code active} (audit U #6: a PBX whose {@code ringing} post was lost gave a 400 s call to a
     * visitor who got the number 2.5 minutes after the caller dialled it). When the call then
     * knows nothing earlier than this event and the event states the call's length, the start it
     * implies (receipt − {@code durationSeconds}, at most {@link #LONGEST_INFERRED_CALL}) is
     * ingested as the call's {@code ringing}, which re-decides the attribution at that time, if a
     * lease of the number claims that time (live or cooling: someone's page showed the number).
     * When none does, the receipt stands, as before: a stated length often counts time before the
     * number was dialled (an IVR, a queue, a test sender's made-up figure), and a call posted right
     * after a visit would otherwise lose the visit it plainly came from. A call with an earlier
     * event keeps it (the sender's own evidence wins), and a retry of the final event, received
     * later, changes nothing.
     */
    public Ingested ingestDatedOnReceipt(Site site, CallEvent event, boolean requireNumberForNewCall) {
        Ingested ingested = ingest(site, event, requireNumberForNewCall);
        StoredCall call = ingested.call();
        Integer length = event.durationSeconds();
        if (ingested.duplicate() || call == null || !event.kind().isTerminal() || length == null || length <= 0
                || Duration.ofSeconds(length).compareTo(LONGEST_INFERRED_CALL) > 0 || call.startedAt().isBefore(event.at())) {
            return ingested;
        }
        Instant startedAt = event.at().minusSeconds(length);
        AttributionMethod atStart = db.read(c -> attribute(c, site, call.callId(), call.number(), startedAt,
                new CallerNumber(call.caller(), call.callerValid()))).method();
        if (!LEASE_CLAIMS.contains(atStart)) {
            return ingested;
        }
        CallEvent impliedStart = new CallEvent(event.provider(), event.providerCallId(), CallEvent.Kind.RINGING,
                startedAt, event.from(), event.to(), null, null, null);
        Ingested started = ingest(site, impliedStart, requireNumberForNewCall);
        return new Ingested(ingested.provider(), ingested.providerCallId(), started.call() != null ? started.call() : call, false);
    }

    /**
     * As {@link #ingest(Site, CallEvent, boolean)} for an event received at {@code receivedAt} (the
     * call journal delivers events it received earlier). Its time is kept by {@link CallEventTimes}.
     */
    public Ingested ingest(Site site, CallEvent sent, boolean requireNumberForNewCall, Instant receivedAt) {
        long start = System.nanoTime();
        CallEvent event = eventTimes.kept(site, sent, receivedAt);
        if (sent.recordingUrl() != null && event.recordingUrl() == null) {
            LOG.warn("call_recording_link_dropped site={} provider={} call={} chars={} reason={}", site.siteId(), sent.provider(),
                    shortId(event.providerCallId()), sent.recordingUrl().length(),
                    sent.recordingUrl().length() > CallEvent.MAX_RECORDING_URL_CHARS ? "too_long" : "not_a_link");
        }
        // Judged on the event as sent, as the pre-journal check judged it.
        boolean givenUp = event.to() != null && !event.to().isBlank() && startsAfterGivenUp(site, trackingNumber(site, event.to()), sent);
        ReentrantLock lock = stripes[stripeOf(site.siteId(), event.provider(), event.providerCallId())];
        lock.lock();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    Outcome outcome = ingestOnce(site, event, requireNumberForNewCall, givenUp);
                    if (outcome != null) {
                        recordCommitted(site, outcome);
                        return outcome.ingested();
                    }
                    // The rows moved on between the plan and its write (another node, an erasure): plan again.
                    if (attempt >= RACE_ATTEMPTS) {
                        throw new StoreException("call " + shortId(event.providerCallId()) + " changed under " + attempt + " attempts");
                    }
                } catch (ConstraintViolationException | StaleEvents race) {
                    if (attempt >= RACE_ATTEMPTS) {
                        // A store failure (503), not a conflict (409): the provider must send it again.
                        throw new StoreException("call " + shortId(event.providerCallId()) + " raced under " + attempt + " attempts", race);
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

    static int callerStripeOf(String siteId, String caller) {
        return Math.floorMod(Objects.hash(siteId, caller), CALLER_STRIPES);
    }

    /** What the store held of one provider call when the plan was read. */
    private record Seen(CallRecords.Revised call, CallRecords.StoredEvents events) {}

    /** What attribution and classification read for a call that is about to be written. */
    private record Context(CallAttribution attribution, List<CallerCalls.CallerCall> callerCalls) {}

    /** A classification that changed for another call of the same caller. */
    private record ClassChange(String callId, CallClass classes) {}

    /**
     * One attempt: reads and decides on pooled connections, then hands the group-commit writer a
     * write that only writes. Called under the call's stripe lock, so on this node nothing else
     * changes the call between the read and the write; the write still re-checks what it read
     * (the call's revision, or that its event row is as read) and returns null, having written
     * nothing, when another node or an erasure changed it meanwhile.
     */
    private Outcome ingestOnce(Site site, CallEvent incoming, boolean requireNumberForNewCall, boolean numberGivenUp) {
        String siteId = site.siteId();
        long now = clock.millis();
        Seen seen = db.read(c -> {
            CallRecords.Revised call = records.byProviderIdRevised(c, siteId, incoming.provider(), incoming.providerCallId()).orElse(null);
            return new Seen(call, records.events(c, siteId, incoming.provider(), incoming.providerCallId(),
                    call == null ? null : call.call().callId()));
        });
        StoredCall existing = seen.call() == null ? null : seen.call().call();
        if (existing == null && numberGivenUp) {
            // A new call to a number the site gave up, now another site's; events of a call stored before go on.
            throw NotATrackingNumber.givenUp();
        }
        // An erased caller stays erased, even when the provider repeats an old event.
        CallEvent event = existing != null && CallerNumber.ERASED.equals(existing.caller()) && incoming.from() != null
                ? new CallEvent(incoming.provider(), incoming.providerCallId(), incoming.kind(), incoming.at(), CallerNumber.ERASED,
                        incoming.to(), incoming.durationSeconds(), incoming.talkSeconds(), incoming.recordingUrl())
                : incoming;
        List<CallEvent> events = new ArrayList<>(seen.events().merged());
        if (existing == null && requireNumberForNewCall && (event.to() == null || event.to().isBlank())
                && events.stream().allMatch(e -> e.to() == null)) {
            throw new NumberMissing();
        }
        CallState.Status previousStatus = existing == null ? null : existing.status();
        CallEvent same = events.stream().filter(e -> e.kind() == event.kind()).findFirst().orElse(null);
        CallEvent stored;
        if (same != null) {
            stored = CallStateMerger.join(same, event);
            if (stored.equals(same)) {
                // Nothing new: what was read is committed, so the answer needs no write.
                return new Outcome(new Ingested(event.provider(), event.providerCallId(), existing, true), previousStatus, false,
                        false, null);
            }
            events.set(events.indexOf(same), stored);
        } else {
            stored = event;
            events.add(event);
        }

        CallState state = CallStateMerger.fold(events);
        if (state.to() == null && existing == null) {
            // waits for the voice webhook
            boolean written = writer.commitReturning(c -> same == null
                    ? records.waitIfAbsent(c, siteId, stored, now)
                    : records.updateWaitingIfUnchanged(c, siteId, stored, same));
            return written
                    ? new Outcome(new Ingested(event.provider(), event.providerCallId(), null, false), previousStatus, false, false, null)
                    : null;
        }
        // A call is created only once an event names its number, and events are never removed.
        String number = state.to() != null ? trackingNumber(site, state.to()) : existing.number();
        SiteSettings settings = site.settings();
        CallerNumber caller = existing != null && CallerNumber.ERASED.equals(existing.caller())
                ? new CallerNumber(CallerNumber.ERASED, false)
                : CallerNumber.of(state.from(), settings.country());
        // time-ordered: a new call and its events append to the end of the primary keys of calls and call_events
        String callId = existing != null ? existing.callId() : Keys.timeOrdered("call_", now, 12);
        boolean attributedNow = existing == null || !existing.attribution().decidedFor().equals(state.startedAt());

        // Classification and "repeat" read every call of the caller: one caller's calls are
        // planned and written one at a time (on this node), so each sees the others committed.
        ReentrantLock callerLock = caller.valid() ? callerStripes[callerStripeOf(siteId, caller.value())] : null;
        if (callerLock != null) {
            callerLock.lock();
        }
        try {
            Context context = db.read(c -> new Context(
                    attributedNow ? attribute(c, site, callId, number, state.startedAt(), caller) : existing.attribution(),
                    caller.valid() ? callerCalls.of(c, siteId, caller.value()) : List.of()));
            List<ClassChange> changes = new ArrayList<>();
            CallClass classes = classify(site, callId, state, caller, context.callerCalls(), changes);
            StoredCall call = new StoredCall(callId, siteId, state.provider(), state.providerCallId(), caller.value(), caller.valid(),
                    number, state.status(), state.answered(), state.startedAt(), state.answeredAt(), state.endedAt(),
                    state.durationSeconds(), state.talkSeconds(), state.recordingUrl(), classes, context.attribution(),
                    existing != null ? existing.tags() : List.of(), existing != null ? existing.value() : null,
                    existing != null ? existing.currency() : null);
            boolean recordingReported = call.recordingUrl() != null
                    && (existing == null || !call.recordingUrl().equals(existing.recordingUrl()));
            // The outbox and the answer must describe exactly the committed row. Built here, off the
            // writer, as the row will read (CallRows.asStored); only a reported recording, whose
            // queueing also sets the row's recording state, is read back on the writer. The copy keeps
            // the tags, review, transcript, recording state and classes as read for the plan; every
            // other write of those columns raises the revision, so a copy whose row changed meanwhile
            // fails updateAtRevision and is planned again instead of going out stale.
            StoredCall asCommitted = recordingReported ? null
                    : CallRows.asStored(call, existing != null ? existing.review() : CallReview.NONE);
            StoredCall committed = writer.commitReturning(c -> {
                if (existing != null && !records.updateAtRevision(c, call, seen.call().revision(), now)) {
                    return null;
                }
                // The events that waited for the call are filed under it (throws StaleEvents, which
                // rolls back, when one changed since the plan read it).
                records.unwait(c, siteId, seen.events().waiting());
                if (existing == null) {
                    records.insert(c, call, now);
                }
                records.file(c, siteId, callId, seen.events(), events, now);
                for (ClassChange change : changes) {
                    callerCalls.updateClass(c, siteId, change.callId(), change.classes());
                }
                if (recordingReported) {
                    recordings.reported(c, call, now);
                }
                StoredCall after = asCommitted != null ? asCommitted : records.byId(c, siteId, callId).orElseThrow();
                if (CHECK_STORED_COPIES && asCommitted != null) {
                    StoredCall read = records.byId(c, siteId, callId).orElseThrow();
                    if (!read.equals(asCommitted)) {
                        throw new IllegalStateException("call " + callId + " as built: " + asCommitted + "\nas stored: " + read);
                    }
                }
                outbox.changed(c, existing, after);
                return after;
            });
            if (committed == null) {
                return null;
            }
            return new Outcome(new Ingested(event.provider(), event.providerCallId(), committed, false), previousStatus,
                    existing == null, attributedNow, caller, recordingReported, existing == null ? null : existing.attribution().method());
        } finally {
            if (callerLock != null) {
                callerLock.unlock();
            }
        }
    }

    /**
     * This call's classes, decided with every other call of its caller (a late event may change
     * this call's answer, an out-of-order earlier call the others'); the others that change are
     * added to {@code changes}.
     */
    private Counter attributedCounter(AttributionMethod method) {
        return Counter.builder("ringpool.calls.attributed").description("new calls by attribution method")
                .tag("method", method.wireName()).register(registry);
    }

    /**
     * Calls whose method a late, earlier-timed event changed. {@code calls.attributed} counts a call
     * once, by its first decision, so it cannot follow one (a counter never goes down); an alert on
     * calls that end {@code none} reads both (audit U #5).
     */
    private Counter reattributedCounter(AttributionMethod from, AttributionMethod to) {
        return Counter.builder("ringpool.calls.reattributed").description("calls whose attribution method a later-arriving, "
                + "earlier-timed event changed, by the method before and after")
                .tag("from", from.wireName()).tag("to", to.wireName()).register(registry);
    }

    private CallClass classify(Site site, String callId, CallState state, CallerNumber caller,
            List<CallerCalls.CallerCall> callerCalls, List<ClassChange> changes) {
        ClassificationSettings settings = classification(site);
        if (!caller.valid()) {
            return CallClassifier.classify(state.startedAt(), state.answered(), state.talkSeconds(), false, List.of(), settings);
        }
        List<CallerCalls.CallerCall> calls = new ArrayList<>(callerCalls.size() + 1);
        for (CallerCalls.CallerCall cc : callerCalls) {
            if (!cc.callId().equals(callId)) {
                calls.add(cc);
            }
        }
        calls.add(new CallerCalls.CallerCall(callId, state.startedAt(), state.answered(), state.talkSeconds(), null));
        CallClassifier.CallerTimes times = CallClassifier.CallerTimes.of(calls.stream().map(CallerCalls.CallerCall::startedAt).toList());
        CallClass own = null;
        for (CallerCalls.CallerCall cc : calls) {
            CallClass k = CallClassifier.classify(cc.startedAt(), cc.answered(), cc.talkSeconds(), true, times, settings);
            if (cc.callId().equals(callId)) {
                own = k;
            } else if (!k.equals(cc.classes())) {
                changes.add(new ClassChange(cc.callId(), k));
            }
        }
        return own;
    }

    /**
     * The settings a call of {@code site} is classified with: those of a reclassification under way
     * when there is one (an event whose site was read just before the settings changed must not
     * write the old rule behind the reclassification's back), else the site's.
     */
    private ClassificationSettings classification(Site site) {
        ClassificationSettings running = reclassifying.get(site.siteId());
        if (running != null) {
            return running;
        }
        SiteSettings s = site.settings();
        return new ClassificationSettings(s.uniquenessDays(), s.targetCallSeconds());
    }

    /**
     * Classifies every call of the site again with its current {@code uniquenessDays} and
     * {@code targetCallSeconds} (calls.md "Classification"), after a change of either. Runs before
     * the change is answered, in batches of {@link #RECLASSIFY_CALLERS} callers, each batch one
     * transaction under those callers' locks, so a big site never holds one long transaction and
     * events keep flowing between batches. Only calls whose flags change are written; their
     * {@code updated_at} moves so the report facts re-read them. No webhook events are sent: the
     * call did not change, the rule did. Returns the calls whose flags changed.
     */
    public int reclassifyAll(Site site) {
        String siteId = site.siteId();
        SiteSettings s = site.settings();
        ClassificationSettings settings = new ClassificationSettings(s.uniquenessDays(), s.targetCallSeconds());
        long start = System.nanoTime();
        reclassifying.put(siteId, settings);
        int changed = 0;
        int callers = 0;
        try {
            String after = null;
            while (true) {
                String from = after;
                List<String> batch = db.read(c -> callerCalls.callersAfter(c, siteId, from, RECLASSIFY_CALLERS));
                if (batch.isEmpty()) {
                    break;
                }
                String first = batch.get(0);
                String last = batch.get(batch.size() - 1);
                // The same stripes ingestion takes for a caller, in ascending order: ingestion holds at
                // most one caller stripe and waits for none after it, so this cannot deadlock with it.
                int[] held = batch.stream().mapToInt(k -> callerStripeOf(siteId, k)).distinct().sorted().toArray();
                for (int i : held) {
                    callerStripes[i].lock();
                }
                try {
                    long now = clock.millis();
                    changed += db.inTransaction(c -> {
                        List<SiteReclassification.Change> changes = SiteReclassification.of(
                                callerCalls.ofCallers(c, siteId, first, last), settings);
                        for (SiteReclassification.Change change : changes) {
                            callerCalls.updateClassAt(c, siteId, change.callId(), change.classes(), now);
                        }
                        return changes.size();
                    });
                } finally {
                    for (int i = held.length - 1; i >= 0; i--) {
                        callerStripes[held[i]].unlock();
                    }
                }
                callers += batch.size();
                after = last;
            }
        } finally {
            reclassifying.remove(siteId, settings);
        }
        LOG.info("calls_reclassified site={} callers={} changed={} uniquenessDays={} targetCallSeconds={} millis={}", siteId, callers,
                changed, settings.uniquenessDays(), settings.targetCallSeconds(), (System.nanoTime() - start) / 1_000_000);
        return changed;
    }

    /**
     * Registers {@code ringpool_calls_received_total} at 0 for every provider and status, so that
     * {@code increase()} sees the first call after a restart (audit P #10).
     */
    public void countReceivedFromZero(List<String> providers) {
        for (String provider : providers) {
            for (CallState.Status status : CallState.Status.values()) {
                receivedCounter(provider, status);
            }
        }
    }

    private Counter receivedCounter(String provider, CallState.Status status) {
        return Counter.builder("ringpool.calls.received").description("calls reaching each status, by provider")
                .tag("provider", provider).tag("status", status.wireName()).register(registry);
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
            receivedCounter(stored.provider(), stored.status()).increment();
        }
        if (outcome.attributedNow()) {
            CallAttribution attribution = stored.attribution();
            if (outcome.newCall()) {
                attributedCounter(attribution.method()).increment();
            } else if (outcome.previousMethod() != null && outcome.previousMethod() != attribution.method()) {
                reattributedCounter(outcome.previousMethod(), attribution.method()).increment();
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
        StaticNumberSource staticSource = poolService.staticNumberAt(site.siteId(), number, callAt)
                .map(CallService::source).orElse(null);
        List<LeaseInterval> leases = staticSource != null ? List.of()
                : attributionReads.leases(c, site.siteId(), number, callAt, settings.coolDown().toMillis(),
                        pools.holding(site.siteId(), number).map(p -> p.liveHolder(number)).orElse(null));
        PreviousAttribution previous = caller.valid()
                ? attributionReads.previousAttribution(c, site.siteId(), caller.value(), callAt, callId)
                : null;
        AttributionResult result = Attribution.attribute(callAt, number, leases, settings.coolDown(), staticSource, previous);
        VisitSource visit = null;
        List<CallAttribution.EarlierVisit> earlier = List.of();
        if (result.sessionId() != null) {
            Optional<VisitSource> v = attributionReads.visit(c, site.siteId(), result.sessionId());
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

    /** One page of the call log: at most {@code query.limit()} calls, and where the next page starts. */
    public Page log(CallQuery query) {
        return reads.log(query);
    }

    /** A call of this site, if it has one by that id. */
    public Optional<StoredCall> call(String siteId, String callId) {
        return reads.call(siteId, callId);
    }

    /** For each of these calls that has any, the leads its caller's phone sent at or before it ({@link ContactLeads}). */
    public Map<String, List<ContactLeads.Lead>> leadsBefore(String siteId, Collection<StoredCall> calls) {
        return reads.leadsBefore(siteId, calls);
    }

    /**
     * Applies the marketer's changes and returns the call as stored.
     *
     * @throws UnknownCall when the site has no such call
     */
    public StoredCall patch(Site site, String callId, CallChanges changes) {
        return edits.patch(site, callId, changes);
    }

    /**
     * Caller numbers are personal data kept for the site's {@code retentionDays}: older calls keep
     * their attribution, times and tags, but their caller becomes {@code erased}. Run hourly.
     */
    public int purgeExpiredCallers(Site site, PersonPseudonym pseudonym) {
        return erasure.purgeExpiredCallers(site, pseudonym);
    }

    /**
     * Erases a caller's number from the site's calls (PRODUCT.md §5): replaced by
     * {@link CallerNumber#ERASED}; counts and classifications stay. Returns the calls changed.
     */
    public int eraseCaller(Site site, String raw) {
        return eraseCaller(site, raw, PersonPseudonym.fresh());
    }

    /** As {@link #eraseCaller(Site, String)}, with the pseudonym of an erasure that spans leads too. */
    public int eraseCaller(Site site, String raw, PersonPseudonym pseudonym) {
        return erasure.eraseCaller(site, raw, pseudonym);
    }

    /**
     * Keeps a provider's transcript with its call and applies the site's keyword rules: each rule
     * whose phrase the transcript contains adds its tag to the call (once) and is recorded with it
     * as an automatic tag. Returns the call, or empty when the provider's call is not (yet) known.
     */
    public Optional<StoredCall> transcript(Site site, String provider, String providerCallId, String text, List<KeywordRule> rules) {
        return edits.transcript(site, provider, providerCallId, text, rules);
    }

    /** The first characters of an id, for logs: enough to find it, not enough to use it. */
    static String shortId(String id) {
        return id == null ? "-" : id.length() <= 8 ? id : id.substring(0, 8) + "…";
    }
}
