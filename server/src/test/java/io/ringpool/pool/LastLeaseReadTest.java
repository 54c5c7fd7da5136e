package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.call.CallStoreFixture;
import io.ringpool.store.QueryPlans;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At start every number's last holder is read; that read must stop at the first entry of the
 * number's (site_id, number, started_at DESC) index, not read every lease the number ever had
 * (what MAX(started_at) did: restarts grew with history). Checked through H2's plan; and the last
 * lease is the one that is read.
 */
class LastLeaseReadTest {
    static final String NUMBER = "+74955550001";

    @TempDir
    Path dir;

    @Test
    void eachNumbersLastLeaseIsTheFirstEntryOfItsIndexAndIsWhatLoads() throws Exception {
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_last", List.of(NUMBER, "+74955550002"))) {
            String plan = QueryPlans.explain(f.db, PoolStore.NUMBERS_WITH_LAST_LEASE);
            assertThat(plan).containsIgnoringCase("SESSIONS_NUMBER_TIME").contains("index sorted");

            f.db.inTransaction(c -> {
                try (var s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO pools(pool_id, site_id, name, priority, match_json, created_at) VALUES ('"
                            + CallStoreFixture.POOL_ID + "', 'st_last', 'main', 0, '{}', 0)");
                    for (String n : List.of(NUMBER, "+74955550002")) {
                        s.executeUpdate("INSERT INTO pool_numbers(site_id, number, pool_id, added_at) VALUES ('st_last', '" + n + "', '"
                                + CallStoreFixture.POOL_ID + "', 0)");
                    }
                }
                return null;
            });
            Instant t0 = Instant.parse("2026-11-20T10:00:00Z");
            for (int i = 0; i < 5; i++) {
                f.visit("s_" + i, "v" + i, NUMBER, t0.plusSeconds(1_000L * i), t0.plusSeconds(1_000L * i + 300), "google", "cpc", "paid", null);
            }
            List<PoolStore.StoredNumber> numbers = new PoolStore(f.db).loadNumbers(CallStoreFixture.POOL_ID);
            assertThat(numbers).hasSize(2);
            PoolStore.StoredNumber leased = numbers.stream().filter(n -> n.number().equals(NUMBER)).findFirst().orElseThrow();
            assertThat(leased.lastVisitorId()).isEqualTo("v4");
            assertThat(leased.releasedAt()).isEqualTo(t0.plusSeconds(4_300).toEpochMilli());
            assertThat(numbers.stream().filter(n -> !n.number().equals(NUMBER)).findFirst().orElseThrow().releasedAt()).isNull();
        }
    }
}
