package io.ringpool.session;

import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.failure.DomainFailure;
import io.ringpool.pool.AddressKey;
import io.ringpool.pool.Lease;
import io.ringpool.pool.Leasing;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolState;
import io.ringpool.pool.PoolStore;
import io.ringpool.security.ScriptLimits;
import io.ringpool.site.Keys;
import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.SiteSettings;
import io.ringpool.site.UnknownSite;
import io.ringpool.store.ConstraintViolationException;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.StoreException;
import io.ringpool.visit.Device;
import io.ringpool.visit.LandingTags;
import io.ringpool.visit.TrafficSource;
import io.ringpool.visit.TrafficSourceParser;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Visitor sessions: starting a visit (and leasing it a number), heartbeats, page views, call
 * intents and the soft end. Every acknowledged change is committed before the method returns.
 * Failures: {@link UnknownSiteKey}, {@link OriginNotAllowed}, {@link UnknownSession},
 * {@link SessionEnded}, and invalid values naming the field.
 *
 * <p>Each request carries the page's {@code origin} as the browser sent it (null when none was
 * sent: a server, a test). A start and every request on a live session check it against the
 * site's domains, before anything is counted or stored: a page of another origin may neither
 * start a visit nor keep, use or end one (API.md: "CORS for the site's domains").
 */
public final class SessionService {

    /**
     * What the site script sends to start a visit, with what the request itself says about the
     * visitor ({@code userAgent}, {@code clientIp}, {@code origin}; each may be null). Only
     * {@code siteKey} is required; {@code clientIds} may be empty, not null. {@code landing} is
     * false when the page was not just opened from a link (the script starting again on a page
     * already open, after its session ended): a live session of the visitor is then resumed
     * whatever tags the URL has, instead of a new source starting a new visit.
     */
    public record StartRequest(String siteKey, String visitorId, String url, String referrer, String title,
            Map<String, String> clientIds, boolean webdriver, String userAgent, String clientIp, String origin, boolean landing) {

        /** A landing (the usual start). */
        public StartRequest(String siteKey, String visitorId, String url, String referrer, String title,
                Map<String, String> clientIds, boolean webdriver, String userAgent, String clientIp, String origin) {
            this(siteKey, visitorId, url, referrer, title, clientIds, webdriver, userAgent, clientIp, origin, true);
        }
    }

    /** The answer to a start: tracked with a number, or untracked with the default number and a reason. */
    public record Started(boolean created, String sessionId, String visitorId, boolean tracked, String number,
            String defaultNumber, Instant expiresAt, int heartbeatSeconds, String reason) {}

    public record Renewed(Instant expiresAt, String number, boolean tracked) {}

    /** A heartbeat of the session's page, from {@code clientIp} and {@code origin} (each may be null). */
    public record Heartbeat(String sessionId, String clientIp, String origin) {}

    /** A page the visitor opened within the session ({@code url} required), from {@code clientIp} and {@code origin} (may be null). */
    public record PageView(String sessionId, String url, String title, String clientIp, String origin) {
        public PageView(String sessionId, String url, String title, String clientIp) {
            this(sessionId, url, title, clientIp, null);
        }

        public PageView(String sessionId, String url, String title) {
            this(sessionId, url, title, null, null);
        }
    }

    /** A sign that the visitor means to call, from {@code clientIp} and {@code origin} (may be null). */
    public record Intent(String sessionId, IntentKind kind, String clientIp, String origin) {
        public Intent(String sessionId, IntentKind kind, String clientIp) {
            this(sessionId, kind, clientIp, null);
        }

        public Intent(String sessionId, IntentKind kind) {
            this(sessionId, kind, null, null);
        }
    }

    /** The page says it is leaving (often a beacon), from {@code origin} (may be null). */
    public record End(String sessionId, String origin) {}

    /** Visitor ids the script makes up (or a site's own), as the script may send them. */
    private static final Pattern VISITOR_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{8,100}");

    private final SiteRegistry sites;
    /** How long after a node first hears of a site a start that finds no pool catches up first. */
    static final long NEW_SITE_CATCH_UP_MILLIS = 30_000;

    private final PoolRegistry pools;
    private final Leasing leasing;
    private final GroupCommitWriter writer;
    private final SessionStore store;
    private final Clock clock;
    private final ScriptLimits limits;
    private final SessionCaps caps;
    private final TrafficSourceParser sourceParser = new TrafficSourceParser();
    private final UserAgentCache userAgents = new UserAgentCache();
    /** Live sessions by id and by site and visitor (compact tables: issue 17). */
    private final LiveSessionIndex sessions = new LiveSessionIndex();
    private final LapsedTags lapsedTags = new LapsedTags();
    private final StoredUrls urls;
    /**
     * Starts choosing a number right now, by site and visitor: while one is in flight, another start
     * of that visitor (two tabs opened at once, a retried request) waits for it and resumes the
     * session it makes, instead of leasing the visitor a second number. Entries live only as long
     * as their start; a crowd of different visitors never waits on each other.
     */
    private final Map<StartingVisitor, CompletableFuture<Void>> starting = new ConcurrentHashMap<>();

    private record StartingVisitor(String siteId, String visitorId) {}
    private final SessionMeters meters;
    private final RefusalTally refusals = new RefusalTally();
    private final int maxLiveSessions;

