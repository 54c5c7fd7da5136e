package io.ringpool.lead;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import io.ringpool.store.Database;
import io.ringpool.store.Migrator;
import io.ringpool.store.TestPostgres;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lead log's page on PostgreSQL, planned over a year of one site's leads (the same 20,000 as
 * {@link LeadLogPlanTest}'s, statistics gathered): leads_site_at walked backwards and no sort, the cursor a
 * bound of that walk (it was a filter: each page stepped over every newer lead of the range), a source and
 * a tag read by how common they are (V148). Runs when {@code RINGPOOL_TEST_PG_URL} is set.
 */
class LeadLogPlanOnPostgresTest {
    private TestPostgres pg;
    private Database db;
    private final Instant from = Instant.ofEpochMilli(LeadLogPlanTest.SEED_START);
    private final Instant to = from.plus(Duration.ofDays(366));

    @BeforeEach
    void seed() {
        pg = TestPostgres.create("ringpool_leadplan_");
        db = new Database(ConfigLoader.defaultsWith(pg.storeSettings()).store(), new SimpleMeterRegistry());
        new Migrator(db).migrate();
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO sites(site_id, name, public_key, api_key_hash, webhook_secret_enc, settings_json, created_at) "
                        + "VALUES ('st_x', 'Shop', 'pk', 'h', 'e', '{}', 0)");
                s.executeUpdate("INSERT INTO leads (lead_id, site_id, kind, origin, at, last_at, submissions, phone, phone_valid, "
                        + "email_valid, status, is_unique, method, source, medium, campaign, channel, created_at, updated_at) "
                        + "SELECT 'ld_w' || LPAD(CAST(x AS VARCHAR), 6, '0'), 'st_x', "
                        + "CASE WHEN MOD(x, 4) = 0 THEN 'callback' ELSE 'form' END, 'api', "
                        + LeadLogPlanTest.SEED_START + " + (x - CASE WHEN MOD(x, 5) = 0 THEN 1 ELSE 0 END) * " + LeadLogPlanTest.SEED_STEP + ", "
                        + LeadLogPlanTest.SEED_START + " + x * " + LeadLogPlanTest.SEED_STEP + ", 1, '+7916' || LPAD(CAST(x AS VARCHAR), 7, '0'), "
                        + "TRUE, FALSE, CASE WHEN MOD(x, 4) = 1 THEN 'qualified' ELSE 'new' END, TRUE, "
                        + "CASE WHEN MOD(x, 2) = 0 THEN 'session' ELSE 'none' END, "
                        + "CASE WHEN MOD(x, 2) = 0 THEN 'google' ELSE 'yandex' END, "
                        + "CASE WHEN MOD(x, 3) = 0 THEN 'cpc' ELSE 'organic' END, "
                        + "CASE WHEN MOD(x, 5) = 0 THEN 'Sofas' ELSE 'chairs' END, "
                        + "CASE WHEN MOD(x, 2) = 1 THEN 'paid' ELSE 'organic' END, 0, 0 "
                        + "FROM generate_series(CAST(1 AS BIGINT), " + LeadLogPlanTest.WIDE_LEADS + ") AS g(x)");
                s.executeUpdate("INSERT INTO lead_tags (site_id, lead_id, tag) SELECT 'st_x', 'ld_w' || LPAD(CAST(x AS VARCHAR), 6, '0'), "
                        + "CASE WHEN MOD(x, 1000) = 0 THEN 'vip' ELSE 'lead' END "
                        + "FROM generate_series(CAST(1 AS BIGINT), " + LeadLogPlanTest.WIDE_LEADS + ") AS g(x) WHERE MOD(x, 10) = 0");
            }
            return null;
        });
        db.inTransaction(c -> c.createStatement().execute("ANALYZE"));
    }

    @AfterEach
    void drop() {
        if (db != null) {
            db.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void aYearsPageWalksTheSiteTimeIndexBackwardsWithoutSorting() {
        for (LeadQuery q : List.of(page(50, Map.of()), page(500, Map.of()), page(50, Map.of(LeadQuery.Filter.STATUS, "qualified")),
                page(50, Map.of(LeadQuery.Filter.KIND, "callback")), page(500, Map.of(LeadQuery.Filter.SOURCE, "Google")),
                page(500, Map.of(LeadQuery.Filter.MEDIUM, "CPC")), page(500, Map.of(LeadQuery.Filter.CAMPAIGN, "sofas")),
                page(500, Map.of(LeadQuery.Filter.CHANNEL, "Paid")), new LeadQuery("st_x", null, null, Map.of(), null, 50, null))) {
            String plan = explain(q);
            assertThat(plan).as(plan).contains("Index Scan Backward using leads_site_at").doesNotContain("Sort");
        }
    }

    @Test
    void aDeepPageStartsItsWalkAtTheCursor() {
        LeadQuery.Cursor middle = new LeadQuery.Cursor(from.plus(Duration.ofDays(180)), "ld_w");
        String plan = explain(new LeadQuery("st_x", from, to, Map.of(), null, 50, middle));
        assertThat(plan).as(plan).contains("Index Scan Backward using leads_site_at").doesNotContain("Sort");
        String indexCondition = plan.lines().filter(l -> l.contains("Index Cond")).findFirst().orElseThrow();
        assertThat(indexCondition).as(plan).contains("at <=");
    }

    @Test
    void aCommonTagWalksTheSiteNewestFirstAndARareOneStartsFromItsTags() {
        String common = explain(tagged("Lead"));
        assertThat(common).as(common).contains("Index Scan Backward using leads_site_at").doesNotContain("Sort");
        String rare = explain(tagged("VIP"));
        assertThat(rare).as(rare).contains("lead_tags_lower_tag");
    }

    private LeadQuery page(int limit, Map<LeadQuery.Filter, String> equalities) {
        return new LeadQuery("st_x", from, to, equalities, null, limit, null);
    }

    private LeadQuery tagged(String tag) {
        return new LeadQuery("st_x", from, to, Map.of(), tag, 50, null);
    }

    private String explain(LeadQuery q) {
        List<Object> args = new ArrayList<>();
        String sql = LeadStore.querySql(q, args);
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                StringBuilder plan = new StringBuilder();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
                return plan.toString();
            }
        });
    }
}
