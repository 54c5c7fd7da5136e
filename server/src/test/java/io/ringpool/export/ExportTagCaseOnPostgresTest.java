package io.ringpool.export;

import io.ringpool.store.TestPostgres;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The same on PostgreSQL. Runs when {@code RINGPOOL_TEST_PG_URL} is set. */
class ExportTagCaseOnPostgresTest extends ExportTagCaseOverHttpTest {
    private TestPostgres database;

    @Override
    protected Map<String, Object> store() {
        database = TestPostgres.create("ringpool_export_tag_");
        return database.storeSettings();
    }

    @AfterEach
    void drop() {
        if (database != null) {
            database.close();
        }
    }
}
