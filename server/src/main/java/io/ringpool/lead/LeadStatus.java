package io.ringpool.lead;

import java.util.Locale;
import java.util.Optional;

/** Where the marketer has put a lead; every lead starts {@link #NEW}. */
public enum LeadStatus {
    NEW,
    QUALIFIED,
    SPAM,
    WON,
    LOST;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<LeadStatus> fromWire(String text) {
        for (LeadStatus s : values()) {
            if (s.wireName().equals(text)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
