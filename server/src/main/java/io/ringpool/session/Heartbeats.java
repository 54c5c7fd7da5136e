package io.ringpool.session;

import static io.ringpool.session.LiveSessions.ended;

import io.ringpool.pool.Leasing;
import io.ringpool.security.ScriptLimits;
import io.ringpool.session.SessionService.Heartbeat;
import io.ringpool.session.SessionService.Renewed;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.SiteSettings;
import io.ringpool.store.StoreException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Keeping a live session's number: a heartbeat renews its lease in memory and is answered at
 * once, and the renewal reaches the store later and only when the store needs it
 * ({@link #storeRenewalWhenDue}, written in batches by {@link LeaseRenewals}). An untracked visit
 * is renewed alike and may catch up on a number ({@link CatchUps}). The rules here (may this node
 * renew at all, when is a renewal due in the store, what a lease lost to another node means) are
 * shared by every step that renews: a resumed page and a hand-over renew as a heartbeat does.
 *
 * <p>Threading: {@link #heartbeatAsync} runs on the event loop and must not block: a live
 * session's heartbeat never leaves it. Only a catch-up (committed by the commit thread) or a
 * session id not in memory (read on {@code blockingReads}) completes later. {@link #lost} is
 * called on the commit thread, from {@link LeaseRenewals}' fenced writes.
 */
final class Heartbeats {
    private final SiteRegistry sites;
    private final Leasing leasing;
    private final Clock clock;
    private final ScriptLimits limits;
    private final LiveSessions live;
    private final CatchUps catchUps;
    private final LeaseRenewals renewals;
    private final SessionMeters meters;
    /** Null when the node is alone on its store: renewals are then stored only when due. */
    private final String nodeId;
    /** False while this node cannot prove to the cluster that it is alive: renewals are then refused (503). */
    private final BooleanSupplier mayRenew;

    Heartbeats(SiteRegistry sites, Leasing leasing, Clock clock, ScriptLimits limits, LiveSessions live, CatchUps catchUps,
            LeaseRenewals renewals, SessionMeters meters, String nodeId, BooleanSupplier mayRenew) {
        this.sites = sites;
        this.leasing = leasing;
        this.clock = clock;
        this.limits = limits;
        this.live = live;
        this.catchUps = catchUps;
        this.renewals = renewals;
        this.meters = meters;
        this.nodeId = nodeId;
        this.mayRenew = mayRenew;
    }

    /** See {@link SessionService#heartbeatAsync(Heartbeat)}. */
    CompletableFuture<Renewed> heartbeatAsync(Heartbeat beat) {
        String sessionId = beat.sessionId();
        String clientIp = beat.clientIp();
        LiveSession s = live.liveOrNull(sessionId);
        if (s == null) {
            return live.notLive(sessionId);
        }
        live.requireOrigin(s, beat.origin());
        limits.check(ScriptLimits.Kind.HEARTBEAT, null, s.sessionId, clientIp);
        SiteSettings settings = live.settingsOf(s);
        long now = clock.millis();
        if (s.tracked()) {
            requireMayRenew();
            if (!leasing.renew(s.pool, s.lease, settings, now)) {
                live.markOver(s);
                throw ended();
            }
            storeRenewalWhenDue(s, settings, now);
            return CompletableFuture.completedFuture(new Renewed(Instant.ofEpochMilli(s.pool.expiresAt(s.lease)), s.lease.number(), true));
        }
        if (s.untracked.expiresAt <= now) {
            live.markOver(s);
            throw ended();
        }
        CompletableFuture<Renewed> caughtUp = catchUps.catchUp(s, settings, now, clientIp,
                () -> limits.tryAcquire(ScriptLimits.Kind.START, s.siteId, null, clientIp != null ? clientIp : s.untracked.clientIp) == 0);
        return caughtUp != null ? caughtUp : CompletableFuture.completedFuture(CatchUps.renewUntracked(s, settings, now));
    }

    /**
     * Marks a renewal for the store when the store needs it. On several nodes, always: the others
     * read the expiry when this node goes silent. On a single node, only once the stored expiry is
     * within half a TTL of now: this node's memory is the authority on its live leases (call
     * attribution reads the in-memory expiry), and a restart gives every live lease a fresh TTL, so
     * the store's copy only has to stay ahead of now. With the default TTL of 180 s and heartbeats
     * every 30 s that is one write per four heartbeats, instead of one per heartbeat.
     */
    void storeRenewalWhenDue(LiveSession s, SiteSettings settings, long now) {
        if (nodeId != null || s.pool.storedLead(s.lease, now) < settings.leaseTtl().toMillis() / 2) {
            renewals.renewed(s);
        }
    }

    /** The store refused a renewal: another node took this lease over. */
    void lost(LiveSession s) {
        long hold = sites.byId(s.siteId).map(e -> e.site().settings().leaseTtl().toMillis()).orElse(0L);
        if (s.pool.lose(s.lease, clock.millis(), hold)) {
            meters.leasesLost.increment();
            live.markOver(s);
        }
    }

    void requireMayRenew() {
        if (!mayRenew.getAsBoolean()) {
            // This node has not been able to tell the cluster it is alive; another node may be about
            // to end its leases. Refuse rather than promise a number that may not be ours. The cause
            // is the store (down, or this node paused past its beats), not load: 503 store_unavailable.
            throw new StoreException("this node is not in contact with the cluster");
        }
    }
}
