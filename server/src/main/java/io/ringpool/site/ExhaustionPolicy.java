package io.ringpool.site;

import java.util.Locale;

/** What a pool does when no number is free. */
public enum ExhaustionPolicy {
    /** Lease the number that has been cooling down longest; a later call to it is marked ambiguous. */
    REUSE_COOLING,
    /** Show the site's default number, untracked, rather than share a cooling number. */
    FALLBACK;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ExhaustionPolicy fromWire(String value) {
        for (ExhaustionPolicy p : values()) {
            if (p.wireName().equals(value)) {
                return p;
            }
        }
        return null;
    }
}
