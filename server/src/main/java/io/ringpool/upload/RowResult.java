package io.ringpool.upload;

import java.time.Duration;

/**
 * What the platform said of one row of an upload, where it said something of that row alone:
 * Google Ads lists the rows it refused ({@code partialFailureError}), and a file Metrica refused
 * is split until the row it refuses is alone.
 *
 * @param accepted whether the platform took the row
 * @param message  the platform's word on the row (why it refused it, or a warning about a row it
 *                 took), for the row's delivery log
 * @param retryIn  for a row refused for now, how long to wait at least before sending it again
 *                 ({@link Duration#ZERO}: the usual backoff); null for a row taken, or refused for good
 */
record RowResult(boolean accepted, String message, Duration retryIn) {

    /** Refused for a reason no retry removes (an unknown click, an expired one, a row of the wrong shape). */
    static RowResult refused(String message) {
        return new RowResult(false, message, null);
    }

    /** Refused for now: sent again after {@code wait} at least, until its delivery's deadline. */
    static RowResult later(String message, Duration wait) {
        return new RowResult(false, message, wait);
    }

    /** Taken, with a warning for the row's delivery log. */
    static RowResult takenWith(String warning) {
        return new RowResult(true, warning, null);
    }

    boolean finallyRefused() {
        return !accepted && retryIn == null;
    }
}
