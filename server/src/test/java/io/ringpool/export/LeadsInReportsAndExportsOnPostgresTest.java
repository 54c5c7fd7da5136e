package io.ringpool.export;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringpool.app.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same story on PostgreSQL (the facts' lead reads, the exports' lead queries and the call's
 * lead lookup are SQL of their own), in a database of its own that is dropped afterwards. Runs
 * when {@code RINGPOOL_TEST_PG_URL} is set, as {@code PostgresMultiNodeTest} does.
 */
class LeadsInReportsAndExportsOnPostgresTest extends LeadsInReportsAndExportsOverHttpTest {
    @TempDir
    static Path pgDir;

    private static String admin;
    private static String user;
    private static String password;
    private static String name;

    @BeforeAll
    static void start() {
        admin = System.getenv("RINGPOOL_TEST_PG_URL");
        assumeTrue(admin != null && !admin.isBlank(), "RINGPOOL_TEST_PG_URL not set: PostgreSQL tests skipped");
        user = System.getenv().getOrDefault("RINGPOOL_TEST_PG_USER", "ringpool");
        password = System.getenv().getOrDefault("RINGPOOL_TEST_PG_PASSWORD", "ringpool");
        name = "ringpool_leadreports_" + Long.toHexString(System.nanoTime());
        execute("CREATE DATABASE " + name);
        String url = admin.substring(0, admin.lastIndexOf('/') + 1) + name;
        build(new TestServer(pgDir, Map.of("store.url", url, "store.user", user, "store.password", password)));
    }

    /** Runs before the superclass's own {@code @AfterAll}, which then finds the server closed. */
    @AfterAll
    static void stopAndDrop() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (name != null) {
            execute("DROP DATABASE IF EXISTS " + name);
        }
    }

    private static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(admin, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
