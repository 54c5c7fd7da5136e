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

    /** The filters that are one column equal to a value; the column names never come from a request. */
    public enum Filter {
        SOURCE("source"),
        MEDIUM("medium"),
        CAMPAIGN("campaign"),
        CHANNEL("channel"),
        KIND("kind"),
        STATUS("status"),
        METHOD("method");

        private final String column;

        Filter(String column) {
            this.column = column;
        }

        String column() {
            return column;
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
