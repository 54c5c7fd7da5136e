package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.call.CallStoreFixture;
import io.ringpool.failure.DomainFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ReportService} with a small {@link FactsBound} over a real H2 store. */
class BoundedFactsTest {
    static final String PAID_NUMBER = "+74953000001";
    static final String DIRECT_NUMBER = "+74953000002";
    static final Duration DAY = Duration.ofDays(1);

    @TempDir
    Path dir;
    CallStoreFixture f;
    ZoneId zone;
    /** The retention cut-off the bound reports for the site (Long.MIN_VALUE: none). */
    final AtomicLong retainedFrom = new AtomicLong(Long.MIN_VALUE);
    int seq;

    @BeforeEach
    void open() {
        f = new CallStoreFixture(dir, "st_bounded", List.of(PAID_NUMBER, DIRECT_NUMBER));
        zone = f.site.settings().timeZone();
    }

    @AfterEach
    void close() {
        f.close();
    }

    ReportService service(int maxVisits) {
        return new ReportService(f.db, f.pools, f.poolService, f.clock, dir.resolve("report-facts"),
                new FactsBound(maxVisits, site -> retainedFrom.get()));
    }

    /** One ended visit of its own visitor now, then the clock moves an hour on. */
    void organicVisit() {
        Instant at = f.clock.instant();
        f.visit("s_" + (++seq), "v_" + seq, null, at, at.plusSeconds(60), "google", "organic", "organic", null);
        f.clock.advance(Duration.ofHours(1));
    }

    ReportRange range(Instant from, Instant to) {
        return ReportRange.of(from, to, zone, f.clock.instant());
    }

    static long total(Map<String, Object> report, String metric) {
        @SuppressWarnings("unchecked")
        Map<String, Object> totals = (Map<String, Object>) report.get("totals");
        return ((Number) totals.get(metric)).longValue();
    }

    Map<String, Object> sources(ReportService reports, ReportRange range) {
        return reports.sources(f.site, range, Model.LAST_NON_DIRECT, List.of(Dimension.SOURCE), "calls", false, 100);
    }

    @Test
    void theNodeNeverHoldsMoreVisitsThanTheBoundAfterAnyRefresh() {
        ReportService reports = service(50);
        for (int round = 0; round < 40; round++) {
            for (int i = 0; i < 7; i++) {
                organicVisit();
            }
            reports.refreshAll(List.of(f.site.siteId()));
            assertThat(reports.heldVisits()).as("round %d", round).isLessThanOrEqualTo(50);
        }
        assertThat(reports.bound().evicted()).isEqualTo(280 - reports.heldVisits());
        assertThat(reports.factsOf(f.site.siteId()).heldFrom).isGreaterThan(Long.MIN_VALUE);
    }

    @Test
    void aColdLoadReadsOnlyTheNewestVisitsWithinTheBound() {
        for (int i = 0; i < 30; i++) {
            organicVisit();
        }
        ReportService reports = service(10);
        reports.refreshAll(List.of(f.site.siteId()));

        SiteFacts facts = reports.factsOf(f.site.siteId());
        assertThat(facts.visits).isLessThanOrEqualTo(10);
        assertThat(reports.bound().evicted()).as("nothing loaded to be trimmed again").isZero();
        // The held visits are the newest ones: the 30th visit started an hour before now.
        assertThat(facts.vStart[facts.visits - 1]).isEqualTo(f.clock.millis() - Duration.ofHours(1).toMillis());
        assertThat(facts.visits).isEqualTo(9);
        assertThat(facts.heldFrom).isGreaterThan(facts.vStart[0] - Duration.ofHours(1).toMillis()).isLessThanOrEqualTo(facts.vStart[0]);
    }

    @Test
    void aReportStartingBeforeHeldFromSaysItIsIncompleteAndOneEndingBeforeItIsRefused() {
        Instant first = f.clock.instant();
        for (int i = 0; i < 24 * 4; i++) {
            organicVisit();
        }
        ReportService reports = service(30);
        reports.refreshAll(List.of(f.site.siteId()));
        long heldFrom = reports.factsOf(f.site.siteId()).heldFrom;
        assertThat(heldFrom).isGreaterThan(first.toEpochMilli());

        Map<String, Object> whole = sources(reports, range(first.minus(DAY), f.clock.instant()));
        assertThat(whole.get("complete")).isEqualTo(false);
        assertThat(whole.get("heldFrom")).isEqualTo(Instant.ofEpochMilli(heldFrom));
        assertThat(total(whole, "visits")).isEqualTo(reports.heldVisits());

        Map<String, Object> today = sources(reports, range(f.clock.instant(), f.clock.instant().plus(DAY)));
        assertThat(today.get("complete")).isEqualTo(true);

        assertThatThrownBy(() -> sources(reports, range(first.minus(DAY), first)))
                .isInstanceOfSatisfying(DomainFailure.class, e -> {
                    assertThat(e.kind()).isEqualTo(DomainFailure.Kind.INVALID);
                    assertThat(e.field()).isEqualTo("from");
                    assertThat(e.getMessage()).contains("server.reportMaxVisits").contains(Instant.ofEpochMilli(heldFrom).toString());
                });
        assertThatThrownBy(() -> reports.pools(f.site, range(first.minus(DAY), first), 3_600_000L)).isInstanceOf(DomainFailure.class);
    }

