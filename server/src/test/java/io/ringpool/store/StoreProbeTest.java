package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import io.ringpool.journal.SwitchableStore;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code /health} reads: {@link StoreProbe}, on a real H2 store behind a {@link SwitchableStore}. */
class StoreProbeTest {
    @TempDir
    Path dir;

    /**
     * Audit AI3 F4: a /health 0.11 s into a PostgreSQL restart took 3,023 ms: the probe had last
     * seen the store up, so the request checked it itself and waited out the pool's connection
     * timeout. The request's check is now bounded.
     */
    @Test
    void aCheckMadeRightWhenTheStoreGoesAwayAnswersDownWithinItsBoundNotAfterTheConnectionTimeout() {
        SwitchableStore store = new SwitchableStore();
        try (Database db = new Database(ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString())).store(),
                new SimpleMeterRegistry(), store)) {
            StoreProbe probe = new StoreProbe(db, System::nanoTime);
            probe.probe();
            assertThat(probe.isUpNow()).isTrue();

            store.unreachableFor(3_000); // each connection attempt waits 3 s, as the pool's does against a PostgreSQL gone away
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                boolean up = probe.isUpNow();
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(up).isFalse();
                assertThat(millis).as("check %d took %d ms", i, millis).isLessThan(StoreProbe.REQUEST_CHECK_MILLIS + 500);
            }

            store.set(SwitchableStore.Mode.UP);
            probe.probe();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!probe.isUpNow() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the check under way since the outage ends after its 3 s; the next one sees the store
            }
            assertThat(probe.isUpNow()).isTrue();
            probe.close();
        }
    }

    /** Audit AM3 F2: an outage is two lines from the probe, when it began and when it ended, however long it lasts. */
    @Test
    void anOutageIsOneLineWhenItBeginsAndOneWhenTheStoreIsBack() {
        SwitchableStore store = new SwitchableStore();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(StoreProbe.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        logger.addAppender(log);
        try (Database db = new Database(ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString())).store(),
                new SimpleMeterRegistry(), store)) {
            StoreProbe probe = new StoreProbe(db, System::nanoTime);
            probe.probe();
            store.set(SwitchableStore.Mode.DOWN);
            for (int i = 0; i < 5; i++) {
                probe.probe();
            }
            store.set(SwitchableStore.Mode.UP);
            probe.probe();
            probe.probe();
            probe.close();
        } finally {
            logger.detachAppender(log);
        }
        assertThat(log.list).extracting(e -> e.getFormattedMessage().split(" ")[0]).containsExactly("store_down", "store_back");
        assertThat(log.list.get(1).getFormattedMessage()).matches("store_back down_ms=\\d+ warnings_held_back=\\d+");
    }
}