    /**
     * Heap given to each live session by default, in bytes: ~4× what one takes (measured 0.4-0.6 KB
     * with its map entries, ids and rate-limit bucket, loadtest memory scenario), leaving the rest
     * of the heap to pools, report facts and requests in flight.
     */
    static final long HEAP_BYTES_PER_LIVE_SESSION = 2_048;

    /** One live session per {@link #HEAP_BYTES_PER_LIVE_SESSION} of the JVM's max heap (~500,000 with -Xmx1g). */
    static int defaultMaxLiveSessions() {
        return (int) Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / HEAP_BYTES_PER_LIVE_SESSION);
    }
    private final LeaseRenewals renewals;
    /** This node's id, stored with each lease it grants; null when the node is alone on its store. */
    private final String nodeId;
    /** False while this node cannot prove to the cluster that it is alive: renewals are then refused (503). */
    private final java.util.function.BooleanSupplier mayRenew;
    private final Executor blockingReads;

    /** How long renewals wait to be written by default, milliseconds (config {@code leasing.renewalFlushMillis}). */
    public static final long DEFAULT_RENEWAL_FLUSH_MILLIS = 2_000;

    /** With only the per-address start limit (loopback exempt) and the default caps. */
    public SessionService(SiteRegistry sites, PoolRegistry pools, Leasing leasing, GroupCommitWriter writer,
            io.ringpool.store.Database db, Clock clock, int sessionsPerIpPerMinute, MeterRegistry registry) {
        this(sites, pools, leasing, writer, db, clock,
                new ScriptLimits(Map.of(ScriptLimits.Kind.START, new ScriptLimits.Budget(0, sessionsPerIpPerMinute)), true, clock),
                SessionCaps.DEFAULTS, 0, registry, new LeaseRenewals(writer, DEFAULT_RENEWAL_FLUSH_MILLIS), null, () -> true,
                Runnable::run);
    }

    /**
     * @param limits the site script's limits, shared with every script route (leads too)
     * @param caps   what one session may store
     * @param maxLiveSessions live sessions this node keeps; past it new visits are answered untracked
     *     with reason {@code capacity} and no session; 0 = {@link #defaultMaxLiveSessions()}
     * @param blockingReads where the asynchronous methods read the store (whether a session id not
     *     in memory was ever known): their callers may be threads that must never block
     */
    public SessionService(SiteRegistry sites, PoolRegistry pools, Leasing leasing, GroupCommitWriter writer,
            io.ringpool.store.Database db, Clock clock, ScriptLimits limits, SessionCaps caps, int maxLiveSessions, MeterRegistry registry,
            LeaseRenewals renewals, String nodeId, java.util.function.BooleanSupplier mayRenew, Executor blockingReads) {
        this.blockingReads = blockingReads;
        this.maxLiveSessions = maxLiveSessions > 0 ? maxLiveSessions : defaultMaxLiveSessions();
        this.renewals = renewals;
        this.nodeId = nodeId;
        this.mayRenew = mayRenew;
        renewals.onLost(this::lost);
        this.sites = sites;
        this.pools = pools;
        this.leasing = leasing;
        this.writer = writer;
        this.store = new SessionStore(db);
        this.clock = clock;
        this.limits = limits;
        this.caps = caps;
        this.urls = new StoredUrls(caps);
        this.meters = new SessionMeters(registry, renewals, sessions);
    }

    /**
     * Re-attaches the live leases found in the store at start to in-memory sessions. Each gets
     * {@code max(stored expiry, now + TTL)}: renewals are written lazily, so the store's expiry may
     * be older than what a heartbeat answered before a crash, but never later than the crash plus
     * one TTL. A fresh TTL from the restart covers every answer given, so no number goes to
     * someone else while its holder's page may still show it.
     */
    public void restore(List<PoolStore.StoredLease> liveLeases) {
        long now = clock.millis();
        Map<String, PoolState> poolsById = new HashMap<>();
        pools.all().forEach(p -> poolsById.put(p.pool().poolId(), p));
        for (PoolStore.StoredLease l : liveLeases) {
            PoolState pool = poolsById.get(l.poolId());
            if (pool != null) {
                long ttl = sites.byId(pool.pool().siteId()).map(e -> e.site().settings().leaseTtl().toMillis()).orElse(0L);
                Lease lease = pool.restoreLease(l.leaseId(), l.number(), l.sessionId(), l.visitorId(), l.startedAt(),
                        Math.max(l.expiresAt(), now + ttl), l.reusedCooling(), l.epoch());
                if (lease != null) {
                    LiveSession s = new LiveSession(l.sessionId(), pool.pool().siteId(), l.visitorId(), pool, lease,
                            LandingTags.of(l.landingPage()));
                    sessions.put(s);
                    renewals.renewed(s);
                }
            }
        }
    }

    /** How often a start retries after the store said another node holds the chosen number. */
    private static final int MAX_CONFLICT_RETRIES = 8;

    /** As {@link #startAsync}, waiting for the commit. */
    public Started start(StartRequest request) {
        return GroupCommitWriter.await(startAsync(request));
    }

    /**
     * Starts (or resumes) a visit without blocking. Choosing the number and everything else kept in
     * memory happens on the calling thread; the future completes once the visit and its lease are
     * committed, usually on the store's commit thread, so a caller that must never block (the
     * HTTP event loop) hands the request to no other thread. Invalid input fails at once (thrown).
     */
    public CompletableFuture<Started> startAsync(StartRequest request) {
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

    private CompletableFuture<Started> start(StartRequest request, int conflicts) {
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
        LiveSession existing = sessions.ofVisitor(site.siteId(), visitorId);
        if (existing != null && isLive(existing, now)) {
            return resume(existing, request, settings, now, conflicts);
        }
        if (conflicts > 0) {
            // Choosing again after another node took the number: this start is the one in flight.
            return startNew(request, conflicts, site, settings, agent, now, visitorId, startNanos);
        }
        StartingVisitor key = new StartingVisitor(site.siteId(), visitorId);
        CompletableFuture<Void> ours = new CompletableFuture<>();
        CompletableFuture<Void> theirs = starting.putIfAbsent(key, ours);
        if (theirs != null) {
            // API.md: "the same visitorId with a live session gets that same session and number back",
            // also when it asked twice before the first answer. Once the first start is settled, the
            // session it made is resumed (its start token was taken above); if it made none, start anew.
            // On a worker, not on the thread that settles the first start: that is the group-commit
            // thread, which must only write.
            return theirs.thenComposeAsync(settled -> {
                long later = clock.millis();
                LiveSession made = sessions.ofVisitor(key.siteId(), key.visitorId());
                return made != null && isLive(made, later) ? resume(made, request, settings, later) : start(request, conflicts);
            }, blockingReads);
        }
        // Looked up again now that this start is the one in flight: a start of this visitor that
        // finished between the look-up above and the registration has made the session already.
        LiveSession meanwhile = sessions.ofVisitor(site.siteId(), visitorId);
        if (meanwhile != null && isLive(meanwhile, now)) {
            starting.remove(key, ours);
            ours.complete(null);
            return resume(meanwhile, request, settings, now);
        }
        try {
            CompletableFuture<Started> started = startNew(request, conflicts, site, settings, agent, now, visitorId, startNanos);
            return started.whenComplete((answer, failure) -> {
                starting.remove(key, ours);
                ours.complete(null);
            });
        } catch (RuntimeException | Error refused) {
            starting.remove(key, ours);
            ours.complete(null);
            throw refused;
        }
    }

    /** A visitor without a live session: a new visit, with a number when one can be leased. */
    private CompletableFuture<Started> startNew(StartRequest request, int conflicts, Site site, SiteSettings settings,
            UserAgentCache.Reading agent, long now, String visitorId, long startNanos) {

        if (sessions.size() >= maxLiveSessions) {
            // A clear, cheap refusal instead of an out-of-memory error: the page keeps its default number.
            meters.count(site.siteId(), false, "capacity");
            refusals.add(site.siteId(), "capacity");
            return CompletableFuture.completedFuture(untrackedWithoutSession(settings, "capacity", visitorId));
        }
        String sessionId = Keys.timeOrdered("s_", now, 16);
        TrafficSource source = urls.minimised(sourceParser.parse(request.url(), request.referrer(), settings.domains()), settings);
        if (source.channel() == io.ringpool.visit.Channel.DIRECT) {
            String url = lapsedTags.sourceUrl(request, site.siteId(), visitorId);
            if (!java.util.Objects.equals(url, request.url())) {
                source = urls.minimised(sourceParser.parse(url, request.referrer(), settings.domains()), settings);
            }
        }
        Device device = agent.device();
        SessionStore.NewVisit visit = new SessionStore.NewVisit(sessionId, site.siteId(), visitorId, now,
                settings.storeTitles() ? request.title() : null, source, device, request.clientIds());
        Leasing.Outcome outcome = leasing.acquire(site.siteId(), settings, sessionId, visitorId, AddressKey.of(request.clientIp()),
                attributes(source), now,
                (c, lease, reason) -> SessionStore.insertVisit(c, visit, lease, reason, nodeId));
        CompletableFuture<Started> started = switch (outcome) {
            case Leasing.Leased leased -> startTracked(site, visit, leased, settings)
                    .exceptionallyCompose(failure -> chooseAgainIfHeldElsewhere(failure, request, leased, settings, now, conflicts));
            case Leasing.NotLeased notLeased -> startUntracked(site, visit, notLeased, settings, now, attributes(source),
                    request.clientIp())
                    .exceptionallyCompose(failure -> unwrapped(failure) instanceof VisitorLiveElsewhere
                            ? joinLiveSession(request, site.siteId(), visitorId, settings, conflicts)
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
            return joinLiveSession(request, leased.granted().lease().siteId(), leased.granted().lease().visitorId(), settings,
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

    /** The unique index that keeps one live lease per visitor and site (several nodes; PostgreSQL only). */
    static final String LIVE_VISITOR_INDEX = "sessions_live_visitor";

    /**
     * The store holds a live lease of this visitor, taken on another node: answer with that
     * session and number (API.md: the same visitor with a live session gets it back), and take the
     * lease over, so that its heartbeats, which this visitor now sends here, are answered here. A
     * claim whose stored expiry has passed in database time is superseded and the visitor starts
     * anew; a claim gone in the meantime means starting anew as well. Reads and the takeover run
     * off the caller's thread (this is reached from the commit thread).
     */
    private CompletableFuture<Started> joinLiveSession(StartRequest request, String siteId, String visitorId, SiteSettings settings,
            int conflicts) {
        if (conflicts >= MAX_CONFLICT_RETRIES) {
            return CompletableFuture.failedFuture(new StoreException("the visitor's live session keeps changing between nodes"));
        }
        StartRequest same = request.visitorId() != null ? request : withVisitor(request, visitorId);
        CompletableFuture<SessionStore.LiveClaim> read;
        try {
            read = CompletableFuture.supplyAsync(() -> store.liveClaim(siteId, visitorId), blockingReads);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new io.ringpool.store.StoreOverloadedException("too many session look-ups waiting"));
        }
        return read.thenCompose(claim -> {
            if (claim == null) {
                return start(same, conflicts + 1);
            }
            if (!claim.unexpired()) {
                String dbNow = store.dbNow();
                return writer.submitReturning(c -> SessionStore.supersede(c, claim, dbNow))
                        .thenComposeAsync(superseded -> start(same, conflicts + 1), blockingReads);
            }
            return takeOver(claim, same, siteId, settings, conflicts);
        });
    }

    private CompletableFuture<Started> takeOver(SessionStore.LiveClaim claim, StartRequest request, String siteId, SiteSettings settings,
            int conflicts) {
        long now = clock.millis();
        LiveSession here = sessions.ofVisitor(siteId, claim.visitorId());
        if (here != null && isLive(here, now)) {
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
                return start(request, conflicts + 1);
            }
            LiveSession joined = new LiveSession(claim.sessionId(), siteId, claim.visitorId(), pool, lease,
                    LandingTags.of(claim.landingPage()));
            sessions.put(joined);
            meters.sessionsJoined.increment();
            return resume(joined, request, settings, later, conflicts + 1);
        }, blockingReads);
    }

    private static StartRequest withVisitor(StartRequest r, String visitorId) {
        return new StartRequest(r.siteKey(), visitorId, r.url(), r.referrer(), r.title(), r.clientIds(), r.webdriver(), r.userAgent(),
                r.clientIp(), r.origin(), r.landing());
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
            sessions.put(session);
            meters.count(site.siteId(), true, granted.choice().name().toLowerCase(Locale.ROOT));
            return new Started(true, session.sessionId, session.visitorId, true, lease.number(), settings.defaultNumber(),
                    Instant.ofEpochMilli(leased.pool().expiresAt(lease)), settings.heartbeatSeconds(), null);
        });
    }

    private CompletableFuture<Started> startUntracked(Site site, SessionStore.NewVisit visit, Leasing.NotLeased notLeased,
            SiteSettings settings, long now, Map<String, String> visitAttributes, String clientIp) {
        return notLeased.committed().thenApply(ok -> {
            long expires = now + settings.leaseTtl().toMillis();
            boolean catchesUp = CATCHES_UP.contains(notLeased.reason());
            LiveSession session = new LiveSession(visit.sessionId(), site.siteId(), visit.visitorId(), new LiveSession.Untracked(
                    notLeased.reason(), expires, catchesUp ? visitAttributes : null, catchesUp ? clientIp : null),
                    LandingTags.of(visit.source().landingPage()));
            sessions.put(session);
            meters.count(site.siteId(), false, notLeased.reason());
            return new Started(true, session.sessionId, session.visitorId, false, settings.defaultNumber(), settings.defaultNumber(),
                    Instant.ofEpochMilli(expires), settings.heartbeatSeconds(), notLeased.reason());
        });
    }

    /**
     * Another tab or page of a visitor with a live session: the same session and number, one more
     * page view. Past the session's page-view budget the page view is not recorded, but the start
     * is still answered with the session and its number: the budget protects the disk, and a
     * returning visitor is never refused their number (API.md). What hands out numbers is bounded
     * by the address's start budget, taken before this.
     */
    private CompletableFuture<Started> resume(LiveSession s, StartRequest request, SiteSettings settings, long now) {
        return resume(s, request, settings, now, 0);
    }

    /**
     * @param conflicts above 0 when resuming inside a start that is this visitor's start in flight
     *     (a session joined from another node): starting anew then must not wait for that start,
     *     which is itself
     */
    private CompletableFuture<Started> resume(LiveSession s, StartRequest request, SiteSettings settings, long now, int conflicts) {
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
            requireMayRenew();
            if (!leasing.renew(s.pool, s.lease, settings, now)) {
                // The lease ended a moment ago; treat the visitor as new.
                markOver(s);
                return startAgain(request, conflicts);
            }
            storeRenewalWhenDue(s, settings, now);
            // Several nodes: another node may have taken this lease over (its visitor started there)
            // and since ended it; memory here learns that only from a refused write. A start must
            // not hand back such a number, so its renewal is written, fenced, with the page view.
            io.ringpool.pool.LeaseExpiry fenced = nodeId == null ? null : s.pool.pendingExpiry(s.lease);
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
            return answered.exceptionallyComposeAsync(failure -> {
                if (!(unwrapped(failure) instanceof LeaseTakenElsewhere taken)) {
                    return CompletableFuture.failedFuture(unwrapped(failure));
                }
                if (taken.leaseStillHere) {
                    sessions.forgetVisitor(s); // its page keeps the lease; the visitor's next pages go to their live session
                } else {
                    lost(s);
                }
                return startAgain(request, conflicts);
            }, blockingReads);
        }
        s.untracked.expiresAt = now + settings.leaseTtl().toMillis();
        long expires = s.untracked.expiresAt;
        String reason = s.untracked.reason;
        CompletableFuture<Void> viewed = recorded
                ? writer.submit(c -> SessionStore.insertPageview(c, s.siteId, s.sessionId, url, title, now, store))
                : CompletableFuture.completedFuture(null);
        // A new page of an untracked visit tries for a number as a heartbeat would (the start
        // token was taken above): the visitor who arrived while the pool was full, or before the
        // site's first pool reached this node, need not wait for the next heartbeat.
        CompletableFuture<Renewed> caughtUp = catchUp(s, settings, now, request.clientIp(), () -> true);
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
        StartingVisitor key = new StartingVisitor(s.siteId, s.visitorId);
        CompletableFuture<Void> ours = null;
        if (conflicts == 0) { // above 0 this is inside the visitor's start in flight, which holds the entry
            ours = new CompletableFuture<>();
            CompletableFuture<Void> theirs = starting.putIfAbsent(key, ours);
            if (theirs != null) {
                return theirs.thenComposeAsync(settled -> startAsync(request), blockingReads);
            }
        }
        CompletableFuture<Void> mine = ours;
        Runnable settle = () -> {
            if (mine != null) {
                starting.remove(key, mine);
                mine.complete(null);
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
        requireMayRenew();
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
            markOver(s);
            return start(request, conflicts + 1);
        }
        PoolState.Granted granted = leased.granted();
        Lease lease = granted.lease();
        LandingTags landed = LandingTags.of(visit.source().landingPage());
        // The old visit's tags stay known: its tabs, reloaded, are no new source to switch back to.
        LiveSession next = new LiveSession(sessionId, s.siteId, s.visitorId, s.pool, lease,
                landed == null ? s.tags : landed.replacing(s.tags));
        CompletableFuture<Started> answered = granted.committed().thenApply(ok -> {
            sessions.put(next); // the visitor's sessions lead to the new visit from now on
            markOver(s);
            meters.sessionsNewSource.increment();
            return new Started(true, sessionId, s.visitorId, true, lease.number(), settings.defaultNumber(),
                    Instant.ofEpochMilli(s.pool.expiresAt(lease)), settings.heartbeatSeconds(), null);
        });
        return answered.exceptionallyComposeAsync(failure -> {
            s.pool.rollbackHandOver(granted); // the number is the old visit's again
            if (!(unwrapped(failure) instanceof LeaseTakenElsewhere taken)) {
                return CompletableFuture.failedFuture(unwrapped(failure));
            }
            if (taken.leaseStillHere) {
                sessions.forgetVisitor(s); // its page keeps the lease; the visitor's next pages go to their live session
            } else {
                lost(s);
            }
            return start(request, conflicts + 1);
        }, blockingReads);
    }

    private CompletableFuture<Started> replaceUntracked(LiveSession s, StartRequest request, SiteSettings settings, long now,
            int conflicts) {
        Site site = sites.byId(s.siteId).orElseThrow(UnknownSite::new).site();
        markOver(s);
        meters.sessionsNewSource.increment();
        return writer.submit(c -> SessionStore.endUntracked(c, List.of(s), now)).thenComposeAsync(ended -> startNew(request, conflicts,
                site, settings, userAgents.read(request.userAgent()), now, s.visitorId, System.nanoTime()), blockingReads);
    }

    private CompletableFuture<Started> startAgain(StartRequest request, int conflicts) {
        return conflicts > 0 ? start(request, conflicts + 1) : startAsync(request);
    }

    private Started untrackedWithoutSession(SiteSettings settings, String reason, String visitorId) {
        return new Started(false, null, visitorId, false, settings.defaultNumber(), settings.defaultNumber(), null,
                settings.heartbeatSeconds(), reason);
    }

    public Renewed heartbeat(String sessionId) {
        return heartbeat(sessionId, null);
    }

    /** As {@link #heartbeatAsync}, waiting for the answer. */
    public Renewed heartbeat(String sessionId, String clientIp) {
        return GroupCommitWriter.await(heartbeatAsync(sessionId, clientIp));
    }

    /** As {@link #heartbeatAsync(Heartbeat)}, with no origin. */
    public CompletableFuture<Renewed> heartbeatAsync(String sessionId, String clientIp) {
        return heartbeatAsync(new Heartbeat(sessionId, clientIp, null));
    }

    /**
     * Renews a live session in memory; the future is complete at once unless the visit catches up
     * on a number (whose lease is then committed first) or the session id is not in memory (the
     * store says whether it ever existed, read on {@code blockingReads}).
     *
     * @throws io.ringpool.security.RateLimited past the session's or the address's heartbeat budget
     * @throws OriginNotAllowed from a page of another origin than the site's domains
     */
    public CompletableFuture<Renewed> heartbeatAsync(Heartbeat beat) {
        String sessionId = beat.sessionId();
        String clientIp = beat.clientIp();
        LiveSession s = liveOrNull(sessionId);
        if (s == null) {
            return notLive(sessionId);
        }
        requireOrigin(s, beat.origin());
        limits.check(ScriptLimits.Kind.HEARTBEAT, null, s.sessionId, clientIp);
        SiteSettings settings = settingsOf(s);
        long now = clock.millis();
        if (s.tracked()) {
            requireMayRenew();
            if (!leasing.renew(s.pool, s.lease, settings, now)) {
                markOver(s);
                throw ended();
            }
            storeRenewalWhenDue(s, settings, now);
            return CompletableFuture.completedFuture(new Renewed(Instant.ofEpochMilli(s.pool.expiresAt(s.lease)), s.lease.number(), true));
        }
        if (s.untracked.expiresAt <= now) {
            markOver(s);
            throw ended();
        }
        CompletableFuture<Renewed> caughtUp = catchUp(s, settings, now, clientIp,
                () -> limits.tryAcquire(ScriptLimits.Kind.START, s.siteId, null, clientIp != null ? clientIp : s.untracked.clientIp) == 0);
        return caughtUp != null ? caughtUp : CompletableFuture.completedFuture(renewUntracked(s, settings, now));
    }

    private static Renewed renewUntracked(LiveSession s, SiteSettings settings, long now) {
        s.untracked.expiresAt = now + settings.leaseTtl().toMillis();
        return new Renewed(Instant.ofEpochMilli(s.untracked.expiresAt), settings.defaultNumber(), false);
    }

    /**
     * Untracked for these reasons, a visit gets a number on a later heartbeat or page once one is
     * free: the pool was full, the address held its share, or no pool matched (the site had none
     * yet, or none for this source: a pool added or widened later serves the visits already here).
     */
    private static final java.util.Set<String> CATCHES_UP = java.util.Set.of("pool_exhausted", "address_cap", "no_pool");

    /**
     * A visit shown the default number because the pool was full (or its address at its cap)
     * takes a number that has since become free, on its next heartbeat: the answer carries the
     * number and {@code tracked: true}, and the script swaps it into the page. Only a free number
     * (never one still cooling for someone else), and no exhaustion is counted for trying. The
     * visit's row becomes a tracked one whose lease starts now (its {@code started_at} moves to
     * the lease start, so attribution never gives it calls from before it had the number).
     * Null when no number is free; then the visit stays untracked. {@code mayStart} is asked only
     * when a number is free: a catch-up is a start, and takes the address's start token.
     */
    private CompletableFuture<Renewed> catchUp(LiveSession s, SiteSettings settings, long now, String heartbeatIp,
            java.util.function.BooleanSupplier mayStart) {
        return catchUp(s, settings, now, heartbeatIp, mayStart, 0);
    }

    /**
     * As above, on the {@code conflicts}-th try: a number the store refused because another node
     * holds it is marked held elsewhere and the catch-up chooses again, as a start does
     * ({@link #chooseAgainIfHeldElsewhere}); without the mark each heartbeat chose the same
     * refused number while another was free (audit E #2).
     */
    private CompletableFuture<Renewed> catchUp(LiveSession s, SiteSettings settings, long now, String heartbeatIp,
            java.util.function.BooleanSupplier mayStart, int conflicts) {
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
                if (unwrapped(failure) instanceof ConstraintViolationException heldElsewhere && !heldElsewhere.violates(LIVE_VISITOR_INDEX)) {
                    return chooseAgainToCatchUp(s, settings, leased.pool(), granted.lease().number(), heartbeatIp, conflicts);
                }
                // Still untracked (the store is down, or the visitor is live on another node); the next heartbeat tries again.
                return CompletableFuture.completedFuture(renewUntracked(s, settings, now));
            }
            LiveSession tracked = new LiveSession(s.sessionId, s.siteId, s.visitorId, leased.pool(), granted.lease(), s.tags);
            sessions.put(tracked);
            meters.caughtUp(s.siteId);
            return CompletableFuture.completedFuture(
                    new Renewed(Instant.ofEpochMilli(leased.pool().expiresAt(granted.lease())), granted.lease().number(), true));
        }).thenCompose(answer -> answer);
    }

    /**
     * Another node holds {@code refused}: keep it out of this node's choices for one TTL and try
     * the catch-up again after the start path's short random pause (on the JDK's delay scheduler,
     * holding no thread, and off the commit thread that completed the refusal). The address's
     * start token was taken by the first try. Past {@link #MAX_CONFLICT_RETRIES} the visit stays
     * untracked until its next heartbeat.
     */
    private CompletableFuture<Renewed> chooseAgainToCatchUp(LiveSession s, SiteSettings settings, PoolState pool, String refused,
            String heartbeatIp, int conflicts) {
        long now = clock.millis();
        pool.markHeldElsewhere(refused, now, now + settings.leaseTtl().toMillis());
        meters.leaseConflicts.increment();
        if (conflicts + 1 >= MAX_CONFLICT_RETRIES) {
            return CompletableFuture.completedFuture(renewUntracked(s, settings, now));
        }
        long pause = ThreadLocalRandom.current().nextInt(1, 4 << conflicts);
        Executor afterPause = CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS, Runnable::run);
        return CompletableFuture.supplyAsync(() -> {
            long later = clock.millis();
            LiveSession current = sessions.get(s.sessionId);
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

    /**
     * Refuses a start from a page of another origin than the domains of {@code siteKey}'s site
     * (403 {@link OriginNotAllowed}), called before the rest of the start's body is read, so such a
     * page is not told how its other fields were read (audit AB1 #2). A key this node does not know
     * yet is left to {@link #startAsync}, which checks the origin once it has found the site.
     */
    public void requireOriginOfKey(String siteKey, String origin) {
        if (origin == null) {
            return;
        }
        Optional<SiteRegistry.Entry> known = sites.byPublicKey(siteKey);
        if (known.isPresent() && !SiteRegistry.originAllowed(known.get().site(), origin)) {
            throw new OriginNotAllowed();
        }
    }

    /**
     * Runs {@code request} (which reads the body) once the session is live here and its site's
     * domains admit {@code origin}; otherwise the session's 404 or 410, or 403
     * {@link OriginNotAllowed}, with the body unread: a page of another origin must not learn how
     * its body was read, from an answer it was invited to read (audit AB1 #2).
     */
    public <T> CompletableFuture<T> fromAdmittedOrigin(String sessionId, String origin, Supplier<CompletableFuture<T>> request) {
        LiveSession s = liveOrNull(sessionId);
        if (s == null) {
            return notLive(sessionId);
        }
        requireOrigin(s, origin);
        return request.get();
    }

    /** As {@link #pageviewAsync}, waiting for the commit. */
    public void pageview(PageView view) {
        GroupCommitWriter.await(pageviewAsync(view));
    }

    /** Records a page view of a live session; the future completes once it is committed. */
    public CompletableFuture<Void> pageviewAsync(PageView view) {
        if (view.url() == null || view.url().isBlank()) {
            throw DomainFailure.missing("url");
        }
        LiveSession s = liveOrNull(view.sessionId());
        if (s == null) {
            return notLive(view.sessionId());
        }
        requireOrigin(s, view.origin());
        limits.check(ScriptLimits.Kind.PAGEVIEW, null, s.sessionId, view.clientIp());
        long now = clock.millis();
        SiteSettings settings = settingsOf(s);
        String url = urls.stored(view.url(), settings);
        String title = settings.storeTitles() ? SessionStore.cap(view.title(), caps.maxTitleChars()) : null;
        // Past the cap the view is counted on the session, not stored: the bound on what one session adds.
        boolean store = s.countPageview() <= caps.pageviewsStored();
        return writer.submit(c -> SessionStore.insertPageview(c, s.siteId, s.sessionId, url, title, now, store));
    }

    /** As {@link #intentAsync}, waiting for the commit. */
    public void intent(Intent intent) {
        GroupCommitWriter.await(intentAsync(intent));
    }

    /** Records a call intent (the number held longer when tracked); the future completes once it is committed. */
    public CompletableFuture<Void> intentAsync(Intent intent) {
        LiveSession s = liveOrNull(intent.sessionId());
        if (s == null) {
            return notLive(intent.sessionId());
        }
        requireOrigin(s, intent.origin());
        limits.check(ScriptLimits.Kind.INTENT, null, s.sessionId, intent.clientIp());
        long now = clock.millis();
        String kind = intent.kind().wireName();
        boolean store = s.countIntent() <= caps.intentsStored();
        if (s.tracked()) {
            CompletableFuture<Void> stored = leasing.intentAsync(s.pool, s.lease, settingsOf(s), now, c -> {
                if (store) {
                    SessionStore.insertIntent(c, s.siteId, s.sessionId, kind, now);
                }
            });
            if (stored == null) {
                markOver(s);
                throw ended();
            }
            return stored;
        }
        if (store) {
            return writer.submit(c -> SessionStore.insertIntent(c, s.siteId, s.sessionId, kind, now));
        }
        return CompletableFuture.completedFuture(null);
    }

    /** As {@link #endAsync}, waiting for the answer. */
    public void end(String sessionId) {
        GroupCommitWriter.await(endAsync(sessionId));
    }

    /** As {@link #endAsync(End)}, with no origin. */
    public CompletableFuture<Void> endAsync(String sessionId) {
        return endAsync(new End(sessionId, null));
    }

    /**
     * Soft release, in memory (stored like a renewal). Ending a session that is already over is
     * harmless (browsers resend beacons); one never known fails with {@link UnknownSession}; a
     * page of another origin than the site's domains with {@link OriginNotAllowed}.
     */
    public CompletableFuture<Void> endAsync(End end) {
        String sessionId = end.sessionId();
        LiveSession s = sessionId == null ? null : sessions.get(sessionId);
        if (s == null) {
            return known(sessionId).thenAccept(known -> {
                if (!known) {
                    throw new UnknownSession();
                }
            });
        }
        requireOrigin(s, end.origin());
        long now = clock.millis();
        SiteSettings settings = settingsOf(s);
        if (s.tracked()) {
            if (leasing.endSoftly(s.pool, s.lease, settings, now)) {
                storeRenewalWhenDue(s, settings, now);
            }
        } else {
            s.untracked.expiresAt = Math.min(s.untracked.expiresAt, now + settings.endGrace().toMillis());
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Ends what has expired: leases (through {@link Leasing#sweep}) and untracked visits. The only
     * place where sessions end; run by one thread.
     */
    public int sweep() {
        long now = clock.millis();
        renewals.flushIfDue(now);
        List<Lease> ended = leasing.sweep(now);
        for (Lease lease : ended) {
            LiveSession s = sessions.get(lease.sessionId());
            if (s != null) {
                markOver(s);
            }
        }
        List<LiveSession> untracked = new ArrayList<>();
        sessions.forEach(s -> {
            if (!s.tracked() && s.untracked.expiresAt <= now) {
                untracked.add(s);
            }
        });
        if (!untracked.isEmpty()) {
            try {
                writer.submit(c -> SessionStore.endUntracked(c, untracked, now)).whenComplete((ok, failure) -> {
                    if (failure == null) {
                        untracked.forEach(this::markOver);
                    }
                });
            } catch (StoreException e) {
                // try again on the next sweep
            }
        }
        return ended.size() + untracked.size();
    }

    /** Writes every renewal still waiting (a clean shutdown), and waits for nothing. */
    public void flushRenewals() {
        renewals.flushAll();
    }

    /**
     * Marks a renewal for the store when the store needs it. On several nodes, always: the others
     * read the expiry when this node goes silent. On a single node, only once the stored expiry is
     * within half a TTL of now: this node's memory is the authority on its live leases (call
     * attribution reads the in-memory expiry), and a restart gives every live lease a fresh TTL, so
     * the store's copy only has to stay ahead of now. With the default TTL of 180 s and heartbeats
     * every 30 s that is one write per four heartbeats, instead of one per heartbeat.
     */
    private void storeRenewalWhenDue(LiveSession s, SiteSettings settings, long now) {
        if (nodeId != null || s.pool.storedLead(s.lease, now) < settings.leaseTtl().toMillis() / 2) {
            renewals.renewed(s);
        }
    }

    /** The store refused a renewal: another node took this lease over. */
    private void lost(LiveSession s) {
        long hold = sites.byId(s.siteId).map(e -> e.site().settings().leaseTtl().toMillis()).orElse(0L);
        if (s.pool.lose(s.lease, clock.millis(), hold)) {
            meters.leasesLost.increment();
            markOver(s);
        }
    }

    private void requireMayRenew() {
        if (!mayRenew.getAsBoolean()) {
            // This node has not been able to tell the cluster it is alive; another node may be about
            // to end its leases. Refuse rather than promise a number that may not be ours. The cause
            // is the store (down, or this node paused past its beats), not load: 503 store_unavailable.
            throw new StoreException("this node is not in contact with the cluster");
        }
    }

    private void markOver(LiveSession s) {
        s.over = true;
        sessions.remove(s);
        lapsedTags.remember(s);
    }

    private boolean isLive(LiveSession s, long now) {
        if (s.over) {
            return false;
        }
        return s.tracked() ? s.pool.isLive(s.lease, now) : s.untracked.expiresAt > now;
    }

    /** The session if it is live in memory; null when it is over or not here. */
    private LiveSession liveOrNull(String sessionId) {
        LiveSession s = sessionId == null ? null : sessions.get(sessionId);
        return s != null && !s.over ? s : null;
    }

    /** For a session not live here: {@link SessionEnded} if the store has ever seen it, else {@link UnknownSession}. */
    private <T> CompletableFuture<T> notLive(String sessionId) {
        return known(sessionId).thenApply(known -> {
            throw known ? ended() : new UnknownSession();
        });
    }

    /** Whether the store has ever seen this session id; read on {@link #blockingReads}, never on the caller's thread. */
    private CompletableFuture<Boolean> known(String sessionId) {
        if (sessionId == null || !ID.matcher(sessionId).matches()) {
            return CompletableFuture.completedFuture(false);
        }
        try {
            return CompletableFuture.supplyAsync(() -> store.find(sessionId) != null, blockingReads);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new io.ringpool.store.StoreOverloadedException("too many session look-ups waiting"));
        }
    }

    /** The failure a composed future carries, as the exception the blocking methods throw. */
    private static RuntimeException unwrapped(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof RuntimeException runtime ? runtime : new StoreException("write failed", cause);
    }

    private static SessionEnded ended() {
        return new SessionEnded();
    }

    private SiteSettings settingsOf(LiveSession s) {
        return sites.byId(s.siteId).orElseThrow(UnknownSite::new).site().settings();
    }

    /** A request on a session from a page of another origin than its site's domains changes nothing (a start is checked alike). */
    private void requireOrigin(LiveSession s, String origin) {
        if (origin != null && !SiteRegistry.originAllowed(sites.byId(s.siteId).orElseThrow(UnknownSite::new).site(), origin)) {
            throw new OriginNotAllowed();
        }
    }

    /**
     * Registers a site's {@code ringpool_sessions_started_total} series at 0, so that {@code increase()}
     * sees the first start of each outcome after a restart (audit P #10).
     */
    public void countFromZero(String siteId) {
        meters.countFromZero(siteId);
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

    /** Logs the bot and rate-limit refusals counted since the last call, one line per site and reason (every minute). */
    public int logRefusals() {
        return refusals.flush();
    }

    public int maxLiveSessions() {
        return maxLiveSessions;
    }

    /** The limits every script route passes; leads and other script routes use the same instance. */
    public ScriptLimits limits() {
        return limits;
    }

    public int liveSessions() {
        return sessions.size();
    }
}
