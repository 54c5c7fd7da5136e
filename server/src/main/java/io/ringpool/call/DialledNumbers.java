package io.ringpool.call;

import io.ringpool.pool.PoolService;
import io.ringpool.site.E164;
import io.ringpool.site.Site;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * Decides whether a dialled number, as a provider wrote it, is one of the site's tracking numbers
 * (a pool or static number it holds): one site can never write into another's calls. Reads only
 * the pools' in-memory state, never the store, so the check answers while the store is down
 * (events are checked before they are journaled); only a number not found there, on several
 * nodes, waits for one shared read of the other nodes' changes. Thread-safe.
 */
final class DialledNumbers {
    /** Longest call whose start is inferred from a final event's duration; past it, a mix-up. */
    static final Duration LONGEST_INFERRED_CALL = Duration.ofHours(24);

    private final PoolService poolService;
    /** See {@link CallService#catchUpWith}; answers false at once while the node is alone on its store. */
    private volatile BooleanSupplier caughtUpWithOtherNodes = () -> false;

    DialledNumbers(PoolService poolService) {
        this.poolService = poolService;
    }

    void catchUpWith(BooleanSupplier caughtUpWithOtherNodes) {
        this.caughtUpWithOtherNodes = caughtUpWithOtherNodes;
    }

    /**
     * The site's tracking number for a dialled number as a provider wrote it.
     *
     * @throws NotATrackingNumber when the site owns no such pool or static number
     */
    String trackingNumber(Site site, String raw) {
        String number = normaliseDialled(raw, site.settings().country());
        if (number == null) {
            throw new NotATrackingNumber();
        }
        // A number added through another node a moment ago may not be in this node's memory yet:
        // looked for once more after catching up with that node's changes (several nodes only),
        // as an unknown site or key is, before a refusal a provider takes as final (audit AI3 F8).
        if (!poolService.isTrackingNumber(site.siteId(), number)
                && !(caughtUpWithOtherNodes.getAsBoolean() && poolService.isTrackingNumber(site.siteId(), number))) {
            throw new NotATrackingNumber();
        }
        return number;
    }

    /** As {@link CallService#trackingNumber(Site, CallEvent)}. */
    String trackingNumber(Site site, CallEvent event) {
        String number = trackingNumber(site, event.to());
        if (startsAfterGivenUp(site, number, event)) {
            throw NotATrackingNumber.givenUp();
        }
        return number;
    }

    /**
     * Whether the call of {@code event} started once the site had given {@code number} up (retired
     * it from a pool or as a static number) and another site holds the number now (audit s37 #4):
     * such a call is the other site's, and storing it here would keep one number tracked by two
     * sites. A call that started while the site held the number is still its own (a provider's
     * retry, a late delivery). The start is the event's time as sent, less the stated length of a
     * final event (a call that spanned the retirement began before it).
     */
    boolean startsAfterGivenUp(Site site, String number, CallEvent event) {
        OptionalLong givenUpAt = poolService.givenUpTo(site.siteId(), number);
        if (givenUpAt.isEmpty()) {
            return false;
        }
        Instant start = event.at();
        Integer length = event.durationSeconds();
        if (event.kind().isTerminal() && length != null && length > 0 && Duration.ofSeconds(length).compareTo(LONGEST_INFERRED_CALL) <= 0) {
            start = start.minusSeconds(length);
        }
        return start.toEpochMilli() >= givenUpAt.getAsLong();
    }

    /** E.164 for a dialled number: as configured (E.164 with punctuation forgiven), else parsed with the site's country. */
    static String normaliseDialled(String raw, String country) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String configured = E164.withoutPunctuation(raw.strip());
        if (configured != null) {
            return configured;
        }
        CallerNumber parsed = CallerNumber.of(raw, country);
        return parsed.valid() ? parsed.value() : null;
    }
}
