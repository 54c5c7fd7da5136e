package io.ringpool.call;

import static io.ringpool.call.CallService.shortId;

import io.ringpool.call.CallService.Ingested;
import io.ringpool.site.Keys;
import io.ringpool.site.Site;
import io.ringpool.site.SiteSettings;
import io.ringpool.store.ConstraintViolationException;
import io.ringpool.store.Database;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests call events into the one call model: the core of {@link CallService#ingest}. Runs on the
 * thread that calls it (a telephony endpoint's worker, the call journal's delivery), which holds
 * the call's stripe lock ({@link CallStripes}) from the first read to the commit; only the write
 * itself runs on the group-commit writer's thread.
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
 */
final class CallIngest {
    /** The same logger as before the split: operators' filters and levels name {@code CallService}. */
    private static final Logger LOG = LoggerFactory.getLogger(CallService.class);
    /**
     * Tests set {@code -Dringpool.checkStoredCopies=true}: every ingestion then also reads its call
     * back on the writer and fails unless it equals the copy built in memory, so the whole suite
     * proves {@link CallRows#asStored} against the real row.
     */
    static final boolean CHECK_STORED_COPIES = Boolean.getBoolean("ringpool.checkStoredCopies");

    /** Attempts at one ingestion when another node wins a unique-key race; the second always sees the winner. */
    private static final int RACE_ATTEMPTS = 3;

    /** The methods that say a lease of the number claims a time: someone's page showed it then. */
    private static final Set<AttributionMethod> LEASE_CLAIMS = EnumSet.of(AttributionMethod.ACTIVE,
            AttributionMethod.COOLING, AttributionMethod.AMBIGUOUS);

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

    private final Database db;
    private final GroupCommitWriter writer;
    private final Clock clock;
    private final CallStripes stripes;
    private final DialledNumbers numbers;
    private final CallAttributor attributor;
    private final CallerClassification classification;
    private final CallMeters meters;
    private final CallRecords records;
    private final CallerCalls callerCalls;
    private final RecordingHook recordings;
    private final CallOutbox outbox;
    private final CallEventTimes eventTimes;

    CallIngest(Database db, GroupCommitWriter writer, Clock clock, CallStripes stripes, DialledNumbers numbers,
            CallAttributor attributor, CallerClassification classification, CallMeters meters, CallRecords records,
            CallerCalls callerCalls, RecordingHook recordings, CallOutbox outbox, CallEventTimes eventTimes) {
        this.db = db;
        this.writer = writer;
        this.clock = clock;
        this.stripes = stripes;
        this.numbers = numbers;
        this.attributor = attributor;
        this.classification = classification;
        this.meters = meters;
        this.records = records;
        this.callerCalls = callerCalls;
        this.recordings = recordings;
        this.outbox = outbox;
        this.eventTimes = eventTimes;
    }

    /** As {@link CallService#ingest(Site, CallEvent, boolean)}: received now. */
    Ingested ingest(Site site, CallEvent sent, boolean requireNumberForNewCall) {
        return ingest(site, sent, requireNumberForNewCall, clock.instant());
    }

    /**
     * As {@link CallService#ingestDatedOnReceipt}, which says why: for a final event that states a
     * length and is all the call knows, the start it implies is ingested as the call's
     * {@code ringing} when a lease of the number claims that time.
     *
     * <p>For a call not stored yet, the implied start goes in first and the final event after it,
     * as a provider that sent both would have: the call is attributed, stored and announced
     * ({@code call.started}) as it began, and {@code call.completed} carries that call. Stored the
     * other way round, the deliveries of this one request carried a call attributed at the hang-up,
     * to whoever held the number then, which the API never showed; a receiver of
     * {@code call.completed} alone, and every upload destination, kept that (audit AG3 #1). A call
     * already stored has announced its start: its implied start follows the final event, and the
     * change goes out as {@code call.updated}.
     */
    Ingested ingestDatedOnReceipt(Site site, CallEvent event, boolean requireNumberForNewCall) {
        return ingestWithImpliedStart(site, event, impliedStart(event), requireNumberForNewCall);
    }

    /**
     * As {@link CallService#ingestWithImpliedStart}: {@link #ingestDatedOnReceipt} with the start the
     * provider's own fields imply instead of receipt − {@code durationSeconds}. A start that is no
     * start of this event's call (not before it, further back than
     * {@link DialledNumbers#LONGEST_INFERRED_CALL}, or given with an event that does not end a call)
     * is dropped, and the event is ingested as it is.
     */
    Ingested ingestWithImpliedStart(Site site, CallEvent event, Instant start, boolean requireNumberForNewCall) {
        Instant impliedStart = start != null && event.kind().isTerminal() && start.isBefore(event.at())
                && Duration.between(start, event.at()).compareTo(DialledNumbers.LONGEST_INFERRED_CALL) <= 0 ? start : null;
        if (impliedStart != null && isNewCall(site, event)) {
            CallEvent ringing = impliedRinging(site, event, impliedStart);
            if (ringing != null) {
                ingest(site, ringing, requireNumberForNewCall);
            }
            return ingest(site, event, requireNumberForNewCall);
        }
        Ingested ingested = ingest(site, event, requireNumberForNewCall);
        StoredCall call = ingested.call();
        if (impliedStart == null || ingested.duplicate() || call == null || call.startedAt().isBefore(event.at())) {
            return ingested;
        }
        CallEvent ringing = impliedRinging(site, event, impliedStart);
        if (ringing == null) {
            return ingested;
        }
        Ingested started = ingest(site, ringing, requireNumberForNewCall);
        return new Ingested(ingested.provider(), ingested.providerCallId(), started.call() != null ? started.call() : call, false);
    }

    /** The start a final event's stated length implies (receipt − length), or null for another event or no usable length. */
    private static Instant impliedStart(CallEvent event) {
        Integer length = event.durationSeconds();
        if (!event.kind().isTerminal() || length == null || length <= 0
                || Duration.ofSeconds(length).compareTo(DialledNumbers.LONGEST_INFERRED_CALL) > 0) {
            return null;
        }
        return event.at().minusSeconds(length);
    }

    /**
     * {@code event} without its {@code to} when that names no tracking number of the site but the
     * call is stored already: a PBX's hang-up names what its dialplan holds by then (Asterisk's
     * {@code h} extension, an extension the call was transferred to, the default number), and
     * refusing it lost every call's end (audit AM1 F9). The call keeps the number it was stored
     * with. A first event so is left as it is, and refused.
     */
    private CallEvent withoutAnotherNumber(Site site, CallEvent event) {
        if (event.to() == null || event.to().isBlank()) {
            return event;
        }
        try {
            numbers.trackingNumber(site, event.to());
            return event;
        } catch (NotATrackingNumber notOurs) {
            boolean stored = db.read(c -> records.byProviderIdRevised(c, site.siteId(), event.provider(), event.providerCallId()).isPresent());
            return !stored ? event : new CallEvent(event.provider(), event.providerCallId(), event.kind(), event.at(), event.from(), null,
                    event.durationSeconds(), event.talkSeconds(), event.recordingUrl());
        }
    }

    /** No event of this provider call is stored, filed or waiting for its number. */
    private boolean isNewCall(Site site, CallEvent event) {
        return db.read(c -> records.byProviderIdRevised(c, site.siteId(), event.provider(), event.providerCallId()).isEmpty()
                && records.events(c, site.siteId(), event.provider(), event.providerCallId(), null).merged().isEmpty());
    }

    /**
     * The {@code ringing} at {@code startedAt} when a lease of the dialled number claims that time,
     * else null (the receipt stands). Null too when the event names no tracking number of the site:
     * its own ingestion then refuses it, or waits for the number, as any event.
     */
    private CallEvent impliedRinging(Site site, CallEvent event, Instant startedAt) {
        String number;
        try {
            number = numbers.trackingNumber(site, event.to());
        } catch (NotATrackingNumber notOurs) {
            return null;
        }
        // Only whether a lease claims the time matters here, which the caller's history never changes
        // (it chooses among claims, or stands in for none): no caller, so none of it is read.
        CallerNumber noCaller = new CallerNumber(CallerNumber.ANONYMOUS, false);
        AttributionMethod atStart = db.read(c -> attributor.attribute(c, site, "", number, startedAt, noCaller)).method();
        return LEASE_CLAIMS.contains(atStart) ? new CallEvent(event.provider(), event.providerCallId(), CallEvent.Kind.RINGING,
                startedAt, event.from(), event.to(), null, null, null) : null;
    }

    /**
     * As {@link #ingest(Site, CallEvent, boolean)} for an event received at {@code receivedAt} (the
     * call journal delivers events it received earlier). Its time is kept by {@link CallEventTimes}.
     */
    Ingested ingest(Site site, CallEvent sent, boolean requireNumberForNewCall, Instant receivedAt) {
        long start = System.nanoTime();
        CallEvent event = eventTimes.kept(site, sent, receivedAt);
        if (sent.recordingUrl() != null && event.recordingUrl() == null) {
            LOG.warn("call_recording_link_dropped site={} provider={} call={} chars={} reason={}", site.siteId(), sent.provider(),
                    shortId(event.providerCallId()), sent.recordingUrl().length(),
                    sent.recordingUrl().length() > CallEvent.MAX_RECORDING_URL_CHARS ? "too_long" : "not_a_link");
        }
        event = withoutAnotherNumber(site, event);
        // Judged on the event as sent, as the pre-journal check judged it.
        boolean givenUp = event.to() != null && !event.to().isBlank()
                && numbers.startsAfterGivenUp(site, numbers.trackingNumber(site, event.to()), sent);
        ReentrantLock lock = stripes.ofCall(site.siteId(), event.provider(), event.providerCallId());
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
            meters.ingestedSince(start);
        }
    }

    /** What the store held of one provider call when the plan was read. */
    private record Seen(CallRecords.Revised call, CallRecords.StoredEvents events) {}

    /** What attribution and classification read for a call that is about to be written. */
    private record Context(CallAttribution attribution, List<CallerCalls.CallerCall> callerCalls) {}

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
        String number = state.to() != null ? numbers.trackingNumber(site, state.to()) : existing.number();
        SiteSettings settings = site.settings();
        CallerNumber caller = existing != null && CallerNumber.ERASED.equals(existing.caller())
                ? new CallerNumber(CallerNumber.ERASED, false)
                : CallerNumber.of(state.from(), settings.country());
        // time-ordered: a new call and its events append to the end of the primary keys of calls and call_events
        String callId = existing != null ? existing.callId() : Keys.timeOrdered("call_", now, 12);
        boolean attributedNow = existing == null || !existing.attribution().decidedFor().equals(state.startedAt());

        // Classification and "repeat" read every call of the caller: one caller's calls are
        // planned and written one at a time (on this node), so each sees the others committed.
        ReentrantLock callerLock = caller.valid() ? stripes.ofCaller(siteId, caller.value()) : null;
        if (callerLock != null) {
            callerLock.lock();
        }
        try {
            Context context = db.read(c -> new Context(
                    attributedNow ? attributor.attribute(c, site, callId, number, state.startedAt(), caller) : existing.attribution(),
                    caller.valid() ? callerCalls.of(c, siteId, caller.value()) : List.of()));
            List<CallerClassification.ClassChange> changes = new ArrayList<>();
            CallClass classes = classification.classify(site, callId, state, caller, context.callerCalls(), changes);
            StoredCall call = new StoredCall(callId, siteId, state.provider(), state.providerCallId(), caller.value(), caller.valid(),
                    number, state.status(), state.answered(), state.startedAt(), state.answeredAt(), state.endedAt(),
                    state.durationSeconds(), state.talkSeconds(), state.endUnknown(), state.recordingUrl(), classes, context.attribution(),
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
                for (CallerClassification.ClassChange change : changes) {
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
            meters.received(stored.provider(), stored.status()).increment();
        }
        if (outcome.attributedNow()) {
            CallAttribution attribution = stored.attribution();
            if (outcome.newCall()) {
                meters.attributed(attribution.method()).increment();
            } else if (outcome.previousMethod() != null && outcome.previousMethod() != attribution.method()) {
                meters.reattributed(outcome.previousMethod(), attribution.method()).increment();
            }
            LOG.info("call_attributed site={} call={} provider={} caller={} number={} method={} session={} candidates={}",
                    site.siteId(), stored.callId(), stored.provider(), outcome.caller().masked(), stored.number(),
                    attribution.method().wireName(), shortId(attribution.sessionId()), attribution.candidates().size());
        }
    }
}
