package io.ringpool.call;

import io.ringpool.site.Site;
import io.ringpool.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the calls whose end never came: a call still {@code ringing} or {@code answered}
 * {@link #SILENCE} after the last event Ringpool received of it. Its final event was lost (a
 * hang-up callback sent while Ringpool was down: Twilio does not retry status callbacks; a lost
 * webhook; a provider's outage), and before session 44 such a call stayed open for ever: no
 * {@code call.completed}, no upload, and the reports counted it as under way (audit AI2 #6).
 *
 * <p>Closing files an {@link CallEvent.Kind#END_UNKNOWN} event through the normal ingestion
 * ({@link CallIngest}), so everything after it is the ordinary path of a call that ends: the state
 * is folded from the events ({@link CallStateMerger}: {@code completed} when answered, else
 * {@code missed}; {@code endUnknown: true}; talk and duration unknown rather than made up; ended at
 * the last time heard of), {@code call.completed} is queued in the same transaction, and the
 * destinations upload it by their own rules. A provider's end that arrives afterwards wins over
 * this one in the merger and goes out as {@code call.updated}, as any late event of a final call.
 *
 * <p>Several nodes may run this at once: the event is the same whoever files it (its time is the
 * call's latest event's), and ingestion writes a call only at the revision it read, so one node
 * closes the call and the other finds the event already filed (a repeat, which sends nothing).
 *
 * <p>Run hourly on the sweeper with the retention job ({@code RetentionRuns}), as
 * {@link WaitingEventExpiry}: a call is closed between {@link #SILENCE} and an hour more after its
 * last event.
 */
final class UnendedCalls {
    private static final Logger LOG = LoggerFactory.getLogger(CallService.class);

    /**
     * How long after the last event received of a call it is taken for ended. Longer than the
     * longest call a provider connects by default (Twilio's {@code <Dial timeLimit>}: 4 hours), so a
     * long call that is still going is not closed; a call that outlasts it anyway is corrected by
     * its real end ({@code call.updated}).
     */
    static final Duration SILENCE = Duration.ofHours(6);

    /** Calls closed per site and run at most; the rest wait for the next run (an hour). */
    static final int MAX_PER_RUN = 500;

    private final Database db;
    private final Clock clock;
    private final CallRecords records;
    private final CallIngest ingestion;

    UnendedCalls(Database db, Clock clock, CallRecords records, CallIngest ingestion) {
        this.db = db;
        this.clock = clock;
        this.records = records;
        this.ingestion = ingestion;
    }

    /** A call to close: its provider's ids, and its call id to read its events by. */
    private record Open(String callId, String provider, String providerCallId) {}

    /** As {@link CallService#closeUnendedCalls}. */
    int close(Site site) {
        Instant now = clock.instant();
        long silentSince = now.minus(SILENCE).toEpochMilli();
        List<Open> open = db.read(c -> {
            List<Open> out = new ArrayList<>();
            // Live calls are a handful of a site's calls: calls_live (V153) holds only them.
            try (PreparedStatement ps = c.prepareStatement("SELECT call_id, provider, provider_call_id FROM calls c "
                    + "WHERE live_site_id = ? AND status IN ('ringing', 'answered') AND NOT EXISTS (SELECT 1 FROM call_events e "
                    + "WHERE e.call_id = c.call_id AND e.received_at >= ?) ORDER BY started_at, call_id")) {
                ps.setString(1, site.siteId());
                ps.setLong(2, silentSince);
                ps.setMaxRows(MAX_PER_RUN);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Open(rs.getString(1), rs.getString(2), rs.getString(3)));
                    }
                }
            }
            return out;
        });
        int closed = 0;
        int failed = 0;
        for (Open call : open) {
            try {
                List<CallEvent> events = db.read(c -> records.events(c, site.siteId(), call.provider(), call.providerCallId(),
                        call.callId()).merged());
                if (events.isEmpty()) {
                    continue;
                }
                // The call's own latest time, not now: the same event whichever node files it, and whenever.
                Instant lastHeard = events.stream().map(CallEvent::at).max(Comparator.naturalOrder()).orElseThrow();
                CallEvent end = new CallEvent(call.provider(), call.providerCallId(), CallEvent.Kind.END_UNKNOWN, lastHeard,
                        null, null, null, null, null);
                CallService.Ingested result = ingestion.ingest(site, end, false, now);
                if (!result.duplicate()) {
                    closed++;
                }
            } catch (RuntimeException e) {
                // The next run tries again; one call that cannot be written must not keep the others open.
                failed++;
                LOG.warn("unended_call_close_failed site={} call={} reason={}", site.siteId(), call.callId(), e.toString());
            }
        }
        if (closed > 0 || failed > 0) {
            LOG.info("unended_calls_closed site={} calls={} failed={} silentHours={}", site.siteId(), closed, failed,
                    SILENCE.toHours());
        }
        return closed;
    }
}
