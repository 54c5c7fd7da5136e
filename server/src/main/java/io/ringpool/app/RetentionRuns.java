package io.ringpool.app;

import io.ringpool.call.CallService;
import io.ringpool.call.PersonPseudonym;
import io.ringpool.lead.LeadService;
import io.ringpool.outbox.Outbox;
import io.ringpool.session.VisitRetention;
import io.ringpool.site.SiteRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one retention job: for every site, callers of calls older than its {@code retentionDays} are
 * erased, so are leads' personal data, and ended visits older than that are deleted with their
 * page views and intents (in batches). It spans calls, leads and visits, so the composition root
 * owns it. The same hourly round closes the calls whose end never came ({@code CallService#closeUnendedCalls}).
 *
 * <p>Threading: run hourly on the sweeper thread ({@code ringpool-sweeper}); with the test clock
 * also after a jump of the clock (queued on the sweeper, never in the request); tests call
 * {@link #apply} on their own thread.
 */
final class RetentionRuns {
    /** Ringpool's logger, as before these lines moved here: the log shows {@code Ringpool - …}, and filters and tests name it. */
    private static final Logger LOG = LoggerFactory.getLogger(Ringpool.class);

    private final Clock clock;
    private final SiteRegistry sites;
    private final CallService calls;
    private final LeadService leads;
    private final VisitRetention visitRetention;
    private final Outbox outbox;
    /** Null until the sweeper is scheduled, and shut down at stop. */
    private final Supplier<ScheduledExecutorService> sweeper;

    /** Clock time of the last retention run (the test clock's, when it is on). */
    private volatile long ranAt = -1; // none yet
    private final AtomicBoolean queued = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    RetentionRuns(Clock clock, SiteRegistry sites, CallService calls, LeadService leads, VisitRetention visitRetention, Outbox outbox,
            Supplier<ScheduledExecutorService> sweeper) {
        this.outbox = outbox;
        this.clock = clock;
        this.sites = sites;
        this.calls = calls;
        this.leads = leads;
        this.visitRetention = visitRetention;
        this.sweeper = sweeper;
    }

    void apply() {
        ranAt = clock.millis();
        for (SiteRegistry.Entry e : sites.all()) {
            // One pseudonym per site and run: a caller's calls and leads purged together still count as one contact.
            PersonPseudonym pseudonym = PersonPseudonym.fresh();
            calls.purgeExpiredCallers(e.site(), pseudonym);
            calls.expireWaitingEvents(e.site());
            // Not retention, but hourly work on every site's calls like the line above (audit AI2 #6).
            calls.closeUnendedCalls(e.site());
            leads.purgeExpired(e.site(), pseudonym);
            long before = clock.millis() - Duration.ofDays(e.site().settings().retentionDays()).toMillis();
            int logs = outbox.purgeSite(e.site().siteId(), before);
            if (logs > 0) {
                LOG.info("outbox_purged site={} rows={} retentionDays={}", e.site().siteId(), logs, e.site().settings().retentionDays());
            }
            int visits = visitRetention.deleteEndedBefore(e.site().siteId(), before);
            if (visits > 0) {
                LOG.info("visits_purged site={} visits={} retentionDays={}", e.site().siteId(), visits,
                        e.site().settings().retentionDays());
            }
        }
    }

    void applyQuietly() {
        try {
            apply();
        } catch (RuntimeException e) {
            io.ringpool.failure.FailureLog.SHARED.warn(LOG, "retention_purge_failed", e);
        }
    }

    /**
     * With the test clock: once the clock has moved an hour or more past the last retention run,
     * the run the hourly job would have made in that time starts now, on the sweeper thread (not
     * in the request: deleting a simulated month of visits takes a while). Without it a simulator
     * that jumps days ahead would find retention an hour of real time behind.
     */
    void afterClockJump() {
        ScheduledExecutorService s = sweeper.get();
        if (s == null || ranAt >= 0 && clock.millis() - ranAt < TimeUnit.HOURS.toMillis(1)) {
            return;
        }
        if (!queued.compareAndSet(false, true)) {
            again.set(true); // a run is under way with an earlier clock: one more after it
            return;
        }
        try {
            s.execute(() -> {
                try {
                    applyQuietly();
                } finally {
                    queued.set(false);
                }
                if (again.getAndSet(false)) {
                    afterClockJump();
                }
            });
        } catch (RejectedExecutionException stopping) {
            queued.set(false);
        }
    }
}
