package io.ringpool.call;

import io.ringpool.store.TestPostgres;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The same on PostgreSQL (the batches' caller ranges). Runs when {@code RINGPOOL_TEST_PG_URL} is set. */
class ReclassificationOnPostgresTest extends ReclassificationOverHttpTest {
    private TestPostgres database;

    @Override
    protected Map<String, Object> store() {
        database = TestPostgres.create("ringpool_reclass_");
        return database.storeSettings();
    }

    @AfterEach
    void drop() {
        if (database != null) {
            database.close();
        }
    }
}
