package io.ringpool.session;

import io.ringpool.pool.LeaseExpiry;
import io.ringpool.pool.PoolStore;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.StoreException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Carries lease renewals (heartbeats, end beacons, another tab's start) to the store without
 * making anyone wait for a commit. A renewal is decided in memory and answered at once; the
 * session is only marked here. Every {@code flushIntervalMillis} the sweeper thread writes the
 * current expiry of every marked session, in chunks of {@link #CHUNK} rows per write, so each
 * session's row is written at most once per interval however often its tabs beat.
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
 * <p>Thread model: {@link #renewed} from any worker (lock-free map put); {@link #flush} from one
 * thread at a time (the sweeper, and once at shutdown).
 */
public final class LeaseRenewals {
    /** Rows per write: small enough that a session start queued behind one waits a few ms, not a long batch. */
    static final int CHUNK = 500;

    private final GroupCommitWriter writer;
    private final long flushIntervalMillis;
    private final Map<String, LiveSession> marked = new ConcurrentHashMap<>();
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
        marked.put(session.sessionId, session);
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
     * Queues every marked renewal now. A chunk that fails (store trouble, queue full) puts its
     * sessions back to be tried on the next flush.
     */
    int flush() {
        if (marked.isEmpty()) {
            return 0;
        }
        List<LiveSession> taken = new ArrayList<>(marked.size());
        for (LiveSession s : marked.values()) {
            if (marked.remove(s.sessionId, s)) {
                taken.add(s);
            }
        }
        int queued = 0;
        for (int from = 0; from < taken.size(); from += CHUNK) {
            List<LiveSession> chunk = taken.subList(from, Math.min(taken.size(), from + CHUNK));
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
                continue;
            }
            CompletableFuture<List<LeaseExpiry>> stored;
            try {
                stored = writer.submitReturning(c -> PoolStore.storeExpiries(c, expiries));
            } catch (StoreException overloaded) {
                bySession.values().forEach(s -> marked.putIfAbsent(s.sessionId, s));
                continue;
            }
            queued += expiries.size();
            stored.whenComplete((refused, failure) -> {
                if (failure != null) {
                    bySession.values().forEach(s -> marked.putIfAbsent(s.sessionId, s));
                    return;
                }
                for (LeaseExpiry r : refused) {
                    LiveSession s = bySession.get(r.sessionId());
                    if (s != null) {
                        lost.accept(s);
                    }
                }
            });
        }
        return queued;
    }
}
