package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.store.Database;
import io.ringpool.store.QueryPlans;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The call log's filters match without regard to case (LOWER on both sides) and keep the plan:
 * the (site, time) index walked newest first, a tag probed per call by call_tags' primary key.
 */
class CallLogPlanTest {
    @TempDir
    Path dir;

    @Test
    void filtersThatIgnoreCaseStillWalkTheSiteTimeIndexAndProbeTagsByCall() {
        CallQuery q = new CallQuery("st_x", Instant.EPOCH, Instant.ofEpochSecond(86_400), "Google", "CPC", "Sofas", "Paid", "VipClient",
                null, null, null, null, 50, null, null, null, null);
        CallLogQuery.Sql sql = CallLogQuery.sql(q);
        assertThat(sql.text()).contains("LOWER(source) = LOWER(?)").contains("LOWER(t.tag) = LOWER(?)");
        try (Database db = QueryPlans.migratedStore(dir)) {
            String plan = QueryPlans.explain(db, sql.text(), sql.params().toArray());
            // The same read with plain equalities, as it was before: the indexes chosen do not change (the tag's
            // primary key is then probed by call id alone, not id and tag: a call has at most 20 tags).
            String exact = QueryPlans.explain(db, sql.text().replaceAll("LOWER\\(([a-z.]+)\\) = LOWER\\(\\?\\)", "$1 = ?"), sql.params().toArray());
            assertThat(indexes(plan)).isEqualTo(indexes(exact));
            assertThat(plan).as("the tag is probed by the row's id").containsPattern("PRIMARY_KEY_\\w*: \\w+_ID = \\w+\\.\\w+_ID");
        }
    }

    /** Audit Q #3: a caller's calls are read through calls_site_caller, not by walking the site's whole range. */
    @Test
    void aCallerFilterReadsTheSiteCallerIndex() {
        CallQuery q = new CallQuery("st_x", Instant.EPOCH, Instant.ofEpochSecond(86_400), null, null, null, null, null,
                null, null, null, null, 50, null, null, null, null, "+79130000001");
        CallLogQuery.Sql sql = CallLogQuery.sql(q);
        assertThat(sql.text()).contains("caller = ?");
        try (Database db = QueryPlans.migratedStore(dir)) {
            assertThat(indexes(QueryPlans.explain(db, sql.text(), sql.params().toArray()))).containsExactly("PUBLIC.CALLS_SITE_CALLER");
        }
    }

    /** The indexes of an H2 plan, in order: each table's, from its {@code /* PUBLIC.<index>: <condition>} line. */
    static java.util.List<String> indexes(String plan) {
        return plan.lines().map(String::strip).filter(l -> l.startsWith("/* PUBLIC.")).map(l -> l.substring(3, l.indexOf(':'))).toList();
    }
}
