package io.ringpool.call;

import io.ringpool.store.TestPostgres;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * The same on PostgreSQL, which refuses a NUL in text and writes an unpaired surrogate as '?'
 * (before the fix: 503 for a NUL in a caller or call id, 500 for an emoji cut in half). A database
 * of its own per test, dropped afterwards. Runs when {@code RINGPOOL_TEST_PG_URL} is set.
 */
class OddCallTextOnPostgresTest extends OddCallTextOverHttpTest {
    private TestPostgres database;

    @Override
    protected Map<String, Object> store() {
        database = TestPostgres.create("ringpool_oddtext_");
        return database.storeSettings();
    }

    @AfterEach
    void drop() {
        if (database != null) {
            database.close();
        }
    }
}
