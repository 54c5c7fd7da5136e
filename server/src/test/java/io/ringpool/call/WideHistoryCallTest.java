package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call's stored history (the visitor's earlier visits, the candidate leases) comes from what
 * visitors' browsers sent: ten visits with 500-character sources and mediums (the widths the
 * sessions table accepts) must still give a call that can be read back, not a JSON column cut
 * mid-value that makes the call, and every page of the call log holding it, unreadable.
 */
class WideHistoryCallTest {
    static final String NUMBER = "+74955550001";

    @TempDir
    Path dir;

    @Test
    void aCallWhoseVisitorCameTenTimesWithTheWidestSourcesIsStoredReadableWithItsLatestVisits() {
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_wide", List.of(NUMBER))) {
            Instant t0 = f.clock.instant().minusSeconds(86_400);
            for (int i = 0; i < 12; i++) {
                String wide = String.valueOf((char) ('a' + i)).repeat(500);
                f.visit(String.format("s_%02d", i), "v_wide", null, t0.plusSeconds(i * 60L), t0.plusSeconds(i * 60L + 30), wide, wide,
                        "referral", null);
            }
            Instant callAt = f.clock.instant().minusSeconds(10);
            f.visit("s_last", "v_wide", NUMBER, callAt.minusSeconds(100), null, "google", "cpc", "paid", "g1");

            StoredCall ingested = f.call("c-wide", "+79161234567", NUMBER, callAt, 60);

            assertThat(ingested.attribution().sessionId()).isEqualTo("s_last");
            StoredCall read = f.calls.call(f.site.siteId(), ingested.callId()).orElseThrow();
            assertThat(ingested).as("the answer, built in memory, is the call as its row reads").isEqualTo(read);
            List<CallAttribution.EarlierVisit> earlier = read.attribution().earlierVisits();
            assertThat(earlier).isNotEmpty();
            // whatever had to be left out to fit, it is the oldest visits, and the latest one is kept
            assertThat(earlier.get(earlier.size() - 1).sessionId()).isEqualTo("s_11");
            assertThat(earlier).allSatisfy(v -> assertThat(v.source()).hasSize(500));
            assertThat(f.calls.log(CallQuery.all(f.site.siteId(), 50)).calls())
                    .extracting(StoredCall::callId).contains(ingested.callId());
        }
    }

    @Test
    void aCallStoredWithItsHistoryCutMidValueByAnOlderServerIsStillReadWithThatHistoryEmpty() {
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_cut", List.of(NUMBER))) {
            Instant callAt = f.clock.instant().minusSeconds(10);
            f.visit("s_earlier", "v_cut", null, callAt.minusSeconds(3_600), callAt.minusSeconds(3_000), "bing", "cpc", "paid", null);
            f.visit("s_last", "v_cut", NUMBER, callAt.minusSeconds(100), null, "google", "cpc", "paid", "g1");
            StoredCall ingested = f.call("c-cut", "+79161234567", NUMBER, callAt, 60);
            assertThat(ingested.attribution().earlierVisits()).hasSize(1);
            f.db.inTransaction(c -> c.createStatement().executeUpdate("UPDATE calls SET earlier_visits_json = '[{\"sessionId\":\"s_ear', "
                    + "candidates_json = '[{\"sess' WHERE call_id = '" + ingested.callId() + "'"));

            StoredCall read = f.calls.call(f.site.siteId(), ingested.callId()).orElseThrow();

            assertThat(read.attribution().sessionId()).isEqualTo("s_last");
            assertThat(read.attribution().earlierVisits()).isEmpty();
            assertThat(read.attribution().candidates()).isEmpty();
            assertThat(read.talkSeconds()).isEqualTo(60);
        }
    }

    @Test
    void historyThatDoesNotFitKeepsWholeItemsFromTheEndThatMatters() {
        List<String> items = List.of("a".repeat(10), "b".repeat(10), "c".repeat(10));
        assertThat(CallRows.jsonWithin(items, 1_000, CallRows.Keep.FIRST)).isEqualTo("[\"aaaaaaaaaa\",\"bbbbbbbbbb\",\"cccccccccc\"]");
        assertThat(CallRows.jsonWithin(items, 30, CallRows.Keep.FIRST)).isEqualTo("[\"aaaaaaaaaa\",\"bbbbbbbbbb\"]");
        assertThat(CallRows.jsonWithin(items, 30, CallRows.Keep.LAST)).isEqualTo("[\"bbbbbbbbbb\",\"cccccccccc\"]");
        assertThat(CallRows.jsonWithin(items, 5, CallRows.Keep.LAST)).isEqualTo("[]");
    }
}
