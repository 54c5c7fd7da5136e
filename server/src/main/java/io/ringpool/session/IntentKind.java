package io.ringpool.session;

import io.ringpool.failure.DomainFailure;
import java.util.Locale;

/** What the visitor did that shows they mean to call: both keep the number with the session longer. */
public enum IntentKind {
    /** Tapped or clicked a {@code tel:} link. */
    TEL_CLICK,
    /** Copied the number. */
    COPY;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws DomainFailure invalid {@code kind} for anything but {@code tel_click} or {@code copy} */
    public static IntentKind fromWire(String value) {
        for (IntentKind k : values()) {
            if (k.wireName().equals(value)) {
                return k;
            }
        }
        throw DomainFailure.invalid("kind", "'kind' must be tel_click or copy");
    }
}
