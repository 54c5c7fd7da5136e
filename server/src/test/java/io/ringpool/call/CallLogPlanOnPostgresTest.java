package io.ringpool.call;

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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The call log's page on PostgreSQL, planned over a year of one site's calls (the same 20,000 as
 * {@link CallLogPlanTest}'s, statistics gathered): the (site, time) index walked backwards and no sort,
 * the cursor a bound of that walk (it was a filter: each page stepped over every newer call of the
 * range), a source and a tag read by how common they are (V147, V146). Runs when {@code RINGPOOL_TEST_PG_URL} is set.
 */
class CallLogPlanOnPostgresTest {
    private TestPostgres pg;
    private Database db;
    private final Instant from = Instant.ofEpochMilli(CallLogPlanTest.SEED_START);
    private final Instant to = from.plus(Duration.ofDays(366));

    @BeforeEach
    void seed() {
        pg = TestPostgres.create("ringpool_logplan_");
        db = new Database(ConfigLoader.defaultsWith(pg.storeSettings()).store(), new SimpleMeterRegistry());
        new Migrator(db).migrate();
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO sites(site_id, name, public_key, api_key_hash, webhook_secret_enc, settings_json, created_at) "
                        + "VALUES ('st_x', 'Shop', 'pk', 'h', 'e', '{}', 0)");
                s.executeUpdate("INSERT INTO calls (call_id, site_id, provider, provider_call_id, caller, caller_valid, number, answered, "
                        + "status, started_at, first_time, is_unique, target, unique_target, method, attributed_at, source, created_at, "
                        + "updated_at) SELECT 'cl_w' || LPAD(CAST(x AS VARCHAR), 6, '0'), 'st_x', 'test', 'w' || x, "
                        + "'+7916' || LPAD(CAST(x AS VARCHAR), 7, '0'), TRUE, '+74950000001', MOD(x, 4) <> 0, "
                        + "CASE WHEN MOD(x, 4) = 0 THEN 'missed' ELSE 'completed' END, "
                        + CallLogPlanTest.SEED_START + " + (x - CASE WHEN MOD(x, 5) = 0 THEN 1 ELSE 0 END) * " + CallLogPlanTest.SEED_STEP
                        + ", TRUE, TRUE, TRUE, TRUE, 'active', 0, CASE WHEN MOD(x, 2) = 0 THEN 'google' ELSE 'yandex' END, 0, 0 "
                        + "FROM generate_series(CAST(1 AS BIGINT), " + CallLogPlanTest.WIDE_CALLS + ") AS g(x)");
                s.executeUpdate("INSERT INTO call_tags (site_id, call_id, tag) SELECT 'st_x', 'cl_w' || LPAD(CAST(x AS VARCHAR), 6, '0'), "
                        + "CASE WHEN MOD(x, 1000) = 0 THEN 'vip' ELSE 'lead' END "
                        + "FROM generate_series(CAST(1 AS BIGINT), " + CallLogPlanTest.WIDE_CALLS + ") AS g(x) WHERE MOD(x, 10) = 0");
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
        // source: LOWER(source) = LOWER(?) is planned by V147's statistics; without them PostgreSQL guessed 0.5% of calls
        // match and scanned and sorted.
        for (CallQuery q : List.of(page(50, null, null), page(500, null, null), page(50, null, CallState.Status.MISSED),
                page(500, "Google", null), CallQuery.all("st_x", 50))) {
            String plan = explain(q);
            assertThat(plan).as(plan).contains("Index Scan Backward using calls_site_started").doesNotContain("Sort");
        }
    }

    @Test
    void aDeepPageStartsItsWalkAtTheCursor() {
        CallQuery.Position middle = new CallQuery.Position(from.plus(Duration.ofDays(180)), "cl_w");
        String plan = explain(page(50, null, null).after(middle));
        assertThat(plan).as(plan).contains("Index Scan Backward using calls_site_started").doesNotContain("Sort");
        String indexCondition = plan.lines().filter(l -> l.contains("Index Cond")).findFirst().orElseThrow();
        assertThat(indexCondition).as(plan).contains("started_at <=");
    }

    @Test
    void aCommonTagWalksTheSiteNewestFirstAndARareOneStartsFromItsTags() {
        String common = explain(tagged("Lead"));
        assertThat(common).as(common).contains("Index Scan Backward using calls_site_started").doesNotContain("Sort");
        String rare = explain(tagged("VIP"));
        assertThat(rare).as(rare).contains("call_tags_lower_tag");
    }

    private CallQuery page(int limit, String source, CallState.Status status) {
        return new CallQuery("st_x", from, to, source, null, null, null, null, null, status, null, null, limit, null);
    }

    private CallQuery tagged(String tag) {
        return new CallQuery("st_x", from, to, null, null, null, null, tag, null, null, null, null, 50, null);
    }

    private String explain(CallQuery q) {
        CallLogQuery.Sql sql = CallLogQuery.sql(q);
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql.text())) {
                for (int i = 0; i < sql.params().size(); i++) {
                    ps.setObject(i + 1, sql.params().get(i));
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
