package io.ringpool.report;

import io.ringpool.http.ApiException;
import io.ringpool.http.Request;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/**
 * The time range of a report or export: {@code from} inclusive, {@code to} exclusive, as epoch
 * millis. A date is a day in the site's time zone, and {@code to=2026-11-26} includes that whole
 * day; a time with an offset is an instant; a time without one is local to the site. Defaults: the
 * last 30 days up to and including today (site time). At most {@link #MAX_DAYS} days.
 *
 * <p>Times are widened to whole days of the site's time zone ({@code from} down to its day's start,
 * {@code to} up to the next day's start): reports are cached by range, and a range that could end at
 * any millisecond would make every request a new computation (one key could keep the report
 * threads busy by moving {@code to} one millisecond at a time).
 *
 * @param firstDay the first day (site time) the range touches
 * @param lastDay  the last day (site time) the range touches
 */
public record ReportRange(long from, long to, LocalDate firstDay, LocalDate lastDay, ZoneId zone) {

    public static final int DEFAULT_DAYS = 30;
    public static final int MAX_DAYS = 400;

    /** Reads {@code from}/{@code to}; 422 naming the parameter when malformed or reversed. */
    public static ReportRange of(Request request, ZoneId zone, long nowMillis) {
        LocalDate today = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(nowMillis), zone);
        Long to = time(request.queryParam("to"), "to", zone, true);
        Long from = time(request.queryParam("from"), "from", zone, false);
        if (to == null) {
            to = today.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        }
        if (from == null) {
            LocalDate lastDay = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(to - 1), zone);
            from = lastDay.minusDays(DEFAULT_DAYS - 1).atStartOfDay(zone).toInstant().toEpochMilli();
        }
        if (from >= to) {
            throw ApiException.invalid("to", "'to' must be after 'from'");
        }
        from = startOfDay(from, zone);
        long toDay = startOfDay(to, zone);
        if (toDay != to) {
            to = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(to), zone).plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        }
        LocalDate firstDay = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(from), zone);
        LocalDate lastDay = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(to - 1), zone);
        if (ChronoUnit.DAYS.between(firstDay, lastDay) >= MAX_DAYS) {
            throw ApiException.invalid("from", "the range may span at most " + MAX_DAYS + " days");
        }
        return new ReportRange(from, to, firstDay, lastDay, zone);
    }

    private static long startOfDay(long millis, ZoneId zone) {
        return LocalDate.ofInstant(java.time.Instant.ofEpochMilli(millis), zone).atStartOfDay(zone).toInstant().toEpochMilli();
    }

    boolean contains(long t) {
        return t >= from && t < to;
    }

    String cacheKey() {
        return from + ".." + to;
    }

    /** Rejects query parameters outside {@code known}: a typo must not silently widen a report. */
    public static void rejectUnknown(Request request, Set<String> known) {
        for (String name : request.query().keySet()) {
            if (!known.contains(name)) {
                throw new ApiException(400, "unknown_parameter", "unknown query parameter '" + name + "'; known: "
                        + String.join(", ", known.stream().sorted().toList()), name);
            }
        }
    }

    private static Long time(String text, String field, ZoneId zone, boolean endOfDay) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        try {
            if (t.length() == 10) {
                LocalDate day = LocalDate.parse(t);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay(zone).toInstant().toEpochMilli();
            }
            if (t.endsWith("Z") || t.matches(".*[+-]\\d\\d:?\\d\\d$")) {
                return OffsetDateTime.parse(t).toInstant().toEpochMilli();
            }
            return LocalDateTime.parse(t).atZone(zone).toInstant().toEpochMilli();
        } catch (DateTimeException e) {
            throw ApiException.invalid(field, "'" + field + "' must be a date (2026-11-26) or an ISO-8601 time (2026-11-26T03:15:00Z)");
        }
    }
}
