package io.ringpool.call;

import java.util.Locale;

/** How a call was attributed (PRODUCT.md §2). Stored with the call and shown in the API. */
public enum AttributionMethod {
    /** The number was leased to the session at call time. */
    ACTIVE,
    /** The lease had ended within the cool-down and the number was not reissued since. */
    COOLING,
    /** Several sessions are plausible; all are kept as candidates, the best is chosen. */
    AMBIGUOUS,
    /** No live or cooling candidate, but this caller was attributed before: that visit. */
    REPEAT,
    /** A static number: its source, no visit. */
    STATIC,
    /** Nothing we would bet on. Better unknown than wrong. */
    NONE;

    /** {@code active}, {@code cooling}, ... as in the API and metrics tags. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