    @Test
    void countsOverTheHeldPartEqualAFreshLoadOfTheSameWindowAndCallsKeepTheirPaidCredit() {
        // Visitor A: paid, then direct three days later with a call; then enough traffic to trim the oldest days.
        for (int i = 0; i < 24; i++) {
            organicVisit();
        }
        Instant paid = f.clock.instant();
        f.visit("s_paid", "v_a", PAID_NUMBER, paid, paid.plusSeconds(600), "google", "cpc", "paid", "GCLID-A");
        f.clock.advance(Duration.ofDays(3));
        Instant direct = f.clock.instant();
        f.visit("s_direct", "v_a", DIRECT_NUMBER, direct, null, null, null, "direct", null);
        f.call("c-a", "+79160000001", DIRECT_NUMBER, direct.plusSeconds(60), 45);
        f.clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 24; i++) {
            organicVisit();
        }
        ReportService bounded = service(1_000);
        bounded.refreshAll(List.of(f.site.siteId()));
        SiteFacts facts = bounded.factsOf(f.site.siteId());
        // A trim that drops the first day's organic visits but keeps the paid one.
        int dropped = FactsTrim.before(facts, paid.toEpochMilli() - 1);
        assertThat(dropped).isEqualTo(24);

        ReportRange held = range(paid, f.clock.instant());
        Map<String, Object> trimmed = sources(bounded, held);
        assertThat(trimmed.get("complete")).as("the range starts at the day's start, before the paid visit").isEqualTo(false);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) trimmed.get("rows");
        Map<String, Object> google = rows.stream().filter(r -> "google".equals(((Map<?, ?>) r.get("key")).get("source"))).findFirst().orElseThrow();
        assertThat(((Number) google.get("calls")).longValue()).as("the direct visit's call credited to the held paid visit").isEqualTo(1);

        SiteFacts fresh = new SiteFacts(f.site.siteId(), f.db.dialect());
        fresh.heldFrom = facts.heldFrom;
        f.db.read(fresh::refresh);
        assertThat(Aggregates.grouped(facts, held, Model.LAST_NON_DIRECT, List.of(Dimension.SOURCE, Dimension.MEDIUM), "calls", false, 100, 0, List.of()))
                .isEqualTo(Aggregates.grouped(fresh, held, Model.LAST_NON_DIRECT, List.of(Dimension.SOURCE, Dimension.MEDIUM), "calls", false,
                        100, 0, List.of()));
        assertThat(Aggregates.paths(facts, held, 50)).isEqualTo(Aggregates.paths(fresh, held, 50));
    }

    @Test
    void retentionDropsTheFactsTheStoreNoLongerKeeps() {
        Instant first = f.clock.instant();
        for (int i = 0; i < 24 * 3; i++) {
            organicVisit();
        }
        ReportService reports = service(1_000);
        reports.refreshAll(List.of(f.site.siteId()));
        assertThat(reports.heldVisits()).isEqualTo(72);

        long cutoff = first.plus(DAY).toEpochMilli();
        retainedFrom.set(cutoff);
        reports.refreshAll(List.of(f.site.siteId()));

        SiteFacts facts = reports.factsOf(f.site.siteId());
        assertThat(facts.heldFrom).isEqualTo(cutoff);
        assertThat(facts.visits).isEqualTo(48);
        assertThat(reports.bound().evicted()).isEqualTo(24);
    }

    @Test
    void trimmedFactsSurviveASnapshotRoundTripWithTheirHeldFromAndFigures() {
        Instant first = f.clock.instant();
        for (int i = 0; i < 24 * 3; i++) {
            organicVisit();
        }
        ReportService before = service(40);
        before.refreshAll(List.of(f.site.siteId()));
        // More traffic, then an eviction round: the snapshot holds trimmed facts.
        for (int i = 0; i < 20; i++) {
            organicVisit();
        }
        before.refreshAll(List.of(f.site.siteId()));
        long heldFrom = before.factsOf(f.site.siteId()).heldFrom;
        assertThat(before.bound().evicted()).isPositive();
        ReportRange all = range(first, f.clock.instant());
        Map<String, Object> expected = sources(before, all);
        before.saveSnapshots();

        ReportService after = service(40);
        Map<String, Object> restored = sources(after, all);

        assertThat(after.snapshotsLoaded()).isEqualTo(1);
        assertThat(after.factsOf(f.site.siteId()).heldFrom).isEqualTo(heldFrom);
        assertThat(restored).isEqualTo(expected);
        assertThat(restored.get("complete")).isEqualTo(false);
    }
}
