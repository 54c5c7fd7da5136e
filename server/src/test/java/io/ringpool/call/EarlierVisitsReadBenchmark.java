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
 * What one call's read of its visitor's earlier visits costs when the visitor id has a long
 * history (a bot or a shared kiosk reusing one id: 50,000 visits), the shipped query against the
 * order it replaced. Not part of the default run (tag {@code benchmark}):
 * <pre>
 * taskset -c 0 ./mvnw -pl server test -Dtest=EarlierVisitsReadBenchmark -Dbenchmark.excluded=none -Dgroups=benchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Tag("benchmark")
class EarlierVisitsReadBenchmark {
    static final int VISITS = 50_000;
    /** The read attribution made before: ordered in a way H2 cannot take from the index, so it sorted them all. */
    static final String OLD_ORDER = "SELECT session_id, started_at, source, medium, channel FROM sessions "
            + "WHERE site_id = ? AND visitor_id = ? AND started_at < ? ORDER BY started_at DESC, session_id DESC";

    @TempDir
    Path dir;

    @Test
    void millisecondsPerCall() throws Exception {
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_bench", List.of("+74955550000"))) {
            try (Connection c = f.db.dataSource().getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions(session_id, site_id, visitor_id, tracked, "
                        + "reused_cooling, started_at, channel, pageviews) VALUES (?,?,?,FALSE,FALSE,?,'direct',1)")) {
                    for (int i = 0; i < VISITS; i++) {
                        ps.setString(1, String.format("s_%09d", i));
                        ps.setString(2, f.site.siteId());
                        ps.setString(3, "v_kiosk");
                        ps.setLong(4, i * 60_000L);
                        ps.addBatch();
                        if (i % 1_000 == 999) {
                            ps.executeBatch();
                            c.commit();
                        }
                    }
                }
                c.commit();
                for (int round = 0; round < 3; round++) {
                    double shipped = perCall(c, AttributionReads.EARLIER_VISITS);
                    double old = perCall(c, OLD_ORDER);
                    System.out.printf("round %d: shipped %.3f ms a call, old order %.3f ms (%,d visits of the visitor)%n", round, shipped,
                            old, VISITS);
                }
            }
        }
    }

    /**
     * Reads the latest visits attribution keeps ({@link CallAttributor#EARLIER_VISITS_MAX}) before a
     * time near the end of the history, as attribution does, 50 times.
     */
    private static double perCall(Connection c, String sql) throws Exception {
        long start = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int k = 0; k < 50; k++) {
                ps.setString(1, "st_bench");
                ps.setString(2, "v_kiosk");
                ps.setLong(3, (VISITS - 10L - k) * 60_000L);
                ps.setMaxRows(CallAttributor.EARLIER_VISITS_MAX + AttributionReads.SAME_MILLISECOND_MARGIN);
                try (ResultSet rs = ps.executeQuery()) {
                    for (int j = 0; j < CallAttributor.EARLIER_VISITS_MAX && rs.next(); j++) {
                        rs.getString(1);
                    }
                }
            }
        }
        return (System.nanoTime() - start) / 1e6 / 50;
    }
}
