package io.ringpool.session;

import static io.ringpool.session.LiveSessions.unwrapped;

import io.ringpool.failure.DomainFailure;
import io.ringpool.pool.AddressKey;
import io.ringpool.pool.Lease;
import io.ringpool.pool.Leasing;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolState;
import io.ringpool.security.ScriptLimits;
import io.ringpool.session.SessionService.StartRequest;
import io.ringpool.session.SessionService.Started;
import io.ringpool.site.Keys;
import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.SiteSettings;
import io.ringpool.store.ConstraintViolationException;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.StoreException;
import io.ringpool.visit.Device;
import io.ringpool.visit.LandingTags;
import io.ringpool.visit.TrafficSource;
import io.ringpool.visit.TrafficSourceParser;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A visitor's start: find the site, refuse bots, foreign origins and floods, and either resume the
 * visitor's live session ({@link VisitResumes}) or begin a new visit, leasing it a number when one
 * can be leased. One visitor's starts never lease two numbers: a start waits for the visitor's
 * start in flight ({@link StartsInFlight}). On several nodes the store's constraints arbitrate: a
 * number another node holds is marked and another chosen; a visitor live on another node is joined.
 *
 * <p>Threading: begun on the event loop and must not block; choosing the number and everything
 * else kept in memory happens there. The answer completes on the commit thread once the visit and
 * its lease are committed. What follows a commit and may read or wait (a wait for another start,
 * a join across nodes) continues on {@code blockingReads}; a retry after a conflict on the JDK's
 * delay scheduler. Nothing here runs on the commit thread but the registration of what it committed.
 */
final class VisitStarts {
    /** Visitor ids the script makes up (or a site's own), as the script may send them. */
    private static final Pattern VISITOR_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    /** How long after a node first hears of a site a start that finds no pool catches up first. */
    static final long NEW_SITE_CATCH_UP_MILLIS = 30_000;
    /** How often a start retries after the store said another node holds the chosen number. */
    static final int MAX_CONFLICT_RETRIES = 8;
    /** The unique index that keeps one live lease per visitor and site (several nodes; PostgreSQL only). */
    static final String LIVE_VISITOR_INDEX = "sessions_live_visitor";

    private final SiteRegistry sites;
    private final PoolRegistry pools;
    private final Leasing leasing;
    private final Clock clock;
    private final ScriptLimits limits;
    private final SessionCaps caps;
    private final int maxLiveSessions;
    /** This node's id, stored with each lease it grants; null when the node is alone on its store. */
    private final String nodeId;
    private final Executor blockingReads;
    private final LiveSessions live;
    private final SessionMeters meters;
    private final RefusalTally refusals = new RefusalTally();
    private final StoredUrls urls;
    private final TrafficSourceParser sourceParser = new TrafficSourceParser();
    private final UserAgentCache userAgents = new UserAgentCache();
    private final StartsInFlight inFlight = new StartsInFlight();
    private final VisitResumes resumes;

    VisitStarts(SiteRegistry sites, PoolRegistry pools, Leasing leasing, GroupCommitWriter writer, SessionStore store, Clock clock,
            ScriptLimits limits, SessionCaps caps, int maxLiveSessions, String nodeId, Executor blockingReads, LiveSessions live,
            Heartbeats heartbeats, CatchUps catchUps, SessionMeters meters) {
        this.sites = sites;
        this.pools = pools;
        this.leasing = leasing;
        this.clock = clock;
        this.limits = limits;
        this.caps = caps;
        this.maxLiveSessions = maxLiveSessions;
        this.nodeId = nodeId;
        this.blockingReads = blockingReads;
        this.live = live;
        this.meters = meters;
        this.urls = new StoredUrls(caps);
        // Resumes start anew when the live session is gone, and starts resume: each holds the other.
        this.resumes = new VisitResumes(this, inFlight, sites, pools, leasing, writer, store, clock, limits, caps, nodeId, blockingReads,
                live, heartbeats, catchUps, meters, urls, sourceParser, userAgents);
    }

