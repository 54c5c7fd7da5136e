package io.ringpool.call;

import io.ringpool.store.TestPostgres;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * The same on PostgreSQL, whose row locks ({@code FOR UPDATE}) serialise the edits of one call or
 * lead under READ COMMITTED. Runs when {@code RINGPOOL_TEST_PG_URL} is set.
 */
class ConcurrentEditsOnPostgresTest extends ConcurrentEditsOverHttpTest {
    private TestPostgres database;

    @Override
    protected Map<String, Object> store() {
        database = TestPostgres.create("ringpool_edits_");
        return database.storeSettings();
    }

    @Override
    @AfterAll
    void stop() {
        super.stop();
        if (database != null) {
            database.close();
        }
    }
}
