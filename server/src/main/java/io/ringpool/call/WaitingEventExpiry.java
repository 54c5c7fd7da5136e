package io.ringpool.call;

import io.ringpool.site.Site;
import io.ringpool.store.Database;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes events that waited in {@code call_events_waiting} for an event naming their dialled number
 * and never got one (see {@link CallIngest}, step 3): past the site's retention (PRODUCT.md §5, data
 * ages out), and in any case past {@link #LONGEST_WAIT}. Such an event belongs to a call that is
 * not a tracked call (a recording notice of an employee's outgoing call: Mango's names no line and
 * no direction) or whose first event was lost for good; before session 43 nothing deleted them, and
 * every one was kept for ever (audit AI1 #4).
 *
 * <p>An ingestion that read a waiting event just before it was deleted takes it out
 * ({@link CallRecords#unwait}) only as read: that fails, and the event is planned again without it.
 */
final class WaitingEventExpiry {
    private static final Logger LOG = LoggerFactory.getLogger(CallService.class);

    /**
     * How long an event may wait for its call. The events that wait are delivered out of order by
     * seconds (a Twilio callback overtaking the voice webhook), by a provider's retries (hours), or
     * by the call journal once the store is back: a week is far beyond every one of them.
     */
    static final Duration LONGEST_WAIT = Duration.ofDays(7);

    private final Database db;
    private final Clock clock;

    WaitingEventExpiry(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** As {@link CallService#expireWaitingEvents}. */
    int expire(Site site) {
        long now = clock.millis();
        long kept = Math.min(Duration.ofDays(site.settings().retentionDays()).toMillis(), LONGEST_WAIT.toMillis());
        long before = now - kept;
        int deleted = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM call_events_waiting WHERE site_id = ? AND received_at < ?")) {
                ps.setString(1, site.siteId());
                ps.setLong(2, before);
                return ps.executeUpdate();
            }
        });
        if (deleted > 0) {
            LOG.info("waiting_call_events_deleted site={} events={} keptDays={}", site.siteId(), deleted,
                    Duration.ofMillis(kept).toDays());
        }
        return deleted;
    }
}
