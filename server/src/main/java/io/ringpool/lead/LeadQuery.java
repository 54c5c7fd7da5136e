package io.ringpool.lead;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
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

    /** A position in the log: the last lead of a page. Opaque to clients. */
    public record Cursor(Instant at, String leadId) {

        public String encode() {
            String raw = at.toEpochMilli() + ":" + leadId;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        /** The cursor {@link #encode} made, or empty when the text is not one. */
        public static java.util.Optional<Cursor> decode(String text) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int colon = raw.indexOf(':');
                if (colon <= 0 || colon == raw.length() - 1) {
                    return java.util.Optional.empty();
                }
                return java.util.Optional.of(new Cursor(Instant.ofEpochMilli(Long.parseLong(raw.substring(0, colon))),
                        raw.substring(colon + 1)));
            } catch (IllegalArgumentException | java.time.DateTimeException e) {
                return java.util.Optional.empty();
            }
        }
    }
}
