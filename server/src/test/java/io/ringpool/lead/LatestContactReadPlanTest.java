package io.ringpool.lead;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.store.Database;
import io.ringpool.store.QueryPlans;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A lead's "latest earlier visit" and "latest attributed call" walk their index backwards and stop at the first row. */
class LatestContactReadPlanTest {
    @TempDir
    Path dir;

    @Test
    void bothLatestReadsAreServedInIndexOrder() {
        try (Database db = QueryPlans.migratedStore(dir)) {
            assertThat(QueryPlans.explain(db, LeadStore.LATEST_VISIT_OF_VISITOR, "s", "v", 0L, 1L))
                    .containsIgnoringCase("SESSIONS_SITE_VISITOR").contains("index sorted");
            assertThat(QueryPlans.explain(db, LeadStore.EARLIER_ATTRIBUTED_CALL, "s", "+79161234567", 0L, 1L))
                    .containsIgnoringCase("CALLS_SITE_CALLER").contains("index sorted");
        }
    }
}
