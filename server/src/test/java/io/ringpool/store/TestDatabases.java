package io.ringpool.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The PostgreSQL tests' own databases, made per test and dropped after it. */
final class TestDatabases {
    private TestDatabases() {
    }

    /**
     * Drops {@code database}, forcing out connections a node failed to close. PostgreSQL refuses
     * the force while a process of another role is connected — an autovacuum worker that happened
     * to start on the fresh database — so a refused drop is tried again for a few seconds, until
     * the worker is gone.
     */
    static void drop(String adminUrl, String user, String password, String database) throws SQLException, InterruptedException {
        SQLException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
                return;
            } catch (SQLException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw last;
    }
}