    /** See {@link SessionService#startAsync}. */
    CompletableFuture<Started> startAsync(StartRequest request) {
        if (request.siteKey() == null || request.siteKey().isBlank()) {
            throw DomainFailure.missing("siteKey");
        }
        if (request.visitorId() != null && !VISITOR_ID.matcher(request.visitorId()).matches()) {
            throw DomainFailure.invalid("visitorId", "'visitorId' must be 1 to 64 letters, digits, '.', ':', '_' or '-'");
        }
        StartRequest capped = new StartRequest(request.siteKey(), request.visitorId(), request.url(), request.referrer(),
                SessionStore.cap(request.title(), caps.maxTitleChars()), request.clientIds(), request.webdriver(),
                userAgents.truncated(request.userAgent()), request.clientIp(), request.origin(), request.landing());
        return start(capped, 0);
    }

    /** See {@link SessionService#requireOriginOfKey}. */
    void requireOriginOfKey(String siteKey, String origin) {
        if (origin == null) {
            return;
        }
        Optional<SiteRegistry.Entry> known = sites.byPublicKey(siteKey);
        if (known.isPresent() && !SiteRegistry.originAllowed(known.get().site(), origin)) {
            throw new OriginNotAllowed();
        }
    }

    /**
     * A start of an already capped request, on its {@code conflicts}-th try: above 0 this start is
     * the visitor's start in flight already, and must not wait for itself.
     */
    CompletableFuture<Started> start(StartRequest request, int conflicts) {
        Optional<SiteRegistry.Entry> known = sites.byPublicKey(request.siteKey());
        if (known.isEmpty()) {
            // A site created through another node a moment ago: look once more after catching up
            // with that node's changes (several nodes only), off this thread.
            CompletableFuture<Optional<SiteRegistry.Entry>> later = sites.byPublicKeyAfterCatchUp(request.siteKey());
            if (later == null) {
                throw new UnknownSiteKey();
            }
            return later.thenCompose(found -> start(request, conflicts, found.orElseThrow(UnknownSiteKey::new)));
        }
        String siteId = known.get().site().siteId();
        if (pools.ofSite(siteId).isEmpty() && sites.seenWithin(siteId, NEW_SITE_CATCH_UP_MILLIS)) {
            // A site this node heard of a moment ago, with no pool yet: its pool, created through
            // another node right after it, may be on its way. Looked up once more after catching up
            // (several nodes only), so such a start is not answered "no_pool" by a few milliseconds.
            CompletableFuture<Optional<SiteRegistry.Entry>> later = sites.byPublicKeyAfterCatchUp(request.siteKey());
            if (later != null) {
                return later.thenCompose(found -> start(request, conflicts, found.orElseThrow(UnknownSiteKey::new)));
            }
        }
        return start(request, conflicts, known.get());
    }

