package io.ringpool.export;

import io.ringpool.store.TestPostgres;

import io.ringpool.app.TestServer;
import java.nio.file.Path;
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

    private static TestPostgres pg;

    @BeforeAll
    static void start() {
        pg = TestPostgres.create("ringpool_leadreports_");
        build(new TestServer(pgDir, pg.storeSettings()));
    }

    /** Runs before the superclass's own {@code @AfterAll}, which then finds the server closed. */
    @AfterAll
    static void stopAndDrop() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (pg != null) {
            pg.close();
        }
    }
}
