package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.pool.Lease;
import io.ringpool.pool.Pool;
import io.ringpool.pool.PoolMatch;
import io.ringpool.pool.PoolState;
import io.ringpool.store.GroupCommitWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Renewals are written in the background, but never so many at once that visitors' and calls'
 * writes queue behind them: a flush puts at most a bounded number of chunks on the writer and
 * leaves the rest marked, oldest first, for the next flush.
 */
class LeaseRenewalsTest {
    static final int SESSIONS = 1_000;
    static final long STARTED = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();

    JdbcDataSource dataSource;
    Connection keepAlive;
    GroupCommitWriter writer;
    PoolState pool;
    List<LiveSession> sessions = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:renewals-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        keepAlive = dataSource.getConnection();
        try (Statement st = keepAlive.createStatement()) {
            st.execute("CREATE TABLE sessions (session_id VARCHAR(64) PRIMARY KEY, live_number VARCHAR(20), "
                    + "lease_epoch BIGINT NOT NULL, lease_expires_at BIGINT)");
        }
        writer = new GroupCommitWriter(dataSource, 100, 10, new SimpleMeterRegistry());
        pool = new PoolState(new Pool("pl_test", "st_test", "all", 0, PoolMatch.ANY, Instant.EPOCH));
        try (PreparedStatement ps = keepAlive.prepareStatement("INSERT INTO sessions VALUES (?, ?, 0, ?)")) {
            for (int i = 0; i < SESSIONS; i++) {
                String number = String.format("+7495000%04d", i);
                String sessionId = String.format("s_%04d", i);
                pool.addNumber(number, 0, null, false);
                Lease lease = pool.restoreLease("l_" + i, number, sessionId, "v_" + i, STARTED, STARTED + 180_000, false, 0);
                sessions.add(new LiveSession(sessionId, "st_test", "v_" + i, pool, lease));
                ps.setString(1, sessionId);
                ps.setString(2, number);
                ps.setLong(3, STARTED + 180_000);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @AfterEach
    void close() throws Exception {
        writer.close();
        keepAlive.close();
    }

    @Test
    void aFlushQueuesAtMostTheInFlightBoundAndTheRestFollowOldestFirst() throws Exception {
        LeaseRenewals renewals = new LeaseRenewals(writer, 2_000);
        for (LiveSession s : sessions) {
            pool.heartbeat(s.lease, STARTED + 60_000, 180_000);
            renewals.renewed(s);
        }
        // Hold the writer so nothing queued completes while we look.
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> blocker = writer.submit(c -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        int queued = renewals.flush();
        int again = renewals.flush();

        int bound = LeaseRenewals.CHUNK * LeaseRenewals.MAX_CHUNKS_IN_FLIGHT;
        assertThat(queued).isEqualTo(bound);
        assertThat(again).as("nothing more while the first chunks are in flight").isZero();
        assertThat(renewals.pending()).isEqualTo(SESSIONS - bound);

        release.countDown();
        blocker.get(10, TimeUnit.SECONDS);
        awaitStored(bound);
        List<Long> stored = storedExpiries();
        assertThat(stored.subList(0, bound)).allMatch(e -> e == STARTED + 240_000);
        assertThat(stored.subList(bound, SESSIONS)).as("marked later, written later").allMatch(e -> e == STARTED + 180_000);

        while (renewals.pending() > 0) {
            renewals.flush();
            Thread.onSpinWait();
        }
        awaitStored(SESSIONS);
    }

    @Test
    void aFlushAtShutdownQueuesEveryRenewal() throws Exception {
        LeaseRenewals renewals = new LeaseRenewals(writer, 2_000);
        for (LiveSession s : sessions) {
            pool.heartbeat(s.lease, STARTED + 60_000, 180_000);
            renewals.renewed(s);
        }
        assertThat(renewals.flushAll()).isEqualTo(SESSIONS);
        awaitStored(SESSIONS);
    }

    private void awaitStored(int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (storedExpiries().stream().filter(e -> e == STARTED + 240_000).count() < count) {
            assertThat(System.nanoTime()).as("renewals written in time").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Stored expiries in session order (which is marking order here). */
    private List<Long> storedExpiries() throws Exception {
        List<Long> out = new ArrayList<>();
        try (Statement st = keepAlive.createStatement();
                ResultSet rs = st.executeQuery("SELECT lease_expires_at FROM sessions ORDER BY session_id")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }
}
