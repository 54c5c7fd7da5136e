package io.ringpool.session;

import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.pool.Lease;
import io.ringpool.pool.Leasing;
import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolState;
import io.ringpool.pool.PoolStore;
import io.ringpool.security.ScriptLimits;
import io.ringpool.site.SiteRegistry;
import io.ringpool.store.Database;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.visit.LandingTags;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Visitor sessions: starting a visit (and leasing it a number), heartbeats, page views, call
 * intents and the soft end. Every acknowledged change is committed before the method returns.
 * Failures: {@link UnknownSiteKey}, {@link OriginNotAllowed}, {@link UnknownSession},
 * {@link SessionEnded}, and invalid values naming the field.
 *
 * <h2>A visit's life, and who owns each step</h2>
 * A visit <em>starts</em> on the event loop ({@link VisitStarts}; a visitor already live is
 * <em>resumed</em>, joined from another node or handed to a new visit by {@link VisitResumes}) and its
 * future completes on the group-commit thread once visit and lease are committed. It <em>lives</em> by
 * heartbeats renewed in memory on the event loop ({@link Heartbeats}; written later in batches by
 * {@link LeaseRenewals}; an untracked visit may {@link CatchUps catch up} on a number) and reports
 * page views and intents ({@link PageEvents}). It <em>ends</em> softly by a beacon and for good in
 * the sweeper thread's sweep ({@link SessionEnds}). {@link LiveSessions} holds the live sessions and
 * the rules every step shares; {@link SessionMeters} the meters. No step blocks its caller: a store
 * read or a wait goes on {@code blockingReads}, never on the event loop or the commit thread.
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

    /** How long renewals wait to be written by default, milliseconds (config {@code leasing.renewalFlushMillis}). */
    public static final long DEFAULT_RENEWAL_FLUSH_MILLIS = 2_000;

    private final SiteRegistry sites;
    private final PoolRegistry pools;
    private final Clock clock;
    private final ScriptLimits limits;
    private final int maxLiveSessions;
    private final LeaseRenewals renewals;
    private final LiveSessions live;
    private final SessionMeters meters;
    private final VisitStarts starts;
    private final Heartbeats heartbeats;
    private final PageEvents pageEvents;
    private final SessionEnds ends;

    /** With only the per-address start limit (loopback exempt) and the default caps. */
    public SessionService(SiteRegistry sites, PoolRegistry pools, Leasing leasing, GroupCommitWriter writer,
            Database db, Clock clock, int sessionsPerIpPerMinute, MeterRegistry registry) {
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
     * @param nodeId this node's id, stored with each lease it grants; null when the node is alone on its store
     * @param mayRenew false while this node cannot prove to the cluster that it is alive: renewals are then refused (503)
     * @param blockingReads where the asynchronous methods read the store (whether a session id not
     *     in memory was ever known): their callers may be threads that must never block
     */
    public SessionService(SiteRegistry sites, PoolRegistry pools, Leasing leasing, GroupCommitWriter writer,
            Database db, Clock clock, ScriptLimits limits, SessionCaps caps, int maxLiveSessions, MeterRegistry registry,
            LeaseRenewals renewals, String nodeId, BooleanSupplier mayRenew, Executor blockingReads) {
        this.sites = sites;
        this.pools = pools;
        this.clock = clock;
        this.limits = limits;
        this.maxLiveSessions = maxLiveSessions > 0 ? maxLiveSessions : defaultMaxLiveSessions();
        this.renewals = renewals;
        SessionStore store = new SessionStore(db);
        LiveSessionIndex index = new LiveSessionIndex();
        this.live = new LiveSessions(index, new LapsedTags(), sites, store, blockingReads);
        this.meters = new SessionMeters(registry, renewals, index);
        CatchUps catchUps = new CatchUps(pools, leasing, clock, live, meters, nodeId);
        this.heartbeats = new Heartbeats(sites, leasing, clock, limits, live, catchUps, renewals, meters, nodeId, mayRenew);
        renewals.onLost(heartbeats::lost);
        this.starts = new VisitStarts(sites, pools, leasing, writer, store, clock, limits, caps, this.maxLiveSessions, nodeId,
                blockingReads, live, heartbeats, catchUps, meters);
        this.pageEvents = new PageEvents(leasing, writer, clock, limits, caps, new StoredUrls(caps), live);
        this.ends = new SessionEnds(leasing, writer, clock, renewals, live, heartbeats);
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
                    live.index.put(s);
                    renewals.renewed(s);
                }
            }
        }
    }

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
        return starts.startAsync(request);
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
        return heartbeats.heartbeatAsync(beat);
    }

    /**
     * Refuses a start from a page of another origin than the domains of {@code siteKey}'s site
     * (403 {@link OriginNotAllowed}), called before the rest of the start's body is read, so such a
     * page is not told how its other fields were read (audit AB1 #2). A key this node does not know
     * yet is left to {@link #startAsync}, which checks the origin once it has found the site.
     */
    public void requireOriginOfKey(String siteKey, String origin) {
        starts.requireOriginOfKey(siteKey, origin);
    }

    /**
     * Runs {@code request} (which reads the body) once the session is live here and its site's
     * domains admit {@code origin}; otherwise the session's 404 or 410, or 403
     * {@link OriginNotAllowed}, with the body unread: a page of another origin must not learn how
     * its body was read, from an answer it was invited to read (audit AB1 #2).
     */
    public <T> CompletableFuture<T> fromAdmittedOrigin(String sessionId, String origin, Supplier<CompletableFuture<T>> request) {
        return live.fromAdmittedOrigin(sessionId, origin, request);
    }

    /** As {@link #pageviewAsync}, waiting for the commit. */
    public void pageview(PageView view) {
        GroupCommitWriter.await(pageviewAsync(view));
    }

    /** Records a page view of a live session; the future completes once it is committed. */
    public CompletableFuture<Void> pageviewAsync(PageView view) {
        return pageEvents.pageviewAsync(view);
    }

    /** As {@link #intentAsync}, waiting for the commit. */
    public void intent(Intent intent) {
        GroupCommitWriter.await(intentAsync(intent));
    }

    /** Records a call intent (the number held longer when tracked); the future completes once it is committed. */
    public CompletableFuture<Void> intentAsync(Intent intent) {
        return pageEvents.intentAsync(intent);
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
        return ends.endAsync(end);
    }

    /**
     * Ends what has expired: leases (through {@link Leasing#sweep}) and untracked visits. The only
     * place where sessions end; run by one thread.
     */
    public int sweep() {
        return ends.sweep();
    }

    /** Writes every renewal still waiting (a clean shutdown), and waits for nothing. */
    public void flushRenewals() {
        renewals.flushAll();
    }

    /**
     * Registers a site's {@code ringpool_sessions_started_total} series at 0, so that {@code increase()}
     * sees the first start of each outcome after a restart (audit P #10).
     */
    public void countFromZero(String siteId) {
        meters.countFromZero(siteId);
    }

    /** Logs the bot and rate-limit refusals counted since the last call, one line per site and reason (every minute). */
    public int logRefusals() {
        return starts.logRefusals();
    }

    public int maxLiveSessions() {
        return maxLiveSessions;
    }

    /** The limits every script route passes; leads and other script routes use the same instance. */
    public ScriptLimits limits() {
        return limits;
    }

    public int liveSessions() {
        return live.index.size();
    }
}
