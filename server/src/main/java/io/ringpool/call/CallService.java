package io.ringpool.call;

import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolService;
import io.ringpool.site.Site;
import io.ringpool.store.Database;
import io.ringpool.store.GroupCommitWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Ingests call events into the one call model, attributes and classifies calls, and serves the
 * call log, tags and erasure: the face its callers use (the telephony adapters, the call journal,
 * the HTTP APIs, the composition root). It builds the parts and hands each call to one of them:
 *
 * <ul>
 *   <li>{@link CallIngest}: ingestion and attribution of one event, under the call's and the
 *       caller's stripe locks ({@link CallStripes}), with the counters and log written once the
 *       commit is known ({@link CallMeters}). Its Javadoc is the design of the call path.</li>
 *   <li>{@link DialledNumbers}: whether a dialled number is the site's (no store read).</li>
 *   <li>{@link CallAttributor}: attribution of a call at a time, from the store's reads.</li>
 *   <li>{@link CallerClassification}: a caller's calls classified together, and a site's
 *       calls classified again after its rule changed.</li>
 *   <li>{@link CallEdits}: tags, value, review and transcripts; {@link CallerDataErasure}: the
 *       erasure and purge of callers' numbers; {@link CallReads}: the call log and one call.</li>
 * </ul>
 */
public final class CallService {
    /** The outcome of one event: the call (null while it waits for its dialled number) and whether it was a repeat. */
    public record Ingested(String provider, String providerCallId, StoredCall call, boolean duplicate) {}

    /**
     * One page of the call log.
     *
     * @param next where the next page starts; null on the last page
     */
    public record Page(List<StoredCall> calls, CallQuery.Position next) {}

