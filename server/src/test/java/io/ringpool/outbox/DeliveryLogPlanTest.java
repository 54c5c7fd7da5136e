package io.ringpool.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.store.Database;
import io.ringpool.store.QueryPlans;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session 37: the delivery log pages newest first from a cursor. Each page walks the (target_id,
 * seq) index in order and stops at its end, rather than reading and sorting every delivery of the
 * target (a day of an outage is thousands).
 */
class DeliveryLogPlanTest {
    @TempDir
    Path dir;

    @Test
    void everyPageWalksTheTargetSeqIndexNewestFirstWithoutSorting() {
        try (Database db = QueryPlans.migratedStore(dir)) {
            for (boolean byState : new boolean[] {false, true}) {
                String sql = OutboxStore.pageSql(byState);
                Object[] args = byState ? new Object[] {"wh_x", "delivered", Long.MAX_VALUE, 51} : new Object[] {"wh_x", Long.MAX_VALUE, 51};
                String plan = QueryPlans.explain(db, sql, args);
                assertThat(plan).as("state %s:%n%s", byState, plan).contains("OUTBOX_DELIVERIES_TARGET_SEQ").contains("index sorted")
                        .doesNotContain("OUTBOX_DELIVERIES_DUE");
            }
        }
    }

    /** A bulk retry reads the target's deliveries, not the failed ones of every target. */
    @Test
    void aBulkRetryReadsTheTargetsDeliveriesOnly() {
        try (Database db = QueryPlans.migratedStore(dir)) {
            String plan = QueryPlans.explain(db, OutboxStore.RETRY_ALL, 1L, 2L, "wh_x", "failed", 3L, Long.MIN_VALUE);
            assertThat(plan).contains("OUTBOX_DELIVERIES_TARGET_SEQ").doesNotContain("OUTBOX_DELIVERIES_DUE");
        }
    }
}
