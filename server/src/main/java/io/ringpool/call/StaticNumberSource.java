package io.ringpool.call;

import java.util.Objects;

/**
 * A static tracking number and the source it stands for (API.md: {@code POST /v1/sites/{siteId}/static-numbers}).
 * Every call to it belongs to that source; there is no visit.
 */
public record StaticNumberSource(String number, String source, String medium, String campaign, String label) {
    public StaticNumberSource {
        Objects.requireNonNull(number, "number");
    }
}
