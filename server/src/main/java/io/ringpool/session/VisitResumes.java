package io.ringpool.session;

import static io.ringpool.session.LiveSessions.unwrapped;

import io.ringpool.pool.Lease;
import io.ringpool.pool.LeaseExpiry;
import io.ringpool.pool.Leasing;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolState;
import io.ringpool.security.ScriptLimits;
import io.ringpool.session.SessionService.Renewed;
import io.ringpool.session.SessionService.StartRequest;
import io.ringpool.session.SessionService.Started;
import io.ringpool.site.Keys;
import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.SiteSettings;
import io.ringpool.site.UnknownSite;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.StoreException;
import io.ringpool.store.StoreOverloadedException;
import io.ringpool.visit.LandingTags;
import io.ringpool.visit.TrafficSource;
import io.ringpool.visit.TrafficSourceParser;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * A start of a visitor who already has a live session: here (another tab, a retried request), on
 * another node (several nodes, one store: the session is joined and its lease taken over), or
 * with a new traffic source (a new visit that keeps the page's number). API.md: the same visitor
 * with a live session gets that session and number back. Whenever the live session turns out to
 * be gone, the start goes on as a new one ({@link VisitStarts}).
 *
 * <p>Threading: a resume begins on the thread of its start (the event loop, or a worker after a
 * wait) and must not block; its page view and fenced renewal are committed by the commit thread.
 * Whatever follows a commit and may start again, read the store or take a lease over continues on
 * {@code blockingReads}, never on the commit thread.
 */
final class VisitResumes {
    private final VisitStarts starts;
    private final StartsInFlight inFlight;
    private final SiteRegistry sites;
    private final PoolRegistry pools;
    private final Leasing leasing;
    private final GroupCommitWriter writer;
    private final SessionStore store;
    private final Clock clock;
    private final ScriptLimits limits;
    private final SessionCaps caps;
    /** This node's id, stored with each lease it grants; null when the node is alone on its store. */
    private final String nodeId;
    private final Executor blockingReads;
    private final LiveSessions live;
    private final Heartbeats heartbeats;
    private final CatchUps catchUps;
    private final SessionMeters meters;
    private final StoredUrls urls;
    private final TrafficSourceParser sourceParser;
    private final UserAgentCache userAgents;

    VisitResumes(VisitStarts starts, StartsInFlight inFlight, SiteRegistry sites, PoolRegistry pools, Leasing leasing,
            GroupCommitWriter writer, SessionStore store, Clock clock, ScriptLimits limits, SessionCaps caps, String nodeId,
            Executor blockingReads, LiveSessions live, Heartbeats heartbeats, CatchUps catchUps, SessionMeters meters, StoredUrls urls,
            TrafficSourceParser sourceParser, UserAgentCache userAgents) {
        this.starts = starts;
        this.inFlight = inFlight;
        this.sites = sites;
        this.pools = pools;
        this.leasing = leasing;
        this.writer = writer;
        this.store = store;
        this.clock = clock;
        this.limits = limits;
        this.caps = caps;
        this.nodeId = nodeId;
        this.blockingReads = blockingReads;
        this.live = live;
        this.heartbeats = heartbeats;
        this.catchUps = catchUps;
        this.meters = meters;
        this.urls = urls;
        this.sourceParser = sourceParser;
        this.userAgents = userAgents;
    }

    /**
     * Another tab or page of a visitor with a live session: the same session and number, one more
     * page view. Past the session's page-view budget the page view is not recorded, but the start
     * is still answered with the session and its number: the budget protects the disk, and a
     * returning visitor is never refused their number (API.md). What hands out numbers is bounded
     * by the address's start budget, taken before this.
     */
    CompletableFuture<Started> resume(LiveSession s, StartRequest request, SiteSettings settings, long now) {
        return resume(s, request, settings, now, 0);
    }

    /**
     * @param conflicts above 0 when resuming inside a start that is this visitor's start in flight
     *     (a session joined from another node): starting anew then must not wait for that start,
     *     which is itself
     */
    CompletableFuture<Started> resume(LiveSession s, StartRequest request, SiteSettings settings, long now, int conflicts) {
        String url = urls.stored(request.url() == null ? "" : request.url(), settings);
        // The stored URL keeps only the parameters Ringpool reads: most pages have no query left, and
        // cost nothing more here than the scan for its '?'.
        if (request.landing() && LandingTags.newSource(LandingTags.of(url), s.tags)) {
            return startNewVisit(s, request, settings, now, conflicts);
        }
        String title = settings.storeTitles() ? request.title() : null;
        // A resume is a page view of the session: the same per-session budget and cap, except
        // that past the budget it is dropped instead of refused.
        boolean recorded = limits.tryAcquire(ScriptLimits.Kind.PAGEVIEW, null, s.sessionId, null) == 0;
        boolean store = recorded && s.countPageview() <= caps.pageviewsStored();
        if (s.tracked()) {
            heartbeats.requireMayRenew();
            if (!leasing.renew(s.pool, s.lease, settings, now)) {
                // The lease ended a moment ago; treat the visitor as new.
                live.markOver(s);
                return startAgain(request, conflicts);
            }
            heartbeats.storeRenewalWhenDue(s, settings, now);
            // Several nodes: another node may have taken this lease over (its visitor started there)
            // and since ended it; memory here learns that only from a refused write. A start must
            // not hand back such a number, so its renewal is written, fenced, with the page view.
            LeaseExpiry fenced = nodeId == null ? null : s.pool.pendingExpiry(s.lease);
            CompletableFuture<Void> written = fenced == null && !recorded
                    ? CompletableFuture.completedFuture(null) // no fence to write, and the page view is dropped
                    : writer.submit(c -> {
                        if (fenced != null) {
                            SessionStore.renewResumed(c, fenced, s.visitorId);
                        }
                        if (recorded) {
                            SessionStore.insertPageview(c, s.siteId, s.sessionId, url, title, now, store);
                        }
                    });
            CompletableFuture<Started> answered = written.thenApply(ok -> new Started(false, s.sessionId, s.visitorId, true,
                    s.lease.number(), settings.defaultNumber(), Instant.ofEpochMilli(s.pool.expiresAt(s.lease)),
                    settings.heartbeatSeconds(), null));
            if (fenced == null) {
                return answered;
            }
            return answered.exceptionallyComposeAsync(
                    failure -> recoverFromLeaseTakenElsewhere(s, failure, () -> startAgain(request, conflicts)), blockingReads);
        }
        if (nodeId != null) {
            return joinClaimElsewhereOrResumeUntracked(s, request, settings, conflicts,
                    () -> resumeUntracked(s, request, settings, clock.millis(), url, title, recorded, store));
        }
        return resumeUntracked(s, request, settings, now, url, title, recorded, store);
    }

    /**
     * Several nodes: this node holds only the visitor's untracked visit (the pool was full when it
     * started here), but the visitor may have started since on another node and got a number there.
     * Answering the untracked visit then showed the default number on this node's pages and the
     * tracking number on the other's (audit AI3 F1), so the store's claim of the visitor is read
     * first (docs/scaling.md, "One live session per visitor"): with one, the untracked visit ends
     * and the start joins the tracked session. One indexed read per such start, on
     * {@code blockingReads}; a single node (H2) holds every claim in memory and skips it. Without
     * a claim, or when the read cannot be made, the untracked visit is resumed as before.
     */
    private CompletableFuture<Started> joinClaimElsewhereOrResumeUntracked(LiveSession s, StartRequest request, SiteSettings settings,
            int conflicts, Supplier<CompletableFuture<Started>> resumeUntracked) {
        CompletableFuture<SessionStore.LiveClaim> read;
        try {
            read = CompletableFuture.supplyAsync(() -> store.liveClaim(s.siteId, s.visitorId), blockingReads);
        } catch (RejectedExecutionException e) {
            return resumeUntracked.get();
        }
        return read.handle((claim, failure) -> failure == null ? claim : null).thenComposeAsync(claim -> {
            if (claim == null || !claim.unexpired() || claim.sessionId().equals(s.sessionId)) {
                return resumeUntracked.get();
            }
            long now = clock.millis();
            live.markOver(s); // its heartbeats get 410 from now on, and the page's next start comes here
            StartRequest same = request.visitorId() != null ? request : withVisitor(request, s.visitorId);
            return writer.submit(c -> SessionStore.endUntracked(c, List.of(s), now))
                    .thenComposeAsync(ended -> takeOver(claim, same, s.siteId, settings, conflicts), blockingReads);
        }, blockingReads);
    }

    private CompletableFuture<Started> resumeUntracked(LiveSession s, StartRequest request, SiteSettings settings, long now, String url,
            String title, boolean recorded, boolean store) {
        s.untracked.expiresAt = now + settings.leaseTtl().toMillis();
        long expires = s.untracked.expiresAt;
        String reason = s.untracked.reason;
        CompletableFuture<Void> viewed = recorded
                ? writer.submit(c -> SessionStore.insertPageview(c, s.siteId, s.sessionId, url, title, now, store))
                : CompletableFuture.completedFuture(null);
        // A new page of an untracked visit tries for a number as a heartbeat would (the start
        // token was taken above): the visitor who arrived while the pool was full, or before the
        // site's first pool reached this node, need not wait for the next heartbeat.
        CompletableFuture<Renewed> caughtUp = catchUps.catchUp(s, settings, now, request.clientIp(), () -> true);
        if (caughtUp != null) {
            return viewed.thenCombine(caughtUp, (ok, renewed) -> new Started(false, s.sessionId, s.visitorId, renewed.tracked(),
                    renewed.number(), settings.defaultNumber(), renewed.expiresAt(), settings.heartbeatSeconds(),
                    renewed.tracked() ? null : reason));
        }
        return viewed.thenApply(ok -> new Started(false, s.sessionId, s.visitorId, false, settings.defaultNumber(),
                settings.defaultNumber(), Instant.ofEpochMilli(expires), settings.heartbeatSeconds(), reason));
    }

    /**
     * The visitor of a live session lands again from a new traffic source (a click id the visit
     * does not have, or other UTM tags): that is a new visit, as in Yandex Metrica or Calltouch,
     * and it keeps the number the page shows. A tracked session's lease passes to the new visit at
     * {@code now} in one transaction ({@link Leasing#handOver}): the old visit ends there, with no
     * end grace or cool-down, and calls from then on are the new visit's. The old session id is
     * over (its heartbeats get 410, and the script's new start resumes the new visit). An
     * untracked session ends and a new visit starts as any other would. While this is in flight,
     * another start of the visitor waits for it, as for any start in flight.
     */
    private CompletableFuture<Started> startNewVisit(LiveSession s, StartRequest request, SiteSettings settings, long now,
            int conflicts) {
        StartsInFlight.Visitor key = new StartsInFlight.Visitor(s.siteId, s.visitorId);
        CompletableFuture<Void> ours = null;
        if (conflicts == 0) { // above 0 this is inside the visitor's start in flight, which holds the entry
            ours = new CompletableFuture<>();
            CompletableFuture<Void> theirs = inFlight.claim(key, ours);
            if (theirs != null) {
                return theirs.thenComposeAsync(settled -> starts.startAsync(request), blockingReads);
            }
        }
        CompletableFuture<Void> mine = ours;
        Runnable settle = () -> {
            if (mine != null) {
                inFlight.settle(key, mine);
            }
        };
        try {
            CompletableFuture<Started> started = s.tracked() ? handOver(s, request, settings, now, conflicts)
                    : replaceUntracked(s, request, settings, now, conflicts);
            return started.whenComplete((answer, failure) -> settle.run());
        } catch (RuntimeException | Error refused) {
            settle.run();
            throw refused;
        }
    }

    private SessionStore.NewVisit newVisit(LiveSession s, StartRequest request, SiteSettings settings, String sessionId, long now) {
        TrafficSource source = urls.minimised(sourceParser.parse(request.url(), request.referrer(), settings.domains()), settings);
        return new SessionStore.NewVisit(sessionId, s.siteId, s.visitorId, now, settings.storeTitles() ? request.title() : null, source,
                userAgents.read(request.userAgent()).device(), request.clientIds());
    }

    private CompletableFuture<Started> handOver(LiveSession s, StartRequest request, SiteSettings settings, long now, int conflicts) {
        heartbeats.requireMayRenew();
        String sessionId = Keys.timeOrdered("s_", now, 16);
        SessionStore.NewVisit visit = newVisit(s, request, settings, sessionId, now);
        String claimed = nodeId == null ? null : s.visitorId;
        Leasing.Leased leased = leasing.handOver(s.pool, s.lease, settings, sessionId, now, (from, at, lease) -> writer.submit(c -> {
            SessionStore.endHandedOver(c, from, claimed, at);
            SessionStore.insertVisit(c, visit, lease, null, nodeId);
        }));
        if (leased == null) {
            // The lease ended a moment ago: the visitor is new. (This start holds the visitor's
            // entry of starts in flight: starting again must not wait for itself.)
            live.markOver(s);
            return starts.start(request, conflicts + 1);
        }
        PoolState.Granted granted = leased.granted();
        Lease lease = granted.lease();
        LandingTags landed = LandingTags.of(visit.source().landingPage());
        // The old visit's tags stay known: its tabs, reloaded, are no new source to switch back to.
        LiveSession next = new LiveSession(sessionId, s.siteId, s.visitorId, s.pool, lease,
                landed == null ? s.tags : landed.replacing(s.tags));
        CompletableFuture<Started> answered = granted.committed().thenApply(ok -> {
            live.index.put(next); // the visitor's sessions lead to the new visit from now on
            live.markOver(s);
            meters.sessionsNewSource.increment();
            return new Started(true, sessionId, s.visitorId, true, lease.number(), settings.defaultNumber(),
                    Instant.ofEpochMilli(s.pool.expiresAt(lease)), settings.heartbeatSeconds(), null);
        });
        return answered.exceptionallyComposeAsync(failure -> {
            s.pool.rollbackHandOver(granted); // the number is the old visit's again
            return recoverFromLeaseTakenElsewhere(s, failure, () -> starts.start(request, conflicts + 1));
        }, blockingReads);
    }

    /**
     * A fenced write of a resume or a hand-over was refused because another node took the lease
     * over: this node's memory of the session is stale, so it lets go of it and the visitor starts
     * again. Any other failure is passed on as it is.
     */
    private CompletableFuture<Started> recoverFromLeaseTakenElsewhere(LiveSession s, Throwable failure,
            Supplier<CompletableFuture<Started>> startAgain) {
        if (!(unwrapped(failure) instanceof LeaseTakenElsewhere taken)) {
            return CompletableFuture.failedFuture(unwrapped(failure));
        }
        if (taken.leaseStillHere) {
            live.index.forgetVisitor(s); // its page keeps the lease; the visitor's next pages go to their live session
        } else {
            heartbeats.lost(s);
        }
        return startAgain.get();
    }

    private CompletableFuture<Started> replaceUntracked(LiveSession s, StartRequest request, SiteSettings settings, long now,
            int conflicts) {
        Site site = sites.byId(s.siteId).orElseThrow(UnknownSite::new).site();
        live.markOver(s);
        meters.sessionsNewSource.increment();
        return writer.submit(c -> SessionStore.endUntracked(c, List.of(s), now)).thenComposeAsync(ended -> starts.startNew(request,
                conflicts, site, settings, userAgents.read(request.userAgent()), now, s.visitorId, System.nanoTime()), blockingReads);
    }

    private CompletableFuture<Started> startAgain(StartRequest request, int conflicts) {
        return conflicts > 0 ? starts.start(request, conflicts + 1) : starts.startAsync(request);
    }

    /**
     * The store holds a live lease of this visitor, taken on another node: answer with that
     * session and number (API.md: the same visitor with a live session gets it back), and take the
     * lease over, so that its heartbeats, which this visitor now sends here, are answered here. A
     * claim whose stored expiry has passed in database time is superseded and the visitor starts
     * anew; a claim gone in the meantime means starting anew as well. Reads and the takeover run
     * off the caller's thread (this is reached from the commit thread).
     */
    CompletableFuture<Started> joinLiveSession(StartRequest request, String siteId, String visitorId, SiteSettings settings,
            int conflicts) {
        if (conflicts >= VisitStarts.MAX_CONFLICT_RETRIES) {
            return CompletableFuture.failedFuture(new StoreException("the visitor's live session keeps changing between nodes"));
        }
        StartRequest same = request.visitorId() != null ? request : withVisitor(request, visitorId);
        CompletableFuture<SessionStore.LiveClaim> read;
        try {
            read = CompletableFuture.supplyAsync(() -> store.liveClaim(siteId, visitorId), blockingReads);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new StoreOverloadedException("too many session look-ups waiting"));
        }
        return read.thenCompose(claim -> {
            if (claim == null) {
                return starts.start(same, conflicts + 1);
            }
            if (!claim.unexpired()) {
                String dbNow = store.dbNow();
                return writer.submitReturning(c -> SessionStore.supersede(c, claim, dbNow))
                        .thenComposeAsync(superseded -> starts.start(same, conflicts + 1), blockingReads);
            }
            return takeOver(claim, same, siteId, settings, conflicts);
        });
    }

    private CompletableFuture<Started> takeOver(SessionStore.LiveClaim claim, StartRequest request, String siteId, SiteSettings settings,
            int conflicts) {
        long now = clock.millis();
        LiveSession here = live.index.ofVisitor(siteId, claim.visitorId());
        if (here != null && live.isLive(here, now)) {
            return resume(here, request, settings, now, conflicts + 1); // taken over by another start of this visitor meanwhile
        }
        long ttl = settings.leaseTtl().toMillis();
        long expires = Math.max(claim.expiresAt(), now + ttl);
        PoolState pool = pools.byId(siteId, claim.poolId()).orElse(null);
        Lease lease = pool == null ? null : pool.adopt(claim.number(), claim.sessionId(), claim.visitorId(), claim.startedAt(), expires,
                claim.reusedCooling(), claim.epoch() + 1);
        if (lease == null) {
            // Its pool has not reached this node yet (change poll): the same session and number as the
            // store holds them, left with its node; a heartbeat here gets 410 and the script's new
            // start, a moment later, takes it over.
            return CompletableFuture.completedFuture(new Started(false, claim.sessionId(), claim.visitorId(), true, claim.number(),
                    settings.defaultNumber(), Instant.ofEpochMilli(claim.expiresAt()), settings.heartbeatSeconds(), null));
        }
        String dbNow = store.dbNow();
        CompletableFuture<Boolean> taken;
        try {
            taken = writer.submitReturning(c -> SessionStore.takeOver(c, claim, nodeId, expires, dbNow));
        } catch (RuntimeException refused) {
            pool.lose(lease, now, ttl);
            throw refused;
        }
        return taken.handle((ok, failure) -> failure == null && ok).thenComposeAsync(ok -> {
            long later = clock.millis();
            if (!ok) {
                // Ended, renewed by its holder, or taken by another node since it was read: read again.
                pool.lose(lease, later, ttl);
                return starts.start(request, conflicts + 1);
            }
            LiveSession joined = new LiveSession(claim.sessionId(), siteId, claim.visitorId(), pool, lease,
                    LandingTags.of(claim.landingPage()));
            live.index.put(joined);
            meters.sessionsJoined.increment();
            return resume(joined, request, settings, later, conflicts + 1);
        }, blockingReads);
    }

    private static StartRequest withVisitor(StartRequest r, String visitorId) {
        return new StartRequest(r.siteKey(), visitorId, r.url(), r.referrer(), r.title(), r.clientIds(), r.webdriver(), r.userAgent(),
                r.clientIp(), r.origin(), r.landing());
    }
}
