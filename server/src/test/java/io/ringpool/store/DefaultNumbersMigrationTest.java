package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V14 (H2) and V15 (PostgreSQL) fill {@code sites.default_number} (V13) from the settings of the
 * sites stored before it, so a claim of a tracking number is checked against them too.
 */
class DefaultNumbersMigrationTest {
    @TempDir
    Path dir;

    @Test
    void onH2() {
        fillsTheDefaultNumbersOfSitesStoredBefore(Map.of("store.dataDir", dir.toString()));
    }

    @Test
    void onPostgresql() {
        try (TestPostgres pg = TestPostgres.create("rp_defaults_")) {
            Map<String, Object> settings = new HashMap<>(pg.storeSettings());
            settings.put("store.dataDir", dir.toString());
            fillsTheDefaultNumbersOfSitesStoredBefore(settings);
        }
    }

    private static void fillsTheDefaultNumbersOfSitesStoredBefore(Map<String, Object> settings) {
        try (Database db = new Database(ConfigLoader.defaultsWith(settings).store(), new SimpleMeterRegistry())) {
            new Migrator(db).migrate();
            // Two sites as an older server stored them: settings only, no default_number.
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO sites(site_id, name, public_key, api_key_hash, "
                        + "webhook_secret_enc, settings_json, created_at) VALUES (?, 'x', ?, ?, 'enc', ?, 0)")) {
                    for (String id : new String[] {"st_a", "st_b"}) {
                        ps.setString(1, id);
                        ps.setString(2, "pk_" + id);
                        ps.setString(3, "hash_" + id);
                        ps.setString(4, "{\"domains\":[],\"defaultNumber\":\"+7495123456" + (id.equals("st_a") ? "7" : "8")
                                + "\",\"forwardTo\":" + (id.equals("st_a") ? "\"+79161234567\"" : "null") + ",\"timeZone\":\"UTC\"}");
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (var s = c.createStatement()) {
                    s.execute("DELETE FROM schema_version WHERE version IN (14, 15, 133, 134)");
                }
                return null;
            });

            new Migrator(db).migrate();

            Map<String, String> defaults = db.read(c -> {
                Map<String, String> out = new HashMap<>();
                try (var s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT site_id, default_number, forward_to FROM sites")) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getString(2) + " " + rs.getString(3));
                    }
                }
                return out;
            });
            // V133 (H2) and V134 (PostgreSQL) do the same for sites.forward_to (V132).
            assertThat(defaults).containsExactlyInAnyOrderEntriesOf(Map.of("st_a", "+74951234567 +79161234567", "st_b", "+74951234568 null"));
        }
    }
}
