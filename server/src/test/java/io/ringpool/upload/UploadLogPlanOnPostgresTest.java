package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import io.ringpool.store.Database;
import io.ringpool.store.Migrator;
import io.ringpool.store.TestPostgres;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UploadLogPlanTest}'s question asked of PostgreSQL (session 38 checked only H2's plan): a
 * page of a destination's upload log reads that destination's index backwards and stops after the
 * page, whatever the destination's history. Runs when {@code RINGPOOL_TEST_PG_URL} is set.
 */
class UploadLogPlanOnPostgresTest {
    /** Rows an index scan node actually returned: {@code (actual time=… rows=N loops=1)}. */
    private static final Pattern INDEX_SCAN_ROWS = Pattern.compile("Index Scan Backward using uploads_destination[^\\n]*actual[^\\n]*rows=(\\d+)");

    @TempDir
    Path dir;

    @Test
    void aPageReadsTheDestinationsIndexBackwardsAndStopsAtItsEnd() throws Exception {
        try (TestPostgres pg = TestPostgres.create("rp_upload_plan_")) {
            Map<String, Object> settings = new HashMap<>(pg.storeSettings());
            settings.put("store.dataDir", dir.toString());
            try (Database db = new Database(ConfigLoader.defaultsWith(settings).store(), new SimpleMeterRegistry())) {
                new Migrator(db).migrate();
                long t0 = 1_700_000_000_000L;
                db.inTransaction(c -> {
                    for (String destination : List.of("dst_page", "dst_other")) {
                        for (int i = 0; i < 3_000; i++) {
                            // pairs share a millisecond: the id orders them
                            UploadStore.insertUpload(c, new UploadStore.Upload(String.format("upl_%s_%05d", destination, i), destination,
                                    Instant.ofEpochMilli(t0 + i / 2), "sent", 1, 0, List.of(), List.of(), 200, "ok", null), "st_x");
                        }
                    }
                    return null;
                });
                try (var c = pg.connect(); Statement s = c.createStatement()) {
                    s.execute("ANALYZE uploads");
                }
                long cursorAt = t0 + 1_200;
                for (Object[] args : List.of(new Object[] {"dst_page", Long.MAX_VALUE, Long.MAX_VALUE, "", 11},
                        new Object[] {"dst_page", cursorAt, cursorAt, "upl_dst_page_02401", 11})) {
                    String plan = analyze(pg, args);
                    Matcher scanned = INDEX_SCAN_ROWS.matcher(plan);
                    assertThat(scanned.find()).as("the destination's index, walked newest first:%n%s", plan).isTrue();
                    assertThat(Integer.parseInt(scanned.group(1))).as("rows read for a page of 10 out of 3,000:%n%s", plan)
                            .isLessThanOrEqualTo(14);
                }
            }
        }
    }

    private static String analyze(TestPostgres pg, Object[] args) throws Exception {
        try (var c = pg.connect(); PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, COSTS OFF) " + UploadStore.PAGE)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }
    }
}
