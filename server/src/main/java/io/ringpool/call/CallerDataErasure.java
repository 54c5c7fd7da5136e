package io.ringpool.call;

import io.ringpool.failure.DomainFailure;
import io.ringpool.site.Site;
import io.ringpool.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes callers' numbers, personal data (PRODUCT.md §5), from a site's calls: on request
 * ({@link #eraseCaller}) and once older than the site's retention ({@link #purgeExpiredCallers}).
 * Each is one transaction around {@link CallerErasure}'s statements, on the caller's thread, taking
 * no stripe lock: it raises the revision of every call it changes, so an ingestion planned before it
 * fails its revision check and plans again (see {@link CallIngest}). Logs after the commit.
 */
final class CallerDataErasure {
    /** The same logger as before the split: operators' filters and levels name {@code CallService}. */
    private static final Logger LOG = LoggerFactory.getLogger(CallService.class);

    private final Database db;
    private final Clock clock;
    private final CallerErasure erasure = new CallerErasure();
    private final RecordingHook recordings;
    private final CallOutbox outbox;

    CallerDataErasure(Database db, Clock clock, RecordingHook recordings, CallOutbox outbox) {
        this.db = db;
        this.clock = clock;
        this.recordings = recordings;
        this.outbox = outbox;
    }

    /** As {@link CallService#purgeExpiredCallers}. */
    int purgeExpiredCallers(Site site, PersonPseudonym pseudonym) {
        long now = clock.millis();
        long before = now - Duration.ofDays(site.settings().retentionDays()).toMillis();
        int purged = db.inTransaction(c -> {
            java.util.Map<String, String> aged = erasure.agedCalls(c, site.siteId(), before);
            if (!aged.isEmpty()) {
                outbox.aged(c, site.siteId(), new java.util.LinkedHashSet<>(aged.values()), List.copyOf(aged.keySet()));
            }
            return erasure.purgeBefore(c, site.siteId(), before, pseudonym, now);
        });
        if (purged > 0) {
            LOG.info("callers_purged site={} calls={} retentionDays={}", site.siteId(), purged, site.settings().retentionDays());
        }
        return purged;
    }

    /** As {@link CallService#eraseCaller(Site, String, PersonPseudonym)}. */
    int eraseCaller(Site site, String raw, PersonPseudonym pseudonym) {
        CallerNumber caller = CallerNumber.of(raw, site.settings().country());
        boolean writtenAsANumber = caller.valid() || CallerNumber.isWrittenAsANumber(raw);
        // A number libphonenumber finds invalid (a fictional or a brand-new range), or a hidden
        // caller's text ("anonymous"), is stored as the provider sent it, so it is erased as written.
        String value = caller.valid() ? caller.value() : raw == null ? "" : raw.strip();
        int erased = db.inTransaction(c -> {
            List<String> callIds = erasure.callIdsOf(c, site.siteId(), value);
            if (!writtenAsANumber && callIds.isEmpty()) {
                // Neither a phone number nor a caller this site has ("abc", "+1"): answering 204
                // would tell the operator a person was erased when nobody was named.
                throw DomainFailure.invalid("e164", "'e164' must be the caller's phone number, E.164 such as +79161234567 or in the "
                        + "site's local format, or a caller as the call log shows it (got '"
                        + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "')");
            }
            // The visits linked to these calls hold the person's landing pages and client ids: they go too.
            io.ringpool.session.VisitErasure.eraseLinkedToCaller(c, site.siteId(), value);
            recordings.erased(c, site.siteId(), callIds, clock.millis());
            outbox.erased(c, site.siteId(), value, callIds);
            return erasure.erase(c, site.siteId(), value, pseudonym, clock.millis());
        });
        recordings.afterErasure(site.siteId());
        LOG.info("caller_erased site={} caller={} calls={}", site.siteId(), caller.masked(), erased);
        return erased;
    }
}
