package io.ringpool.session;

import static io.ringpool.session.LiveSessions.unwrapped;

import io.ringpool.pool.AddressKey;
import io.ringpool.pool.Leasing;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolState;
import io.ringpool.session.SessionService.Renewed;
import io.ringpool.site.SiteSettings;
import io.ringpool.store.ConstraintViolationException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An untracked visit taking a number that has since become free, on its next heartbeat or page:
 * the answer carries the number and {@code tracked: true}, and the script swaps it into the page.
 * Only a free number (never one still cooling for someone else), and no exhaustion is counted for
 * trying. The visit's row becomes a tracked one whose lease starts now (its {@code started_at}
 * moves to the lease start, so attribution never gives it calls from before it had the number).
 *
 * <p>Threading: begun on the caller's thread (the event loop, for a heartbeat or a resumed page),
 * choosing in memory under the pool's lock; the answer completes on the commit thread. A retry
 * after another node took the number runs on the JDK's delay scheduler, holding no thread.
 */
final class CatchUps {
    /**
     * Untracked for these reasons, a visit gets a number on a later heartbeat or page once one is
     * free: the pool was full, the address held its share, or no pool matched (the site had none
     * yet, or none for this source: a pool added or widened later serves the visits already here).
     */
    static final Set<String> CATCHES_UP = Set.of("pool_exhausted", "address_cap", "no_pool");

    private final PoolRegistry pools;
    private final Leasing leasing;
    private final Clock clock;
    private final LiveSessions live;
    private final SessionMeters meters;
    /** This node's id, stored with each lease it grants; null when the node is alone on its store. */
    private final String nodeId;

    CatchUps(PoolRegistry pools, Leasing leasing, Clock clock, LiveSessions live, SessionMeters meters, String nodeId) {
        this.pools = pools;
        this.leasing = leasing;
        this.clock = clock;
        this.live = live;
        this.meters = meters;
        this.nodeId = nodeId;
    }

    /**
     * The visit's number once committed, or null when no number is free; then the visit stays
     * untracked. {@code mayStart} is asked only when a number is free: a catch-up is a start, and
     * takes the address's start token.
     */
    CompletableFuture<Renewed> catchUp(LiveSession s, SiteSettings settings, long now, String heartbeatIp,
            BooleanSupplier mayStart) {
        return catchUp(s, settings, now, heartbeatIp, mayStart, 0);
    }

    /**
     * As above, on the {@code conflicts}-th try: a number the store refused because another node
     * holds it is marked held elsewhere and the catch-up chooses again, as a start does
     * ({@link VisitStarts#chooseAgainIfHeldElsewhere}); without the mark each heartbeat chose the same
     * refused number while another was free (audit E #2).
     */
    private CompletableFuture<Renewed> catchUp(LiveSession s, SiteSettings settings, long now, String heartbeatIp,
            BooleanSupplier mayStart, int conflicts) {
        if (!s.untracked.catchesUp() || pools.ofSite(s.siteId).isEmpty()) {
            return null; // a site with no pool at all (static numbers only) spends nothing per heartbeat
        }
        Map<String, String> visitAttributes = s.untracked.visitAttributes();
        // The address asking now is the one the cap and the start limiter count (the start's when the caller gave none).
        String addressKey = heartbeatIp != null ? AddressKey.of(heartbeatIp) : AddressKey.of(s.untracked.clientIp);
        Leasing.Leased leased = leasing.catchUp(s.siteId, settings, s.sessionId, s.visitorId, addressKey, visitAttributes, now,
                mayStart,
                (c, lease, reason) -> SessionStore.startLeaseLater(c, s.sessionId, lease, now, nodeId == null ? null : s.visitorId));
        if (leased == null) {
            return null;
        }
        PoolState.Granted granted = leased.granted();
        return granted.committed().handle((ok, failure) -> {
            if (failure != null) {
                leased.pool().rollback(granted);
                if (unwrapped(failure) instanceof ConstraintViolationException heldElsewhere
                        && !heldElsewhere.violates(VisitStarts.LIVE_VISITOR_INDEX)) {
                    return chooseAgainToCatchUp(s, settings, leased.pool(), granted.lease().number(), heartbeatIp, conflicts);
                }
                // Still untracked (the store is down, or the visitor is live on another node); the next heartbeat tries again.
                return CompletableFuture.completedFuture(renewUntracked(s, settings, now));
            }
            LiveSession tracked = new LiveSession(s.sessionId, s.siteId, s.visitorId, leased.pool(), granted.lease(), s.tags);
            live.index.put(tracked);
            meters.caughtUp(s.siteId);
            return CompletableFuture.completedFuture(
                    new Renewed(Instant.ofEpochMilli(leased.pool().expiresAt(granted.lease())), granted.lease().number(), true));
        }).thenCompose(answer -> answer);
    }

    /**
     * Another node holds {@code refused}: keep it out of this node's choices for one TTL and try
     * the catch-up again after the start path's short random pause (on the JDK's delay scheduler,
     * holding no thread, and off the commit thread that completed the refusal). The address's
     * start token was taken by the first try. Past {@link VisitStarts#MAX_CONFLICT_RETRIES} the
     * visit stays untracked until its next heartbeat.
     */
    private CompletableFuture<Renewed> chooseAgainToCatchUp(LiveSession s, SiteSettings settings, PoolState pool,
            String refused, String heartbeatIp, int conflicts) {
        long now = clock.millis();
        pool.markHeldElsewhere(refused, now, now + settings.leaseTtl().toMillis());
        meters.leaseConflicts.increment();
        if (conflicts + 1 >= VisitStarts.MAX_CONFLICT_RETRIES) {
            return CompletableFuture.completedFuture(renewUntracked(s, settings, now));
        }
        long pause = ThreadLocalRandom.current().nextInt(1, 4 << conflicts);
        Executor afterPause = CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS, Runnable::run);
        return CompletableFuture.supplyAsync(() -> {
            long later = clock.millis();
            LiveSession current = live.index.get(s.sessionId);
            if (current != s) { // caught up by another heartbeat meanwhile, or over
                return CompletableFuture.completedFuture(current != null && current.tracked()
                        ? new Renewed(Instant.ofEpochMilli(current.pool.expiresAt(current.lease)), current.lease.number(), true)
                        : renewUntracked(s, settings, later));
            }
            try {
                CompletableFuture<Renewed> again = catchUp(s, settings, later, heartbeatIp, () -> true, conflicts + 1);
                return again != null ? again : CompletableFuture.completedFuture(renewUntracked(s, settings, later));
            } catch (RuntimeException overloaded) {
                return CompletableFuture.completedFuture(renewUntracked(s, settings, later));
            }
        }, afterPause).thenCompose(answer -> answer);
    }

    /** An untracked visit lives one more TTL from {@code now}, still showing the default number. */
    static Renewed renewUntracked(LiveSession s, SiteSettings settings, long now) {
        s.untracked.expiresAt = now + settings.leaseTtl().toMillis();
        return new Renewed(Instant.ofEpochMilli(s.untracked.expiresAt), settings.defaultNumber(), false);
    }
}
