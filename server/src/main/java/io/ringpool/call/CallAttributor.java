package io.ringpool.call;

import io.ringpool.pool.PoolRegistry;
import io.ringpool.pool.PoolService;
import io.ringpool.pool.PoolState;
import io.ringpool.pool.StaticNumber;
import io.ringpool.site.Site;
import io.ringpool.site.SiteSettings;
import io.ringpool.visit.VisitSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Attributes a call at a time: reads what {@link Attribution#attribute} decides from (the number's
 * leases, the caller's previous attribution, the static number's source) and, for the chosen
 * visit, what is stored with the call. Reads only, on the connection it is given (a pooled one,
 * off the writer thread: issue 15); holds no state and takes no locks, so the caller's stripe
 * locks are what keep the reads consistent with the write that follows.
 */
final class CallAttributor {
    /** How many of the visitor's earlier visits a call keeps: enough for a channel path, bounded. */
    static final int EARLIER_VISITS_MAX = 10;

    private final PoolRegistry pools;
    private final PoolService poolService;
    private final AttributionReads attributionReads;

    CallAttributor(PoolRegistry pools, PoolService poolService, AttributionReads attributionReads) {
        this.pools = pools;
        this.poolService = poolService;
        this.attributionReads = attributionReads;
    }

    /** Attribution at {@code callAt} with the chosen visit's data, as stored with the call. */
    CallAttribution attribute(Connection c, Site site, String callId, String number, Instant callAt, CallerNumber caller)
            throws SQLException {
        SiteSettings settings = site.settings();
        StaticNumberSource staticSource = poolService.staticNumberAt(site.siteId(), number, callAt)
                .map(CallAttributor::source).orElse(null);
        PoolState.LiveHolder live = pools.holding(site.siteId(), number).map(p -> p.liveHolder(number)).orElse(null);
        List<LeaseInterval> leases = staticSource != null ? List.of()
                : attributionReads.leases(c, site.siteId(), number, callAt, settings.coolDown().toMillis(), live);
        Instant leasesAt = callAt;
        if (staticSource == null && callAt.getNano() == 0 && leases.stream().noneMatch(l -> l.covers(callAt))) {
            // A time in whole seconds (unix seconds, Twilio's Timestamp, a PBX's epoch) names its
            // whole second: a lease that began within it covers the call. Read as the second's
            // first instant, a call posted as soon as its visit began came before the lease and
            // was "none" about half the time (audit AM1 F10).
            Instant secondEnd = callAt.plusMillis(999);
            List<LeaseInterval> withinSecond = attributionReads.leases(c, site.siteId(), number, secondEnd,
                    settings.coolDown().toMillis(), live);
            Optional<Instant> began = withinSecond.stream().map(LeaseInterval::from).filter(from -> from.isAfter(callAt)).min(Instant::compareTo);
            if (began.isPresent()) {
                leases = withinSecond;
                leasesAt = began.get();
            }
        }
        PreviousAttribution previous = caller.valid()
                ? attributionReads.previousAttribution(c, site.siteId(), caller.value(), callAt, callId)
                : null;
        AttributionResult result = Attribution.attribute(leasesAt, number, leases, settings.coolDown(), staticSource, previous);
        VisitSource visit = null;
        List<CallAttribution.EarlierVisit> earlier = List.of();
        if (result.sessionId() != null) {
            Optional<VisitSource> v = attributionReads.visit(c, site.siteId(), result.sessionId());
            if (v.isPresent()) {
                visit = v.get();
                if (result.visitorId() != null) {
                    earlier = attributionReads.earlierVisits(c, site.siteId(), result.visitorId(), visit.startedAt(),
                            EARLIER_VISITS_MAX);
                }
            }
        }
        return new CallAttribution(result.method(), callAt, result.sessionId(), result.visitorId(), visit, result.staticSource(),
                result.candidates(), earlier);
    }

    private static StaticNumberSource source(StaticNumber s) {
        return new StaticNumberSource(s.number(), s.source(), s.medium(), s.campaign(), s.label());
    }
}
