package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.store.QueryPlans;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A visitor's earlier visits and a caller's earlier attributed call are read newest first by
 * walking their index backwards and stopping, not by reading and sorting the whole history (a
 * visitor id reused by a bot, a caller with thousands of calls). Checked through H2's plan; and
 * the rows chosen are the ones the old full sort chose, same-millisecond ties included.
 */
class EarlierHistoryReadTest {
    static final String NUMBER = "+74955550001";

    @TempDir
    Path dir;

    @Test
    void bothReadsWalkTheirIndexBackwardsWithoutSorting() throws Exception {
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_plans", List.of(NUMBER))) {
            assertThat(QueryPlans.explain(f.db, AttributionReads.EARLIER_VISITS, "s", "v", 0L))
                    .containsIgnoringCase("SESSIONS_SITE_VISITOR").contains("index sorted");
            assertThat(QueryPlans.explain(f.db, AttributionReads.previousAttributionSelect(f.db.dialect()), "s", "c", 0L, "x"))
                    .containsIgnoringCase("CALLS_SITE_CALLER").contains("index sorted");
        }
    }

    @Test
    void earlierVisitsAreTheLatestBeforeTheTimeOldestFirstWithTiesInSessionIdOrder() throws Exception {
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_visits", List.of(NUMBER))) {
            Instant t0 = f.clock.instant().minusSeconds(86_400);
            Random random = new Random(7);
            List<CallAttribution.EarlierVisit> all = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                // few distinct times, so many visits share a millisecond, written in random id order
                Instant at = t0.plusSeconds(random.nextInt(12) * 60L);
                String id = String.format("s_%04d", random.nextInt(10_000));
                if (all.stream().anyMatch(v -> v.sessionId().equals(id))) {
                    continue;
                }
                f.visit(id, "v_bot", null, at, at.plusSeconds(30), "src" + i, null, "direct", null);
                all.add(new CallAttribution.EarlierVisit(id, at, "src" + i, null, "direct"));
            }
            f.visit("s_other", "v_other", null, t0.plusSeconds(300), t0.plusSeconds(330), "x", null, "direct", null);
            AttributionReads reads = new AttributionReads(f.db.dialect());
            for (int cutMinute : new int[] {0, 3, 7, 12}) {
                Instant before = t0.plusSeconds(cutMinute * 60L);
                for (int max : new int[] {1, 5, 20, 100}) {
                    List<CallAttribution.EarlierVisit> expected = all.stream().filter(v -> v.startedAt().isBefore(before))
                            .sorted(Comparator.comparing(CallAttribution.EarlierVisit::startedAt)
                                    .thenComparing(CallAttribution.EarlierVisit::sessionId).reversed())
                            .limit(max).sorted(Comparator.comparing(CallAttribution.EarlierVisit::startedAt)
                                    .thenComparing(CallAttribution.EarlierVisit::sessionId))
                            .toList();
                    List<CallAttribution.EarlierVisit> read = f.db.read(c -> reads.earlierVisits(c, f.site.siteId(), "v_bot", before, max));
                    assertThat(read).as("before minute %d, max %d", cutMinute, max)
                            .extracting(CallAttribution.EarlierVisit::sessionId)
                            .containsExactlyElementsOf(expected.stream().map(CallAttribution.EarlierVisit::sessionId).toList());
                }
            }
        }
    }

    @Test
    void thePreviousAttributionIsTheLatestEarlierCallAndOfOneMillisecondTheGreatestCallId() throws Exception {
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_prev", List.of(NUMBER))) {
            Instant t0 = f.clock.instant().minusSeconds(86_400);
            String caller = "+79161234567";
            insertCall(f, "cl_0001", caller, t0, "s_a", true);
            insertCall(f, "cl_0003", caller, t0.plusSeconds(60), "s_c", true);
            insertCall(f, "cl_0002", caller, t0.plusSeconds(60), "s_b", true); // same millisecond, smaller id
            insertCall(f, "cl_0009", caller, t0.plusSeconds(60), null, true); // not attributed: never chosen
            insertCall(f, "cl_0004", caller, t0.plusSeconds(120), "s_d", false); // invalid caller: never chosen
            insertCall(f, "cl_0005", caller, t0.plusSeconds(180), "s_e", true);
            AttributionReads reads = new AttributionReads(f.db.dialect());
            assertThat(f.db.read(c -> reads.previousAttribution(c, f.site.siteId(), caller, t0.plusSeconds(170), "cl_x")).sessionId())
                    .isEqualTo("s_c");
            assertThat(f.db.read(c -> reads.previousAttribution(c, f.site.siteId(), caller, t0.plusSeconds(60), "cl_x")).sessionId())
                    .isEqualTo("s_a");
            assertThat(f.db.read(c -> reads.previousAttribution(c, f.site.siteId(), caller, t0.plusSeconds(240), "cl_0005")).sessionId())
                    .as("the call being attributed is not its own previous").isEqualTo("s_c");
            PreviousAttribution none = f.db.read(c -> reads.previousAttribution(c, f.site.siteId(), caller, t0, "cl_x"));
            assertThat(none).isNull();
        }
    }

    private static void insertCall(CallStoreFixture f, String callId, String caller, Instant at, String sessionId, boolean valid) {
        f.db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO calls(call_id, site_id, provider, provider_call_id, caller, "
                    + "caller_valid, number, answered, status, started_at, first_time, is_unique, target, unique_target, method, "
                    + "attributed_at, session_id, visitor_id, created_at, updated_at) "
                    + "VALUES (?,?,'generic',?,?,?,?,TRUE,'completed',?,FALSE,FALSE,FALSE,FALSE,?,?,?,?,?,?)")) {
                long t = at.toEpochMilli();
                ps.setString(1, callId);
                ps.setString(2, f.site.siteId());
                ps.setString(3, "p-" + callId);
                ps.setString(4, caller);
                ps.setBoolean(5, valid);
                ps.setString(6, NUMBER);
                ps.setLong(7, t);
                ps.setString(8, sessionId == null ? "none" : "active");
                ps.setLong(9, t);
                ps.setString(10, sessionId);
                ps.setString(11, sessionId == null ? null : "v_" + sessionId);
                ps.setLong(12, t);
                ps.setLong(13, t);
                return ps.executeUpdate();
            }
        });
    }
}
