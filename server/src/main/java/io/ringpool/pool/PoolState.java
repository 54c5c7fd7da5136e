package io.ringpool.pool;

import io.ringpool.security.KeyHash;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * The live state of one pool, the single owner of its numbers on this node: every change happens
 * under this object's lock, and the database write that records it is queued (not awaited) inside
 * the same lock, so writes reach the store in the order the decisions were made.
 *
 * <p>Idle numbers (not leased) sit in one set ordered by when they were released. The first of
 * them is both "the free number released longest ago" and, when even it is still cooling down,
 * "the number longest in cool-down": cool-down has one length per site, so if the oldest release
 * is still cooling, every idle number is.
 *
 * <p>A number returns to the idle set only after the write that ends its lease has committed; so
 * the store never sees a new lease of a number whose previous lease it still holds as live.
 *
 * <p>A lease past its expiry is over, whether or not the sweep has ended it yet (it runs about
 * once a second). When no idle number will do, a choice also considers the leases past their
 * expiry that the sweep has not started ending, each as if released at its expiry, and a start
 * that takes one writes that lease's end (the sweep's own write) and its new lease in one
 * transaction ({@link Writer#leaseReplaced}). The ended lease is marked ending at once, so the
 * sweep passes over it and its end is written once; if the write fails, both are undone and the
 * sweep ends it on its next round. So a start never sees a pool as exhausted because of a lease
 * that has expired. Starts that find a free idle number never look (the usual case costs nothing
 * more); the others do, for what is due, the sweep's own bookkeeping a little earlier. A lease
 * whose end the sweep is writing at that moment is not taken: its number is idle one commit later.
 */
public final class PoolState {

    /** Persists the decisions of this pool; called under the pool's lock, must not block. */
    public interface Writer {
        CompletableFuture<Void> leaseStarted(Lease lease);

        CompletableFuture<Void> leaseEnded(Lease lease, long endedAt);

        /**
         * Ends {@code expired} at {@code endedAt} with the write the sweep would make, and starts
         * {@code lease} on the same number, in one transaction: the store sees both or neither.
         */
        CompletableFuture<Void> leaseReplaced(Lease expired, long endedAt, Lease lease);
    }

    /** How a number was chosen. */
    public enum Choice { RETURNING_VISITOR, FREE, REUSED_COOLING }

    /**
     * A lease decided in memory; {@code committed} completes when the store has it. {@code replaced}
     * is the lease past its expiry whose number this one took before the sweep ended it (ended in
     * the same write), or null.
     */
    public record Granted(Lease lease, Choice choice, CompletableFuture<Void> committed, long previousReleasedAt, String previousVisitorId,
            Lease replaced) {}

    /**
     * Counts for the pool endpoint and metrics. {@code leased + coolingDown + free = size}, the
     * numbers that may be leased; a retired number whose lease runs to its end is in neither but in
     * {@code retiredLeased} (audit U #7: the pool read "size 1, leased 1, free 1").
     */
    public record Snapshot(int size, int leased, int coolingDown, int free, int retired, long exhaustions, int peakLeased, long averageLeaseMillis,
            long leasesStarted, long endedLeases, long endedLeaseMillis, int retiredLeased) {}

    /**
     * Most lease ends one sweep queues for one pool. A burst of expiries (a restart after downtime,
     * a jump of the test clock) would otherwise fill the write queue and turn visitors away with
     * 503s; the ends keep their true times whenever they are written.
     */
    static final int MAX_ENDS_PER_SWEEP = 2_000;

    private static final Comparator<NumberSlot> LONGEST_IDLE_FIRST =
            Comparator.<NumberSlot>comparingLong(s -> s.releasedAt).thenComparing(s -> s.number);

    private final Pool pool;
    private final Map<String, NumberSlot> slots = new HashMap<>();
    /**
     * Live leases by when the sweep should look at them, so a sweep costs what expires rather than
     * the pool's size (a scan of a 600,000-number pool held the pool's lock — and every start on
     * it — for tens of milliseconds each second). Entries are not updated when a heartbeat extends a
     * lease: the sweep finds it renewed and queues it again at its new expiry; an entry whose time
     * is not its lease's {@link Lease#sweepAt} is a leftover and is skipped.
     */
    private final PriorityQueue<Due> due = new PriorityQueue<>(PoolState::dueFirst);
    /** Ends whose write failed, queued again at the next sweep (not the same one). */
    private final List<Lease> failedEnds = new ArrayList<>();
    /**
     * Leases the sweep is ending, with their end writes: until the store confirms an end the
     * number is neither free nor takeable, so a start that finds the pool full while one is in
     * flight waits for it rather than report an exhaustion (audit AE3 #2: one visitor at a time
     * got {@code pool_exhausted} about once a second, while the sweep's ends committed).
     */
    private final Map<Lease, CompletableFuture<Void>> sweepEnds = new HashMap<>();
    /** Leases past their expiry whose number a start took, ended since the last sweep: the sweep reports them with its own. */
    private final List<Lease> endedByStarts = new ArrayList<>();
    /** {@link Lease#sweepAt} of a lease with no entry to honour in {@link #due} (its entries are leftovers). */
    private static final long NOT_DUE = Long.MIN_VALUE;
    private final TreeSet<NumberSlot> idle = new TreeSet<>(LONGEST_IDLE_FIRST);
    /** Each visitor's last number in this pool; at most one entry per number, so bounded by pool size. */
    private final LastNumbers lastNumberOfVisitor = new LastNumbers();
    /**
     * Numbers held per client address key ({@link AddressKey}, by its hash): its live leases and the
     * numbers cooling from its ended ones ({@link #coolingCharges}); entries leave at zero, so
     * bounded by live leases and the pool's size.
     */
    private final AddressCounts leasesByAddress = new AddressCounts();
    /** The same per IPv6 /48 ({@link AddressKey#network}, by its hash); as bounded. */
    private final AddressCounts leasesByNetwork = new AddressCounts();
    /** The cooling numbers counted in {@link #leasesByAddress} and {@link #leasesByNetwork}, until their cool-down ends. */
    private final CoolingCharges coolingCharges = new CoolingCharges(leasesByAddress, leasesByNetwork);
    private int retiredNumbers;
    /** The retired numbers, so the snapshot counts their running leases without walking the pool (retirements are few). */
    private final Set<NumberSlot> retiredSlots = new LinkedHashSet<>();
    private int leased;
    /** Of {@link #leased}, the numbers kept out of choices because another node holds them: not this node's leases. */
    private int heldElsewhere;
    /**
     * The lifetime counts: this node's own leases (started here and stored; a lease the store
     * refused is no lease) on top of what {@code pool_stats} held at the start. A lease another node
     * started, or holds, is counted there, and each node adds its own to the store (audit AJ3 J5:
     * a node counted refused starts and the other node's holds, 6 leases were saved as 9, a peak of 1 as 4).
     */
    private int peakLeased;
    private long exhaustions;
    private long endedLeases;
    private long endedLeaseMillis;
    private long leasesStarted;
    /** The part of the lifetime counts already in the store's {@code pool_stats} row: read at the start, plus this node's saves. */
    private PoolStore.StoredStats inStore = PoolStore.StoredStats.NONE;

    private record Due(long at, Lease lease) {}

    /** By time; leases due at the same millisecond by number, the order of {@link #idle} (a start choosing among expired leases sees them so). */
    private static int dueFirst(Due x, Due y) {
        return x.at != y.at ? Long.compare(x.at, y.at) : x.lease.number.compareTo(y.lease.number);
    }

    public PoolState(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /** Slots of the visitors' last-number table (tests). */
    synchronized int lastNumbersCapacity() {
        return lastNumberOfVisitor.capacity();
    }

        /** Adds a number as loaded from the store or added through the API. */
    public synchronized void addNumber(String number, long releasedAt, String lastVisitorId, boolean retired) {
        if (slots.containsKey(number)) {
            return;
        }
        NumberSlot slot = new NumberSlot(number, releasedAt, lastVisitorId, retired);
        slots.put(number, slot);
        lastNumberOfVisitor.reserve(slots.size());
        if (!retired) {
            idle.add(slot);
        } else {
            retiredNumbers++;
            retiredSlots.add(slot);
        }
        if (lastVisitorId != null) {
            lastNumberOfVisitor.put(slot);
        }
    }

    /** Restores a live lease found in the store at start. */
    public synchronized Lease restoreLease(String leaseId, String number, String sessionId, String visitorId,
            long startedAt, long expiresAt, boolean reusedCooling, long epoch) {
        NumberSlot slot = slots.get(number);
        if (slot == null || slot.lease != null) {
            return null;
        }
        idle.remove(slot);
        coolingCharges.drop(slot); // adopted from another node: the number is in use again
        Lease lease = new Lease(pool, number, sessionId, visitorId, startedAt, expiresAt, reusedCooling);
        lease.epoch = epoch;
        slot.lease = lease;
        schedule(lease, expiresAt);
        leased++;
        peakLeased = Math.max(peakLeased, ownLeased());
        return lease;
    }

    /**
     * Holds in memory a live lease this node has taken over from another node (its visitor started
     * here while the session lived there), with the fencing epoch of the takeover. A placeholder
     * for "another node's lease" on the number gives way to it. Null when the number is unknown
     * here or this node holds it for a lease of its own.
     */
    public synchronized Lease adopt(String number, String sessionId, String visitorId, long startedAt, long expiresAt,
            boolean reusedCooling, long epoch) {
        NumberSlot slot = slots.get(number);
        if (slot == null) {
            return null;
        }
        if (slot.lease != null) {
            if (!slot.lease.foreign) {
                return null;
            }
            slot.lease.ended = true; // its entry in the expiry queue is now a leftover
            slot.lease = null;
            leased--;
            heldElsewhere--;
        }
        return restoreLease(sessionId, number, sessionId, visitorId, startedAt, expiresAt, reusedCooling, epoch);
    }

    public synchronized boolean hasNumber(String number) {
        return slots.containsKey(number);
    }

    /** Stops giving out {@code number}; a live lease on it runs to its end. History is kept. */
    public synchronized boolean retire(String number) {
        return retire(number, 0);
    }

    /** As {@link #retire(String)}, retired at {@code at} (epoch ms; as stored, for a number already retired). */
    public synchronized boolean retire(String number, long at) {
        NumberSlot slot = slots.get(number);
        if (slot == null) {
            return false;
        }
        if (slot.retired) {
            slot.retiredAt = at;
            return false;
        }
        slot.retiredAt = at;
        slot.retired = true;
        retiredNumbers++;
        retiredSlots.add(slot);
        idle.remove(slot);
        return true;
    }

    /** Whether {@code number} is in this pool, retired. */
    synchronized boolean isRetired(String number) {
        NumberSlot slot = slots.get(number);
        return slot != null && slot.retired;
    }

    /** When {@code number} was retired from this pool (epoch ms), or -1 when it is not a retired number of it. */
    synchronized long retiredAt(String number) {
        NumberSlot slot = slots.get(number);
        return slot != null && slot.retired ? slot.retiredAt : -1;
    }

    /**
     * Gives out a retired number again (added back to its pool): it rests as it was, its last
     * release and last visitor kept, so its cool-down and a returning visitor count as before. A
     * lease that was left to run to its end after the retirement still holds it; its end makes it
     * idle, as any end does.
     */
    synchronized boolean unretire(String number) {
        NumberSlot slot = slots.get(number);
        if (slot == null || !slot.retired) {
            return false;
        }
        slot.retired = false;
        retiredNumbers--;
        retiredSlots.remove(slot);
        if (slot.lease == null) {
            idle.add(slot);
        }
        return true;
    }

    /**
     * The visitor's previous number, if it is idle (free, or cooling from their own lease), or
     * still held by their own lease past its expiry (which this ends).
     */
    public synchronized Granted acquireReturning(String leaseId, String sessionId, String visitorId, long now, long ttlMillis, Writer writer) {
        NumberSlot slot = returnable(visitorId, now);
        if (slot == null) {
            return null;
        }
        if (slot.lease == null) {
            return take(slot, Choice.RETURNING_VISITOR, leaseId, sessionId, visitorId, now, ttlMillis, writer);
        }
        return takeExpired(slot.lease, Choice.RETURNING_VISITOR, sessionId, visitorId, now, ttlMillis, writer);
    }

    /**
     * The free number released longest ago, if any has finished cooling down; a lease past its
     * expiry counts as released at its expiry.
     */
    public synchronized Granted acquireFree(String leaseId, String sessionId, String visitorId, long now, long ttlMillis,
            long coolDownMillis, Writer writer) {
        if (!idle.isEmpty() && idle.first().releasedAt + coolDownMillis <= now) {
            return take(idle.first(), Choice.FREE, leaseId, sessionId, visitorId, now, ttlMillis, writer); // the usual case
        }
        return takeLongestIdle(Choice.FREE, coolDownMillis, leaseId, sessionId, visitorId, now, ttlMillis, writer);
    }

    /** Whether {@link #acquireReturning} would grant a number now. */
    public synchronized boolean hasReturningNumberFor(String visitorId, long now) {
        return returnable(visitorId, now) != null;
    }

    /** Whether {@link #acquireReturning} or {@link #acquireFree} would grant a number now. */
    public synchronized boolean hasNumberFor(String visitorId, long now, long coolDownMillis) {
        if (returnable(visitorId, now) != null) {
            return true;
        }
        if (!idle.isEmpty() && idle.first().releasedAt + coolDownMillis <= now) {
            return true;
        }
        Lease expired = firstExpired(now);
        long longestIdle = Math.min(idle.isEmpty() ? Long.MAX_VALUE : idle.first().releasedAt,
                expired == null ? Long.MAX_VALUE : expired.expiresAt);
        return longestIdle != Long.MAX_VALUE && longestIdle + coolDownMillis <= now;
    }

    /**
     * The number longest in cool-down (exhaustion policy reuse_cooling); a lease past its expiry
     * counts as released at its expiry.
     */
    public synchronized Granted acquireCooling(String leaseId, String sessionId, String visitorId, long now, long ttlMillis, Writer writer) {
        return takeLongestIdle(Choice.REUSED_COOLING, -1, leaseId, sessionId, visitorId, now, ttlMillis, writer);
    }

    /**
     * Of the idle numbers and the leases past their expiry, the one released longest ago (ties by
     * number, as {@link #idle} orders them), if its cool-down has passed ({@code coolDownMillis}
     * &lt; 0: whether or not).
     */
    private Granted takeLongestIdle(Choice choice, long coolDownMillis, String leaseId, String sessionId, String visitorId, long now,
            long ttlMillis, Writer writer) {
        Lease expired = firstExpired(now); // first: it may give idle a number back
        NumberSlot first = idle.isEmpty() ? null : idle.first();
        if (expired != null && (first == null || releasedBefore(expired, first))) {
            if (coolDownMillis >= 0 && expired.expiresAt + coolDownMillis > now) {
                return null;
            }
            return takeExpired(expired, choice, sessionId, visitorId, now, ttlMillis, writer);
        }
        if (first == null || (coolDownMillis >= 0 && first.releasedAt + coolDownMillis > now)) {
            return null;
        }
        return take(first, choice, leaseId, sessionId, visitorId, now, ttlMillis, writer);
    }

    private static boolean releasedBefore(Lease expired, NumberSlot slot) {
        return expired.expiresAt < slot.releasedAt || (expired.expiresAt == slot.releasedAt && expired.number.compareTo(slot.number) < 0);
    }

    /** A lease past its expiry that a start may end: not ending or over, not another node's, not waiting for a failed end's retry. */
    private static boolean endable(Lease lease, long now) {
        return lease.expiresAt <= now && !lease.ending && !lease.ended && !lease.foreign && !lease.endFailed;
    }

    /**
     * The lease that expired first among those past their expiry the sweep has not started ending,
     * or null. On the way it does to the head of the expiry queue what the sweep would: drops
     * leftover entries, queues a renewed lease again at its expiry, gives back the numbers of
     * another node's holds that ran out; and it queues again at its expiry a lease that expired
     * later than its entry says, so the entry it stops at is the earliest expiry of all.
     */
    private Lease firstExpired(long now) {
        List<Due> retiredHeads = new ArrayList<>(0);
        Lease first = firstExpired(now, retiredHeads);
        due.addAll(retiredHeads); // the sweep still ends them; only a start may not take their numbers
        return first;
    }

    /**
     * As {@link #firstExpired(long)}, setting aside in {@code retiredHeads} the leases of retired
     * numbers it passes: a retired number runs its last lease to its end and then rests for good,
     * so no start may take it over (audit AD2 #1: a visitor got a number retired 2 s before).
     */
    private Lease firstExpired(long now, List<Due> retiredHeads) {
        while (true) {
            Due next = due.peek();
            if (next == null || next.at() > now) {
                return null;
            }
            Lease lease = next.lease();
            if (isLeftover(next)) {
                due.poll(); // a leftover entry, or a lease already over
                continue;
            }
            if (lease.expiresAt != next.at()) {
                due.poll();
                schedule(lease, lease.expiresAt); // renewed since it was queued (when still live), or not yet at its true expiry
                continue;
            }
            if (lease.foreign) {
                due.poll();
                completeEnd(lease, lease.expiresAt);
                continue;
            }
            NumberSlot slot = slots.get(lease.number);
            if (slot != null && slot.retired) {
                retiredHeads.add(due.poll());
                continue;
            }
            return lease;
        }
    }

    /**
     * Gives the number of {@code expired} (past its expiry, see {@link #endable}) to a new lease.
     * The write is asked for first: when the writer refuses (overloaded), nothing has changed.
     */
    private Granted takeExpired(Lease expired, Choice choice, String sessionId, String visitorId, long now, long ttlMillis,
            Writer writer) {
        NumberSlot slot = slots.get(expired.number);
        long endedAt = expired.expiresAt; // as the sweep records it: when the number stopped being the visitor's
        Lease lease = new Lease(pool, slot.number, sessionId, visitorId, now, now + ttlMillis, choice == Choice.REUSED_COOLING);
        CompletableFuture<Void> stored = writer.leaseReplaced(expired, endedAt, lease);
        long previousReleasedAt = slot.releasedAt;
        String previousVisitor = slot.lastVisitorId;
        expired.ending = true; // the sweep passes over it from now on
        expired.sweepAt = NOT_DUE;
        slot.lease = lease; // one live lease for another: leased stays as it is
        schedule(lease, lease.expiresAt);
        if (previousVisitor != null) {
            lastNumberOfVisitor.remove(previousVisitor, slot);
        }
        slot.lastVisitorId = visitorId;
        lastNumberOfVisitor.put(slot);
        CompletableFuture<Void> committed = stored.thenRun(() -> endedByStart(expired, endedAt));
        return new Granted(lease, choice, committed, previousReleasedAt, previousVisitor, expired);
    }

    /**
     * The end of a lease whose number a start took, and the new lease, are stored: the end counted
     * as {@link #completeEnd} counts an end, the new lease as {@link #stored} counts a start (one
     * live lease took another's place, so no new peak).
     */
    private synchronized void endedByStart(Lease expired, long endedAt) {
        leasesStarted++;
        if (expired.ended) {
            return;
        }
        expired.ended = true;
        releaseAddress(expired);
        if (!expired.takenOverElsewhere) {
            endedLeases++;
            endedLeaseMillis += Math.max(0, endedAt - expired.startedAt);
        }
        endedByStarts.add(expired);
    }

    /** The leases a start ended since the last call (their numbers went straight to new leases), for the sweep to report. */
    public synchronized List<Lease> takeEndedByStarts() {
        if (endedByStarts.isEmpty()) {
            return List.of();
        }
        List<Lease> out = List.copyOf(endedByStarts);
        endedByStarts.clear();
        return out;
    }

    private Granted take(NumberSlot slot, Choice choice, String leaseId, String sessionId, String visitorId, long now,
            long ttlMillis, Writer writer) {
        Lease lease = new Lease(pool, slot.number, sessionId, visitorId, now, now + ttlMillis,
                choice == Choice.REUSED_COOLING);
        // The write is asked for first: a writer that refuses (its queue full) throws, and the
        // number must then still be idle, not held for a TTL by a lease the store never got.
        CompletableFuture<Void> committed = writer.leaseStarted(lease);
        long previousReleasedAt = slot.releasedAt;
        String previousVisitor = slot.lastVisitorId;
        idle.remove(slot);
        // Leased again (reuse_cooling, or its own visitor back): no longer out of circulation by the
        // address that cooled it. Not restored if this lease is rolled back: the address gains a number.
        coolingCharges.drop(slot);
        slot.lease = lease;
        schedule(lease, lease.expiresAt);
        if (previousVisitor != null) {
            lastNumberOfVisitor.remove(previousVisitor, slot);
        }
        slot.lastVisitorId = visitorId;
        lastNumberOfVisitor.put(slot);
        leased++;
        return new Granted(lease, choice, committed.thenRun(() -> stored(lease, now)), previousReleasedAt, previousVisitor, null);
    }

    /**
     * The store has {@code lease}, started at {@code now}: it counts as started, and its live leases
     * may be a new peak. Counted here, not when chosen: a lease the store refuses (another node holds
     * the number, audit AJ3 J5) is rolled back and was never one.
     */
    private synchronized void stored(Lease lease, long now) {
        leasesStarted++;
        int own = ownLeased();
        if (own > peakLeased && holds(lease) && !lease.ended) { // a new peak only if the leases already over in fact are left out
            peakLeased = Math.max(peakLeased, own - overButCounted(now, PEAK_LOOK_AHEAD).size());
        }
    }

    /** Live leases of this node, including those whose write is in flight; not the numbers held elsewhere. */
    private int ownLeased() {
        return leased - heldElsewhere;
    }

    /** Writes a hand-over: ends the lease {@code from} names (fenced by its epoch) at {@code at} and starts {@code to}, in one transaction. */
    @FunctionalInterface
    public interface HandOverWrite {
        CompletableFuture<Void> write(LeaseExpiry from, long at, Lease to);
    }

    /**
     * Passes the number of the live lease {@code from} to a new lease of the same visitor, for the
     * visit {@code sessionId}, at {@code now}: the visitor came back from a new traffic source on a
     * page that shows the number, and that starts a new visit (docs/calls.md). {@code from} ends at
     * {@code now} with no end grace and no cool-down, the new lease starts at {@code now} on the
     * same number, and the slot holds one or the other throughout, so no other visit can take the
     * number in between. The new lease keeps {@code from}'s intent hold and its place in the
     * address cap, and runs a TTL from now at least. Null when {@code from} is not live here.
     *
     * <p>The write is asked for first: when it refuses, nothing has changed. Until it commits,
     * {@code from} is ending (its heartbeats find it over); if it fails, the caller puts
     * {@code from} back with {@link #rollbackHandOver}. The granted lease's {@code replaced} is
     * {@code from}.
     */
    public synchronized Granted handOver(Lease from, String sessionId, long now, long ttlMillis, HandOverWrite writer) {
        NumberSlot slot = slots.get(from.number);
        if (slot == null || slot.lease != from || from.foreign || !isLive(from, now)) {
            return null;
        }
        Lease lease = new Lease(pool, from.number, sessionId, from.visitorId, now, Math.max(now + ttlMillis, from.intentUntil), false);
        lease.intentUntil = from.intentUntil;
        CompletableFuture<Void> stored = writer.write(new LeaseExpiry(from.sessionId, from.expiresAt, from.epoch), now, lease);
        from.ending = true; // the sweep passes over it; heartbeats find it over
        from.sweepAt = NOT_DUE;
        slot.lease = lease; // one live lease for another: leased stays as it is, and so does the visitor's last number
        lease.addressKey = from.addressKey;
        from.addressKey = 0;
        lease.networkKey = from.networkKey;
        from.networkKey = 0;
        schedule(lease, lease.expiresAt);
        CompletableFuture<Void> committed = stored.thenRun(() -> handedOver(from, now));
        return new Granted(lease, Choice.RETURNING_VISITOR, committed, slot.releasedAt, slot.lastVisitorId, from);
    }

    /**
     * The hand-over's write is stored: the new lease counts as started, {@code from} is over,
     * counted as {@link #completeEnd} counts an end (its number never idled).
     */
    private synchronized void handedOver(Lease from, long endedAt) {
        leasesStarted++;
        if (from.ended) {
            return;
        }
        from.ended = true;
        endedLeases++;
        endedLeaseMillis += Math.max(0, endedAt - from.startedAt);
    }

    /** Undoes a {@link #handOver} whose write failed: the number is the old lease's again, as it was. */
    public synchronized void rollbackHandOver(Granted granted) {
        Lease lease = granted.lease();
        Lease from = granted.replaced();
        NumberSlot slot = slots.get(lease.number);
        lease.ended = true;
        if (slot == null || slot.lease != lease || from.ended) {
            return;
        }
        slot.lease = from;
        from.ending = false;
        from.addressKey = lease.addressKey;
        lease.addressKey = 0;
        from.networkKey = lease.networkKey;
        lease.networkKey = 0;
        schedule(from, from.expiresAt);
    }

    /** Numbers that may be leased (retired ones excluded). */
    public synchronized int activeSize() {
        return slots.size() - retiredNumbers;
    }

    /**
     * Numbers visitors from {@code addressKey} hold: live leases, and numbers cooling from their
     * ended leases (until {@link #endCoolingCharges}). With {@code returningVisitorId}, less the
     * number {@link #acquireReturning} would give that visitor back now when it counts against
     * {@code addressKey}: taking it back takes no new number, so its own charge must not refuse it
     * (on a pool under 20 numbers the share is one number).
     */
    public synchronized int heldBy(String addressKey, String returningVisitorId, long now) {
        long key = KeyHash.of(addressKey);
        NumberSlot own = returningVisitorId == null ? null : returnable(returningVisitorId, now);
        return leasesByAddress.get(key) - (own != null && chargedAddress(own) == key ? 1 : 0);
    }

    /** As {@link #heldBy}, for the IPv6 /48 {@code networkKey} ({@link AddressKey#network}). */
    public synchronized int heldByNetwork(String networkKey, String returningVisitorId, long now) {
        long key = KeyHash.of(networkKey);
        NumberSlot own = returningVisitorId == null ? null : returnable(returningVisitorId, now);
        return leasesByNetwork.get(key) - (own != null && chargedNetwork(own) == key ? 1 : 0);
    }

    /** The numbers whose cool-down ({@code coolDownMillis}, the site's) has ended by {@code now} stop counting against their addresses. */
    public synchronized void endCoolingCharges(long now, long coolDownMillis) {
        coolingCharges.endCooled(now, coolDownMillis);
    }

    /** Cooling numbers still counted against an address (tests). */
    synchronized int coolingCharges() {
        return coolingCharges.size();
    }

    /** The visitor's previous number if {@link #acquireReturning} would give it back at {@code now}, else null. */
    private NumberSlot returnable(String visitorId, long now) {
        NumberSlot slot = lastNumberOfVisitor.get(visitorId);
        if (slot == null || slot.retired || !visitorId.equals(slot.lastVisitorId)) {
            return null;
        }
        return slot.lease == null || endable(slot.lease, now) ? slot : null;
    }

    /** The address key hash {@code slot}'s number counts against: its lease's, or its cool-down's; 0 for none. */
    private static long chargedAddress(NumberSlot slot) {
        return slot.lease != null ? slot.lease.addressKey : slot.charge != null ? slot.charge.address : 0;
    }

    private static long chargedNetwork(NumberSlot slot) {
        return slot.lease != null ? slot.lease.networkKey : slot.charge != null ? slot.charge.network : 0;
    }

    /** Counts {@code lease} against {@code addressKey} and its /48, if IPv6, until it ends (or is rolled back). */
    public synchronized void assignAddress(Lease lease, String addressKey) {
        if (addressKey == null || lease.addressKey != 0) {
            return;
        }
        lease.addressKey = KeyHash.of(addressKey);
        leasesByAddress.increment(lease.addressKey);
        String network = AddressKey.network(addressKey);
        if (network != null) {
            lease.networkKey = KeyHash.of(network);
            leasesByNetwork.increment(lease.networkKey);
        }
    }

    private void releaseAddress(Lease lease) {
        if (lease.addressKey != 0) {
            leasesByAddress.decrement(lease.addressKey);
        }
        if (lease.networkKey != 0) {
            leasesByNetwork.decrement(lease.networkKey);
        }
    }

    /** Undoes a lease whose write failed, as if it had never been granted. */
    public synchronized void rollback(Granted granted) {
        Lease lease = granted.lease();
        NumberSlot slot = slots.get(lease.number);
        if (slot == null || slot.lease != lease) {
            return;
        }
        lease.ended = true;
        releaseAddress(lease);
        lastNumberOfVisitor.remove(lease.visitorId, slot);
        slot.lastVisitorId = granted.previousVisitorId();
        if (granted.previousVisitorId() != null) {
            lastNumberOfVisitor.putIfAbsent(slot);
        }
        Lease replaced = granted.replaced();
        if (replaced != null && !replaced.ended) {
            // Its end was in the same transaction, so not written either: it holds the number again, and
            // the next sweep ends it with a write of its own (not a start: the same write may fail the same way).
            slot.lease = replaced;
            replaced.ending = false;
            replaced.endFailed = true;
            failedEnds.add(replaced);
            return;
        }
        slot.lease = null;
        leased--;
        slot.releasedAt = replaced != null ? replaced.expiresAt : granted.previousReleasedAt();
        if (!slot.retired) {
            idle.add(slot);
        }
    }

    /**
     * Another node holds {@code number} (the store refused our lease of it): keep it out of our
     * choices until {@code untilMillis}, then offer it again; the store arbitrates each time.
     */
    public synchronized void markHeldElsewhere(String number, long now, long untilMillis) {
        NumberSlot slot = slots.get(number);
        if (slot == null || slot.lease != null) {
            return;
        }
        idle.remove(slot);
        coolingCharges.drop(slot); // another node may be holding it: not this node's address's to count
        Lease placeholder = new Lease(pool, number, "(another node)", "", now, untilMillis, false);
        placeholder.foreign = true;
        slot.lease = placeholder;
        schedule(placeholder, untilMillis);
        leased++;
        heldElsewhere++;
    }

    /**
     * The store freed {@code number} (this node ended a lost node's lease of it): if it is kept
     * out of our choices as held elsewhere, it is released now, its cool-down counted from now,
     * as the store records the end.
     */
    public synchronized void heldElsewhereReleased(String number, long now) {
        NumberSlot slot = slots.get(number);
        if (slot != null && slot.lease != null && slot.lease.foreign) {
            completeEnd(slot.lease, now);
        }
    }

    public synchronized void recordExhaustion() {
        exhaustions++;
    }

    /** Renews a live lease; false when it has already expired or is ending (the caller answers 410). */
    public synchronized boolean heartbeat(Lease lease, long now, long ttlMillis) {
        if (!isLive(lease, now)) {
            return false;
        }
        lease.expiresAt = Math.max(now + ttlMillis, lease.intentUntil);
        expiryChanged(lease);
        return true;
    }

    /** Soft release: the lease ends after the grace period unless a heartbeat or intent holds it. */
    public synchronized boolean softEnd(Lease lease, long now, long graceMillis) {
        if (!isLive(lease, now)) {
            return false;
        }
        lease.expiresAt = Math.max(now + graceMillis, lease.intentUntil);
        expiryChanged(lease);
        return true;
    }

    /** The visitor showed they mean to call: keep the number with them at least {@code holdMillis}. */
    public synchronized boolean intent(Lease lease, long now, long holdMillis) {
        if (!isLive(lease, now)) {
            return false;
        }
        lease.intentUntil = Math.max(lease.intentUntil, now + holdMillis);
        lease.expiresAt = Math.max(lease.expiresAt, lease.intentUntil);
        expiryChanged(lease);
        return true;
    }

    /**
     * What the store should hold as this lease's expiry, read under the lock; null when the lease
     * is ending or over (its end write carries the final expiry) or is another node's.
     */
    public synchronized LeaseExpiry pendingExpiry(Lease lease) {
        if (lease.ending || lease.ended || lease.foreign) {
            return null;
        }
        return new LeaseExpiry(lease.sessionId, lease.expiresAt, lease.epoch);
    }

    /** How far ahead of {@code now} the store's copy of the lease's expiry reaches, ms (negative once passed). */
    public synchronized long storedLead(Lease lease, long now) {
        return lease.storedExpiresAt - now;
    }

    /** The store committed {@code expiresAt} as the lease's expiry. */
    public synchronized void expiryStored(Lease lease, long expiresAt) {
        lease.storedExpiresAt = expiresAt;
    }

    /**
     * The lease this node holds live on {@code number} now, with its in-memory expiry, or null.
     * Call attribution prefers it to the store's copy, which a single node refreshes only when it
     * nears (see {@code session.LeaseRenewals}).
     */
    public synchronized LiveHolder liveHolder(String number) {
        NumberSlot slot = slots.get(number);
        if (slot == null || slot.lease == null) {
            return null;
        }
        Lease lease = slot.lease;
        if (lease.ended || lease.foreign) {
            return null;
        }
        return new LiveHolder(lease.sessionId, lease.expiresAt);
    }

    /** A live lease as this node's memory knows it. */
    public record LiveHolder(String sessionId, long expiresAt) {}

    /**
     * The store no longer holds this lease for us (another node ended it after this node was
     * silent too long, or raised its epoch): forget it, and keep its number out of our choices
     * for {@code holdMillis}, since someone else may be holding it now. Returns false when the
     * lease was already ending or over here (then nothing was lost).
     */
    public synchronized boolean lose(Lease lease, long now, long holdMillis) {
        if (lease.ending || lease.ended) {
            return false;
        }
        NumberSlot slot = slots.get(lease.number);
        lease.ended = true;
        if (slot == null || slot.lease != lease) {
            return true;
        }
        slot.lease = null;
        leased--;
        releaseAddress(lease); // someone else may hold the number now: it is no longer this address's here
        markHeldElsewhere(lease.number, now, now + holdMillis);
        return true;
    }

    public synchronized boolean isLive(Lease lease, long now) {
        return !lease.ending && !lease.ended && lease.expiresAt > now;
    }

    public synchronized long expiresAt(Lease lease) {
        return lease.expiresAt;
    }

    /**
     * Ends every lease whose time is up. The end is recorded at the lease's expiry time (not the
     * sweep time), so the history says when the number really stopped being the visitor's.
     * Returns the leases being ended.
     */
    public List<Lease> sweep(long now, Writer writer) {
        return sweep(now, writer, MAX_ENDS_PER_SWEEP);
    }

    /** As {@link #sweep(long, Writer)}, queuing at most {@code maxEnds} end writes. */
    public synchronized List<Lease> sweep(long now, Writer writer, int maxEnds) {
        for (Lease failed : failedEnds) {
            failed.endFailed = false;
            schedule(failed, failed.expiresAt);
        }
        failedEnds.clear();
        List<Lease> ending = new ArrayList<>();
        while (ending.size() < maxEnds) { // the rest next sweep: visitors' writes must not queue behind a flood of ends
            Due next = due.peek();
            if (next == null || next.at() > now) {
                break;
            }
            due.poll();
            Lease lease = next.lease();
            if (isLeftover(next)) {
                continue; // a leftover entry, or a lease already over
            }
            if (lease.expiresAt > now) {
                schedule(lease, lease.expiresAt); // renewed since it was queued
                continue;
            }
            if (lease.foreign) {
                completeEnd(lease, lease.expiresAt);
                continue;
            }
            lease.ending = true;
            long endedAt = lease.expiresAt;
            CompletableFuture<Void> stored;
            try {
                stored = writer.leaseEnded(lease, endedAt);
            } catch (RuntimeException overloaded) {
                lease.ending = false;
                schedule(lease, lease.expiresAt);
                break;
            }
            ending.add(lease);
            sweepEnds.put(lease, stored);
            stored.whenComplete((ok, failure) -> {
                sweepEndSettled(lease);
                if (failure == null) {
                    completeEnd(lease, endedAt);
                } else {
                    failEnd(lease);
                }
            });
        }
        return ending;
    }

    /**
     * Whether an expiry-queue entry is to be dropped unread: queued for an earlier {@link Lease#sweepAt}
     * (the lease was queued again), or its lease is already ending, ended, or no longer this pool's.
     */
    private boolean isLeftover(Due entry) {
        Lease lease = entry.lease();
        return entry.at() != lease.sweepAt || lease.ending || lease.ended || !holds(lease);
    }

    /** Queues {@code lease} for the sweep at {@code at}; an earlier entry of it becomes a leftover. */
    private void schedule(Lease lease, long at) {
        lease.sweepAt = at;
        due.add(new Due(at, lease));
    }

    /** After an expiry changed: a later one is found by the sweep itself, an earlier one needs an earlier entry. */
    private void expiryChanged(Lease lease) {
        if (lease.expiresAt < lease.sweepAt) {
            schedule(lease, lease.expiresAt);
        }
    }

    private boolean holds(Lease lease) {
        NumberSlot slot = slots.get(lease.number);
        return slot != null && slot.lease == lease;
    }

    private synchronized void sweepEndSettled(Lease lease) {
        sweepEnds.remove(lease);
    }

    /**
     * Completes (never exceptionally) when the sweep's end writes in flight whose numbers will be
     * free for a new visitor at {@code now} are settled, stored or not; null when there are none.
     *
     * @param coolDownMillis the site's cool-down; negative: a cooling number will do as well
     */
    public synchronized CompletableFuture<Void> sweepEndsFreeing(long now, long coolDownMillis) {
        List<CompletableFuture<Void>> freeing = new ArrayList<>();
        sweepEnds.forEach((lease, stored) -> {
            NumberSlot slot = slots.get(lease.number);
            if (slot != null && !slot.retired && (coolDownMillis < 0 || lease.expiresAt + coolDownMillis <= now)) {
                freeing.add(stored);
            }
        });
        return freeing.isEmpty() ? null
                : CompletableFuture.allOf(freeing.toArray(CompletableFuture[]::new)).handle((ok, failure) -> null);
    }

    private synchronized void completeEnd(Lease lease, long endedAt) {
        NumberSlot slot = slots.get(lease.number);
        lease.ended = true;
        if (slot == null || slot.lease != lease) {
            return;
        }
        slot.lease = null;
        slot.releasedAt = endedAt;
        leased--;
        if (lease.foreign || lease.takenOverElsewhere || slot.retired) {
            releaseAddress(lease); // the number is not cooling here on the address's account
        } else {
            coolingCharges.keep(slot, lease.addressKey, lease.networkKey, endedAt); // its count goes on holding the number
        }
        lease.addressKey = 0;
        lease.networkKey = 0;
        if (lease.foreign) {
            heldElsewhere--;
        } else if (!lease.takenOverElsewhere) { // the node that took it over counts its end
            endedLeases++;
            endedLeaseMillis += Math.max(0, endedAt - lease.startedAt);
        }
        if (!slot.retired) {
            idle.add(slot);
        }
    }

    /** The end was not stored (database trouble): try again on the next sweep. */
    private synchronized void failEnd(Lease lease) {
        lease.ending = false;
        lease.endFailed = true;
        failedEnds.add(lease);
    }

    /**
     * Counts as of {@code now}. Read under the pool's lock by every {@code /metrics} scrape (four
     * gauges a pool) and the pool endpoints, so it does not walk the pool: idle numbers are kept
     * longest-idle first, so the ones still cooling down are the newest, counted from that end
     * until the first free one; retired numbers are counted as they retire.
     */
    /** Whether any number of the pool is not retired: a pool retired whole leases nothing. */
    public synchronized boolean hasActiveNumbers() {
        return slots.size() > retiredNumbers;
    }

    public synchronized Snapshot snapshot(long now, long coolDownMillis) {
        coolingCharges.endCooled(now, coolDownMillis); // read each scrape: charges leave even in a pool no one starts in
        int cooling = 0;
        for (Iterator<NumberSlot> newestFirst = idle.descendingIterator(); newestFirst.hasNext(); ) {
            if (newestFirst.next().releasedAt + coolDownMillis <= now) {
                break; // this one is free, and so is every number idle longer
            }
            cooling++;
        }
        int free = idle.size() - cooling;
        long average = endedLeases == 0 ? 0 : endedLeaseMillis / endedLeases;
        int retiredLeased = 0;
        for (NumberSlot r : retiredSlots) {
            if (r.lease != null) {
                retiredLeased++;
            }
        }
        // A lease past its expiry, or whose end is being stored, is over (a start takes its number):
        // counted as the idle number it is about to be, cooling or free (audit AF1 #1).
        int over = 0;
        for (Lease lease : overButCounted(now, Integer.MAX_VALUE)) {
            NumberSlot slot = slots.get(lease.number);
            if (slot != null && !slot.retired) {
                over++;
                if (lease.expiresAt + coolDownMillis <= now) {
                    free++;
                } else {
                    cooling++;
                }
            }
        }
        return new Snapshot(slots.size() - retiredNumbers, leased - retiredLeased - over, cooling, free, retiredNumbers, exhaustions,
                peakLeased, average, leasesStarted, endedLeases, endedLeaseMillis, retiredLeased);
    }

    /**
     * How many expired leases a start at a new peak looks past at most: a start runs on the event
     * loop, and under heavy churn a second's expiries wait for the sweep. Past this many the peak is
     * overstated by the rest, a small share where so many expire at once.
     */
    private static final int PEAK_LOOK_AHEAD = 32;

    /**
     * The leases memory still counts as leased that are over in fact: those past their expiry the
     * sweep has not reached (at most a sweep interval's expiries: the expiry queue is read from
     * its head and put back as it was), and those whose end the sweep is storing. A start treats
     * both as ended; the pool's counts and its peak must too, or one visitor at a time on a pool
     * without cool-down reads as a full pool and a peak of every number (audit AF1 #1).
     */
    private List<Lease> overButCounted(long now, int mostExpired) {
        List<Lease> over = sweepEnds.isEmpty() ? new ArrayList<>() : new ArrayList<>(sweepEnds.keySet());
        List<Due> putBack = new ArrayList<>();
        while (putBack.size() < mostExpired) {
            Due next = due.peek();
            if (next == null || next.at() > now) {
                break;
            }
            due.poll();
            Lease lease = next.lease();
            if (isLeftover(next)) {
                continue; // a leftover entry, or a lease already over: the sweep would drop it too
            }
            putBack.add(next);
            if (lease.expiresAt <= now && !lease.foreign) {
                over.add(lease);
            }
        }
        due.addAll(putBack);
        return over;
    }

    public synchronized List<String> numbers() {
        return slots.values().stream().filter(s -> !s.retired).map(s -> s.number).sorted().toList();
    }

    /** For tests: the session holding {@code number}, or null. */
    synchronized String holderOf(String number) {
        NumberSlot slot = slots.get(number);
        return slot == null || slot.lease == null ? null : slot.lease.sessionId;
    }

    /**
     * What the store's {@code pool_stats} row holds (every node's saves), added under what this run
     * has counted so far; already in the store, so never added to it again ({@link #unsavedStats}).
     */
    synchronized void restoreStats(PoolStore.StoredStats stored) {
        peakLeased = Math.max(peakLeased, stored.peakLeased());
        leasesStarted += stored.leasesStarted();
        endedLeases += stored.endedLeases();
        endedLeaseMillis += stored.endedLeaseMillis();
        inStore = add(inStore, stored);
    }

    /**
     * What this node counted that the store does not have yet: leases started and ended since its
     * last save, and its peak when higher than any it saved or read. {@link PoolStore.StoredStats#NONE}
     * when nothing changed.
     */
    synchronized PoolStore.StoredStats unsavedStats() {
        PoolStore.StoredStats since = new PoolStore.StoredStats(peakLeased > inStore.peakLeased() ? peakLeased : 0,
                leasesStarted - inStore.leasesStarted(), endedLeases - inStore.endedLeases(), endedLeaseMillis - inStore.endedLeaseMillis());
        return since.equals(PoolStore.StoredStats.NONE) ? PoolStore.StoredStats.NONE : since;
    }

    /**
     * {@code added}, read from {@link #unsavedStats}, is committed to the store. What was counted
     * meanwhile stays unsaved; a save that failed never gets here, so its counts go with the next.
     */
    synchronized void statsSaved(PoolStore.StoredStats added) {
        inStore = add(inStore, added);
    }

    private static PoolStore.StoredStats add(PoolStore.StoredStats a, PoolStore.StoredStats b) {
        return new PoolStore.StoredStats(Math.max(a.peakLeased(), b.peakLeased()), a.leasesStarted() + b.leasesStarted(),
                a.endedLeases() + b.endedLeases(), a.endedLeaseMillis() + b.endedLeaseMillis());
    }

    void setExhaustions(long value) {
        synchronized (this) {
            exhaustions = value;
        }
    }
}
