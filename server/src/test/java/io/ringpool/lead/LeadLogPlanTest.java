package io.ringpool.lead;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.store.Database;
import io.ringpool.store.QueryPlans;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lead log's free-text filters match without regard to case (LOWER on both sides) and keep the
 * plan: the (site, at) index walked newest first, a tag probed per lead by lead_tags' primary key;
 * the fixed words (kind, status, method) stay plain equalities.
 */
class LeadLogPlanTest {
    @TempDir
    Path dir;

    @Test
    void filtersThatIgnoreCaseStillWalkTheSiteTimeIndexAndProbeTagsByLead() {
        LeadQuery q = new LeadQuery("st_x", Instant.EPOCH, Instant.ofEpochSecond(86_400), Map.of(LeadQuery.Filter.SOURCE, "Google",
                LeadQuery.Filter.CAMPAIGN, "Sofas", LeadQuery.Filter.KIND, "form"), "VipClient", 50, null);
        List<Object> args = new ArrayList<>();
        String sql = LeadStore.querySql(q, args);
        assertThat(sql).contains("LOWER(source) = LOWER(?)").contains("LOWER(campaign) = LOWER(?)").contains(" kind = ?")
                .contains("LOWER(t.tag) = LOWER(?)");
        try (Database db = QueryPlans.migratedStore(dir)) {
            String plan = QueryPlans.explain(db, sql, args.toArray());
            // The same read with plain equalities, as it was before: the indexes chosen do not change (the tag's
            // primary key is then probed by lead id alone, not id and tag: a lead has at most 20 tags).
            String exact = QueryPlans.explain(db, sql.replaceAll("LOWER\\(([a-z.]+)\\) = LOWER\\(\\?\\)", "$1 = ?"), args.toArray());
            assertThat(indexes(plan)).isEqualTo(indexes(exact));
            assertThat(plan).as("the tag is probed by the row's id").containsPattern("PRIMARY_KEY_\\w*: \\w+_ID = \\w+\\.\\w+_ID");
        }
    }

    /** The indexes of an H2 plan, in order: each table's, from its {@code /* PUBLIC.<index>: <condition>} line. */
    static java.util.List<String> indexes(String plan) {
        return plan.lines().map(String::strip).filter(l -> l.startsWith("/* PUBLIC.")).map(l -> l.substring(3, l.indexOf(':'))).toList();
    }
}
