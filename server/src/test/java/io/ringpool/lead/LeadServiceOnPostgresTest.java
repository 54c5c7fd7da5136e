package io.ringpool.lead;

import io.ringpool.store.TestPostgres;

import java.util.Map;

/**
 * The same service tests on PostgreSQL (its LIKE escaping, NULL handling and types differ from
 * H2's), each in a database of its own that is dropped afterwards. Runs when
 * {@code RINGPOOL_TEST_PG_URL} is set, as {@code PostgresMultiNodeTest} does.
 */
class LeadServiceOnPostgresTest extends LeadServiceTest {
    private TestPostgres pg;

    @Override
    protected Map<String, Object> storeOverrides() {
        pg = TestPostgres.create("ringpool_leads_");
        return pg.storeSettings();
    }

    @Override
    protected void afterStoreClosed() {
        if (pg != null) {
            pg.close();
        }
    }
}
