package io.ringpool.call;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What listening to a call adds to it: the marketer's {@code reviewed} flag and note, whether a
 * recording is kept (and how long it is), the provider's transcript, and the tags keyword rules set.
 *
 * @param recordingState   null when no recording was reported; else {@code queued}, {@code stored},
 *                         {@code failed} or {@code deleted} (retention or erasure)
 * @param recordingSeconds the kept recording's length in seconds, when known
 * @param autoTags         tags set by the site's keyword rules, each with the rule that set it
 */
public record CallReview(boolean reviewed, String note, String recordingState, Integer recordingSeconds, String transcript,
        List<AutoTag> autoTags) {

    /** Nothing reviewed, no recording, no transcript. */
    public static final CallReview NONE = new CallReview(false, null, null, null, null, List.of());

    /** The recording's state when it can be played. */
    public static final String STORED = "stored";

    /** A tag a keyword rule set: the rule as the site wrote it, and when. */
    public record AutoTag(String tag, Map<String, Object> rule, Instant at) {}

    public CallReview {
        autoTags = autoTags == null ? List.of() : List.copyOf(autoTags);
    }

    public boolean recordingPlayable() {
        return STORED.equals(recordingState);
    }
}
