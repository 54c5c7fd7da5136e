package io.ringpool.lead;

import java.util.Locale;
import java.util.Optional;

/**
 * How a lead was attributed, recorded with it as a call's method is. The order is the order of
 * trust: the first that finds a visit decides ({@link LeadAttributor}).
 */
public enum LeadMethod {
    /** The script sent the lead from a session, or the sender named one: that visit. */
    SESSION,
    /** The sender named the visitor (or an analytics client id): the visitor's latest visit within the horizon. */
    VISITOR,
    /** A gclid or yclid the sender gave matched the landing URL of a visit. */
    CLICK_ID,
    /** The same phone or e-mail came before, on a call or a lead that was attributed: its source. */
    CONTACT,
    /**
     * No visit found, but the sender gave the landing URL, its referrer or a click id (a script
     * that was blocked): the lead is named from them as a visit with that landing would be.
     */
    LANDING,
    /** Nothing we would bet on. Better unknown than wrong. */
    NONE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<LeadMethod> fromWire(String text) {
        for (LeadMethod m : values()) {
            if (m.wireName().equals(text)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
