package io.ringpool.report;

import io.ringpool.call.CallStoreFixture;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows and bytes a sealed day costs, on {@link ReportBenchmark}'s traffic (30 days; 300,000 visits
 * of 75,000 visitors and 30,000 calls by default: 10,000 visits a day): seals every day but the
 * last, then reports rows per day and the tables' size — on PostgreSQL (the rows copied into a
 * database of its own, {@code pg_total_relation_size}) when {@code RINGPOOL_TEST_PG_URL} is set.
 * Not part of the default run (tag {@code benchmark}):
 * <pre>
 * ./mvnw -pl server test -Dtest=DaySealFootprint -Dbenchmark.excluded=none -Dgroups=benchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Tag("benchmark")
class DaySealFootprint {
    @TempDir
    Path dir;

    @Test
    void rowsAndBytesPerSealedDay() throws Exception {
        int visits = Integer.getInteger("footprint.visits", 300_000);
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_dayseal", List.of("+74955550000"))) {
            String url = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString())).store().url();
            ReportBenchmark.seed(url, f.site.siteId(), CallStoreFixture.POOL_ID, f.numbers, f.clock.millis(), visits, visits / 10, visits / 4);
            SiteFacts facts = new SiteFacts(f.site.siteId(), f.db.dialect());
            f.db.read(facts::refresh);
            DaySeal seal = new DaySeal(f.db, id -> Optional.of(f.site.settings()), f.clock);
            LocalDate today = f.clock.instant().atZone(f.site.settings().timeZone()).toLocalDate();
            long start = System.nanoTime();
            int days = seal.sealBefore(facts, today.atStartOfDay(f.site.settings().timeZone()).toInstant().toEpochMilli());
            long millis = (System.nanoTime() - start) / 1_000_000;
            long rows;
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM report_days")) {
                rs.next();
                rows = rs.getLong(1);
            }
            System.out.printf("visits=%d held=%d sealed_days=%d rows=%d rows_per_day=%.0f seal_millis=%d%n", visits, facts.visits, days, rows,
                    (double) rows / days, millis);
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT cube, model, COUNT(*) FROM report_days GROUP BY cube, model ORDER BY cube, model")) {
                while (rs.next()) {
                    System.out.printf("cube=%s model=%s rows_per_day=%.0f%n", rs.getString(1), rs.getString(2), rs.getLong(3) / (double) days);
                }
            }
            String pg = System.getenv("RINGPOOL_TEST_PG_URL");
            if (pg != null) {
                try (io.ringpool.store.TestPostgres db = io.ringpool.store.TestPostgres.create("ringpool_dayseal_");
                        Connection to = db.connect(); Connection from = DriverManager.getConnection(url)) {
                    long bytes = copyAndMeasure(from, to);
                    System.out.printf("postgresql report_days+seals bytes=%d per_day=%d per_row=%.0f per_visit=%.1f%n", bytes, bytes / days,
                            (double) bytes / rows, (double) bytes / visits);
                }
            }
        }
    }

    private static long copyAndMeasure(Connection from, Connection to) throws Exception {
        String ddl = new String(DaySealFootprint.class.getResourceAsStream("/db/migration/V105__report_days.sql").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        try (Statement s = to.createStatement()) {
            for (String statement : ddl.replaceAll("--[^\n]*", "").split(";")) {
                if (!statement.isBlank()) {
                    s.execute(statement);
                }
            }
        }
        for (String table : new String[] {"report_day_seals", "report_days"}) {
            try (Statement s = from.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                int n = rs.getMetaData().getColumnCount();
                String marks = String.join(",", java.util.Collections.nCopies(n, "?"));
                to.setAutoCommit(false);
                try (PreparedStatement ps = to.prepareStatement("INSERT INTO " + table + " VALUES (" + marks + ")")) {
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            ps.setObject(i, rs.getObject(i));
                        }
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                to.commit();
                to.setAutoCommit(true);
            }
        }
        try (Statement s = to.createStatement()) {
            s.execute("VACUUM ANALYZE report_days");
            try (ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('report_days') + pg_total_relation_size('report_day_seals')")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
