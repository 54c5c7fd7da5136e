package io.ringpool.call;

import java.time.Instant;
import java.util.Objects;

/**
 * What a page of the call log holds ({@code GET /v1/sites/{siteId}/calls}): calls whose start is
 * in [{@code from}, {@code to}) (either bound may be null), matching every filter that is not null,
 * newest first, at most {@code limit}.
 *
 * <p>Pagination is keyset on (startedAt desc, callId desc): {@code after} is the last call of the
 * previous page, so pages stay correct while new calls arrive.
 *
 * @param after     only calls strictly after this position in log order; null for the first page
 * @param reviewed  only calls with (true) or without (false) the reviewed flag
 * @param recording only calls whose recording is kept and playable (true), or that have none (false)
 * @param text      only calls whose transcript or note contains this text (case-insensitive)
 * @param caller    only calls of this caller: E.164 as {@link CallerNumber} stores a valid caller
 * @param textInTranscripts whether {@code text} is looked for in transcripts too; false for a viewer, who may
 *                  not read them, so a search cannot tell what was said
 */
public record CallQuery(String siteId, Instant from, Instant to, String source, String medium, String campaign, String channel,
        String tag, AttributionMethod method, CallState.Status status, Boolean unique, Boolean target, int limit,
        Position after, Boolean reviewed, Boolean recording, String text, String caller, boolean textInTranscripts) {

    /** Searching {@code text} in transcripts as well as notes, as everyone but a viewer does. */
    public CallQuery(String siteId, Instant from, Instant to, String source, String medium, String campaign, String channel,
            String tag, AttributionMethod method, CallState.Status status, Boolean unique, Boolean target, int limit,
            Position after, Boolean reviewed, Boolean recording, String text, String caller) {
        this(siteId, from, to, source, medium, campaign, channel, tag, method, status, unique, target, limit, after, reviewed, recording,
                text, caller, true);
    }

    /** Without the caller. */
    public CallQuery(String siteId, Instant from, Instant to, String source, String medium, String campaign, String channel,
            String tag, AttributionMethod method, CallState.Status status, Boolean unique, Boolean target, int limit,
            Position after, Boolean reviewed, Boolean recording, String text) {
        this(siteId, from, to, source, medium, campaign, channel, tag, method, status, unique, target, limit, after, reviewed, recording,
                text, null);
    }

    /** Without the listening filters (reviewed, recording, text) and the caller. */
    public CallQuery(String siteId, Instant from, Instant to, String source, String medium, String campaign, String channel,
            String tag, AttributionMethod method, CallState.Status status, Boolean unique, Boolean target, int limit,
            Position after) {
        this(siteId, from, to, source, medium, campaign, channel, tag, method, status, unique, target, limit, after, null, null, null, null);
    }

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    /** A position in the log: the last call of a page. */
    public record Position(Instant startedAt, String callId) {
        public Position {
            Objects.requireNonNull(startedAt, "startedAt");
            Objects.requireNonNull(callId, "callId");
        }
    }

    public CallQuery {
        Objects.requireNonNull(siteId, "siteId");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit " + limit + " outside 1.." + MAX_LIMIT);
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("from " + from + " is not before to " + to);
        }
    }

    /** The first page of a site's whole log. */
    public static CallQuery all(String siteId, int limit) {
        return new CallQuery(siteId, null, null, null, null, null, null, null, null, null, null, null, limit, null);
    }

    public CallQuery after(Position position) {
        // textInTranscripts kept: a viewer's search must not reach transcripts from the second page on.
        return new CallQuery(siteId, from, to, source, medium, campaign, channel, tag, method, status, unique, target, limit, position,
                reviewed, recording, text, caller, textInTranscripts);
    }

    /** The same query in pages of {@code pageSize}. */
    public CallQuery withLimit(int pageSize) {
        return new CallQuery(siteId, from, to, source, medium, campaign, channel, tag, method, status, unique, target, pageSize, after,
                reviewed, recording, text, caller, textInTranscripts);
    }
}