    private final DialledNumbers numbers;
    private final CallMeters meters;
    private final CallerClassification classification;
    private final CallIngest ingestion;
    private final CallReads reads;
    private final CallEdits edits;
    private final CallerDataErasure erasure;
    private final WaitingEventExpiry waitingExpiry;
    private final UnendedCalls unended;

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
        CallRecords records = new CallRecords();
        CallerCalls callerCalls = new CallerCalls(db.dialect());
        CallStripes stripes = new CallStripes();
        this.numbers = new DialledNumbers(poolService);
        this.meters = new CallMeters(registry);
        this.classification = new CallerClassification(db, clock, callerCalls, stripes);
        CallAttributor attributor = new CallAttributor(pools, poolService, new AttributionReads(db.dialect()));
        this.ingestion = new CallIngest(db, writer, clock, stripes, numbers, attributor, classification, meters, records, callerCalls,
                recordings, outbox, eventTimes);
        this.reads = new CallReads(db, records, contactLeads);
        this.edits = new CallEdits(db, clock, records, outbox);
        this.erasure = new CallerDataErasure(db, clock, recordings, outbox);
        this.waitingExpiry = new WaitingEventExpiry(db, clock);
        this.unended = new UnendedCalls(db, clock, records, ingestion);
    }

    /**
     * Set once the node knows it shares its store with other nodes: {@code caughtUpWithOtherNodes}
     * reads their changes and waits for that (bounded), true when it did. A dialled number this node
     * does not know is then looked for once more after it, so a call to a number added through
     * another node milliseconds earlier is not refused {@code unknown_number}, on every route.
     */
    public void catchUpWith(BooleanSupplier caughtUpWithOtherNodes) {
        numbers.catchUpWith(caughtUpWithOtherNodes);
    }

    /**
     * The site's tracking number for a dialled number as a provider wrote it.
     *
     * @throws NotATrackingNumber when the site owns no such pool or static number
     */
    public String trackingNumber(Site site, String raw) {
        return numbers.trackingNumber(site, raw);
    }

    /**
     * As {@link #trackingNumber(Site, String)} for the dialled number of {@code event}, checked
     * before the event is journaled (the store is not read): also refused when the site gave the
     * number up and another site holds it now, and the call started after the site gave it up
     * ({@link DialledNumbers#startsAfterGivenUp}). At least as strict as {@link #ingest}, which also
     * takes every event of a call already stored, so an event journaled here is never refused on
     * delivery.
     */
    public String trackingNumber(Site site, CallEvent event) {
        return numbers.trackingNumber(site, event);
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
        return ingestion.ingest(site, sent, requireNumberForNewCall);
    }

    /**
     * As {@link #ingest(Site, CallEvent, boolean)} for an event the sender did not date, so dated
     * on receipt. A final event received alone says when the call ended, not when it began: dated
     * on receipt it was attributed at the hangup, to whoever held the number then, as a sure
     * {@code active} (audit U #6: a PBX whose {@code ringing} post was lost gave a 400 s call to a
     * visitor who got the number 2.5 minutes after the caller dialled it). When the call then
     * knows nothing earlier than this event and the event states the call's length, the start it
     * implies (receipt − {@code durationSeconds}, at most
     * {@link DialledNumbers#LONGEST_INFERRED_CALL}) is ingested as the call's {@code ringing}, which re-decides the attribution at that time, if a
     * lease of the number claims that time (live or cooling: someone's page showed the number).
     * When none does, the receipt stands, as before: a stated length often counts time before the
     * number was dialled (an IVR, a queue, a test sender's made-up figure), and a call posted right
     * after a visit would otherwise lose the visit it plainly came from. A call with an earlier
     * event keeps it (the sender's own evidence wins), and a retry of the final event, received
     * later, changes nothing.
     */
    public Ingested ingestDatedOnReceipt(Site site, CallEvent event, boolean requireNumberForNewCall) {
        return ingestion.ingestDatedOnReceipt(site, event, requireNumberForNewCall);
    }

    /**
     * As {@link #ingestDatedOnReceipt} for a final event dated on receipt, from the start its
     * provider's own fields imply (UIS: receipt − its total duration; Zadarma: {@code call_start},
     * or receipt − a {@code duration} that may count the talk alone): the same rule. A start
     * that cannot be this call's (not before the event, more than
     * {@link DialledNumbers#LONGEST_INFERRED_CALL} before it, or null) leaves the receipt standing.
     */
    public Ingested ingestWithImpliedStart(Site site, CallEvent event, Instant impliedStart, boolean requireNumberForNewCall) {
        return ingestion.ingestWithImpliedStart(site, event, impliedStart, requireNumberForNewCall);
    }

    /**
     * As {@link #ingest(Site, CallEvent, boolean)} for an event received at {@code receivedAt} (the
     * call journal delivers events it received earlier). Its time is kept by {@link CallEventTimes}.
     */
    public Ingested ingest(Site site, CallEvent sent, boolean requireNumberForNewCall, Instant receivedAt) {
        return ingestion.ingest(site, sent, requireNumberForNewCall, receivedAt);
    }

    /**
     * Classifies every call of the site again with its current {@code uniquenessDays} and
     * {@code targetCallSeconds} (calls.md "Classification"), after a change of either. Runs before
     * the change is answered, in batches of {@link CallerClassification#RECLASSIFY_CALLERS}
     * callers, each batch one transaction under those callers' locks, so a big site never holds one long transaction and
     * events keep flowing between batches. Only calls whose flags change are written; their
     * {@code updated_at} moves so the report facts re-read them. No webhook events are sent: the
     * call did not change, the rule did. Returns the calls whose flags changed.
     */
    public int reclassifyAll(Site site) {
        return classification.reclassifyAll(site);
    }

    /**
     * Registers {@code ringpool_calls_received_total} at 0 for every provider and status, so that
     * {@code increase()} sees the first call after a restart (audit P #10).
     */
    public void countReceivedFromZero(List<String> providers) {
        meters.countReceivedFromZero(providers);
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
        return patch(site, callId, changes, null);
    }

    /**
     * As {@link #patch(Site, String, CallChanges)}, refused when {@code ifMatch} (an {@code etag} as
     * read, or null for no check) no longer matches a part the changes write.
     *
     * @throws io.ringpool.failure.DomainFailure 412 naming the part someone else changed meanwhile
     */
    public StoredCall patch(Site site, String callId, CallChanges changes, String ifMatch) {
        return edits.patch(site, callId, changes, ifMatch);
    }

    /**
     * Caller numbers are personal data kept for the site's {@code retentionDays}: older calls keep
     * their attribution, times and tags, but their caller becomes {@code erased}. Run hourly.
     */
    public int purgeExpiredCallers(Site site, PersonPseudonym pseudonym) {
        return erasure.purgeExpiredCallers(site, pseudonym);
    }

    /**
     * Deletes the site's events that waited for their call past its {@code retentionDays} or a week,
     * whichever is shorter: their call never came ({@link WaitingEventExpiry}). Run hourly with the
     * purge of callers. Returns how many.
     */
    public int expireWaitingEvents(Site site) {
        return waitingExpiry.expire(site);
    }

    /**
     * Closes the site's calls still ringing or answered six hours after their last event: their
     * end never came ({@link UnendedCalls}). Run hourly with the purge of callers. Returns how many.
     */
    public int closeUnendedCalls(Site site) {
        return unended.close(site);
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
