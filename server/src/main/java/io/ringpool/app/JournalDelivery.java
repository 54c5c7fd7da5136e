package io.ringpool.app;

import io.ringpool.call.CallEvent;
import io.ringpool.call.CallService;
import io.ringpool.failure.DomainFailure;
import io.ringpool.journal.CallJournal;
import io.ringpool.site.SiteRegistry;
import io.ringpool.store.StoreException;
import java.time.Instant;

/**
 * Delivers journaled call events to the store. A refusal by the domain (a number no longer the
 * site's, a site deleted) is final; a store failure is retried by the journal.
 *
 * <p>Threading: run by the journal's own thread ({@code ringpool-journal}), one event at a time.
 */
final class JournalDelivery implements CallJournal.Sink {
    private final SiteRegistry sites;
    private final CallService calls;

    JournalDelivery(SiteRegistry sites, CallService calls) {
        this.sites = sites;
        this.calls = calls;
    }

    @Override
    public CallJournal.Outcome deliver(String siteId, CallEvent event, Instant receivedAt) {
        var entry = sites.byId(siteId);
        if (entry.isEmpty()) {
            return CallJournal.Outcome.REJECTED;
        }
        try {
            calls.ingest(entry.get().site(), event, false, receivedAt);
            return CallJournal.Outcome.DELIVERED;
        } catch (DomainFailure refused) {
            return CallJournal.Outcome.REJECTED;
        } catch (StoreException unavailable) {
            return CallJournal.Outcome.STORE_UNAVAILABLE;
        }
    }
}
