package io.ringpool.upload;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Set;

/**
 * Google Ads' six-hour rule. Google refuses a click conversion whose click is under six hours old
 * ({@code TOO_RECENT_EVENT}: "occurred less than 6 hours ago. Retry after 6 hours have passed"), a
 * call conversion whose call is ({@code TOO_RECENT_CALL}: "Try uploading again in 6 hours"), and
 * any conversion to an action created under six hours ago ({@code TOO_RECENT_CONVERSION_ACTION});
 * googleapis {@code google/ads/googleads/v2x/errors/conversion_upload_error.proto}, whose v1 called
 * the click's {@code TOO_RECENT_GCLID}. Each is refused for now, not for good: the same row is
 * taken later. Ringpool uploaded on {@code call.completed}, seconds after the call, so Google
 * refused every call conversion and most click conversions, and the refusal was counted delivered
 * (audit AI2 #1): a Google Ads destination now holds a call {@link #HOLD} after its event, and a
 * refusal of this kind is retried rather than taken as an answer.
 */
final class GoogleTooRecent {
    /** Google's wait. */
    static final Duration GOOGLE_WAIT = Duration.ofHours(6);
    /** Beyond it, for clocks that differ and a call's conversion time rounded to the second. */
    static final Duration MARGIN = Duration.ofMinutes(10);
    /** How long after a call (its {@code call.completed}, or a lead's {@code lead.created}) it goes to Google Ads. */
    static final Duration HOLD = GOOGLE_WAIT.plus(MARGIN);

    private static final Set<String> CODES = Set.of("TOO_RECENT_EVENT", "TOO_RECENT_CALL", "TOO_RECENT_CONVERSION_ACTION",
            "TOO_RECENT_GCLID");

    private GoogleTooRecent() {}

    /** Whether Google's {@code conversionUploadError} code refuses a row only until it is six hours old. */
    static boolean retryable(String conversionUploadError) {
        return conversionUploadError != null && CODES.contains(conversionUploadError);
    }
}
