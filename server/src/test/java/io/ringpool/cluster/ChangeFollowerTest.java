package io.ringpool.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.store.ChangeLog;
import io.ringpool.store.Database;
import io.ringpool.store.Migrator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The change log as one node reads it: each change applied once, each thing reloaded once a poll. */
class ChangeFollowerTest {
    @TempDir
    Path dir;

    Database db;
    final List<String> reloads = new ArrayList<>();
    ChangeFollower follower;

    @BeforeEach
    void store() {
        db = new Database(new RingpoolConfig.Store(dir, ConfigLoader.defaultH2Url(dir), "", "", 4, 64, 1_000, false),
                new SimpleMeterRegistry());
        new Migrator(db).migrate();
        follower = new ChangeFollower(db, Map.of(
                ChangeLog.SITE, (site, ref) -> reloads.add("site " + site),
                ChangeLog.POOL, (site, ref) -> reloads.add("pool " + site + "/" + ref)));
        follower.startFromNow();
    }

    @AfterEach
    void close() {
        db.close();
    }

    void change(String kind, String site, String ref) {
        db.inTransaction(c -> {
            ChangeLog.record(c, kind, site, ref, 0);
            return null;
        });
    }

    @Test
    void aPoolNamedByManyChangesIsReloadedOncePerPollAndAgainForALaterChange() {
        change(ChangeLog.POOL, "site_a", "pool_1");
        change(ChangeLog.POOL, "site_a", "pool_1");
        change(ChangeLog.SITE, "site_a", null);
        change(ChangeLog.POOL, "site_a", "pool_1");
        change(ChangeLog.POOL, "site_a", "pool_2");

        assertThat(follower.poll(0)).isEqualTo(3);
        assertThat(reloads).containsExactly("pool site_a/pool_1", "site site_a", "pool site_a/pool_2");

        reloads.clear();
        assertThat(follower.poll(0)).as("nothing new").isZero();
        change(ChangeLog.POOL, "site_a", "pool_1");
        assertThat(follower.poll(0)).isEqualTo(1);
        assertThat(reloads).containsExactly("pool site_a/pool_1");
    }

    @Test
    void changesMadeBeforeTheNodeLoadedAreNotAppliedAgain() {
        change(ChangeLog.SITE, "site_b", null);
        ChangeFollower late = new ChangeFollower(db, Map.of(ChangeLog.SITE, (site, ref) -> reloads.add("late " + site)));
        late.startFromNow();
        assertThat(late.poll(0)).isZero();
        change(ChangeLog.SITE, "site_b", null);
        assertThat(late.poll(0)).isEqualTo(1);
        assertThat(reloads).containsExactly("late site_b");
    }
}
