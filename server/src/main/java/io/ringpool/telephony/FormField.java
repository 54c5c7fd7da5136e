package io.ringpool.telephony;

import java.util.Objects;

/** One decoded {@code name=value} pair of a form-encoded body; names may repeat. */
public record FormField(String name, String value) {
    public FormField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
