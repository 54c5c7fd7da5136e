package io.ringpool.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.report.ReportRange;
import io.ringpool.store.Database;
import io.ringpool.store.Dialect;
import io.ringpool.store.QueryPlans;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export's tag filter ignores case (LOWER on both sides, as the call log's) and keeps the plan:
 * the (site, time) index walked, the tag probed per row by the tags' primary key.
 */
class ExportTagPlanTest {
    @TempDir
    Path dir;

    static final ExportQuery Q = new ExportQuery(ExportFormat.GOOGLE_ENHANCED,
            new ReportRange(0, 86_400_000L, LocalDate.EPOCH, LocalDate.EPOCH, ZoneOffset.UTC), "Lead", null, null, null, null, null, null, null);

    @Test
    void theCallsTagIsProbedByTheCallsIdWhileTheSiteTimeIndexIsWalked() {
        List<Object> params = new ArrayList<>();
        String sql = ExportService.callSql("st_x", Q, Dialect.H2.indexHint("CALLS_SITE_STARTED"), params);
        assertThat(sql).contains("LOWER(t.tag) = LOWER(?)");
        try (Database db = QueryPlans.migratedStore(dir)) {
            String plan = QueryPlans.explain(db, sql, params.toArray());
            assertThat(plan).contains("CALLS_SITE_STARTED");
            assertThat(plan).as("the tag is probed by the row's id").containsPattern("PRIMARY_KEY_\\w*: CALL_ID = CALLS\\.CALL_ID");
        }
    }

    @Test
    void theLeadsTagIsProbedByTheLeadsId() {
        List<Object> params = new ArrayList<>();
        String sql = ExportService.leadSql("st_x", Q, params);
        assertThat(sql).contains("LOWER(t.tag) = LOWER(?)");
        try (Database db = QueryPlans.migratedStore(dir)) {
            String plan = QueryPlans.explain(db, sql, params.toArray());
            assertThat(plan).as("the tag is probed by the row's id").containsPattern("PRIMARY_KEY_\\w*: LEAD_ID = LEADS\\.LEAD_ID");
        }
    }
}
