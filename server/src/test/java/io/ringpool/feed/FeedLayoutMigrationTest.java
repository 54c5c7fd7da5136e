package io.ringpool.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import io.ringpool.store.Database;
import io.ringpool.store.Migrator;
import io.ringpool.store.TestPostgres;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V33 gives feeds a layout. Feeds of the Google formats made before it answered Data Manager's
 * layout and are being fetched by Data Manager, so they keep it; the others, and every feed made
 * after, answer the export as it is. Run on H2 and on PostgreSQL, from the table V31 made.
 */
class FeedLayoutMigrationTest {
    @TempDir
    Path dir;

    @Test
    void onH2() {
        googleFeedsMadeBeforeTheLayoutKeepDataManagersAndTheOthersTheExports(Map.of("store.dataDir", dir.toString()));
    }

    @Test
    void onPostgresql() {
        try (TestPostgres pg = TestPostgres.create("rp_feeds_")) {
            Map<String, Object> settings = new HashMap<>(pg.storeSettings());
            settings.put("store.dataDir", dir.toString());
            googleFeedsMadeBeforeTheLayoutKeepDataManagersAndTheOthersTheExports(settings);
        }
    }

    private static void googleFeedsMadeBeforeTheLayoutKeepDataManagersAndTheOthersTheExports(Map<String, Object> settings) {
        try (Database db = new Database(ConfigLoader.defaultsWith(settings).store(), new SimpleMeterRegistry())) {
            new Migrator(db).migrate();
            // Back to the table before V33, with feeds a running store had.
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE feeds DROP COLUMN layout");
                    s.execute("DELETE FROM schema_version WHERE version = 33");
                    for (String[] feed : new String[][] {{"fd_clicks", "google-ads-clicks"}, {"fd_calls", "google-ads-calls"},
                            {"fd_enhanced", "google-enhanced"}, {"fd_yandex", "yandex-calls"}, {"fd_centre", "yandex-conversion-center"}}) {
                        s.execute("INSERT INTO feeds(feed_id, site_id, format, window_days, username, password_hash, created_at, "
                                + "fetch_count) VALUES ('" + feed[0] + "', 'st_a', '" + feed[1] + "', 30, 'feed_u', 'hash', 1000, 0)");
                    }
                }
                return null;
            });

            assertThat(new Migrator(db).migrate()).isEqualTo(1);

            Map<String, FeedLayout> layouts = new HashMap<>();
            db.read(c -> {
                for (String id : new String[] {"fd_clicks", "fd_calls", "fd_enhanced", "fd_yandex", "fd_centre"}) {
                    layouts.put(id, FeedStore.byId(c, id).orElseThrow().feed().layout());
                }
                return null;
            });
            assertThat(layouts).containsExactlyInAnyOrderEntriesOf(Map.of("fd_clicks", FeedLayout.DATA_MANAGER,
                    "fd_calls", FeedLayout.DATA_MANAGER, "fd_enhanced", FeedLayout.DATA_MANAGER, "fd_yandex", FeedLayout.EXPORT,
                    "fd_centre", FeedLayout.EXPORT));
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO feeds(feed_id, site_id, format, window_days, username, password_hash, created_at, "
                            + "fetch_count) VALUES ('fd_new', 'st_a', 'google-ads-clicks', 30, 'feed_v', 'hash', 2000, 0)");
                }
                return null;
            });
            assertThat(db.read(c -> FeedStore.byId(c, "fd_new")).orElseThrow().feed().layout())
                    .as("a row written without a layout (an older node) is the export's").isEqualTo(FeedLayout.EXPORT);
        }
    }
}
