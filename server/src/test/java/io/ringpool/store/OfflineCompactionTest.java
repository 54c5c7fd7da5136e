package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfflineCompactionTest {

    @TempDir
    Path dir;

    @Test
    void compactingAStoppedH2StoreShrinksTheFileAndKeepsEveryRow() throws SQLException {
        var config = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString()));
        try (Database db = new Database(config.store(), new SimpleMeterRegistry())) {
            db.inTransaction(c -> c.createStatement().execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200))"));
            for (int i = 0; i < 2_000; i++) {
                int id = i;
                db.inTransaction(c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
                        ps.setInt(1, id);
                        ps.setString(2, "row " + id);
                        return ps.executeUpdate();
                    }
                });
            }
            db.inTransaction(c -> c.createStatement().executeUpdate("DELETE FROM t WHERE id >= 1000"));
        }

        OfflineCompaction.Result r = OfflineCompaction.run(config.store());

        assertThat(r.bytesAfter()).isLessThan(r.bytesBefore());
        try (Database db = new Database(config.store(), new SimpleMeterRegistry())) {
            int rows = db.read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM t")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertThat(rows).isEqualTo(1_000);
        }
    }
}
