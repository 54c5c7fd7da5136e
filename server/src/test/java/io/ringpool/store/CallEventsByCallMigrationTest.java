package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V110 moves a store's call events to the call's key: the events of existing calls are filed
 * under their call id, the events still waiting for their call move to the waiting table, and
 * nothing else changes. Run on H2 and on PostgreSQL, from the layout V2 made.
 */
class CallEventsByCallMigrationTest {
    @TempDir
    Path dir;

    @Test
    void onH2() {
        migrateFromTheProviderKeyedLayout(Map.of("store.dataDir", dir.toString()));
    }

    @Test
    void onPostgresql() {
        try (TestPostgres pg = TestPostgres.create("rp_events_")) {
            Map<String, Object> settings = new HashMap<>(pg.storeSettings());
            settings.put("store.dataDir", dir.toString());
            migrateFromTheProviderKeyedLayout(settings);
        }
    }

    private static void migrateFromTheProviderKeyedLayout(Map<String, Object> settings) {
        try (Database db = new Database(ConfigLoader.defaultsWith(settings).store(), new SimpleMeterRegistry())) {
            new Migrator(db).migrate();
            // Back to the layout before V110, with the rows a running store had.
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE call_events");
                    s.execute("DROP TABLE call_events_waiting");
                    s.execute("CREATE TABLE call_events (site_id VARCHAR(40) NOT NULL, provider VARCHAR(20) NOT NULL, "
                            + "provider_call_id VARCHAR(100) NOT NULL, kind VARCHAR(20) NOT NULL, call_id VARCHAR(40), at BIGINT NOT NULL, "
                            + "from_raw VARCHAR(100), to_raw VARCHAR(100), duration_seconds INTEGER, talk_seconds INTEGER, "
                            + "recording_url VARCHAR(2000), received_at BIGINT NOT NULL, PRIMARY KEY (site_id, provider, provider_call_id, kind))");
                    s.execute("CREATE INDEX call_events_call ON call_events(call_id)");
                    s.execute("INSERT INTO call_events VALUES ('st_a', 'twilio', 'CA1', 'ringing', 'call_1', 1000, '+79161234567', "
                            + "'+74952000001', NULL, NULL, NULL, 1001)");
                    s.execute("INSERT INTO call_events VALUES ('st_a', 'twilio', 'CA1', 'completed', 'call_1', 61000, '+79161234567', "
                            + "'+74952000001', 60, 55, 'https://rec.example/1', 61002)");
                    s.execute("INSERT INTO call_events VALUES ('st_a', 'twilio', 'CA2', 'completed', NULL, 5000, '+79160000000', NULL, "
                            + "20, 15, NULL, 5003)");
                    s.execute("DELETE FROM schema_version WHERE version = 110");
                }
                return null;
            });

            assertThat(new Migrator(db).migrate()).isEqualTo(1);

            assertThat(rows(db, "SELECT call_id, kind, site_id, at, from_raw, to_raw, duration_seconds, talk_seconds, recording_url, "
                    + "received_at FROM call_events ORDER BY call_id, kind")).containsExactly(
                    "call_1|completed|st_a|61000|+79161234567|+74952000001|60|55|https://rec.example/1|61002",
                    "call_1|ringing|st_a|1000|+79161234567|+74952000001|null|null|null|1001");
            assertThat(rows(db, "SELECT site_id, provider, provider_call_id, kind, at, from_raw, to_raw, duration_seconds, talk_seconds, "
                    + "recording_url, received_at FROM call_events_waiting")).containsExactly(
                    "st_a|twilio|CA2|completed|5000|+79160000000|null|20|15|null|5003");
            assertThatThrownBy(() -> db.inTransaction(c -> c.createStatement().executeUpdate(
                    "INSERT INTO call_events(call_id, kind, site_id, at, received_at) VALUES ('call_1', 'ringing', 'st_a', 1, 1)")))
                    .as("one event a kind of a call").isInstanceOf(RuntimeException.class);
        }
    }

    private static List<String> rows(Database db, String sql) {
        return db.read(c -> {
            List<String> out = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> values = new ArrayList<>();
                    for (int i = 1; i <= columns; i++) {
                        values.add(String.valueOf(rs.getObject(i)));
                    }
                    out.add(String.join("|", values));
                }
            }
            return out;
        });
    }
}
