package io.ringpool.report;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A field a report may group by: its wire name (the {@code groupBy} value and the row key) and
 * the column it comes from on both {@code sessions} and {@code calls}. This enum is the
 * allow-list: anything else in {@code groupBy} or {@code sort} is a 400.
 */
public enum Dimension {
    SOURCE("source", "source", true),
    MEDIUM("medium", "medium", true),
    CAMPAIGN("campaign", "campaign", true),
    TERM("term", "term", true),
    CONTENT("content", "content", true),
    CHANNEL("channel", "channel", true),
    /** The landing URL without query string or fragment, so click ids do not make every visit a group of its own. */
    LANDING_PAGE("landingPage", "landing_page", true),
    DEVICE("device", "device_type", false),
    BROWSER("browser", "browser", false),
    OS("os", "os", false);

    private final String wireName;
    private final String column;
    private final boolean trafficSource;

    Dimension(String wireName, String column, boolean trafficSource) {
        this.wireName = wireName;
        this.column = column;
        this.trafficSource = trafficSource;
    }

    public String wireName() {
        return wireName;
    }

    String column() {
        return column;
    }

    /**
     * True for the fields an attribution model moves between visits (the traffic source); device,
     * browser and OS always stay those of the visit or call itself.
     */
    boolean trafficSource() {
        return trafficSource;
    }

    static Optional<Dimension> byWireName(String name) {
        String n = name.trim();
        return Arrays.stream(values()).filter(d -> d.wireName.equals(n) || d.column.equals(n.toLowerCase(Locale.ROOT))).findFirst();
    }

    static final int COUNT = values().length;
}
