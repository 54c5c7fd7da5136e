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

    /**
     * Session 38: disabling or deleting a target gives up its pending deliveries, and fixing a
     * destination's settings queues again the ones it refused; both read the target's rows, not
     * the state index's rows of every target (thousands pending behind one endpoint that is down).
     */
    @Test
    void givingUpATargetAndRetryingItsRefusedDeliveriesReadTheTargetsDeliveriesOnly() {
        try (Database db = QueryPlans.migratedStore(dir)) {
            String abandon = QueryPlans.explain(db, OutboxStore.ABANDON_TARGET, "disabled", "wh_x");
            assertThat(abandon).as(abandon).contains("OUTBOX_DELIVERIES_TARGET_SEQ").doesNotContain("OUTBOX_DELIVERIES_DUE");
            String refused = QueryPlans.explain(db, OutboxStore.RETRY_FAILED, 1L, 2L, "dst_x", "settings%");
            assertThat(refused).as(refused).contains("OUTBOX_DELIVERIES_TARGET_SEQ").doesNotContain("OUTBOX_DELIVERIES_DUE");
        }
    }

    /** A single retry finds the rest of its call through the (target_id, subject_id, seq) index. */
    @Test
    void aSingleRetryReadsItsSubjectsDeliveriesOnly() {
        try (Database db = QueryPlans.migratedStore(dir)) {
            String plan = QueryPlans.explain(db, OutboxStore.SUBJECT_TO_RETRY, "dlv_x", "wh_x");
            assertThat(plan).as(plan).contains("OUTBOX_DELIVERIES_SUBJECT").doesNotContain("OUTBOX_DELIVERIES_DUE");
        }
    }
}
