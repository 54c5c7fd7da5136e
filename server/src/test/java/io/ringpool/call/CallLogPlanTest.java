package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.store.Database;
import io.ringpool.store.QueryPlans;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * Audit AD3: a page of a year-wide log read and sorted every call of the year before its first row
     * (scanCount = the calls in the range; 1.47 s for 116,200 calls). Now the (site, time) index is walked
     * backwards and the walk stops when the page is full, first page or deep, with or without the filters
     * people use: a page costs the same for a year as for a day.
     */
    @Test
    void aPageOfAWideRangeWalksTheSiteTimeIndexNewestFirstAndStopsWhenFull() {
        try (Database db = QueryPlans.migratedStore(dir)) {
            seed(db, "st_x", WIDE_CALLS);
            Instant from = Instant.ofEpochMilli(SEED_START);
            Instant to = from.plus(Duration.ofDays(366));
            CallQuery year = new CallQuery("st_x", from, to, null, null, null, null, null, null, null, null, null, 50, null);
            CallQuery.Position middle = new CallQuery.Position(Instant.ofEpochMilli(SEED_START + WIDE_CALLS / 2 * SEED_STEP), "cl_w");
            // Every other call is from google, every fourth missed, every tenth tagged lead (CallLogPlanTest.seed).
            Map<String, CallQuery> pages = new LinkedHashMap<>();
            pages.put("first page", year);
            pages.put("page in the middle", year.after(middle));
            pages.put("limit 500", new CallQuery("st_x", from, to, null, null, null, null, null, null, null, null, null, 500, null));
            pages.put("source", new CallQuery("st_x", from, to, "Google", null, null, null, null, null, null, null, null, 50, middle));
            pages.put("status", new CallQuery("st_x", from, to, null, null, null, null, null, null, CallState.Status.MISSED, null, null,
                    50, null));
            pages.put("tag", new CallQuery("st_x", from, to, null, null, null, null, "Lead", null, null, null, null, 50, null));
            pages.put("no range", CallQuery.all("st_x", 50));
            Map<String, Integer> share = Map.of("source", 2, "status", 4, "tag", 10);
            pages.forEach((name, q) -> {
                CallLogQuery.Sql sql = CallLogQuery.sql(q);
                String plan = QueryPlans.explainAnalyze(db, sql.text(), sql.params().toArray());
                assertThat(indexes(plan)).as(name + ": " + plan).startsWith("PUBLIC.CALLS_SITE_STARTED");
                assertThat(plan).as(name).contains("/* index sorted */");
                // At most the page and one more, over the share of calls that match (and the ties of the cursor's instant).
                assertThat(scanCount(plan)).as(name + ": " + plan).isLessThanOrEqualTo((q.limit() + 1) * share.getOrDefault(name, 1) + 2);
            });
        }
    }

    static final int WIDE_CALLS = 20_000;
    static final long SEED_START = Instant.parse("2027-01-01T00:00:00Z").toEpochMilli();
    /** A call every 26 minutes: 20,000 calls over a year. */
    static final long SEED_STEP = 26 * 60_000L;

    /**
     * {@code calls} calls of one site straight into the store, oldest first, one every {@link #SEED_STEP}
     * (every fifth at the same instant as the one before): every other from Google, every fourth missed,
     * every tenth tagged lead.
     */
    static void seed(Database db, String siteId, int calls) {
        db.inTransaction(c -> {
            try (var s = c.createStatement()) {
                s.executeUpdate("INSERT INTO sites(site_id, name, public_key, api_key_hash, webhook_secret_enc, settings_json, created_at) "
                        + "VALUES ('" + siteId + "', 'Shop', 'pk', 'h', 'e', '{}', 0)");
                s.executeUpdate("INSERT INTO calls (call_id, site_id, provider, provider_call_id, caller, caller_valid, number, answered, "
                        + "status, started_at, first_time, is_unique, target, unique_target, method, attributed_at, source, "
                        + "created_at, updated_at) SELECT 'cl_w' || LPAD(CAST(X AS VARCHAR), 6, '0'), '" + siteId + "', 'test', "
                        + "'w' || X, '+7916' || LPAD(CAST(X AS VARCHAR), 7, '0'), TRUE, '+74950000001', MOD(X, 4) <> 0, "
                        + "CASE WHEN MOD(X, 4) = 0 THEN 'missed' ELSE 'completed' END, "
                        + SEED_START + " + (X - CASE WHEN MOD(X, 5) = 0 THEN 1 ELSE 0 END) * " + SEED_STEP + ", "
                        + "TRUE, TRUE, TRUE, TRUE, 'active', 0, CASE WHEN MOD(X, 2) = 0 THEN 'google' ELSE 'yandex' END, 0, 0 "
                        + "FROM SYSTEM_RANGE(1, " + calls + ")");
                return s.executeUpdate("INSERT INTO call_tags (site_id, call_id, tag) SELECT '" + siteId + "', 'cl_w' || LPAD(CAST(X AS VARCHAR), 6, '0'), "
                        + "'lead' FROM SYSTEM_RANGE(1, " + calls + ") WHERE MOD(X, 10) = 0");
            }
        });
    }

    /** The rows the first table's index gave, from its {@code scanCount} in an H2 {@code EXPLAIN ANALYZE}. */
    static long scanCount(String plan) {
        Matcher m = Pattern.compile("scanCount: (\\d+)").matcher(plan);
        assertThat(m.find()).as(plan).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** The indexes of an H2 plan, in order: each table's, from its {@code /* PUBLIC.<index>: <condition>} line. */
    static List<String> indexes(String plan) {
        return plan.lines().map(String::strip).filter(l -> l.startsWith("/* PUBLIC.")).map(l -> l.substring(3, l.indexOf(':'))).toList();
    }
}
