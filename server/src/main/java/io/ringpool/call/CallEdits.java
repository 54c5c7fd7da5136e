package io.ringpool.call;

import io.ringpool.inbound.StorableText;
import io.ringpool.site.Site;
import io.ringpool.store.Columns;
import io.ringpool.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes to a stored call that do not come from its events: the marketer's tags, value and review
 * ({@link #patch}), and a provider's transcript with the keyword rules' tags ({@link #transcript}).
 * Each is one transaction on a pooled connection, on the caller's thread, taking no stripe lock:
 * every write of these columns raises the call's revision, so an ingestion planned before it fails
 * its revision check and plans again from the edited row (see {@link CallIngest}).
 */
final class CallEdits {
    /** The same logger as before the split: operators' filters and levels name {@code CallService}. */
    private static final Logger LOG = LoggerFactory.getLogger(CallService.class);

    private final Database db;
    private final Clock clock;
    private final CallRecords records;
    private final CallTags tags = new CallTags();
    private final CallReviews reviews = new CallReviews();
    private final CallOutbox outbox;

    CallEdits(Database db, Clock clock, CallRecords records, CallOutbox outbox) {
        this.db = db;
        this.clock = clock;
        this.records = records;
        this.outbox = outbox;
    }

    /** As {@link CallService#patch}. */
    StoredCall patch(Site site, String callId, CallChanges changes, String ifMatch) {
        return db.inTransaction(c -> {
            // Locked until the commit: the version check and the tags added to the stored list must
            // see the row no other edit is writing (two tag clicks at once keep both tags).
            StoredCall call = records.byIdForEdit(c, site.siteId(), callId).orElseThrow(UnknownCall::new);
            CallChanges.version(call).check(ifMatch, changes.writtenParts(), "call");
            List<String> newTags = changes.tags() != null ? changes.tags()
                    : changes.tagChange().applyTo(call.tags(), CallChanges.MAX_TAGS, "call");
            Double value = changes.clearsValue() ? null : changes.value() != null ? changes.value() : call.value();
            String currency = changes.currency() != null ? changes.currency() : call.currency();
            if (value != null && currency == null) {
                currency = site.settings().currency(); // a value without a currency is in the site's currency
            }
            tags.write(c, site.siteId(), callId, newTags, value, currency, clock.millis());
            if (changes.reviewed() != null || changes.note() != null) {
                boolean reviewed = changes.reviewed() != null ? changes.reviewed() : call.review().reviewed();
                String note = changes.note() != null ? (changes.note().isBlank() ? null : changes.note().strip()) : call.review().note();
                reviews.write(c, site.siteId(), callId, reviewed, note, clock.millis());
            }
            StoredCall updated = records.byId(c, site.siteId(), callId).orElseThrow();
            outbox.changed(c, call, updated);
            return updated;
        });
    }

    /** As {@link CallService#transcript}. */
    Optional<StoredCall> transcript(Site site, String provider, String providerCallId, String text, List<KeywordRule> rules) {
        // Line breaks kept; NUL and other control characters are no speech, and PostgreSQL cannot store a NUL.
        String clean = Columns.cap(text == null ? "" : StorableText.storable(text, true).strip(), CallReviews.MAX_TRANSCRIPT_CHARS);
        String kept = clean;
        Optional<StoredCall> result = db.inTransaction(c -> {
            Optional<StoredCall> found = records.byProviderId(c, site.siteId(), provider, CallEvent.storedCallId(providerCallId));
            if (found.isEmpty()) {
                return found;
            }
            // Locked and read again: the rules' tags join the stored list, not one a person's edit replaces meanwhile.
            StoredCall call = records.byIdForEdit(c, site.siteId(), found.get().callId()).orElseThrow();
            long now = clock.millis();
            List<CallReview.AutoTag> autoTags = new ArrayList<>(call.review().autoTags());
            List<String> callTags = new ArrayList<>(call.tags());
            for (KeywordRule rule : rules) {
                if (rule.firstMatch(kept) != null && autoTags.stream().noneMatch(t -> t.tag().equals(rule.tag()))) {
                    autoTags.add(new CallReview.AutoTag(rule.tag(), rule.asMap(), Instant.ofEpochMilli(now)));
                    if (!callTags.contains(rule.tag()) && callTags.size() < CallChanges.MAX_TAGS) {
                        callTags.add(rule.tag());
                    }
                }
            }
            reviews.writeTranscript(c, site.siteId(), call.callId(), kept, AutoTags.write(autoTags), now);
            if (!callTags.equals(call.tags())) {
                tags.write(c, site.siteId(), call.callId(), callTags, call.value(), call.currency(), now);
            }
            return records.byId(c, site.siteId(), call.callId());
        });
        result.ifPresent(call -> LOG.info("call_transcript_kept site={} call={} chars={} autoTags={}", site.siteId(), call.callId(),
                kept.length(), call.review().autoTags().size()));
        return result;
    }
}
