package io.ringpool.report;

import io.ringpool.failure.DomainFailure;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;

/**
 * The time range of a report or export: {@code from} inclusive, {@code to} exclusive, as epoch
 * millis, with the site's time zone its days are counted in. Defaults: the last
 * {@link #DEFAULT_DAYS} days up to and including today (site time). At most {@link #MAX_DAYS} days.
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

    /**
     * The range from {@code from} to {@code to}, either of them null for its default.
     *
     * @throws DomainFailure invalid {@code to} when the range is empty or reversed; invalid
     *                       {@code from} when it starts at or after the end of today with
     *                       {@code to} left out (the client sent no {@code to} to be told about),
     *                       or spans more than {@link #MAX_DAYS} days
     */
    public static ReportRange of(Instant from, Instant to, ZoneId zone, Instant now) {
        long end = to != null ? to.toEpochMilli()
                : LocalDate.ofInstant(now, zone).plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        long start = from != null ? from.toEpochMilli()
                : day(end - 1, zone).minusDays(DEFAULT_DAYS - 1).atStartOfDay(zone).toInstant().toEpochMilli();
        if (start >= end) {
            throw to != null ? DomainFailure.invalid("to", "'to' must be after 'from'")
                    : DomainFailure.invalid("from", "'from' must be before the end of today in the site's time zone (" + zone
                            + "), where a range without 'to' ends");
        }
        start = startOfDay(start, zone);
        if (startOfDay(end, zone) != end) {
            end = day(end, zone).plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        }
        LocalDate firstDay = day(start, zone);
        LocalDate lastDay = day(end - 1, zone);
        if (ChronoUnit.DAYS.between(firstDay, lastDay) >= MAX_DAYS) {
            throw DomainFailure.invalid("from", "the range may span at most " + MAX_DAYS + " days");
        }
        return new ReportRange(start, end, firstDay, lastDay, zone);
    }

    private static LocalDate day(long epochMillis, ZoneId zone) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(epochMillis), zone);
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
}
