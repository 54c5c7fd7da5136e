package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes started at once on an empty PostgreSQL database migrate it once between them (real
 * PostgreSQL; skipped without {@code RINGPOOL_TEST_PG_URL}). Before the migration lock, the second
 * of two jars started together stopped with "duplicate key value violates unique constraint
 * pg_type_typname_nsp_index": both had created {@code schema_version}.
 */
class ConcurrentMigrationTest {
    @TempDir
    Path dir;

    Database database(TestPostgres pg) {
        return new Database(ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString(), "store.url", pg.url, "store.user",
                pg.user, "store.password", pg.password)).store(), new SimpleMeterRegistry());
    }

    @Test
    void aMigrationWaitsForOneUnderWayAndThenFindsNothingLeft() throws Exception {
        try (TestPostgres pg = TestPostgres.create("rp_migrate_"); Database db = database(pg); Connection other = pg.connect()) {
            // Another node's migration, under way: it holds the lock until its transaction ends.
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + Migrator.MIGRATION_LOCK + ")");
            }
            CompletableFuture<Integer> mine = CompletableFuture.supplyAsync(() -> new Migrator(db).migrate());
            Thread.sleep(500);
            assertThat(mine).as("waits for the migration under way").isNotDone();
            assertThat(tableExists(pg, "schema_version")).as("and has created nothing meanwhile").isFalse();
            other.commit();
            assertThat(mine.get(30, TimeUnit.SECONDS)).as("then applies every script itself: the other applied none").isPositive();
        }
    }

    @Test
    void fourNodesMigratingAtOnceApplyEachScriptOnce() throws Exception {
        try (TestPostgres pg = TestPostgres.create("rp_migrate_")) {
            List<Database> dbs = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    dbs.add(database(pg));
                }
                CountDownLatch go = new CountDownLatch(1);
                List<CompletableFuture<Integer>> runs = new ArrayList<>();
                for (Database db : dbs) {
                    runs.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return new Migrator(db).migrate();
                    }));
                }
                go.countDown();
                List<Integer> applied = new ArrayList<>();
                for (CompletableFuture<Integer> run : runs) {
                    applied.add(run.get(60, TimeUnit.SECONDS));
                }
                assertThat(applied).as("one node applied them all, the others none").containsOnlyOnce(applied.stream().mapToInt(i -> i).sum())
                        .filteredOn(n -> n == 0).hasSize(3);
                try (Connection c = pg.connect(); Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_version")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(rs.getInt(2)).isEqualTo(applied.stream().mapToInt(i -> i).sum());
                }
            } finally {
                dbs.forEach(Database::close);
            }
        }
    }

    private static boolean tableExists(TestPostgres pg, String table) throws Exception {
        try (Connection c = pg.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT to_regclass('public." + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
