package io.ringpool.report;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Report latency over 1,000,000 visits and 100,000 calls on the embedded H2 file store. Not part
 * of the default test run (tag {@code benchmark}); run it with
 * <pre>
 * ./mvnw -pl server test -Dtest=ReportBenchmark -Dbenchmark.excluded=none -Dgroups=benchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * and read the figures in {@code server/target/surefire-reports/io.ringpool.report.ReportBenchmark-output.txt}.
 *
 * <p>The site and its pool are made through the API; the traffic is seeded straight through JDBC
 * (a million session starts over HTTP would take minutes and measure the lease path, not reports).
 * Then the server is restarted on that store and the reports are timed over real HTTP: cold (first
 * request after start: facts loaded from the store), warm (same request again: cache hit), computed
 * (facts in memory, a cache miss: another query every time), and after a new call arrives.
 */
@Tag("benchmark")
class ReportBenchmark {
    static final int VISITS = 1_000_000;
    static final int CALLS = 100_000;
    static final int VISITORS = 250_000;
    static final int DAYS = 30;

    @Test
    void reportsOverAMillionVisitsAndAHundredThousandCalls() throws Exception {
        // -Dbenchmark.dir=DIR reuses a store seeded by an earlier run (its path is printed), the admin key reading the reports.
        String reuse = System.getProperty("benchmark.dir");
        Path dir = reuse != null ? Path.of(reuse) : Files.createTempDirectory("ringpool-report-bench");
        String url = "jdbc:h2:file:" + dir.resolve("bench") + ";DB_CLOSE_ON_EXIT=FALSE";
        // Loading the facts cold can outlive the default request timeout on a busy machine: allow 10 min.
        Map<String, Object> overrides = Map.of("store.url", url, "server.requestTimeoutMillis", 600_000);
        Map<String, String> site = new java.util.HashMap<>();
        long now = System.currentTimeMillis();
        if (reuse != null && Files.exists(dir.resolve("bench.mv.db"))) {
            try (Connection c = DriverManager.getConnection(url); var rs = c.createStatement().executeQuery("SELECT site_id FROM sites")) {
                rs.next();
                site.put("siteId", rs.getString(1));
            }
            site.put("apiKey", TestServer.ADMIN_KEY);
            System.out.println("reusing the store seeded in " + dir);
        } else {
            List<String> numbers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                numbers.add(String.format("+7495555%04d", i));
            }
            try (TestServer first = new TestServer(dir, overrides)) {
                site.putAll(first.siteWithPool(numbers));
            }
            long t0 = System.nanoTime();
            seed(url, site.get("siteId"), site.get("poolId"), numbers, now);
            System.out.printf("seeded visits=%d calls=%d in %d ms (store in %s)%n", VISITS, CALLS, (System.nanoTime() - t0) / 1_000_000, dir);
        }
        // A cold start: no facts kept from an earlier run.
        try (var old = Files.list(dir.resolve("report-facts"))) {
            old.forEach(p -> p.toFile().delete());
        } catch (java.io.IOException none) {
            // no snapshot yet
        }

        long start = System.nanoTime();
        String afterLoad;
        try (TestServer server = new TestServer(dir, overrides)) {
            System.out.printf("server started in %d ms%n", (System.nanoTime() - start) / 1_000_000);
            ZoneId zone = ZoneId.of("Europe/Moscow");
            LocalDate today = LocalDate.now(zone);
            String range = "from=" + today.minusDays(DAYS - 1) + "&to=" + today;
            String base = "/v1/sites/" + site.get("siteId") + "/reports/";
            String key = site.get("apiKey");

            long cold = time(server, base + "sources?" + range, key);
            System.out.printf("sources cold (first request after start, facts loaded from H2): %d ms%n", cold);
            System.out.printf("sources warm (cached), median of 20: %.1f ms%n", median(server, base + "sources?" + range, key, 20, false));
            System.out.printf("sources computed (cache miss, facts in memory), median of 10: %.1f ms%n",
                    median(server, base + "sources?" + range + "&limit=", key, 10, true));
            System.out.printf("sources groupBy=source,medium,campaign model=first_click computed, median of 10: %.1f ms%n",
                    median(server, base + "sources?" + range + "&groupBy=source,medium,campaign&model=first_click&limit=", key, 10, true));
            System.out.printf("sources groupBy=landingPage,device computed, median of 10: %.1f ms%n",
                    median(server, base + "sources?" + range + "&groupBy=landingPage,device&limit=", key, 10, true));
            System.out.printf("devices computed, median of 10: %.1f ms%n", median(server, base + "devices?" + range + "&limit=", key, 10, true));
            System.out.printf("paths computed, median of 10: %.1f ms%n", median(server, base + "paths?" + range + "&limit=", key, 10, true));
            System.out.printf("time cold: %d ms, warm median: %.1f ms%n", time(server, base + "time?" + range, key),
                    median(server, base + "time?" + range, key, 10, false));
            System.out.printf("daily cold: %d ms%n", time(server, base + "daily?" + range, key));
            System.out.printf("pools (replay of the lease history) first: %d ms, cached: %d ms%n",
                    time(server, base + "pools?" + range, key), time(server, base + "pools?" + range, key));
            System.out.printf("pools uncached (another bucket size each time), median of 5: %.1f ms%n",
                    median(server, base + "pools?" + range + "&bucketMinutes=1", key, 5, true));

            // A new call arrives: the next request reads it (incremental refresh) and recomputes.
            server.clock.advance(Duration.ZERO);
            try (Connection c = DriverManager.getConnection(url)) {
                // The server holds the file; a second connection in the same JVM shares the open database.
                insertCall(c, site.get("siteId"), "bench-extra", "v_1", "s_1", now - 1000, now);
            } catch (Exception e) {
                System.out.println("extra call not inserted: " + e);
            }
            System.out.printf("sources after a new call (refresh + recompute): %d ms%n", time(server, base + "sources?" + range, key));
            afterLoad = server.get(base + "sources?" + range, key).body();
        }

