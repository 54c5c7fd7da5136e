package io.ringpool.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import io.ringpool.store.Database;
import io.ringpool.store.Migrator;
import io.ringpool.store.QueryPlans;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An export's look-back for a click id reads the visitor's visits newest first in index order, up to its bound, not all of them sorted. */
class EarlierIdReadPlanTest {
    @TempDir
    Path dir;

    @Test
    void theVisitorsVisitsAreReadInIndexOrder() {
        try (Database db = new Database(ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString())).store(),
                new SimpleMeterRegistry())) {
            new Migrator(db).migrate();
            assertThat(QueryPlans.explain(db, ExportService.EARLIER_ID, "s", "v", 1L, 0L))
                    .containsIgnoringCase("SESSIONS_SITE_VISITOR").contains("index sorted");
        }
    }
}
