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
 * V145: owners given a site list by an older server (audit AB2 #7) become managers with that list
 * where their workspace has an owner of every site, and owners of every site where it has none.
 */
class OwnersSeeEverySiteMigrationTest {
    @TempDir
    Path dir;

    @Test
    void onH2() {
        limitedOwnersAreResolved(Map.of("store.dataDir", dir.toString()));
    }

    @Test
    void onPostgresql() {
        try (TestPostgres pg = TestPostgres.create("rp_owners_")) {
            Map<String, Object> settings = new HashMap<>(pg.storeSettings());
            settings.put("store.dataDir", dir.toString());
            limitedOwnersAreResolved(settings);
        }
    }

    private static void limitedOwnersAreResolved(Map<String, Object> settings) {
        try (Database db = new Database(ConfigLoader.defaultsWith(settings).store(), new SimpleMeterRegistry())) {
            new Migrator(db).migrate();
            db.inTransaction(c -> {
                try (var s = c.createStatement()) {
                    s.execute("INSERT INTO workspaces(workspace_id, name, created_at) VALUES ('w_full', 'Full', 0), ('w_only', 'Only', 0)");
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO users(user_id, email, name, password_hash, created_at) VALUES (?, ?, 'x', 'h', 0)")) {
                    for (String u : new String[] {"u_full", "u_limited", "u_only", "u_viewer"}) {
                        ps.setString(1, u);
                        ps.setString(2, u + "@x.test");
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO memberships(workspace_id, user_id, role, sites_json, created_at) VALUES (?, ?, ?, ?, 0)")) {
                    String[][] rows = {{"w_full", "u_full", "OWNER", null}, {"w_full", "u_limited", "OWNER", "[\"st_a\"]"},
                        {"w_full", "u_viewer", "VIEWER", "[\"st_a\"]"}, {"w_only", "u_only", "OWNER", "[\"st_b\"]"}};
                    for (String[] r : rows) {
                        for (int i = 0; i < 4; i++) {
                            ps.setString(i + 1, r[i]);
                        }
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (var s = c.createStatement()) {
                    s.execute("DELETE FROM schema_version WHERE version = 145");
                }
                return null;
            });

            new Migrator(db).migrate();

            Map<String, String> members = db.read(c -> {
                Map<String, String> out = new HashMap<>();
                try (var s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT user_id, role, sites_json FROM memberships")) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getString(2) + " " + rs.getString(3));
                    }
                }
                return out;
            });
            assertThat(members).containsExactlyInAnyOrderEntriesOf(Map.of("u_full", "OWNER null", "u_limited", "MANAGER [\"st_a\"]",
                    "u_viewer", "VIEWER [\"st_a\"]", "u_only", "OWNER null"));
        }
    }
}