    private CompletableFuture<Started> start(StartRequest request, int conflicts, SiteRegistry.Entry entry) {
        long startNanos = System.nanoTime();
        Site site = entry.site();
        SiteSettings settings = site.settings();
        if (request.origin() != null && !SiteRegistry.originAllowed(site, request.origin())) {
            throw new OriginNotAllowed();
        }
        UserAgentCache.Reading agent = userAgents.read(request.userAgent());
        if (agent.bot() || request.webdriver()) {
            meters.botSessions.increment();
            refusals.add(site.siteId(), "bot");
            return CompletableFuture.completedFuture(untrackedWithoutSession(settings, "bot", request.visitorId()));
        }
        long now = clock.millis();
        // A new visitor's id sorts by time, like the session's: the (site, visitor, start) index then
        // grows at its end instead of taking each new visitor on a random page of every commit.
        String visitorId = request.visitorId() != null ? request.visitorId() : Keys.timeOrdered("v_", now, 10);

        // Resuming a live session by visitor id hands out a number too: it takes the same token.
        if (limits.tryAcquire(ScriptLimits.Kind.START, site.siteId(), null, request.clientIp()) > 0) {
            meters.count(site.siteId(), false, "rate_limited");
            refusals.add(site.siteId(), "rate_limited");
            return CompletableFuture.completedFuture(untrackedWithoutSession(settings, "rate_limited", visitorId));
        }
        LiveSession existing = live.index.ofVisitor(site.siteId(), visitorId);
        if (existing != null && live.isLive(existing, now)) {
            return resumes.resume(existing, request, settings, now, conflicts);
        }
        if (conflicts > 0) {
            // Choosing again after another node took the number: this start is the one in flight.
            return startNew(request, conflicts, site, settings, agent, now, visitorId, startNanos);
        }
        StartsInFlight.Visitor key = new StartsInFlight.Visitor(site.siteId(), visitorId);
        CompletableFuture<Void> ours = new CompletableFuture<>();
        CompletableFuture<Void> theirs = inFlight.claim(key, ours);
        if (theirs != null) {
            // API.md: "the same visitorId with a live session gets that same session and number back",
            // also when it asked twice before the first answer. Once the first start is settled, the
            // session it made is resumed (its start token was taken above); if it made none, start anew.
            // On a worker, not on the thread that settles the first start: that is the group-commit
            // thread, which must only write.
            return theirs.thenComposeAsync(settled -> {
                long later = clock.millis();
                LiveSession made = live.index.ofVisitor(key.siteId(), key.visitorId());
                return made != null && live.isLive(made, later) ? resumes.resume(made, request, settings, later) : start(request, conflicts);
            }, blockingReads);
        }
        // Looked up again now that this start is the one in flight: a start of this visitor that
        // finished between the look-up above and the registration has made the session already.
        LiveSession meanwhile = live.index.ofVisitor(site.siteId(), visitorId);
        if (meanwhile != null && live.isLive(meanwhile, now)) {
            inFlight.settle(key, ours);
            return resumes.resume(meanwhile, request, settings, now);
        }
        try {
            CompletableFuture<Started> started = startNew(request, conflicts, site, settings, agent, now, visitorId, startNanos);
            return started.whenComplete((answer, failure) -> inFlight.settle(key, ours));
        } catch (RuntimeException | Error refused) {
            inFlight.settle(key, ours);
            throw refused;
        }
    }

    /** A visitor without a live session: a new visit, with a number when one can be leased. */
    CompletableFuture<Started> startNew(StartRequest request, int conflicts, Site site, SiteSettings settings,
            UserAgentCache.Reading agent, long now, String visitorId, long startNanos) {
        return startNew(request, conflicts, site, settings, agent, now, visitorId, startNanos, true);
    }

