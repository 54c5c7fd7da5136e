package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AC3 #1: H2 commits each DDL statement by itself, so a {@code kill -9} during an upgrade
 * could leave a script's {@code ALTER TABLE} done and its record in {@code schema_version} lost;
 * every later start then failed with "Duplicate column name" and no version could open the store.
 * That state is made here directly (a migrated store with one script's record removed) for every
 * script in turn: the next start must resume, not fail.
 */
class MigrationResumesAfterACrashTest {
    @TempDir
    Path dir;

    @Test
    void everyScriptCutShortAfterItsStatementsIsResumedOnTheNextStart() {
        try (Database db = h2()) {
            new Migrator(db).migrate();
            List<Integer> versions = versions(db);
            assertThat(versions).hasSizeGreaterThan(30).contains(132);
            for (int version : versions) {
                db.inTransaction(c -> {
                    try (Statement s = c.createStatement()) {
                        return s.executeUpdate("DELETE FROM schema_version WHERE version = " + version);
                    }
                });
                assertThat(new Migrator(db).migrate()).as("V%d resumed", version).isEqualTo(1);
            }
            assertThat(versions(db)).isEqualTo(versions);
            assertThat(new Migrator(db).migrate()).isZero();
        }
    }

    /** Only the interrupted script is resumed: a later one whose statements fail is still an error. */
    @Test
    void aSecondScriptWhoseStatementsFailStillStopsTheStart() {
        try (Database db = h2()) {
            new Migrator(db).migrate();
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("DELETE FROM schema_version WHERE version IN (129, 132)");
                }
            });
            // V129 is resumed; V132's ALTER TABLE then meets its column as a fault, as it would be on a store nobody crashed.
            assertThatThrownBy(() -> new Migrator(db).migrate()).isInstanceOf(StoreException.class);
        }
    }

    @Test
    void theCodesOfStatementsAlreadyCarriedOutAreRecognisedAndOthersAreNot() {
        try (Database db = h2()) {
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE t (a INT PRIMARY KEY, b INT)");
                    s.execute("CREATE INDEX t_b ON t(b)");
                    s.execute("INSERT INTO t VALUES (1, 1)");
                }
                for (String again : List.of("CREATE TABLE t (a INT)", "CREATE INDEX t_b ON t(b)", "ALTER TABLE t ADD COLUMN b INT",
                        "ALTER TABLE t DROP COLUMN c", "DROP TABLE gone", "DROP INDEX gone_idx", "INSERT INTO t VALUES (1, 2)",
                        "UPDATE t SET c = 1")) {
                    try (Statement s = c.createStatement()) {
                        s.execute(again);
                        throw new AssertionError("expected a failure: " + again);
                    } catch (java.sql.SQLException e) {
                        assertThat(Migrator.resumes(e)).as(again + ": " + e.getMessage()).isTrue();
                    }
                }
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1/0");
                } catch (java.sql.SQLException e) {
                    assertThat(Migrator.resumes(e)).as(e.getMessage()).isFalse();
                }
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE t ADD COLUMN");
                } catch (java.sql.SQLException e) {
                    assertThat(Migrator.resumes(e)).as("a syntax error is a fault: " + e.getMessage()).isFalse();
                }
                return null;
            });
        }
    }

    private Database h2() {
        return new Database(ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString())).store(), new SimpleMeterRegistry());
    }

    private static List<Integer> versions(Database db) {
        return db.read(c -> {
            List<Integer> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version FROM schema_version ORDER BY version")) {
                while (rs.next()) {
                    out.add(rs.getInt(1));
                }
            }
            return out;
        });
    }
}
