package io.ringpool.outbox;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which attempts may start now on this node, so that endpoints that hang cannot hold back the
 * ones that answer (audit, session 37: five hanging webhooks of one site took all eight sender
 * threads and a healthy endpoint waited minutes).
 *
 * <p>Two lanes of sender threads:
 * <ul>
 *   <li>the normal lane, {@code threads} attempts at once, at most {@code perSite} of them for one
 *       site's endpoints and {@code perTarget} for one endpoint — one until an attempt of the
 *       endpoint has come back in time on this node, so an endpoint not heard from yet, which may
 *       hang, takes no more than one of its site's slots;</li>
 *   <li>the slow lane, {@code slowThreads} attempts at once, one per endpoint, for the endpoints
 *       known to be slow: an attempt of theirs took (or is taking) at least {@code slowAfterNanos},
 *       half the request timeout. An endpoint leaves it when an attempt comes back sooner.</li>
 * </ul>
 * An attempt still running past {@code slowAfterNanos} marks its endpoint slow at once and moves
 * to the slow lane when that lane has room, so the normal lane is given back half a timeout after
 * an endpoint starts hanging rather than a whole timeout later. In-flight attempts never exceed
 * {@code threads + slowThreads}: the sender pool's size.
 *
 * <p>Thread-safe: the poller takes slots, the sender threads give them back.
 */
final class AttemptSlots {

    enum Lane {
        NORMAL, SLOW;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One attempt's place in a lane, taken by {@link #tryTake} and given back by {@link #release}. */
    static final class Slot {
        final String siteId;
        final String targetId;
        final long startedNanos;
        private volatile Lane lane;

        private Slot(String siteId, String targetId, long startedNanos, Lane lane) {
            this.siteId = siteId;
            this.targetId = targetId;
            this.startedNanos = startedNanos;
            this.lane = lane;
        }

        Lane lane() {
            return lane;
        }
    }

    /** Endpoints remembered as quick or slow, at most (deleted ones are never forgotten otherwise). */
    private static final int MAX_KNOWN = 100_000;

    private final int threads;
    private final int perSite;
    private final int perTarget;
    private final int slowThreads;
    private final long slowAfterNanos;

    private int normal;
    private int slow;
    private final Map<String, Integer> normalBySite = new HashMap<>();
    private final Map<String, Integer> byTarget = new HashMap<>();
    private final Set<String> slowTargets = new HashSet<>();
    /** Endpoints whose last attempt came back in time: they may take {@code perTarget} normal slots. */
    private final Set<String> quickTargets = new HashSet<>();
    private final Set<Slot> running = new HashSet<>();

    AttemptSlots(int threads, int perSite, int perTarget, int slowThreads, long slowAfterNanos) {
        this.threads = threads;
        this.perSite = perSite;
        this.perTarget = perTarget;
        this.slowThreads = slowThreads;
        this.slowAfterNanos = slowAfterNanos;
    }

    /** The sender threads needed: both lanes full at once. */
    int poolSize() {
        return threads + slowThreads;
    }

    /** A slot for an attempt at {@code targetId} of {@code siteId}, or null when a limit it needs is reached. */
    synchronized Slot tryTake(String siteId, String targetId, long nowNanos) {
        int ofTarget = byTarget.getOrDefault(targetId, 0);
        Lane lane;
        if (slowTargets.contains(targetId)) {
            if (ofTarget > 0 || slow >= slowThreads) {
                return null;
            }
            lane = Lane.SLOW;
            slow++;
        } else {
            if (ofTarget >= normalLimit(targetId) || normal >= threads || normalBySite.getOrDefault(siteId, 0) >= perSite) {
                return null;
            }
            lane = Lane.NORMAL;
            normal++;
            normalBySite.merge(siteId, 1, Integer::sum);
        }
        byTarget.merge(targetId, 1, Integer::sum);
        Slot s = new Slot(siteId, targetId, nowNanos, lane);
        running.add(s);
        return s;
    }

    /**
     * Gives a slot back.
     *
     * @param tookNanos how long the attempt took, which decides whether its endpoint is slow; null
     *                  when nothing was sent (the endpoint was held), which tells nothing about it
     */
    synchronized void release(Slot s, Long tookNanos) {
        if (quickTargets.size() >= MAX_KNOWN || slowTargets.size() >= MAX_KNOWN) {
            quickTargets.clear(); // endpoints deleted long ago: what is still current is learnt again
            slowTargets.clear();
        }
        if (!running.remove(s)) {
            return;
        }
        if (s.lane() == Lane.SLOW) {
            slow--;
        } else {
            normal--;
            decrement(normalBySite, s.siteId);
        }
        decrement(byTarget, s.targetId);
        if (tookNanos != null) {
            if (tookNanos >= slowAfterNanos) {
                slowTargets.add(s.targetId);
                quickTargets.remove(s.targetId);
            } else if (!stillSlowInFlight(s.targetId, s.startedNanos + tookNanos)) {
                slowTargets.remove(s.targetId);
                quickTargets.add(s.targetId);
            }
        }
    }

    /**
     * Marks the endpoints of attempts running past {@code slowAfterNanos} slow, and moves those
     * attempts to the slow lane while it has room; returns how many moved.
     */
    synchronized int sweep(long nowNanos) {
        int moved = 0;
        for (Slot s : running) {
            if (s.lane() == Lane.NORMAL && nowNanos - s.startedNanos >= slowAfterNanos) {
                slowTargets.add(s.targetId);
                quickTargets.remove(s.targetId);
                if (slow < slowThreads) {
                    s.lane = Lane.SLOW;
                    normal--;
                    decrement(normalBySite, s.siteId);
                    slow++;
                    moved++;
                }
            }
        }
        return moved;
    }

    /** False when neither lane has a free thread: nothing can start. */
    synchronized boolean anyFree() {
        return normal < threads || slow < slowThreads;
    }

    /** Sites with no normal slot left: their due deliveries are not worth reading now. */
    synchronized List<String> fullSites() {
        List<String> out = new ArrayList<>();
        normalBySite.forEach((site, n) -> {
            if (n >= perSite) {
                out.add(site);
            }
        });
        return out;
    }

    /** Endpoints that cannot start another attempt now (at their own limit, or slow with the slow lane full). */
    synchronized List<String> fullTargets() {
        Set<String> out = new HashSet<>();
        byTarget.forEach((target, n) -> {
            if (n >= (slowTargets.contains(target) ? 1 : normalLimit(target))) {
                out.add(target);
            }
        });
        if (slow >= slowThreads) {
            out.addAll(slowTargets);
        }
        return new ArrayList<>(out);
    }

    synchronized boolean isSlow(String targetId) {
        return slowTargets.contains(targetId);
    }

    synchronized int inFlight(Lane lane) {
        return lane == Lane.SLOW ? slow : normal;
    }

    synchronized int slowTargets() {
        return slowTargets.size();
    }

    private int normalLimit(String targetId) {
        return quickTargets.contains(targetId) ? perTarget : 1;
    }

    private boolean stillSlowInFlight(String targetId, long nowNanos) {
        for (Slot s : running) {
            if (s.targetId.equals(targetId) && nowNanos - s.startedNanos >= slowAfterNanos) {
                return true;
            }
        }
        return false;
    }

    private static void decrement(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }
}
