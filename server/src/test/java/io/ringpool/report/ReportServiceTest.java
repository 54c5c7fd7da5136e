package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.call.CallStoreFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ReportService} over a real H2 store, without HTTP. */
class ReportServiceTest {
    static final String PAID_NUMBER = "+74953000001";
    static final String DIRECT_NUMBER = "+74953000002";

    @TempDir
    Path dir;
    CallStoreFixture f;
    ReportService reports;
    ReportRange november;

    @BeforeEach
    void open() {
        f = new CallStoreFixture(dir, "st_reports", List.of(PAID_NUMBER, DIRECT_NUMBER));
        reports = new ReportService(f.db, f.pools, f.poolService, f.clock);
        ZoneId zone = f.site.settings().timeZone();
        november = ReportRange.of(Instant.parse("2026-10-31T21:00:00Z"), Instant.parse("2026-11-30T21:00:00Z"), zone, f.clock.instant());
        // Visitor A comes from a Google ad, leaves, and two hours later comes back directly and calls.
        Instant paid = f.clock.instant();
        f.visit("s_a1", "v_a", PAID_NUMBER, paid, paid.plus(Duration.ofMinutes(10)), "google", "cpc", "paid", "GCLID-A");
        Instant direct = paid.plus(Duration.ofHours(2));
        f.visit("s_a2", "v_a", DIRECT_NUMBER, direct, null, null, null, "direct", null);
        f.call("c-a", "+79160000001", DIRECT_NUMBER, direct.plusSeconds(60), 45);
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void lastNonDirectCreditsTheDirectVisitsCallToTheEarlierPaidVisitAndLastClickDoesNot() {
        List<Dimension> bySource = List.of(Dimension.SOURCE, Dimension.MEDIUM);
        Map<String, Object> nonDirect = reports.sources(f.site, november, Model.LAST_NON_DIRECT, bySource, "calls", false, 10);
        Map<String, Object> lastClick = reports.sources(f.site, november, Model.LAST_CLICK, bySource, "calls", false, 10);

        assertThat(calls(nonDirect, "google")).isEqualTo(1);
        assertThat(calls(lastClick, "google")).isZero();
        assertThat(calls(lastClick, null)).isEqualTo(1);
    }

    @Test
    void aCachedReportChangesAsSoonAsANewCallArrives() {
        List<Dimension> bySource = List.of(Dimension.SOURCE);
        Map<String, Object> before = reports.sources(f.site, november, Model.LAST_NON_DIRECT, bySource, "calls", false, 10);
        assertThat(reports.sources(f.site, november, Model.LAST_NON_DIRECT, bySource, "calls", false, 10)).isSameAs(before);

        f.call("c-b", "+79160000002", PAID_NUMBER, f.clock.instant().plus(Duration.ofMinutes(5)), 40);

        Map<String, Object> after = reports.sources(f.site, november, Model.LAST_NON_DIRECT, bySource, "calls", false, 10);
        assertThat(calls(after, "google")).isEqualTo(2);
    }

    @Test
    void aReportAfterNothingWasWrittenDoesNotReadTheStoreAgainAndOneAfterAWriteDoes() {
        ReportService patient = new ReportService(f.db, f.pools, f.poolService, f.clock, java.util.concurrent.TimeUnit.MINUTES.toNanos(10));
        List<Dimension> bySource = List.of(Dimension.SOURCE);
        patient.sources(f.site, november, Model.LAST_NON_DIRECT, bySource, "calls", false, 10);
        SiteFacts facts = patient.factsOf(f.site.siteId());
        long readAt = facts.refreshedAtNanos;

        // another report (not cached): nothing was written meanwhile, so the store is not read
        patient.sources(f.site, november, Model.LAST_CLICK, bySource, "visits", false, 10);
        assertThat(facts.refreshedAtNanos).isEqualTo(readAt);

        f.call("c-b", "+79160000002", PAID_NUMBER, f.clock.instant().plus(Duration.ofMinutes(5)), 40);
        Map<String, Object> after = patient.sources(f.site, november, Model.LAST_NON_DIRECT, bySource, "calls", false, 10);
        assertThat(facts.refreshedAtNanos).as("read again after the write").isNotEqualTo(readAt);
        assertThat(calls(after, "google")).isEqualTo(2);
    }

    @Test
    void thePoolsReportIsCachedForFiveSecondsOfTheInjectedClock() {
        Map<String, Object> first = reports.pools(f.site, november, 3_600_000L);
        f.clock.advance(ReportService.POOLS_TTL.minusMillis(1));
        assertThat(reports.pools(f.site, november, 3_600_000L)).isSameAs(first);
        f.clock.advance(Duration.ofMillis(2));
        assertThat(reports.pools(f.site, november, 3_600_000L)).isNotSameAs(first);
    }

    @SuppressWarnings("unchecked")
    private static long calls(Map<String, Object> report, String source) {
        return ((List<Map<String, Object>>) report.get("rows")).stream()
                .filter(row -> java.util.Objects.equals(((Map<String, Object>) row.get("key")).get("source"), source))
                .mapToLong(row -> ((Number) row.get("calls")).longValue()).sum();
    }
}
