package io.ringpool.lead;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The same service tests on PostgreSQL (its LIKE escaping, NULL handling and types differ from
 * H2's), each in a database of its own that is dropped afterwards. Runs when
 * {@code RINGPOOL_TEST_PG_URL} is set, as {@code PostgresMultiNodeTest} does.
 */
class LeadServiceOnPostgresTest extends LeadServiceTest {
    private String admin;
    private String user;
    private String password;
    private String name;

    @Override
    protected Map<String, Object> storeOverrides() {
        admin = System.getenv("RINGPOOL_TEST_PG_URL");
        assumeTrue(admin != null && !admin.isBlank(), "RINGPOOL_TEST_PG_URL not set: PostgreSQL tests skipped");
        user = System.getenv().getOrDefault("RINGPOOL_TEST_PG_USER", "ringpool");
        password = System.getenv().getOrDefault("RINGPOOL_TEST_PG_PASSWORD", "ringpool");
        name = "ringpool_leads_" + Long.toHexString(System.nanoTime());
        execute("CREATE DATABASE " + name);
        String url = admin.substring(0, admin.lastIndexOf('/') + 1) + name;
        return Map.of("store.url", url, "store.user", user, "store.password", password);
    }

    @Override
    protected void afterStoreClosed() {
        if (name != null) {
            execute("DROP DATABASE IF EXISTS " + name);
        }
    }

    private void execute(String sql) {
        try (Connection c = DriverManager.getConnection(admin, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
