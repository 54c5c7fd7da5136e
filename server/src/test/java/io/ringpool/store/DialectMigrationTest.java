package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration marked {@code -- dialect: postgresql} runs on PostgreSQL only and is recorded as
 * applied everywhere: the visitor claim's unique index (V107) costs a single H2 node nothing.
 */
class DialectMigrationTest {
    @TempDir
    Path dir;

    @Test
    void aScriptNamingADialectAppliesToThatDialectOnly() {
        String pgOnly = "-- dialect: postgresql\nCREATE INDEX i ON t (c);\n";
        assertThat(Migrator.appliesTo(pgOnly, Dialect.POSTGRESQL)).isTrue();
        assertThat(Migrator.appliesTo(pgOnly, Dialect.H2)).isFalse();
        assertThat(Migrator.appliesTo("-- DIALECT: H2\nSELECT 1;", Dialect.H2)).isTrue();
        assertThat(Migrator.appliesTo("-- a comment\nSELECT 1;", Dialect.H2)).isTrue();
        assertThatThrownBy(() -> Migrator.appliesTo("-- dialect: oracle\nSELECT 1;", Dialect.H2))
                .hasMessageContaining("unknown dialect");
    }

    @Test
    void onH2TheVisitorClaimHasItsColumnButNoIndexAndItsVersionIsRecorded() {
        var config = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString()));
        try (Database db = new Database(config.store(), new SimpleMeterRegistry())) {
            new Migrator(db).migrate();
            assertThat(count(db, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'SESSIONS' "
                    + "AND COLUMN_NAME = 'LIVE_VISITOR'")).isEqualTo(1);
            assertThat(count(db, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.INDEXES WHERE UPPER(INDEX_NAME) = 'SESSIONS_LIVE_VISITOR'"))
                    .isZero();
            assertThat(count(db, "SELECT COUNT(*) FROM schema_version WHERE version IN (106, 107)")).isEqualTo(2);
            assertThat(new Migrator(db).migrate()).as("nothing left to apply on a second run").isZero();
        }
    }

    @Test
    void onPostgresqlTheVisitorClaimIsUniquePerSiteWhileSet() throws Exception {
        try (TestPostgres pg = TestPostgres.create("rp_dialect_")) {
            var config = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString(), "store.url", pg.url, "store.user", pg.user,
                    "store.password", pg.password));
            try (Database db = new Database(config.store(), new SimpleMeterRegistry())) {
                new Migrator(db).migrate();
                assertThat(count(db, "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'sessions_live_visitor'")).isEqualTo(1);
            }
        }
    }

    private static int count(Database db, String sql) {
        return db.read(c -> {
            try (var rs = c.createStatement().executeQuery(sql)) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }
}
