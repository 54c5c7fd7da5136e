package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.store.Dialect;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sealed days must answer the sources report as the facts themselves do: for any model and any
 * grouping, the report over facts that hold nothing plus the day groups of {@link DayDigest}
 * equals the report over the facts.
 */
class DayDigestTest {
    static final ZoneId ZONE = ZoneId.of("Asia/Yekaterinburg");
    static final List<List<Dimension>> GROUPINGS = List.of(
            List.of(Dimension.SOURCE),
            List.of(Dimension.CHANNEL, Dimension.SOURCE),
            List.of(Dimension.DEVICE),
            List.of(Dimension.SOURCE, Dimension.DEVICE),
            List.of(Dimension.LANDING_PAGE, Dimension.DEVICE),
            List.of(Dimension.BROWSER, Dimension.OS));

    @Test
    void theSourcesReportFromDayGroupsEqualsTheReportFromTheFactsForEveryModelAndGrouping() {
        for (long seed = 1; seed <= 20; seed++) {
            List<FactsTrimTest.Visit> visits = FactsTrimTest.traffic(seed, 400, 30, 60);
            SiteFacts facts = new SiteFacts("st_digest", Dialect.H2);
            for (int i = 0; i < visits.size(); i++) {
                String[] dims = visits.get(i).dims();
                dims[Dimension.DEVICE.ordinal()] = i % 3 == 0 ? "mobile" : "desktop";
                dims[Dimension.LANDING_PAGE.ordinal()] = "https://example.com/p" + (i % 5);
                dims[Dimension.BROWSER.ordinal()] = i % 4 == 0 ? "Safari" : "Chrome";
                dims[Dimension.OS.ordinal()] = i % 6 == 0 ? "iOS" : "Windows";
                facts.appendVisit(visits.get(i).start(), visits.get(i).session(), visits.get(i).visitor(), dims);
            }
            LocalDate first = LocalDate.ofInstant(Instant.ofEpochMilli(visits.getFirst().start()), ZONE);
            LocalDate last = LocalDate.ofInstant(Instant.ofEpochMilli(visits.getLast().start()), ZONE);
            ReportRange range = ReportRange.of(first.atStartOfDay(ZONE).toInstant(), last.plusDays(1).atStartOfDay(ZONE).toInstant(), ZONE,
                    Instant.ofEpochMilli(visits.getLast().start()));
            Map<LocalDate, List<DayDigest.Group>> days = DayDigest.of(facts, range.from(), range.to(), ZONE, 0);
            SiteFacts none = new SiteFacts("st_digest", Dialect.H2);
            for (Model model : Model.values()) {
                for (List<Dimension> groupBy : GROUPINGS) {
                    boolean modelMatters = groupBy.stream().anyMatch(Dimension::trafficSource);
                    DayCube cube = DayCube.serving(groupBy).orElseThrow();
                    List<SealedDays.Row> used = rows(days, cube, cube.stored(modelMatters ? model : Model.LAST_CLICK));
                    assertThat(Aggregates.grouped(none, range, model, groupBy, "visits", false, 1_000, 0, used))
                            .as("seed %d model %s groupBy %s", seed, model, groupBy)
                            .isEqualTo(Aggregates.grouped(facts, range, model, groupBy, "visits", false, 1_000, 0, List.of()));
                }
                assertThat(Aggregates.daily(none, range, model, rows(days, DayCube.SOURCES, model))).as("daily seed %d model %s", seed, model)
                        .usingRecursiveComparison().isEqualTo(Aggregates.daily(facts, range, model, List.of()));
            }
        }
    }

    private static List<SealedDays.Row> rows(Map<LocalDate, List<DayDigest.Group>> days, DayCube cube, Model model) {
        List<SealedDays.Row> rows = new ArrayList<>();
        days.forEach((day, groups) -> groups.stream().filter(g -> g.cube() == cube && g.model() == model)
                .forEach(g -> rows.add(new SealedDays.Row(day, g.values(), g.counts()))));
        return rows;
    }
}
