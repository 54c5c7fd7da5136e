package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On PostgreSQL, the store several nodes share, the store itself refuses a second live lease of a
 * number, whatever the memory of any node says. A single node's H2 file has no such index since
 * V108: that node's own leasing is the only one that leases from it.
 */
class LiveLeaseConstraintTest {
    @TempDir
    Path dir;

    @Test
    void onPostgresqlASecondLiveLeaseOfTheSameNumberIsRefusedByTheStoreAndTheFirstStays() throws Exception {
        try (TestPostgres pg = TestPostgres.create("rp_livelease_")) {
            var config = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString(), "store.url", pg.url, "store.user", pg.user,
                    "store.password", pg.password));
            refusesASecondLiveLease(config);
        }
    }

    @Test
    void onH2TheNumberIsNotUniqueInTheStoreAndItsVersionIsRecorded() {
        var config = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString()));
        try (Database db = new Database(config.store(), new SimpleMeterRegistry())) {
            new Migrator(db).migrate();
            int indexes = db.read(c -> {
                try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS "
                        + "WHERE UPPER(CONSTRAINT_NAME) = 'SESSIONS_LIVE_NUMBER'")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertThat(indexes).isZero();
        }
    }

    private static void refusesASecondLiveLease(io.ringpool.config.RingpoolConfig config) {
        try (Database db = new Database(config.store(), new SimpleMeterRegistry())) {
            new Migrator(db).migrate();
            GroupCommitWriter writer = new GroupCommitWriter(db, 100, 10, new SimpleMeterRegistry());
            try {
                writer.commit(c -> c.createStatement().execute("INSERT INTO sites(site_id, name, public_key, api_key_hash, "
                        + "webhook_secret_enc, settings_json, created_at) VALUES ('st_1', 's', 'pk', 'h', 'e', '{}', 0)"));
                writer.commit(c -> insertLive(c, "ls_1", "s_1"));
                var second = writer.submit(c -> insertLive(c, "ls_2", "s_2"));
                // once the first lease ends, the number may be leased again
                var afterEnd = writer.submit(c -> {
                    c.createStatement().execute("UPDATE sessions SET live_number = NULL, ended_at = 1 WHERE session_id = 's_1'");
                    insertLive(c, "ls_4", "s_4");
                });
                var unrelated = writer.submit(c -> insertLiveNumber(c, "+70000000002", "ls_3", "s_3"));
                assertThatThrownBy(() -> GroupCommitWriter.await(second)).isInstanceOf(ConstraintViolationException.class);
                GroupCommitWriter.await(unrelated);
                GroupCommitWriter.await(afterEnd);
                int rows = db.read(c -> {
                    try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM sessions WHERE live_number IS NOT NULL")) {
                        rs.next();
                        return rs.getInt(1);
                    }
                });
                assertThat(rows).isEqualTo(2);
            } finally {
                writer.close();
            }
        }
    }

    private static void insertLive(java.sql.Connection c, String leaseId, String sessionId) throws java.sql.SQLException {
        insertLiveNumber(c, "+70000000001", leaseId, sessionId);
    }

    private static void insertLiveNumber(java.sql.Connection c, String number, String leaseId, String sessionId) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions(session_id, site_id, visitor_id, number, live_number, "
                + "tracked, reused_cooling, started_at, channel, pageviews) VALUES (?, 'st_1', 'v', ?, ?, TRUE, FALSE, 0, 'direct', 1)")) {
            ps.setString(1, sessionId);
            ps.setString(2, number);
            ps.setString(3, number);
            ps.executeUpdate();
        }
    }
}
