package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A simulator that moves the test clock days ahead finds retention applied as the hourly job would
 * have in that time, without waiting an hour of real time for the job.
 */
class RetentionOnTheTestClockTest {
    @TempDir
    Path dir;

    @Test
    void jumpingTheTestClockPastTheRetentionPeriodDeletesTheEndedVisitsSoon() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("leasing.testClock", true))) {
            Map<String, String> site = server.siteWithPool(List.of("+74950000001"));
            assertThat(server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"retentionDays\":1}",
                    "application/json", Map.of()).status()).isEqualTo(200);
            Reply visit = server.send("POST", "/v1/sessions", null, "{\"siteKey\":\"" + site.get("publicKey")
                    + "\",\"visitorId\":\"visitor-old\",\"url\":\"https://example.com/?utm_source=google\"}", "application/json",
                    Map.of("User-Agent", TestServer.CHROME));
            assertThat(visit.status()).isEqualTo(201);
            assertThat(sessions()).isEqualTo(1);

            // an hour: the lease expires and the sweep ends the visit; two days: past the retention
            assertThat(advance(server, 3_600).status()).isEqualTo(200);
            assertThat(advance(server, 2 * 86_400).status()).isEqualTo(200);

            long deadline = System.nanoTime() + 20_000_000_000L;
            while (sessions() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50); // the run is on the sweeper thread; waiting for its result, not for time to pass
            }
            assertThat(sessions()).as("visits older than retentionDays deleted after the clock jump").isZero();
        }
    }

    private static Reply advance(TestServer server, int seconds) {
        return server.send("POST", "/v1/test/clock", TestServer.ADMIN_KEY, "{\"advanceSeconds\":" + seconds + "}", "application/json",
                Map.of());
    }

    private long sessions() throws Exception {
        try (Connection c = DriverManager.getConnection(ConfigLoader.defaultH2Url(dir)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sessions")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