    /**
     * @param mayWait whether a full pool whose sweep is storing ends that free a number may be
     *                waited for (then asked once more, with {@code false}) rather than answered
     *                {@code pool_exhausted}
     */
    private CompletableFuture<Started> startNew(StartRequest request, int conflicts, Site site, SiteSettings settings,
            UserAgentCache.Reading agent, long now, String visitorId, long startNanos, boolean mayWait) {

        if (live.index.size() >= maxLiveSessions) {
            // A clear, cheap refusal instead of an out-of-memory error: the page keeps its default number.
            meters.count(site.siteId(), false, "capacity");
            refusals.add(site.siteId(), "capacity");
            return CompletableFuture.completedFuture(untrackedWithoutSession(settings, "capacity", visitorId));
        }
        String sessionId = Keys.timeOrdered("s_", now, 16);
        TrafficSource source = urls.minimised(sourceParser.parse(request.url(), request.referrer(), settings.domains()), settings);
        if (!request.landing()) {
            // The script's word that this page continues a visit (a tab back from the background, a
            // single-page app's route whose document.referrer is still the ad's), whatever the referrer.
            String url = live.lapsedTags.sourceUrl(request, site.siteId(), visitorId);
            if (!Objects.equals(url, request.url())) {
                source = urls.minimised(sourceParser.parse(url, request.referrer(), settings.domains()), settings);
            }
        }
        Device device = agent.device();
        SessionStore.NewVisit visit = new SessionStore.NewVisit(sessionId, site.siteId(), visitorId, now,
                settings.storeTitles() ? request.title() : null, source, device, request.clientIds());
        Leasing.Outcome outcome = leasing.acquire(site.siteId(), settings, sessionId, visitorId, AddressKey.of(request.clientIp()),
                attributes(source), now, mayWait,
                (c, lease, reason) -> SessionStore.insertVisit(c, visit, lease, reason, nodeId));
        if (outcome instanceof Leasing.FreedSoon freedSoon) {
            // Nothing was written or counted: the same start, a moment later, with the numbers the
            // sweep frees (the retry records the start's latency, from the same first instant).
            return freedSoon.settled().thenComposeAsync(settled -> startNew(request, conflicts, site, settings, agent, clock.millis(),
                    visitorId, startNanos, false), blockingReads);
        }
        CompletableFuture<Started> started = switch (outcome) {
            case Leasing.FreedSoon unreachable -> throw new IllegalStateException("answered above");
            case Leasing.Leased leased -> startTracked(site, visit, leased, settings)
                    .exceptionallyCompose(failure -> chooseAgainIfHeldElsewhere(failure, request, leased, settings, now, conflicts));
            case Leasing.NotLeased notLeased -> startUntracked(site, visit, notLeased, settings, now, attributes(source),
                    request.clientIp())
                    .exceptionallyCompose(failure -> unwrapped(failure) instanceof VisitorLiveElsewhere
                            ? resumes.joinLiveSession(request, site.siteId(), visitorId, settings, conflicts)
                            : CompletableFuture.failedFuture(unwrapped(failure)));
        };
        return started.whenComplete((answer, failure) -> meters.leaseLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS));
    }

    /**
     * Another node leased this number (several nodes share one store): remember that and choose
     * again; the store's constraint is the arbiter. Any other failure passes unchanged.
     */
    private CompletableFuture<Started> chooseAgainIfHeldElsewhere(Throwable failure, StartRequest request, Leasing.Leased leased,
            SiteSettings settings, long now, int conflicts) {
        RuntimeException cause = unwrapped(failure);
        if (!(cause instanceof ConstraintViolationException heldElsewhere)) {
            return CompletableFuture.failedFuture(cause);
        }
        if (heldElsewhere.violates(LIVE_VISITOR_INDEX)) {
            // Not the number: the visitor has a live session on another node (or one being made
            // there right now). The number chosen here is already given back (startTracked).
            return resumes.joinLiveSession(request, leased.granted().lease().siteId(), leased.granted().lease().visitorId(), settings,
                    conflicts);
        }
        leased.pool().markHeldElsewhere(leased.granted().lease().number(), now, now + settings.leaseTtl().toMillis());
        meters.leaseConflicts.increment();
        if (conflicts >= MAX_CONFLICT_RETRIES) {
            return CompletableFuture.failedFuture(new StoreException("numbers keep being taken by other nodes", heldElsewhere));
        }
        // Nodes with the same view choose the same next number; a short random pause lets them fall
        // out of step instead of colliding again. The pause holds no thread: the next choice runs
        // on the JDK's delay scheduler, and it blocks no more than the first did.
        long pause = ThreadLocalRandom.current().nextInt(1, 4 << conflicts);
        Executor afterPause = CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS, Runnable::run);
        return CompletableFuture.runAsync(() -> { }, afterPause).thenCompose(ignored -> start(request, conflicts + 1));
    }

    private CompletableFuture<Started> startTracked(Site site, SessionStore.NewVisit visit, Leasing.Leased leased, SiteSettings settings) {
        PoolState.Granted granted = leased.granted();
        Lease lease = granted.lease();
        LiveSession session = new LiveSession(visit.sessionId(), site.siteId(), visit.visitorId(), leased.pool(), lease,
                LandingTags.of(visit.source().landingPage()));
        return granted.committed().handle((ok, failure) -> {
            if (failure != null) {
                // Memory follows what the store holds: the lease was not written, so its number is free again.
                leased.pool().rollback(granted);
                throw unwrapped(failure);
            }
            // Also when the caller stopped waiting (a 503 for a slow commit): the lease the store now
            // holds is then ended by the sweeper like any other, and the visitor's retry resumes it.
            live.index.put(session);
            meters.count(site.siteId(), true, granted.choice().name().toLowerCase(Locale.ROOT));
            return new Started(true, session.sessionId, session.visitorId, true, lease.number(), settings.defaultNumber(),
                    Instant.ofEpochMilli(leased.pool().expiresAt(lease)), settings.heartbeatSeconds(), null);
        });
    }

    private CompletableFuture<Started> startUntracked(Site site, SessionStore.NewVisit visit, Leasing.NotLeased notLeased,
            SiteSettings settings, long now, Map<String, String> visitAttributes, String clientIp) {
        return notLeased.committed().thenApply(ok -> {
            if (live.index.untrackedSize() >= maxLiveSessions / 2) {
                // Untracked visits cost no number, so nothing else bounds them: a stranger repeating
                // one site's public key filled the node's capacity with them, and every site's next
                // visitor was untracked for "capacity" (audit AM2 F7). They may take half; the other
                // half is kept for visits that hold a number. Past it the visit is stored, answered
                // the default number, and not kept live (no catch-up onto a number that frees).
                meters.count(site.siteId(), false, notLeased.reason());
                return untrackedWithoutSession(settings, notLeased.reason(), visit.visitorId());
            }
            long expires = now + settings.leaseTtl().toMillis();
            boolean catchesUp = CatchUps.CATCHES_UP.contains(notLeased.reason());
            LiveSession session = new LiveSession(visit.sessionId(), site.siteId(), visit.visitorId(), new LiveSession.Untracked(
                    notLeased.reason(), expires, catchesUp ? visitAttributes : null, catchesUp ? clientIp : null),
                    LandingTags.of(visit.source().landingPage()));
            live.index.put(session);
            meters.count(site.siteId(), false, notLeased.reason());
            return new Started(true, session.sessionId, session.visitorId, false, settings.defaultNumber(), settings.defaultNumber(),
                    Instant.ofEpochMilli(expires), settings.heartbeatSeconds(), notLeased.reason());
        });
    }

    private static Started untrackedWithoutSession(SiteSettings settings, String reason, String visitorId) {
        return new Started(false, null, visitorId, false, settings.defaultNumber(), settings.defaultNumber(), null,
                settings.heartbeatSeconds(), reason);
    }

    /** Logs the bot and rate-limit refusals counted since the last call, one line per site and reason. */
    int logRefusals() {
        return refusals.flush();
    }

    /** The visit as pool rules see it: lower-case values under canonical keys. */
    static Map<String, String> attributes(TrafficSource s) {
        Map<String, String> m = new HashMap<>();
        put(m, "source", s.source());
        put(m, "medium", s.medium());
        put(m, "campaign", s.campaign());
        put(m, "term", s.term());
        put(m, "content", s.content());
        put(m, "channel", s.channel().wireName());
        put(m, "referrer_host", s.referrerHost());
        for (String clickId : s.clickIds().keySet()) {
            m.put("click_id:" + clickId.toLowerCase(Locale.ROOT), "1");
        }
        return m;
    }

    private static void put(Map<String, String> m, String key, String value) {
        if (value != null) {
            m.put(key, value.toLowerCase(Locale.ROOT));
        }
    }
}
