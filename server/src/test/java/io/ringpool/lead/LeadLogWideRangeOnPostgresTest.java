package io.ringpool.lead;

import io.ringpool.store.TestPostgres;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * The same walks on PostgreSQL, where the same SQL runs. A database of its own, dropped afterwards.
 * Runs when {@code RINGPOOL_TEST_PG_URL} is set.
 */
class LeadLogWideRangeOnPostgresTest extends LeadLogWideRangeOverHttpTest {
    private TestPostgres database;

    @Override
    protected Map<String, Object> store() {
        database = TestPostgres.create("ringpool_leadlog_");
        return database.storeSettings();
    }

    /** The server first, then its database: dropping it under the server's pool would end in errors there. */
    @AfterAll
    @Override
    void stop() {
        super.stop();
        if (database != null) {
            database.close();
        }
    }
}