        // Restart: the facts were written to disk at the stop; the first report must answer at once,
        // within the default request timeout, with the numbers of before.
        start = System.nanoTime();
        try (TestServer server = new TestServer(dir, Map.of("store.url", url))) {
            System.out.printf("restarted in %d ms%n", (System.nanoTime() - start) / 1_000_000);
            ZoneId zone = ZoneId.of("Europe/Moscow");
            LocalDate today = LocalDate.now(zone);
            String range = "from=" + today.minusDays(DAYS - 1) + "&to=" + today;
            String base = "/v1/sites/" + site.get("siteId") + "/reports/";
            long t = System.nanoTime();
            Reply first = server.get(base + "sources?" + range, site.get("apiKey"));
            System.out.printf("sources right after the restart (facts from the snapshot): status %d in %d ms, same as before: %s%n",
                    first.status(), (System.nanoTime() - t) / 1_000_000, first.body().equals(afterLoad));
            System.out.printf("pools uncached after the restart, median of 5: %.1f ms%n",
                    median(server, base + "pools?" + range + "&bucketMinutes=", site.get("apiKey"), 5, true));
        }
    }

    /** One request with a long client timeout (TestServer's is 20 s; a cold load of a million visits may take longer). */
    static long time(TestServer server, String path, String key) throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base() + path))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofMinutes(10)).build();
        long t = System.nanoTime();
        var r = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        long ms = (System.nanoTime() - t) / 1_000_000;
        if (r.statusCode() != 200) {
            throw new AssertionError(path + " → " + r.statusCode() + " " + r.body());
        }
        return ms;
    }

    static double median(TestServer server, String path, String key, int n, boolean vary) {
        double[] times = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            Reply r = server.get(path + (vary ? Integer.toString(100 + i) : ""), key);
            times[i] = (System.nanoTime() - t) / 1e6;
            if (r.status() != 200) {
                throw new AssertionError(path + " → " + r.status() + " " + r.body());
            }
        }
        Arrays.sort(times);
        return times[n / 2];
    }

    static final String[][] SOURCES = {
        {"(direct)", "(none)", null, "direct"},
        {"google", "cpc", "winter", "paid"}, {"google", "cpc", "brand", "paid"}, {"yandex", "cpc", "winter", "paid"},
        {"yandex", "cpc", "retargeting", "paid"}, {"google", "organic", null, "organic"}, {"yandex", "organic", null, "organic"},
        {"example.org", "referral", null, "referral"}, {"facebook", "social", "spring", "social"}, {"newsletter", "email", "nov", "email"},
    };
    static final double[] WEIGHTS = {0.40, 0.08, 0.05, 0.08, 0.04, 0.12, 0.08, 0.07, 0.05, 0.03};
    static final String[] DEVICES = {"desktop", "mobile", "tablet"};
    static final String[] BROWSERS = {"Chrome", "Safari", "Firefox", "Yandex Browser", "Edge"};
    static final String[] OSES = {"Windows", "Android", "iOS", "macOS", "Linux"};

    static void seed(String url, String siteId, String poolId, List<String> numbers, long now) throws Exception {
        seed(url, siteId, poolId, numbers, now, VISITS, CALLS, VISITORS);
    }

    /** {@code visits} visits of {@code visitors} visitors over the last {@link #DAYS} days, and {@code calls} calls on them. */
    static void seed(String url, String siteId, String poolId, List<String> numbers, long now, int VISITS, int CALLS, int VISITORS)
            throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        long span = DAYS * 86_400_000L;
        long[] visitStart = new long[VISITS];
        int[] visitVisitor = new int[VISITS];
        int[] visitSource = new int[VISITS];
        for (int i = 0; i < VISITS; i++) {
            visitStart[i] = now - span + (long) ((double) i / VISITS * span);
            visitVisitor[i] = random.nextInt(VISITORS);
            double p = random.nextDouble();
            int s = 0;
            for (double acc = WEIGHTS[0]; p > acc && s < WEIGHTS.length - 1; acc += WEIGHTS[++s]) {
                // pick by weight
            }
            visitSource[i] = s;
        }
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions(session_id, site_id, visitor_id, pool_id, number, tracked, "
                    + "reused_cooling, started_at, lease_expires_at, ended_at, landing_page, referrer, source, medium, campaign, channel, "
                    + "device_type, browser, os, pageviews, client_ids_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                for (int i = 0; i < VISITS; i++) {
                    String[] src = SOURCES[visitSource[i]];
                    ps.setString(1, String.format("s_%013d_%07d", visitStart[i], i));
                    ps.setString(2, siteId);
                    ps.setString(3, "v_" + visitVisitor[i]);
                    ps.setString(4, poolId);
                    ps.setString(5, numbers.get(i % numbers.size()));
                    ps.setBoolean(6, true);
                    ps.setBoolean(7, false);
                    ps.setLong(8, visitStart[i]);
                    ps.setLong(9, visitStart[i] + 300_000);
                    ps.setLong(10, visitStart[i] + 60_000 + random.nextInt(600_000));
                    ps.setString(11, "https://shop.example/" + (i % 40 == 0 ? "sale" : "product/" + (i % 200)) + "?utm=" + i);
                    ps.setString(12, null);
                    ps.setString(13, src[0]);
                    ps.setString(14, src[1]);
                    ps.setString(15, src[2]);
                    ps.setString(16, src[3]);
                    ps.setString(17, DEVICES[i % 3 == 0 ? 1 : i % 11 == 0 ? 2 : 0]);
                    ps.setString(18, BROWSERS[i % BROWSERS.length]);
                    ps.setString(19, OSES[(i / 7) % OSES.length]);
                    ps.setInt(20, 1 + i % 5);
                    ps.setString(21, "{\"ym\":\"" + visitVisitor[i] + "\"}");
                    ps.addBatch();
                    if (i % 10_000 == 9_999) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
                ps.executeBatch();
                c.commit();
            }
            for (int j = 0; j < CALLS; j++) {
                int i = random.nextInt(VISITS);
                insertCallBatch(c, siteId, j, "v_" + visitVisitor[i], String.format("s_%013d_%07d", visitStart[i], i),
                        visitStart[i] + 30_000 + random.nextInt(240_000), SOURCES[visitSource[i]], random, now);
            }
            flushCalls(c);
            c.commit();
        }
    }

    private static PreparedStatement callInsert;
    private static int pendingCalls;

    static final String CALL_SQL = "INSERT INTO calls(call_id, site_id, provider, provider_call_id, caller, caller_valid, number, answered, "
            + "status, started_at, ended_at, duration_seconds, talk_seconds, first_time, is_unique, target, unique_target, method, "
            + "attributed_at, session_id, visitor_id, source, medium, campaign, channel, landing_page, device_type, browser, os, "
            + "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

    static void insertCallBatch(Connection c, String siteId, int j, String visitor, String session, long at, String[] src,
            SplittableRandom random, long now) throws Exception {
        if (callInsert == null) {
            callInsert = c.prepareStatement(CALL_SQL);
        }
        boolean answered = random.nextInt(10) < 8;
        int talk = answered ? random.nextInt(300) : 0;
        boolean unique = random.nextInt(10) < 7;
        PreparedStatement ps = callInsert;
        ps.setString(1, String.format("c_%08d", j));
        ps.setString(2, siteId);
        ps.setString(3, "json");
        ps.setString(4, "bench-" + j);
        ps.setString(5, String.format("+7916%07d", random.nextInt(70_000)));
        ps.setBoolean(6, true);
        ps.setString(7, "+74955550000");
        ps.setBoolean(8, answered);
        ps.setString(9, answered ? "completed" : "missed");
        ps.setLong(10, at);
        ps.setLong(11, at + talk * 1000L + 10_000);
        ps.setInt(12, talk + 10);
        ps.setInt(13, talk);
        ps.setBoolean(14, unique);
        ps.setBoolean(15, unique);
        ps.setBoolean(16, talk >= 30);
        ps.setBoolean(17, unique && talk >= 30);
        ps.setString(18, "active");
        ps.setLong(19, at);
        ps.setString(20, session);
        ps.setString(21, visitor);
        ps.setString(22, src[0]);
        ps.setString(23, src[1]);
        ps.setString(24, src[2]);
        ps.setString(25, src[3]);
        ps.setString(26, "https://shop.example/product/1");
        ps.setString(27, "desktop");
        ps.setString(28, "Chrome");
        ps.setString(29, "Windows");
        // Stored as ingestion stores them: created and last changed at about the call's end.
        ps.setLong(30, Math.min(now, at + talk * 1000L + 10_000));
        ps.setLong(31, Math.min(now, at + talk * 1000L + 10_000));
        ps.addBatch();
        if (++pendingCalls % 10_000 == 0) {
            ps.executeBatch();
            c.commit();
        }
    }

    static void flushCalls(Connection c) throws Exception {
        callInsert.executeBatch();
        callInsert.close();
        callInsert = null;
    }

    static void insertCall(Connection c, String siteId, String id, String visitor, String session, long at, long now) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(CALL_SQL)) {
            callInsert = ps;
            insertCallBatch(c, siteId, 9_999_999, visitor, session, at, SOURCES[1], new SplittableRandom(1), now);
            ps.executeBatch();
            callInsert = null;
        }
    }
}
