package io.ringpool.lead;

import java.util.Locale;
import java.util.Optional;

/** What sort of request a lead is (API.md "Leads"). */
public enum LeadKind {
    FORM,
    CALLBACK,
    CHAT,
    EMAIL,
    OTHER;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<LeadKind> fromWire(String text) {
        for (LeadKind k : values()) {
            if (k.wireName().equals(text)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
