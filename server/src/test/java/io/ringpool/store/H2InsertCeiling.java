package io.ringpool.store;

import io.ringpool.call.CallStoreFixture;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How many session rows H2 itself can take per second on one core, without HTTP, leasing or
 * anything else of Ringpool: the ceiling under issue 15's session-start goal. Rows as a start
 * writes them (the shipped store URL and schema, a new visitor on a random number of a large pool,
 * a landing page, referrer and UTM tags), committed 32 at a time as group commit does at 64
 * connections, on one thread. Then the same with the random-order indexes dropped one by one, to
 * show what each costs. Not part of the default run (tag {@code benchmark}); pin it to one core:
 * <pre>
 * taskset -c 0 ./mvnw -pl server test -Dtest=H2InsertCeiling -Dbenchmark.excluded=none -Dgroups=benchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Tag("benchmark")
class H2InsertCeiling {
    static final int ROWS = Integer.getInteger("ceiling.rows", 60_000);
    static final int PER_COMMIT = 32;

    @TempDir
    Path dir;

    @Test
    void sessionRowsPerSecond() throws Exception {
        String[][] variants = {
            // The shipped H2 schema has no UNIQUE (site, live_number) since V108; the first row puts
            // it back to show what it cost.
            {"with UNIQUE (site, live_number), as before V108",
                "ALTER TABLE sessions ADD CONSTRAINT sessions_live_number UNIQUE (site_id, live_number)"},
            {"shipped schema"},
            {"without (site, visitor, started)", "DROP INDEX sessions_site_visitor"},
            {"without (site, number, started)", "DROP INDEX sessions_number_time"},
            {"without both", "DROP INDEX sessions_site_visitor", "DROP INDEX sessions_number_time"},
        };
        for (int round = 0; round < 2; round++) { // the first round warms the JIT up
            for (String[] variant : variants) {
                double perSecond = measure(dir.resolve("r" + round + "-" + variant[0].hashCode()), List.of(variant).subList(1, variant.length));
                if (round == 1) {
                    System.out.printf("%-40s %,8.0f session rows/s%n", variant[0], perSecond);
                }
            }
        }
    }

    private static double measure(Path store, List<String> ddl) throws Exception {
        try (CallStoreFixture f = new CallStoreFixture(store, "st_ceiling", List.of("+74955550000"))) {
            f.db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    for (String sql : ddl) {
                        s.execute(sql);
                    }
                }
                return null;
            });
            SplittableRandom random = new SplittableRandom(17);
            long now = f.clock.millis();
            long start = System.nanoTime();
            try (Connection c = f.db.dataSource().getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions(session_id, site_id, visitor_id, pool_id, number, "
                        + "live_number, tracked, reused_cooling, started_at, lease_expires_at, landing_page, referrer, source, medium, "
                        + "campaign, channel, click_ids_json, device_type, browser, os, pageviews) "
                        + "VALUES (?,?,?,?,?,?,TRUE,FALSE,?,?,?,?,?,?,?,?,?,?,?,?,1)")) {
                    for (int i = 0; i < ROWS; i++) {
                        long at = now + i;
                        String number = "+7495" + (1_000_000 + random.nextInt(600_000));
                        ps.setString(1, "s_" + Long.toString(at, 36) + String.format("%06d", i) + Long.toHexString(random.nextLong()));
                        ps.setString(2, f.site.siteId());
                        ps.setString(3, "v_" + Long.toHexString(random.nextLong()));
                        ps.setString(4, CallStoreFixture.POOL_ID);
                        ps.setString(5, number);
                        ps.setString(6, number + "#" + i); // unique while live, as a pool guarantees
                        ps.setLong(7, at);
                        ps.setLong(8, at + 180_000);
                        ps.setString(9, "https://shop.example.com/catalog?utm_source=google&utm_medium=cpc&utm_campaign=c" + (i % 40)
                                + "&gclid=Cj0KCQ" + Long.toHexString(random.nextLong()));
                        ps.setString(10, "https://www.google.com/");
                        ps.setString(11, "google");
                        ps.setString(12, "cpc");
                        ps.setString(13, "c" + (i % 40));
                        ps.setString(14, "paid");
                        ps.setString(15, "{\"gclid\":\"Cj0KCQ" + i + "\"}");
                        ps.setString(16, "desktop");
                        ps.setString(17, "Chrome");
                        ps.setString(18, "Windows");
                        ps.addBatch();
                        if (i % PER_COMMIT == PER_COMMIT - 1) {
                            ps.executeBatch();
                            c.commit();
                        }
                    }
                    ps.executeBatch();
                    c.commit();
                }
            }
            return ROWS / ((System.nanoTime() - start) / 1e9);
        }
    }
}
