package io.ringpool.report;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A field a report may group by: its wire name (the {@code groupBy} value and the row key) and
 * the column it comes from on both {@code sessions} and {@code calls}. This enum is the
 * allow-list: anything else in {@code groupBy} or {@code sort} is a 400.
 *
 * <p>The values people tag links with (source, medium, campaign, term, content) and the channel
 * {@link #ignoresCase() ignore letter case} in a report's groups, as the call log's filters match
 * them ({@code CallLogQuery}): {@code google} and {@code Google} are one row. A landing page keeps
 * its case (a path may be case-sensitive on the site's server); device, browser and OS are names
 * Ringpool gives itself, one spelling each.
 */
public enum Dimension {
    SOURCE("source", "source", true, true),
    MEDIUM("medium", "medium", true, true),
    CAMPAIGN("campaign", "campaign", true, true),
    TERM("term", "term", true, true),
    CONTENT("content", "content", true, true),
    CHANNEL("channel", "channel", true, true),
    /** The landing URL without query string or fragment, so click ids do not make every visit a group of its own. */
    LANDING_PAGE("landingPage", "landing_page", true, false),
    DEVICE("device", "device_type", false, false),
    BROWSER("browser", "browser", false, false),
    OS("os", "os", false, false);

    private final String wireName;
    private final String column;
    private final boolean trafficSource;
    private final boolean ignoresCase;

    Dimension(String wireName, String column, boolean trafficSource, boolean ignoresCase) {
        this.wireName = wireName;
        this.column = column;
        this.trafficSource = trafficSource;
        this.ignoresCase = ignoresCase;
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

    /** True when values differing only in letter case are one group (see the class comment; {@link Spellings}). */
    boolean ignoresCase() {
        return ignoresCase;
    }

    static Optional<Dimension> byWireName(String name) {
        String n = name.trim();
        return Arrays.stream(values()).filter(d -> d.wireName.equals(n) || d.column.equals(n.toLowerCase(Locale.ROOT))).findFirst();
    }

    static final int COUNT = values().length;
}
