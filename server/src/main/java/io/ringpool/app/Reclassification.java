package io.ringpool.app;

import io.ringpool.call.CallService;
import io.ringpool.call.ClassificationSettings;
import io.ringpool.call.ClassificationStamps;
import io.ringpool.lead.LeadService;
import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.SiteService;
import io.ringpool.store.Database;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A change of the rule that classified a site's calls and leads (uniquenessDays,
 * targetCallSeconds) classifies them again before the change is answered (docs/calls.md
 * "Classification"), so no report mixes two rules; and a start finishes what a stop cut short.
 * The stamp of the settings a site was last wholly classified with is what tells the two apart.
 *
 * <p>Threading: {@link #changed} runs on the worker answering the settings change (PATCH
 * /v1/sites/…, through {@link SiteService.SettingsChanged}); {@link #resumeInterrupted} starts its own
 * thread, {@code ringpool-reclassify}.
 */
final class Reclassification implements SiteService.SettingsChanged {
    /** Ringpool's logger, as before these lines moved here: the log shows {@code Ringpool - …}, and filters and tests name it. */
    private static final Logger LOG = LoggerFactory.getLogger(Ringpool.class);

    private final Database db;
    private final Clock clock;
    private final CallService calls;
    private final LeadService leads;

    Reclassification(Database db, Clock clock, CallService calls, LeadService leads) {
        this.db = db;
        this.clock = clock;
        this.calls = calls;
        this.leads = leads;
    }

    @Override
    public void changed(Site before, Site after) {
        var was = before.settings();
        var now = after.settings();
        if (was.uniquenessDays() == now.uniquenessDays() && was.targetCallSeconds() == now.targetCallSeconds()) {
            return;
        }
        // The old rule, for a site never stamped: a stop before the end below then leaves a stamp that says so.
        db.inTransaction(c -> {
            ClassificationStamps.recordIfAbsent(c, before.siteId(), classification(before), clock.millis());
            return null;
        });
        calls.reclassifyAll(after);
        if (was.uniquenessDays() != now.uniquenessDays()) {
            leads.reclassifyAll(after);
        }
        stamp(after);
    }

    /**
     * Finishes what a stop cut short: a site whose calls and leads were last wholly classified with
     * other settings than its own (its settings committed, the reclassification that follows
     * stopped half way) is classified again; a site with no stamp (made before stamps) is stamped.
     * On its own thread after the start: a big site's reclassification takes seconds, and ingestion
     * meanwhile already classifies with the new settings.
     */
    void resumeInterrupted(SiteRegistry siteRegistry) {
        Thread.ofPlatform().name("ringpool-reclassify").daemon(true).start(() -> BackgroundJobs.quietly("reclassify_failed", () -> {
            Map<String, ClassificationSettings> stamps = db.read(ClassificationStamps::all);
            for (SiteRegistry.Entry entry : siteRegistry.all()) {
                Site site = entry.site();
                ClassificationSettings current = classification(site);
                ClassificationSettings stamped = stamps.get(site.siteId());
                if (stamped != null && !stamped.equals(current)) {
                    LOG.warn("reclassification_resumed site={} from={} to={}", site.siteId(), stamped, current);
                    calls.reclassifyAll(site);
                    leads.reclassifyAll(site);
                }
                if (!current.equals(stamped)) {
                    stamp(site);
                }
            }
        }));
    }

    private static ClassificationSettings classification(Site site) {
        return new ClassificationSettings(site.settings().uniquenessDays(), site.settings().targetCallSeconds());
    }

    private void stamp(Site site) {
        db.inTransaction(c -> {
            ClassificationStamps.record(c, site.siteId(), classification(site), clock.millis());
            return null;
        });
    }
}
