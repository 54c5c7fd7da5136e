package io.ringpool.call;

import io.ringpool.site.Site;
import io.ringpool.site.SiteSettings;
import io.ringpool.store.Database;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classifies a caller's calls together ({@link CallClassifier}): at ingestion, one call against
 * its caller's others ({@link #classify}, called by {@link CallIngest} under the caller's stripe),
 * and for a whole site after its rule changed ({@link #reclassifyAll}, which takes the same caller
 * stripes). While a site is being reclassified, ingestion classifies with the new rule too
 * ({@link #settingsFor}), so an event planned with the old settings cannot write the old rule
 * behind the reclassification's back. Thread-safe.
 */
final class CallerClassification {
    /** The same logger as before the split: operators' filters and levels name {@code CallService}. */
    private static final Logger LOG = LoggerFactory.getLogger(CallService.class);

    /**
     * Callers per batch of {@link #reclassifyAll}: each batch is one short transaction (a few
     * thousand rows read, the changed ones written) holding these callers' locks.
     */
    static final int RECLASSIFY_CALLERS = 500;

    /** A classification that changed for another call of the same caller. */
    record ClassChange(String callId, CallClass classes) {}

    private final Database db;
    private final Clock clock;
    private final CallerCalls callerCalls;
    private final CallStripes stripes;
    /** The settings of each site whose calls {@link #reclassifyAll} is classifying again right now. */
    private final Map<String, ClassificationSettings> reclassifying = new ConcurrentHashMap<>();

    CallerClassification(Database db, Clock clock, CallerCalls callerCalls, CallStripes stripes) {
        this.db = db;
        this.clock = clock;
        this.callerCalls = callerCalls;
        this.stripes = stripes;
    }

    /**
     * This call's classes, decided with every other call of its caller (a late event may change
     * this call's answer, an out-of-order earlier call the others'); the others that change are
     * added to {@code changes}.
     */
    CallClass classify(Site site, String callId, CallState state, CallerNumber caller,
            List<CallerCalls.CallerCall> callerCalls, List<ClassChange> changes) {
        ClassificationSettings settings = settingsFor(site);
        if (!caller.valid()) {
            return CallClassifier.classify(state.startedAt(), state.answered(), state.talkSeconds(), false, List.of(), settings);
        }
        List<CallerCalls.CallerCall> calls = new ArrayList<>(callerCalls.size() + 1);
        for (CallerCalls.CallerCall cc : callerCalls) {
            if (!cc.callId().equals(callId)) {
                calls.add(cc);
            }
        }
        calls.add(new CallerCalls.CallerCall(callId, state.startedAt(), state.answered(), state.talkSeconds(), null));
        CallClassifier.CallerTimes times = CallClassifier.CallerTimes.ofCalls(calls);
        CallClass own = null;
        for (CallerCalls.CallerCall cc : calls) {
            CallClass k = CallClassifier.classify(cc.callId(), cc.startedAt(), cc.answered(), cc.talkSeconds(), true, times, settings);
            if (cc.callId().equals(callId)) {
                own = k;
            } else if (!k.equals(cc.classes())) {
                changes.add(new ClassChange(cc.callId(), k));
            }
        }
        return own;
    }

    /**
     * The settings a call of {@code site} is classified with: those of a reclassification under way
     * when there is one (an event whose site was read just before the settings changed must not
     * write the old rule behind the reclassification's back), else the site's.
     */
    private ClassificationSettings settingsFor(Site site) {
        ClassificationSettings running = reclassifying.get(site.siteId());
        if (running != null) {
            return running;
        }
        SiteSettings s = site.settings();
        return new ClassificationSettings(s.uniquenessDays(), s.targetCallSeconds());
    }

    /** As {@link CallService#reclassifyAll}. */
    int reclassifyAll(Site site) {
        String siteId = site.siteId();
        SiteSettings s = site.settings();
        ClassificationSettings settings = new ClassificationSettings(s.uniquenessDays(), s.targetCallSeconds());
        long start = System.nanoTime();
        reclassifying.put(siteId, settings);
        int changed = 0;
        int callers = 0;
        try {
            String after = null;
            while (true) {
                String from = after;
                List<String> batch = db.read(c -> callerCalls.callersAfter(c, siteId, from, RECLASSIFY_CALLERS));
                if (batch.isEmpty()) {
                    break;
                }
                String first = batch.get(0);
                String last = batch.get(batch.size() - 1);
                // The same stripes ingestion takes for a caller (CallStripes#lockCallers says why this cannot deadlock).
                int[] held = stripes.lockCallers(siteId, batch);
                try {
                    long now = clock.millis();
                    changed += db.inTransaction(c -> {
                        List<SiteReclassification.Change> changes = SiteReclassification.of(
                                callerCalls.ofCallers(c, siteId, first, last), settings);
                        for (SiteReclassification.Change change : changes) {
                            callerCalls.updateClassAt(c, siteId, change.callId(), change.classes(), now);
                        }
                        return changes.size();
                    });
                } finally {
                    stripes.unlockCallers(held);
                }
                callers += batch.size();
                after = last;
            }
        } finally {
            reclassifying.remove(siteId, settings);
        }
        LOG.info("calls_reclassified site={} callers={} changed={} uniquenessDays={} targetCallSeconds={} millis={}", siteId, callers,
                changed, settings.uniquenessDays(), settings.targetCallSeconds(), (System.nanoTime() - start) / 1_000_000);
        return changed;
    }
}
