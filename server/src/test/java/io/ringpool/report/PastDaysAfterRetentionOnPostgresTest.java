package io.ringpool.report;

import io.ringpool.store.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * The same on PostgreSQL (the seals' SQL runs on both stores), each store a database of its own,
 * dropped afterwards. Runs when {@code RINGPOOL_TEST_PG_URL} is set.
 */
class PastDaysAfterRetentionOnPostgresTest extends PastDaysAfterRetentionOverHttpTest {
    private final Map<String, TestPostgres> databases = new LinkedHashMap<>();

    @Override
    protected Map<String, Object> store(String name) {
        return databases.computeIfAbsent(name, n -> TestPostgres.create("ringpool_daydigest_" + n + "_")).storeSettings();
    }

    @Override
    protected Connection connect() throws SQLException {
        return databases.get("main").connect();
    }

    @AfterEach
    void drop() {
        databases.values().forEach(TestPostgres::close);
    }
}
