package io.ringpool.report;

import java.util.Locale;

/**
 * Which of a visitor's visits a report credits with a visit or call (the traffic source fields).
 * Call attribution (which session held the number) is a fact recorded with the call; the model
 * only moves the credit along that visitor's history, never across visitors.
 */
public enum Model {
    /** Direct visits inherit the visitor's latest non-direct source within 90 days (Calltouch's default). */
    LAST_NON_DIRECT,
    /** The visit itself, direct or not. */
    LAST_CLICK,
    /** The visitor's first visit within the 90-day look-back. */
    FIRST_CLICK;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The visit credited for visit {@code v}. */
    int credited(SiteFacts f, int v) {
        return switch (this) {
            case LAST_CLICK -> v;
            case LAST_NON_DIRECT -> f.vLnd[v];
            case FIRST_CLICK -> f.vFirst[v];
        };
    }
}
