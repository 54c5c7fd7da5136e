package io.ringpool.call;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one call's lease-history read costs on a number with a long history: 200,000 leases over
 * four numbers (a small pool after months), the shipped query against the order it replaced.
 * Not part of the default run (tag {@code benchmark}):
 * <pre>
 * taskset -c 0 ./mvnw -pl server test -Dtest=LeaseHistoryReadBenchmark -Dbenchmark.excluded=none -Dgroups=benchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Tag("benchmark")
class LeaseHistoryReadBenchmark {
    static final int LEASES = 200_000;
    static final int NUMBERS = 4;
    static final String OLD_ORDER = "SELECT session_id, visitor_id, started_at, lease_expires_at, ended_at FROM sessions "
            + "WHERE site_id = ? AND number = ? AND started_at <= ? ORDER BY started_at DESC, session_id DESC";

    @TempDir
    Path dir;

    @Test
    void millisecondsPerCall() throws Exception {
        List<String> numbers = List.of("+74955550000", "+74955550001", "+74955550002", "+74955550003");
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_bench", numbers)) {
            try (Connection c = f.db.dataSource().getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions(session_id, site_id, visitor_id, pool_id, number, "
                        + "tracked, reused_cooling, started_at, lease_expires_at, ended_at, channel, pageviews) "
                        + "VALUES (?,?,?,?,?,TRUE,FALSE,?,?,?,'paid',1)")) {
                    for (int i = 0; i < LEASES; i++) {
                        ps.setString(1, String.format("s_%09d", i));
                        ps.setString(2, f.site.siteId());
                        ps.setString(3, "v" + i);
                        ps.setString(4, CallStoreFixture.POOL_ID);
                        ps.setString(5, numbers.get(i % NUMBERS));
                        ps.setLong(6, i * 1_000L);
                        ps.setLong(7, i * 1_000L + 500);
                        ps.setLong(8, i * 1_000L + 500);
                        ps.addBatch();
                        if (i % 1_000 == 999) {
                            ps.executeBatch();
                            c.commit();
                        }
                    }
                }
                c.commit();
                for (int round = 0; round < 3; round++) {
                    double shipped = perCall(c, AttributionReads.LEASE_HISTORY, numbers);
                    double old = perCall(c, OLD_ORDER, numbers);
                    System.out.printf("round %d: shipped %.3f ms a call, old order %.3f ms (%,d leases a number)%n", round, shipped, old,
                            LEASES / NUMBERS);
                }
            }
        }
    }

    /** Reads the first three leases back from a call time, as attribution does, 200 times. */
    private static double perCall(Connection c, String sql, List<String> numbers) throws Exception {
        long start = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int k = 0; k < 200; k++) {
                ps.setString(1, "st_bench");
                ps.setString(2, numbers.get(k % NUMBERS));
                ps.setLong(3, (LEASES - 1_000L - k) * 1_000L);
                ps.setFetchSize(16);
                ps.setMaxRows(64);
                try (ResultSet rs = ps.executeQuery()) {
                    for (int j = 0; j < 3 && rs.next(); j++) {
                        rs.getString(1);
                    }
                }
            }
        }
        return (System.nanoTime() - start) / 1e6 / 200;
    }
}
