package io.ringpool.lead;

import java.time.Instant;
import java.util.Map;

/**
 * A page of the lead log ({@code GET /v1/sites/{siteId}/leads}): {@code from} inclusive, {@code to}
 * exclusive, on the lead's time; newest first; keyset pagination on (at desc, leadId desc) so
 * pages stay right while leads arrive.
 *
 * @param equalities plain equality filters on the lead row
 * @param after      the last lead of the previous page, or null for the first page
 */
public record LeadQuery(String siteId, Instant from, Instant to, Map<Filter, String> equalities, String tag, int limit, Cursor after) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    /**
     * The filters that are one column equal to a value; the column names never come from a request.
     * The free-text ones (what a visit's UTM tags said) match without regard to case; the others are
     * words of a fixed set, already read as the stored value.
     */
    public enum Filter {
        SOURCE("source", true),
        MEDIUM("medium", true),
        CAMPAIGN("campaign", true),
        CHANNEL("channel", true),
        KIND("kind", false),
        STATUS("status", false),
        METHOD("method", false);

        private final String column;
        private final boolean ignoresCase;

        Filter(String column, boolean ignoresCase) {
            this.column = column;
            this.ignoresCase = ignoresCase;
        }

        String column() {
            return column;
        }

        boolean ignoresCase() {
            return ignoresCase;
        }

        public String wireName() {
            return column;
        }
    }

    public LeadQuery {
        equalities = Map.copyOf(equalities);
    }

    /** A position in the log: the last lead of a page (the API encodes it as an opaque cursor). */
    public record Cursor(Instant at, String leadId) {}
}
