package io.ringpool.account;

import io.ringpool.store.TestPostgres;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The same on PostgreSQL, where the lock of the workspace's row also holds across nodes. Runs when {@code RINGPOOL_TEST_PG_URL} is set. */
class LastOwnerRaceOnPostgresTest extends LastOwnerRaceOverHttpTest {
    private TestPostgres database;

    @Override
    protected Map<String, Object> store() {
        database = TestPostgres.create("ringpool_last_owner_");
        return database.storeSettings();
    }

    @AfterEach
    void drop() {
        if (database != null) {
            database.close();
        }
    }
}
