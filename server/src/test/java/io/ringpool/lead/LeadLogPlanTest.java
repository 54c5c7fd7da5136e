package io.ringpool.lead;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.store.Database;
import io.ringpool.store.QueryPlans;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lead log's free-text filters match without regard to case (LOWER on both sides) and keep the
 * plan: the (site, at) index walked newest first, a tag probed per lead by lead_tags' primary key;
 * the fixed words (kind, status, method) stay plain equalities. Over a year of leads, a page reads
 * the page and one more from that walk and stops ({@code EXPLAIN ANALYZE}'s scanCount).
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

    /**
     * A page of a year-wide lead log read and sorted every lead of the range before its first row, as the call log's
     * did before session 41 (audit AD3): ordered by (at, lead_id) alone H2 could not match the order to leads_site_at,
     * a cursor was an OR (no bound of the walk) and a log with no range had no bound at all. Now the index is walked
     * backwards and the walk stops when the page is full, first page or deep, with or without each filter.
     */
    @Test
    void aPageOfAWideRangeWalksTheSiteTimeIndexNewestFirstAndStopsWhenFull() {
        try (Database db = QueryPlans.migratedStore(dir)) {
            seed(db, "st_x", WIDE_LEADS, SEED_STEP);
            Instant from = Instant.ofEpochMilli(SEED_START);
            Instant to = from.plus(Duration.ofDays(366));
            LeadQuery.Cursor middle = new LeadQuery.Cursor(Instant.ofEpochMilli(SEED_START + WIDE_LEADS / 2 * SEED_STEP), "ld_w");
            // Each filter's value is on every n-th lead (seed below); the walk meets n leads for each one it keeps.
            Map<String, LeadQuery> pages = new LinkedHashMap<>();
            Map<String, Integer> share = new LinkedHashMap<>();
            pages.put("first page", year(from, to, Map.of(), null, 50, null));
            pages.put("page in the middle", year(from, to, Map.of(), null, 50, middle));
            pages.put("limit 500", year(from, to, Map.of(), null, 500, null));
            pages.put("no range", new LeadQuery("st_x", null, null, Map.of(), null, 50, null));
            pages.put("no range, page in the middle", new LeadQuery("st_x", null, null, Map.of(), null, 50, middle));
            filtered(pages, share, from, to, LeadQuery.Filter.SOURCE, "Google", 2);
            filtered(pages, share, from, to, LeadQuery.Filter.MEDIUM, "CPC", 3);
            filtered(pages, share, from, to, LeadQuery.Filter.CAMPAIGN, "sofas", 5);
            filtered(pages, share, from, to, LeadQuery.Filter.CHANNEL, "Paid", 2);
            filtered(pages, share, from, to, LeadQuery.Filter.KIND, "callback", 4);
            filtered(pages, share, from, to, LeadQuery.Filter.STATUS, "qualified", 4);
            filtered(pages, share, from, to, LeadQuery.Filter.METHOD, "session", 2);
            pages.put("tag", year(from, to, Map.of(), "Lead", 50, middle));
            share.put("tag", 10);
            pages.forEach((name, q) -> {
                List<Object> args = new ArrayList<>();
                String sql = LeadStore.querySql(q, args);
                String plan = QueryPlans.explainAnalyze(db, sql, args.toArray());
                assertThat(indexes(plan)).as(name + ": " + plan).startsWith("PUBLIC.LEADS_SITE_AT");
                assertThat(plan).as(name + ": " + plan).contains("/* index sorted */");
                // At most the page and one more, over the share of leads that match (and the ties of the cursor's instant).
                assertThat(scanCount(plan)).as(name + ": " + plan).isLessThanOrEqualTo((q.limit() + 1L) * share.getOrDefault(name, 1) + 2);
            });
        }
    }

    private static LeadQuery year(Instant from, Instant to, Map<LeadQuery.Filter, String> equalities, String tag, int limit,
            LeadQuery.Cursor after) {
        return new LeadQuery("st_x", from, to, equalities, tag, limit, after);
    }

    /** A year's first page and a deep page filtered by {@code filter}, whose {@code value} is on one lead in {@code every}. */
    private static void filtered(Map<String, LeadQuery> pages, Map<String, Integer> share, Instant from, Instant to,
            LeadQuery.Filter filter, String value, int every) {
        LeadQuery.Cursor middle = new LeadQuery.Cursor(Instant.ofEpochMilli(SEED_START + WIDE_LEADS / 2 * SEED_STEP), "ld_w");
        String name = filter.wireName();
        pages.put(name, year(from, to, Map.of(filter, value), null, 50, null));
        pages.put(name + ", page in the middle", year(from, to, Map.of(filter, value), null, 50, middle));
        share.put(name, every);
        share.put(name + ", page in the middle", every);
    }

    static final int WIDE_LEADS = 20_000;
    static final long SEED_START = Instant.parse("2027-01-01T00:00:00Z").toEpochMilli();
    /** A lead every 26 minutes: 20,000 leads over a year. */
    static final long SEED_STEP = 26 * 60_000L;

    /**
     * {@code leads} leads of one site straight into the store, oldest first, one every {@code step} ms (every
     * fifth at the same instant as the one before). Every other from google and on channel paid, every third by
     * medium cpc, every fifth of campaign Sofas, every fourth a callback and every fourth qualified, every other
     * attributed by session, every tenth tagged lead.
     */
    static void seed(Database db, String siteId, int leads, long step) {
        db.inTransaction(c -> {
            try (var s = c.createStatement()) {
                s.executeUpdate("INSERT INTO sites(site_id, name, public_key, api_key_hash, webhook_secret_enc, settings_json, created_at) "
                        + "VALUES ('" + siteId + "', 'Shop', 'pk', 'h', 'e', '{}', 0)");
                s.executeUpdate("INSERT INTO leads (lead_id, site_id, kind, origin, at, last_at, submissions, phone, phone_valid, "
                        + "email_valid, status, is_unique, method, source, medium, campaign, channel, created_at, updated_at) "
                        + "SELECT 'ld_w' || LPAD(CAST(X AS VARCHAR), 6, '0'), '" + siteId + "', "
                        + "CASE WHEN MOD(X, 4) = 0 THEN 'callback' ELSE 'form' END, 'api', "
                        + SEED_START + " + (X - CASE WHEN MOD(X, 5) = 0 THEN 1 ELSE 0 END) * " + step + ", "
                        + SEED_START + " + X * " + step + ", 1, '+7916' || LPAD(CAST(X AS VARCHAR), 7, '0'), TRUE, FALSE, "
                        + "CASE WHEN MOD(X, 4) = 1 THEN 'qualified' ELSE 'new' END, TRUE, "
                        + "CASE WHEN MOD(X, 2) = 0 THEN 'session' ELSE 'none' END, "
                        + "CASE WHEN MOD(X, 2) = 0 THEN 'google' ELSE 'yandex' END, "
                        + "CASE WHEN MOD(X, 3) = 0 THEN 'cpc' ELSE 'organic' END, "
                        + "CASE WHEN MOD(X, 5) = 0 THEN 'Sofas' ELSE 'chairs' END, "
                        + "CASE WHEN MOD(X, 2) = 1 THEN 'paid' ELSE 'organic' END, 0, 0 "
                        + "FROM SYSTEM_RANGE(1, " + leads + ")");
                return s.executeUpdate("INSERT INTO lead_tags (site_id, lead_id, tag) SELECT '" + siteId + "', "
                        + "'ld_w' || LPAD(CAST(X AS VARCHAR), 6, '0'), 'lead' FROM SYSTEM_RANGE(1, " + leads + ") WHERE MOD(X, 10) = 0");
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
