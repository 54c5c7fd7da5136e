package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Ranges are whole days of the site's zone, so a key cannot defeat the report cache a millisecond at a time. */
class ReportRangeRoundingTest {
    static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");
    static final long NOW = Instant.parse("2026-11-30T09:00:00Z").toEpochMilli();

    /** A day means its start (as the API reads {@code from}); a time is an instant. */
    static ReportRange range(String from, String to) {
        return ReportRange.of(instant(from), instant(to), MOSCOW, Instant.ofEpochMilli(NOW));
    }

    static Instant instant(String text) {
        return text.length() == 10 ? java.time.LocalDate.parse(text).atStartOfDay(MOSCOW).toInstant()
                : java.time.OffsetDateTime.parse(text).toInstant();
    }

    @Test
    void timesAreWidenedToTheDaysTheyTouchInTheSitesZone() {
        ReportRange r = range("2026-11-20T10:15:00.123Z", "2026-11-25T03:00:00.001Z");
        assertThat(Instant.ofEpochMilli(r.from())).isEqualTo(Instant.parse("2026-11-19T21:00:00Z"));
        assertThat(Instant.ofEpochMilli(r.to())).isEqualTo(Instant.parse("2026-11-25T21:00:00Z"));
    }

    @Test
    void rangesThatDifferByAMillisecondShareOneCacheKey() {
        assertThat(range("2026-11-20T10:15:00Z", "2026-11-25T03:00:00.001Z").cacheKey())
                .isEqualTo(range("2026-11-20T10:15:00.001Z", "2026-11-25T03:00:00.002Z").cacheKey())
                .isEqualTo(range("2026-11-20", "2026-11-26").cacheKey());
    }

    @Test
    void aRangeAlreadyOnDayBoundariesIsUnchanged() {
        ReportRange r = range("2026-11-20T00:00:00+03:00", "2026-11-26T00:00:00+03:00");
        assertThat(Instant.ofEpochMilli(r.from())).isEqualTo(Instant.parse("2026-11-19T21:00:00Z"));
        assertThat(Instant.ofEpochMilli(r.to())).isEqualTo(Instant.parse("2026-11-25T21:00:00Z"));
    }
}
