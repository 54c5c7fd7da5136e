package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Report figures over real HTTP against the hand-worked answers of {@link ReportFixture}.
 */
class ReportsOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static ReportFixture f;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
        f = new ReportFixture(server, 101).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode ok(String path) {
        Reply r = f.get(path);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** Rows keyed "source/medium" (null as "null"). */
    static Map<String, JsonNode> bySourceMedium(JsonNode report) {
        Map<String, JsonNode> out = new HashMap<>();
        report.get("rows").forEach(r -> out.put(r.get("key").get("source").asText("null") + "/" + r.get("key").get("medium").asText("null"), r));
        return out;
    }

    static void expect(JsonNode row, long visits, long calls, long unique, long target, long uniqueTarget, Double conversion) {
        assertThat(row).as("row missing").isNotNull();
        assertThat(row.get("visits").asLong()).as("visits of " + row).isEqualTo(visits);
        assertThat(row.get("calls").asLong()).as("calls of " + row).isEqualTo(calls);
        assertThat(row.get("uniqueCalls").asLong()).as("uniqueCalls of " + row).isEqualTo(unique);
        assertThat(row.get("targetCalls").asLong()).as("targetCalls of " + row).isEqualTo(target);
        assertThat(row.get("uniqueTargetCalls").asLong()).as("uniqueTargetCalls of " + row).isEqualTo(uniqueTarget);
        if (conversion == null) {
            assertThat(row.get("conversion").isNull()).as("conversion of " + row).isTrue();
        } else {
            assertThat(row.get("conversion").asDouble()).as("conversion of " + row).isEqualTo(conversion);
        }
    }

    @Test
    void sourcesUnderLastNonDirectCreditTheDirectVisitAndItsCallToTheEarlierPaidVisit() {
        JsonNode report = ok("/reports/sources?" + f.range() + "&groupBy=source,medium");
        assertThat(report.get("model").asText()).isEqualTo("last_non_direct");
        assertThat(report.get("timeZone").asText()).isEqualTo("Europe/Moscow");
        Map<String, JsonNode> rows = bySourceMedium(report);
        assertThat(rows).hasSize(5);
        expect(rows.get("google/cpc"), 2, 1, 1, 1, 1, 0.5);
        expect(rows.get("yandex/cpc"), 1, 2, 1, 1, 1, 2.0);
        expect(rows.get("google/organic"), 1, 0, 0, 0, 0, 0.0);
        expect(rows.get("facebook/social"), 1, 1, 1, 0, 0, 1.0);
        expect(rows.get("null/null"), 0, 1, 1, 0, 0, null);
        expect(report.get("totals"), 5, 5, 4, 2, 2, 1.0);
        // Default order: most calls first.
        assertThat(report.get("rows").get(0).get("key").get("source").asText()).isEqualTo("yandex");
    }

    @Test
    void lastClickLeavesTheDirectVisitDirectAndFirstClickCreditsTheFirstVisit() {
        Map<String, JsonNode> last = bySourceMedium(ok("/reports/sources?" + f.range() + "&groupBy=source,medium&model=last_click"));
        expect(last.get("google/cpc"), 1, 0, 0, 0, 0, 0.0);
        expect(last.get("(direct)/(none)"), 1, 1, 1, 1, 1, 1.0);
        expect(last.get("yandex/cpc"), 1, 2, 1, 1, 1, 2.0);

        Map<String, JsonNode> first = bySourceMedium(ok("/reports/sources?" + f.range() + "&groupBy=source,medium&model=first_click"));
        expect(first.get("google/cpc"), 2, 1, 1, 1, 1, 0.5);
        assertThat(first).doesNotContainKey("(direct)/(none)");
    }

    @Test
    void groupingByCampaignAndChannelAndSortingByAKeyWork() {
        JsonNode report = ok("/reports/sources?" + f.range() + "&groupBy=campaign&sort=campaign&order=asc");
        Map<String, JsonNode> rows = new HashMap<>();
        report.get("rows").forEach(r -> rows.put(r.get("key").get("campaign").asText("null"), r));
        expect(rows.get("winter"), 2, 1, 1, 1, 1, 0.5);
        expect(rows.get("=HYPERLINK(\"x\")"), 1, 1, 1, 0, 0, 1.0);
        expect(rows.get("null"), 2, 3, 2, 1, 1, 1.5);
        assertThat(report.get("rows").get(0).get("key").get("campaign").isNull()).isTrue();

        JsonNode channels = ok("/reports/sources?" + f.range() + "&groupBy=channel&sort=visits");
        Map<String, JsonNode> ch = new HashMap<>();
        channels.get("rows").forEach(r -> ch.put(r.get("key").get("channel").asText("null"), r));
        assertThat(ch.get("paid").get("visits").asLong()).isEqualTo(3);
        assertThat(ch.get("paid").get("calls").asLong()).isEqualTo(3);
        assertThat(ch.get("organic").get("visits").asLong()).isEqualTo(1);
        assertThat(ch.get("social").get("calls").asLong()).isEqualTo(1);
        assertThat(channels.get("rows").get(0).get("key").get("channel").asText()).isEqualTo("paid");
    }

    @Test
    void devicesSplitVisitsAndCallsByDeviceBrowserAndOs() {
        JsonNode report = ok("/reports/devices?" + f.range());
        Map<String, JsonNode> rows = new HashMap<>();
        report.get("rows").forEach(r -> rows.put(r.get("key").get("device").asText("null"), r));
        assertThat(rows.get("desktop").get("visits").asLong()).isEqualTo(4);
        assertThat(rows.get("desktop").get("calls").asLong()).isEqualTo(3);
        assertThat(rows.get("mobile").get("visits").asLong()).isEqualTo(1);
        assertThat(rows.get("mobile").get("calls").asLong()).isEqualTo(1);
        assertThat(rows.get("null").get("calls").asLong()).isEqualTo(1);

        JsonNode detailed = ok("/reports/devices?" + f.range() + "&groupBy=device,browser,os");
        assertThat(detailed.get("groupBy").toString()).isEqualTo("[\"device\",\"browser\",\"os\"]");
        assertThat(detailed.get("totals").get("visits").asLong()).isEqualTo(5);
    }

    @Test
    void timePutsEachCallInItsWeekdayAndHourInTheSiteZone() {
        JsonNode report = ok("/reports/time?" + f.range());
        long[][] expected = new long[7][24];
        long[][] visits = new long[7][24];
        for (Instant t : f.callAt.values()) {
            ZonedDateTime z = t.atZone(ZoneId.of("Europe/Moscow"));
            expected[z.getDayOfWeek().getValue() - 1][z.getHour()]++;
        }
        for (Instant t : f.visitAt.values()) {
            ZonedDateTime z = t.atZone(ZoneId.of("Europe/Moscow"));
            visits[z.getDayOfWeek().getValue() - 1][z.getHour()]++;
        }
        for (int w = 0; w < 7; w++) {
            for (int h = 0; h < 24; h++) {
                assertThat(report.get("calls").get(w).get(h).asLong()).as("calls w=%d h=%d", w, h).isEqualTo(expected[w][h]);
                assertThat(report.get("visits").get(w).get(h).asLong()).as("visits w=%d h=%d", w, h).isEqualTo(visits[w][h]);
            }
        }
        assertThat(report.get("totalCalls").asLong()).isEqualTo(5);
        assertThat(report.get("weekdays").get(0).asText()).isEqualTo("Mon");
    }

    @Test
    void pathsListTheVisitSequencesOfCallersWithCounts() {
        JsonNode report = ok("/reports/paths?" + f.range());
        Map<String, JsonNode> rows = new HashMap<>();
        report.get("rows").forEach(r -> rows.put(r.get("path").asText(), r));
        assertThat(rows.keySet()).containsExactlyInAnyOrder("cpc yandex", "cpc google → direct", "social facebook");
        assertThat(rows.get("cpc yandex").get("calls").asLong()).isEqualTo(2);
        assertThat(rows.get("cpc yandex").get("visitors").asLong()).isEqualTo(1);
        assertThat(rows.get("cpc google → direct").get("calls").asLong()).isEqualTo(1);
        assertThat(rows.get("cpc google → direct").get("steps").size()).isEqualTo(2);
        assertThat(report.get("callsWithoutVisit").asLong()).isEqualTo(1);
        assertThat(report.get("calls").asLong()).isEqualTo(5);
        assertThat(report.get("rows").get(0).get("path").asText()).isEqualTo("cpc yandex");
    }

    @Test
    void pathsCollapseRepeatedStepsWithACount() {
        assertThat(Aggregates.label("cpc", "google", false, "paid")).isEqualTo("cpc google");
        assertThat(Aggregates.label("(none)", "(direct)", true, "direct")).isEqualTo("direct");
        assertThat(Aggregates.label(null, "example.org", false, "referral")).isEqualTo("referral example.org");
    }

    @Test
    void dailyCountsCallsPerDayByCreditedChannel() {
        JsonNode report = ok("/reports/daily?" + f.range());
        long calls = 0;
        for (JsonNode n : report.get("calls")) {
            calls += n.asLong();
        }
        assertThat(calls).isEqualTo(5);
        assertThat(report.get("days").size()).isEqualTo(report.get("calls").size());
        long paid = 0;
        for (JsonNode n : report.get("callsByChannel").get("paid")) {
            paid += n.asLong();
        }
        assertThat(paid).isEqualTo(3);
        assertThat(report.get("callsByChannel").has("(none)")).isTrue();
    }

    @Test
    void poolsReplayTheLeaseHistory() {
        JsonNode report = ok("/reports/pools?" + f.range() + "&bucketMinutes=60");
        JsonNode pool = report.get("pools").get(0);
        assertThat(pool.get("size").asInt()).isEqualTo(10);
        // A1 ended before A2, B1, C1 and D1 started; those four were live together (1 h leases).
        assertThat(pool.get("peakConcurrent").asInt()).isEqualTo(4);
        assertThat(pool.get("exhaustions").get("total").asLong()).isZero();
        assertThat(pool.get("leases").asLong()).isEqualTo(5);
        double avg = pool.get("averageLeaseSeconds").asDouble();
        long cool = pool.get("coolDownSeconds").asLong();
        assertThat(avg).isPositive();
        // Little's law over a peak of 4, but never more than the 5 visits that asked for a number (audit U #2)
        assertThat(pool.get("recommendedSize").asInt()).isEqualTo(Math.min(5, (int) Math.ceil(4 * (avg + cool) / avg * 1.2 - 1e-6)));
        long maxLeased = 0;
        for (JsonNode b : pool.get("buckets")) {
            maxLeased = Math.max(maxLeased, b.get("leased").asLong());
            assertThat(b.get("leased").asLong() + b.get("cooling").asLong() + b.get("free").asLong()).isLessThanOrEqualTo(10);
        }
        assertThat(maxLeased).isEqualTo(4);
        assertThat(pool.get("now").get("leased").asInt()).isEqualTo(4);
    }

    /** Audit Q #6: with no finished lease the report said 0 s, which the dashboard showed as "avg lease 0 s". */
    @Test
    void theAverageLeaseIsNullNotZeroUntilALeaseHasEnded() {
        Map<String, String> site = server.siteWithPool(java.util.List.of("+74958810001", "+74958810002"));
        String pools = "/v1/sites/" + site.get("siteId") + "/reports/pools?" + f.range();
        JsonNode none = server.get(pools, site.get("apiKey")).json().get("pools").get(0);
        assertThat(none.get("leases").asLong()).isZero();
        assertThat(none.get("averageLeaseSeconds").isNull()).as(none.toString()).isTrue();
        assertThat(none.get("recommendedSize").isNull()).isTrue();

        assertThat(server.startSession(site.get("publicKey"), "visitor-live-lease", "https://example.com/").status()).isEqualTo(201);
        JsonNode live = server.get(pools, site.get("apiKey")).json().get("pools").get(0);
        assertThat(live.get("leases").asLong()).isEqualTo(1);
        assertThat(live.get("averageLeaseSeconds").isNull()).as("a lease still live has no length yet: " + live).isTrue();
    }

    @Test
    void badParametersAreRejectedNamingTheParameter() {
        assertError(f.get("/reports/sources?groupBy=source,password"), 400, "groupBy");
        assertError(f.get("/reports/sources?sort=secret"), 400, "sort");
        assertError(f.get("/reports/devices?groupBy=campaign"), 400, "groupBy");
        assertError(f.get("/reports/sources?order=up"), 422, "order");
        assertError(f.get("/reports/sources?limit=0"), 422, "limit");
        assertError(f.get("/reports/sources?model=linear"), 422, "model");
        assertError(f.get("/reports/sources?from=2026-13-01"), 422, "from");
        assertError(f.get("/reports/time?from=2026-11-20&to=2026-11-10"), 422, "to");
        assertError(f.get("/reports/paths?frm=2026-11-20"), 400, "frm");
        assertError(f.get("/reports/pools?bucketMinutes=0"), 422, "bucketMinutes");
        // Audit AG3 #5: an empty value was read as absent (the last 30 days, source/medium) and answered 200.
        assertError(f.get("/reports/sources?from=&to="), 422, "from");
        assertError(f.get("/reports/sources?to="), 422, "to");
        assertError(f.get("/reports/sources?groupBy="), 422, "groupBy");
        assertError(f.get("/reports/sources?groupBy=source,"), 422, "groupBy");
        assertError(f.get("/reports/sources?model="), 422, "model");
        assertError(f.get("/reports/sources?sort="), 422, "sort");
        assertError(f.get("/reports/daily?model=%20"), 422, "model");
        // A 'from' past today without 'to' is the fault of 'from': the client sent no 'to' (it was named before).
        assertError(f.get("/reports/sources?from=2099-01-01"), 422, "from");
        assertThat(server.get("/v1/sites/" + f.siteId + "/reports/sources", null).status()).isEqualTo(401);
        Map<String, String> other = server.siteWithPool(java.util.List.of());
        assertThat(server.get("/v1/sites/" + f.siteId + "/reports/sources", other.get("apiKey")).status()).isEqualTo(404);
    }

    static void assertError(Reply r, int status, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().get("error").get("field").asText()).isEqualTo(field);
    }

    @Test
    void aCachedReportChangesAsSoonAsANewVisitOrCallArrives() {
        ReportFixture g = new ReportFixture(server, 102);
        Map<String, String> v = g.visit("visitor-G-0001", "https://example.com/?utm_source=google&utm_medium=cpc", null, Map.of(),
                TestServer.CHROME, "G1");
        String q = "/reports/sources?" + g.range();
        JsonNode before = g.get(q).json().get("totals");
        JsonNode again = g.get(q).json().get("totals");
        assertThat(again).isEqualTo(before);
        assertThat(before.get("visits").asLong()).isEqualTo(1);
        assertThat(before.get("calls").asLong()).isZero();

        g.call("G", "+79160000009", v.get("number"), 40);
        JsonNode afterCall = g.get(q).json().get("totals");
        assertThat(afterCall.get("calls").asLong()).isEqualTo(1);
        assertThat(afterCall.get("targetCalls").asLong()).isEqualTo(1);

        g.visit("visitor-H-0001", "https://example.com/", null, Map.of(), TestServer.CHROME, "H1");
        assertThat(g.get(q).json().get("totals").get("visits").asLong()).isEqualTo(2);

        // A second call from the same caller reclassifies: still one unique call.
        g.call("G2", "+79160000009", v.get("number"), 0);
        JsonNode afterRepeat = g.get(q).json().get("totals");
        assertThat(afterRepeat.get("calls").asLong()).isEqualTo(2);
        assertThat(afterRepeat.get("uniqueCalls").asLong()).isEqualTo(1);
    }
}
