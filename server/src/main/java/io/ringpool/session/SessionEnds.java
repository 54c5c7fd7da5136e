package io.ringpool.session;

import io.ringpool.pool.Lease;
import io.ringpool.pool.Leasing;
import io.ringpool.session.SessionService.End;
import io.ringpool.site.SiteSettings;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.StoreException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How sessions end. A page's end beacon only shortens the session in memory (to the end grace);
 * the sweep is the one place where sessions actually end: expired leases (through
 * {@link Leasing#sweep}) and untracked visits past their expiry, which it also writes.
 *
 * <p>Threading: {@link #endAsync} runs on the event loop and must not block (a session id not in
 * memory is looked up on {@code blockingReads}); {@link #sweep} runs on the one sweeper thread,
 * and its untracked ends are marked over on the commit thread once written.
 */
final class SessionEnds {
    private final Leasing leasing;
    private final GroupCommitWriter writer;
    private final Clock clock;
    private final LeaseRenewals renewals;
    private final LiveSessions live;
    private final Heartbeats heartbeats;

    SessionEnds(Leasing leasing, GroupCommitWriter writer, Clock clock, LeaseRenewals renewals, LiveSessions live,
            Heartbeats heartbeats) {
        this.leasing = leasing;
        this.writer = writer;
        this.clock = clock;
        this.renewals = renewals;
        this.live = live;
        this.heartbeats = heartbeats;
    }

    /** See {@link SessionService#endAsync(End)}. */
    CompletableFuture<Void> endAsync(End end) {
        String sessionId = end.sessionId();
        LiveSession s = sessionId == null ? null : live.index.get(sessionId);
        if (s == null) {
            return live.known(sessionId).thenAccept(known -> {
                if (!known) {
                    throw new UnknownSession();
                }
            });
        }
        live.requireOrigin(s, end.origin());
        long now = clock.millis();
        SiteSettings settings = live.settingsOf(s);
        if (s.tracked()) {
            if (leasing.endSoftly(s.pool, s.lease, settings, now)) {
                heartbeats.storeRenewalWhenDue(s, settings, now);
            }
        } else {
            s.untracked.expiresAt = Math.min(s.untracked.expiresAt, now + settings.endGrace().toMillis());
        }
        return CompletableFuture.completedFuture(null);
    }

    /** See {@link SessionService#sweep}. */
    int sweep() {
        long now = clock.millis();
        renewals.flushIfDue(now);
        List<Lease> ended = leasing.sweep(now);
        for (Lease lease : ended) {
            LiveSession s = live.index.get(lease.sessionId());
            if (s != null) {
                live.markOver(s);
            }
        }
        List<LiveSession> untracked = new ArrayList<>();
        live.index.forEach(s -> {
            if (!s.tracked() && s.untracked.expiresAt <= now) {
                untracked.add(s);
            }
        });
        if (!untracked.isEmpty()) {
            try {
                writer.submit(c -> SessionStore.endUntracked(c, untracked, now)).whenComplete((ok, failure) -> {
                    if (failure == null) {
                        untracked.forEach(live::markOver);
                    }
                });
            } catch (StoreException e) {
                // try again on the next sweep
            }
        }
        return ended.size() + untracked.size();
    }
}
