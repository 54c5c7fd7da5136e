package io.ringpool.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The session steps' meters, registered once so that each step only increments: the start
 * latency, the refusals and conflicts of several nodes, and the per-site started series. The
 * names and tags are the operator's contract (README's metrics list, dashboards), so they are all
 * spelled here and nowhere else.
 *
 * <p>Threading: called from every thread a session step runs on (event loop, commit thread,
 * workers); Micrometer's meters are lock-free, and nothing here blocks.
 */
final class SessionMeters {
    /** The outcomes of a start, tracked and not: every one of a site's series exists at 0 ({@link #countFromZero}). */
    static final List<String> TRACKED_OUTCOMES = List.of("free", "returning_visitor", "reused_cooling");
    static final List<String> UNTRACKED_OUTCOMES = List.of("pool_exhausted", "no_pool", "address_cap", "rate_limited", "capacity");

    private final MeterRegistry registry;
    final Timer leaseLatency;
    final Counter botSessions;
    final Counter leaseConflicts;
    final Counter leasesLost;
    final Counter sessionsJoined;
    final Counter sessionsNewSource;
    /** The sites whose every start series exists: those in the store at start, and each later one from its first start. */
    private final Set<String> countedFromZero = ConcurrentHashMap.newKeySet();

    /** Registers the meters, and the gauges of {@code renewals} waiting and {@code sessions} live. */
    SessionMeters(MeterRegistry registry, LeaseRenewals renewals, LiveSessionIndex sessions) {
        this.registry = registry;
        this.leaseLatency = Timer.builder("ringpool.lease.latency")
                .description("time to start a session: choose a number and commit the lease")
                .publishPercentiles(0.5, 0.99, 0.999).register(registry);
        this.botSessions = Counter.builder("ringpool.sessions.bots").description("session starts refused to known bots").register(registry);
        this.leaseConflicts = Counter.builder("ringpool.lease.conflicts")
                .description("leases the store refused because another node holds the number (several nodes, one store)")
                .register(registry);
        this.leasesLost = Counter.builder("ringpool.lease.lost")
                .description("leases another node ended because this node was silent past the TTL (fencing)")
                .register(registry);
        this.sessionsJoined = Counter.builder("ringpool.sessions.joined")
                .description("starts that took over the visitor's live session from another node (several nodes, one store)")
                .register(registry);
        this.sessionsNewSource = Counter.builder("ringpool.sessions.new.source")
                .description("starts of a visitor with a live session that brought a new traffic source, so began a new visit (same number)")
                .register(registry);
        registry.gauge("ringpool.lease.renewals.pending", renewals, LeaseRenewals::pending);
        registry.gauge("ringpool.sessions.live", List.of(), sessions, LiveSessionIndex::size);
    }

    /**
     * Registers a site's {@code ringpool_sessions_started_total} series at 0, so that {@code increase()}
     * sees the first start of each outcome after a restart (audit P #10).
     */
    void countFromZero(String siteId) {
        if (!countedFromZero.contains(siteId) && countedFromZero.add(siteId)) { // a read on every start but the site's first
            TRACKED_OUTCOMES.forEach(outcome -> started(siteId, true, outcome));
            UNTRACKED_OUTCOMES.forEach(outcome -> started(siteId, false, outcome));
        }
    }

    /**
     * One more start of the site with this outcome. A site created while the server runs gets all
     * its series at its first start, not only the outcomes it has had (audit AE1 #1).
     */
    void count(String siteId, boolean tracked, String outcome) {
        countFromZero(siteId);
        started(siteId, tracked, outcome).increment();
    }

    /** One more untracked visit of the site that got a number on a later heartbeat or page. */
    void caughtUp(String siteId) {
        Counter.builder("ringpool.sessions.caught.up").description("untracked visits that got a number on a later heartbeat")
                .tag("site", siteId).register(registry).increment();
    }

    private Counter started(String siteId, boolean tracked, String outcome) {
        return Counter.builder("ringpool.sessions.started").description("sessions started, by outcome")
                .tag("site", siteId).tag("tracked", Boolean.toString(tracked)).tag("outcome", outcome)
                .register(registry);
    }
}
