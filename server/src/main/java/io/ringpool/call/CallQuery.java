package io.ringpool.call;

import io.ringpool.http.ApiException;
import io.ringpool.http.Request;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A validated call log query ({@code GET /v1/sites/{siteId}/calls}).
 *
 * <p>Time range: {@code from} inclusive, {@code to} exclusive, on the call's start. A date
 * ({@code 2026-11-26}) is a day in the site's time zone; a {@code to} date includes that whole day.
 * A time with an offset is an instant; a time without one is local to the site.
 *
 * <p>Pagination is keyset on (startedAt desc, callId desc): the cursor is the last call of the
 * page, so pages stay correct while new calls arrive.
 *
 * @param equalities column → value for the plain text filters (column names from a fixed list)
 * @param after      the cursor: only calls strictly after this one in log order; null for the first page
 */
public record CallQuery(String siteId, Instant from, Instant to, Map<String, String> equalities, String tag, Boolean unique,
        Boolean target, int limit, Cursor after) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    /** Query parameter → column, for filters that are plain equality on the call row. */
    private static final Map<String, String> TEXT_FILTERS = Map.of(
            "source", "source", "medium", "medium", "campaign", "campaign", "channel", "channel");

    static final Set<String> KNOWN = Set.of("from", "to", "source", "medium", "campaign", "channel", "tag", "method", "status",
            "unique", "target", "limit", "cursor");

    /** A position in the log: the last call of a page. */
    public record Cursor(Instant startedAt, String callId) {

        String encode() {
            String raw = startedAt.toEpochMilli() + ":" + callId;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String text) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int colon = raw.indexOf(':');
                if (colon <= 0 || colon == raw.length() - 1) {
                    throw new IllegalArgumentException("no separator");
                }
                return new Cursor(Instant.ofEpochMilli(Long.parseLong(raw.substring(0, colon))), raw.substring(colon + 1));
            } catch (IllegalArgumentException | DateTimeException e) {
                throw ApiException.invalid("cursor", "'cursor' is not a cursor this server gave out; use nextCursor as it was returned");
            }
        }
    }

    /** Reads and validates the query string; every problem is a 422 naming the parameter. */
    public static CallQuery of(Request request, String siteId, ZoneId zone) {
        for (String name : request.query().keySet()) {
            if (!KNOWN.contains(name)) {
                throw new ApiException(422, "unknown_field", "unknown query parameter '" + name + "'; known: "
                        + String.join(", ", KNOWN.stream().sorted().toList()), name);
            }
        }
        Instant from = time(request.queryParam("from"), "from", zone, false);
        Instant to = time(request.queryParam("to"), "to", zone, true);
        if (from != null && to != null && !from.isBefore(to)) {
            throw ApiException.invalid("to", "'to' must be after 'from'");
        }
        Map<String, String> equalities = new LinkedHashMap<>();
        TEXT_FILTERS.forEach((param, column) -> {
            String v = text(request, param);
            if (v != null) {
                equalities.put(column, v);
            }
        });
        String method = text(request, "method");
        if (method != null) {
            try {
                equalities.put("method", AttributionMethod.valueOf(method.toUpperCase(Locale.ROOT)).wireName());
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("method", "'method' must be one of active, cooling, ambiguous, repeat, static, none");
            }
        }
        String status = text(request, "status");
        if (status != null) {
            try {
                equalities.put("status", CallState.Status.valueOf(status.toUpperCase(Locale.ROOT)).wireName());
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("status", "'status' must be one of ringing, answered, completed, missed, busy, failed");
            }
        }
        int limit = DEFAULT_LIMIT;
        String limitText = request.queryParam("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw ApiException.invalid("limit", "'limit' must be a whole number from 1 to " + MAX_LIMIT);
            }
        }
        String cursor = request.queryParam("cursor");
        return new CallQuery(siteId, from, to, Map.copyOf(equalities), text(request, "tag"), bool(request, "unique"),
                bool(request, "target"), limit, cursor == null || cursor.isBlank() ? null : Cursor.decode(cursor.trim()));
    }

    private static String text(Request request, String name) {
        String v = request.queryParam(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        if (v.length() > 500) {
            throw ApiException.invalid(name, "'" + name + "' is longer than 500 characters");
        }
        return v.trim();
    }

    private static Boolean bool(Request request, String name) {
        String v = text(request, name);
        if (v == null) {
            return null;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw ApiException.invalid(name, "'" + name + "' must be true or false");
        };
    }

    /**
     * A date or a time. Dates are days in {@code zone}; as an upper bound ({@code endOfDay}) a date
     * means the start of the next day, so {@code to=2026-11-26} includes the 26th.
     */
    static Instant time(String text, String field, ZoneId zone, boolean endOfDay) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        try {
            if (t.length() == 10) {
                LocalDate day = LocalDate.parse(t);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay(zone).toInstant();
            }
            if (t.endsWith("Z") || t.matches(".*[+-]\\d\\d:?\\d\\d$")) {
                return OffsetDateTime.parse(t).toInstant();
            }
            return LocalDateTime.parse(t).atZone(zone).toInstant();
        } catch (DateTimeException e) {
            throw ApiException.invalid(field, "'" + field + "' must be a date (2026-11-26) or an ISO-8601 time (2026-11-26T03:15:00Z)");
        }
    }
}
