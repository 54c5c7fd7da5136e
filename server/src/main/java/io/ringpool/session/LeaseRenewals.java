package io.ringpool.session;

import io.ringpool.pool.LeaseExpiry;
import io.ringpool.pool.PoolStore;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.StoreException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Carries lease renewals (heartbeats, end beacons, another tab's start) to the store without
 * making anyone wait for a commit. A renewal is decided in memory and answered at once; the
 * session is only marked here. Every {@code flushIntervalMillis} the sweeper thread writes the
 * current expiry of marked sessions, oldest mark first, in chunks of {@link #CHUNK} rows, so each
 * session's row is written at most once per interval however often its tabs beat.
 *
 * <p>Renewals never crowd out visitors and calls: at most {@link #MAX_CHUNKS_IN_FLIGHT} chunks are
 * queued on the group-commit writer at a time. What does not fit stays marked for the next flush,
 * where further heartbeats of the same sessions coalesce into it. (Before this bound, a flush after
 * 20,000 heartbeats/s queued 70 chunks of wide-row updates, about 28 s of H2 writer time, and
 * every call event and session start waited behind them until it timed out.)
 *
 * <p>Why nothing acknowledged is lost in a crash: an expiry answered but not yet written is at most
 * {@code crash time + TTL}. At start the store's live leases are given {@code max(stored expiry,
 * restart + TTL)} (see {@link SessionService#restore}), which is later than anything answered
 * before the crash, so no number goes to someone else while its holder's page may still show it.
 *
 * <p>Writes are fenced ({@link PoolStore#storeExpiries}): a lease the store no longer holds for
 * this node (another node ended it after this one was silent past the TTL) is refused, and
 * {@code lost} is told so it can drop the lease from memory.
 *
 * <p>Thread model: {@link #renewed} from any worker (lock-free); {@link #flush} from one thread
 * at a time (the sweeper, and once at shutdown); write completions on the writer thread.
 */
public final class LeaseRenewals {
    /** Rows per write: small enough that a session start queued behind one waits a few ms, not a long batch. */
    static final int CHUNK = 200;
    /** Chunks queued on the writer at once; the rest wait, marked, for the next flush. */
    static final int MAX_CHUNKS_IN_FLIGHT = 2;

    private final GroupCommitWriter writer;
    private final long flushIntervalMillis;
    private final Map<String, LiveSession> marked = new ConcurrentHashMap<>();
    /** Marked sessions in the order they were first marked: the oldest waiting renewal is written first. */
    private final Queue<LiveSession> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger chunksInFlight = new AtomicInteger();
    private long lastFlush = Long.MIN_VALUE;
    private Consumer<LiveSession> lost = s -> { };

    public LeaseRenewals(GroupCommitWriter writer, long flushIntervalMillis) {
        this.writer = writer;
        this.flushIntervalMillis = flushIntervalMillis;
    }

    /** Called once by the session service that owns the sessions. */
    void onLost(Consumer<LiveSession> lost) {
        this.lost = lost;
    }

    void renewed(LiveSession session) {
        if (marked.put(session.sessionId, session) == null) {
            order.add(session);
        }
    }

    /** Renewals waiting to be written. */
    public int pending() {
        return marked.size();
    }

    /** Writes the marked renewals if the interval has passed since the last flush; returns how many rows were queued. */
    int flushIfDue(long now) {
        if (lastFlush != Long.MIN_VALUE && now - lastFlush < flushIntervalMillis) {
            return 0;
        }
        lastFlush = now;
        return flush();
    }

    /**
     * Queues marked renewals, oldest first, as far as the in-flight bound allows. A chunk that
     * fails (store trouble, queue full) puts its sessions back to be tried on the next flush.
     */
    int flush() {
        return flush(MAX_CHUNKS_IN_FLIGHT);
    }

    /** Queues every marked renewal at once (a clean shutdown, when no visitor waits any more). */
    int flushAll() {
        return flush(Integer.MAX_VALUE);
    }

    private int flush(int maxInFlight) {
        int queued = 0;
        while (chunksInFlight.get() < maxInFlight) {
            List<LiveSession> chunk = takeChunk();
            if (chunk.isEmpty()) {
                break;
            }
            queued += submit(chunk);
        }
        return queued;
    }

    private List<LiveSession> takeChunk() {
        List<LiveSession> chunk = new ArrayList<>(CHUNK);
        while (chunk.size() < CHUNK) {
            LiveSession s = order.poll();
            if (s == null) {
                break;
            }
            if (marked.remove(s.sessionId, s)) {
                chunk.add(s);
            }
        }
        return chunk;
    }

    private int submit(List<LiveSession> chunk) {
        Map<String, LiveSession> bySession = new HashMap<>();
        List<LeaseExpiry> expiries = new ArrayList<>(chunk.size());
        for (LiveSession s : chunk) {
            LeaseExpiry e = s.pool.pendingExpiry(s.lease);
            if (e != null) {
                expiries.add(e);
                bySession.put(e.sessionId(), s);
            }
        }
        if (expiries.isEmpty()) {
            return 0;
        }
        CompletableFuture<List<LeaseExpiry>> stored;
        chunksInFlight.incrementAndGet();
        try {
            stored = writer.submitReturning(c -> PoolStore.storeExpiries(c, expiries));
        } catch (StoreException overloaded) {
            chunksInFlight.decrementAndGet();
            bySession.values().forEach(this::renewed);
            return 0;
        }
        stored.whenComplete((refused, failure) -> {
            chunksInFlight.decrementAndGet();
            if (failure != null) {
                bySession.values().forEach(this::renewed);
                return;
            }
            Map<String, LeaseExpiry> refusedBySession = new HashMap<>();
            for (LeaseExpiry r : refused) {
                refusedBySession.put(r.sessionId(), r);
            }
            for (LeaseExpiry e : expiries) {
                LiveSession s = bySession.get(e.sessionId());
                if (refusedBySession.containsKey(e.sessionId())) {
                    lost.accept(s);
                } else {
                    s.pool.expiryStored(s.lease, e.expiresAt());
                }
            }
        });
        return expiries.size();
    }
}
