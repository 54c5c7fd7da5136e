package io.ringpool.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.store.Database;
import io.ringpool.store.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The free-slot check against a real PostgreSQL server (skipped without {@code RINGPOOL_TEST_PG_URL}). */
class ConnectionHeadroomTest {
    @TempDir
    Path dir;
    private TestPostgres pg;
    private final List<Database> opened = new ArrayList<>();

    @BeforeEach
    void database() {
        pg = TestPostgres.create("ringpool_headroom_");
    }

    @AfterEach
    void close() {
        opened.forEach(Database::close);
        if (pg != null) pg.close(); // null when the test was skipped for want of PostgreSQL
    }

    private Database node(int maxConnections) {
        Database db = new Database(new RingpoolConfig.Store(dir, pg.url, pg.user, pg.password, maxConnections, 64, 1_000, false),
                new SimpleMeterRegistry());
        opened.add(db);
        return db;
    }

    @Test
    void aNodeWhosePoolFitsIsNotShortAndTheGaugesSaySo() throws Exception {
        Database db = node(4);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ConnectionHeadroom headroom = new ConnectionHeadroom(db, db::poolConnectionsNotOpen, meters);
        assertThat(meters.get("ringpool_store_connections_free").gauge().value()).isEqualTo(-1);

        headroom.check();

        assertThat(headroom.isShort()).isFalse();
        assertThat(headroom.freeSlots()).isPositive().isLessThan(maxConnections());
        assertThat(meters.get("ringpool_store_connections_free").gauge().value()).isEqualTo(headroom.freeSlots());
        assertThat(meters.get("ringpool_store_connections_short").gauge().value()).isZero();
    }

    @Test
    void aPoolLargerThanTheServerHasRoomForIsShortUntilItFitsAgain() {
        Database huge = node(100_000);
        int[] extra = {0};
        ConnectionHeadroom headroom = new ConnectionHeadroom(huge, () -> huge.poolConnectionsNotOpen() - extra[0],
                new SimpleMeterRegistry());

        headroom.check();
        assertThat(headroom.isShort()).isTrue();

        extra[0] = 100_000; // as if the operator lowered store.maxConnections: nothing left to open
        headroom.check();
        assertThat(headroom.isShort()).isFalse();
    }

    @Test
    void otherClientsConnectionsTakeSlots() throws Exception {
        Database db = node(2);
        ConnectionHeadroom headroom = new ConnectionHeadroom(db, db::poolConnectionsNotOpen, new SimpleMeterRegistry());
        // Five more client backends take five slots. The server is shared with the other test JVM, whose
        // PostgreSQL tests open and close pools meanwhile (CI once saw 90 free where at most 88 were
        // expected), so a few trials are made, and one must show the five taken.
        List<Integer> drops = new ArrayList<>();
        for (int trial = 0; trial < 5 && (drops.isEmpty() || drops.get(drops.size() - 1) < 3); trial++) {
            headroom.check();
            int before = headroom.freeSlots();
            List<Connection> others = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    others.add(pg.connect());
                }
                headroom.check();
                drops.add(before - headroom.freeSlots());
            } finally {
                for (Connection c : others) {
                    c.close();
                }
            }
        }
        assertThat(drops).as("free slots taken by five other clients, per trial").anySatisfy(d -> assertThat(d).isGreaterThanOrEqualTo(3));
    }

    private int maxConnections() throws Exception {
        try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW max_connections")) {
            rs.next();
            return Integer.parseInt(rs.getString(1));
        }
    }
}
