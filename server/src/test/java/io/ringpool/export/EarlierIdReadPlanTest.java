package io.ringpool.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.store.Database;
import io.ringpool.store.QueryPlans;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An export's look-back for a click id reads the visitor's visits newest first in index order, up to its bound, not all of them sorted. */
class EarlierIdReadPlanTest {
    @TempDir
    Path dir;

    @Test
    void theVisitorsVisitsAreReadInIndexOrder() {
        try (Database db = QueryPlans.migratedStore(dir)) {
            assertThat(QueryPlans.explain(db, EarlierVisitIds.VISITS, "s", "v", 1L, 0L))
                    .containsIgnoringCase("SESSIONS_SITE_VISITOR").contains("index sorted");
        }
    }
}
