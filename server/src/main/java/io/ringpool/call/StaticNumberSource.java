package io.ringpool.call;

import io.ringpool.visit.TrafficSourceParser;
import java.util.Objects;

/**
 * A static tracking number and the source it stands for (API.md: {@code POST /v1/sites/{siteId}/static-numbers}).
 * Every call to it belongs to that source; there is no visit.
 *
 * @param channel the channel its source and medium imply by the visits' rules
 *                ({@link TrafficSourceParser#channelOfTags}); null on calls stored before it was kept
 */
public record StaticNumberSource(String number, String source, String medium, String campaign, String label, String channel) {
    public StaticNumberSource {
        Objects.requireNonNull(number, "number");
    }

    /** With the channel its source and medium imply. */
    public StaticNumberSource(String number, String source, String medium, String campaign, String label) {
        this(number, source, medium, campaign, label, TrafficSourceParser.channelOfTags(source, medium).wireName());
    }
}
