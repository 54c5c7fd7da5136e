package io.ringpool.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code footprint} (issue 17): what {@code --visits} visits leave behind on disk, in the log and in
 * the heap, and how long the first report takes after a restart.
 *
 * <p>Half of the visits lease numbers from a pool big enough for a batch (the test clock then
 * moves past TTL + cool-down so the next batch finds free numbers again); the other half arrive at
 * a pool that is full (a second site, {@code exhaustionPolicy: fallback}, its few numbers held by
 * the first visitors), so each of them is an exhaustion the server must count without writing or
 * logging a line per visit. Then the run reads: the store's size (from {@code /metrics}
 * {@code ringpool_store_size_bytes}, the H2 file or the PostgreSQL database) per visit, the server
 * log's bytes, the heap after a full GC ({@code jcmd GC.run}) with the full pool's visitors still
 * live. {@code loadtest/run.sh footprint} then restarts the server on the same store and runs
 * {@code footprint --phase=after-restart}, which times the first report.
 */
final class FootprintScenario {
    private final ServerApi api;
    private final Options o;

    FootprintScenario(ServerApi api, Options o) {
        this.api = api;
        this.o = o;
    }

    Map<String, Object> run(Path out) {
        String phase = o.str("phase", "drive", "drive (the visits) or after-restart (time the first report)");
        long visits = o.longOpt("visits", 1_000_000, "visits in all; half of them into a full pool");
        int batch = o.intOpt("batch", 50_000, "tracked visits between clock jumps (= size of the tracked pool)");
        int fullPool = o.intOpt("full-pool", 100, "numbers of the pool that is full");
        int connections = o.intOpt("connections", 64, "connections");
        long pid = o.longOpt("server-pid", 0, "server process id, for a full GC (jcmd) before the heap reading; 0 = no GC");
        String jcmd = o.str("jcmd", System.getProperty("java.home") + "/bin/jcmd", "the jcmd binary");
        String serverLog = o.str("server-log", "", "the server's log file (its bytes are reported)");
        String state = o.str("state", "", "file where the drive phase leaves the site for the after-restart phase");
        double settle = o.dbl("settle", 30, "seconds to wait after the last visit before the second size reading");
        if (o.helpRequested()) {
            return Map.of();
        }
        o.rejectUnknown();
        return phase.equals("after-restart") ? afterRestart(out, state, serverLog) : drive(out, visits, batch, fullPool, connections,
                pid, jcmd, serverLog, state, settle);
    }

    private Map<String, Object> drive(Path out, long visits, int batch, int fullPool, int connections, long pid, String jcmd,
            String serverLog, String state, double settle) {
        long storeBefore = storeBytes();
        long logBefore = fileBytes(serverLog);
        ServerApi.Site tracked = api.createSite("loadtest-footprint", "+74950000000");
        api.createPool(tracked, ServerApi.numbers("803", (System.currentTimeMillis() / 1000 % 20) * 400_000L, batch));
        ServerApi.Site full = api.createSite("loadtest-footprint-full", "+74950000001");
        api.patchSite(full, Map.of("exhaustionPolicy", "fallback"));
        api.createPool(full, ServerApi.numbers("804", (System.currentTimeMillis() / 1000 % 20) * 400_000L, fullPool));
        Instant firstDay = api.advanceClock(0);
        long trackedVisits = visits / 2;
        long ok = 0;
        long failed = 0;
        long[] seq = {0};
        long t0 = System.nanoTime();
        try (Progress progress = new Progress("footprint", () -> "")) {
            Harness h = new Harness(progress);
            long done = 0;
            while (done < trackedVisits) {
                long size = Math.min(batch, trackedVisits - done);
                Harness.Phase p = h.closedLoop("tracked", visitSource(tracked, seq), connections, 3600, size);
                done += size;
                ok += p.ok();
                failed += p.rejected() + p.failed();
                api.advanceClockPatiently(1200);
                // A sweep ends at most 2,000 leases per pool: sweep until the batch is gone.
                for (int k = 0; k < 1_000 && liveSessions() > 0; k++) {
                    api.advanceClockPatiently(0);
                }
            }
            Harness.Phase p = h.closedLoop("full pool", visitSource(full, seq), connections, 3600, visits - trackedVisits);
            ok += p.ok();
            failed += p.rejected() + p.failed();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        waitForWriteQueue();
        long storeAfter = storeBytes();
        long logAfter = fileBytes(serverLog);
        long live = liveSessions();
        double heapMb = heapAfterGc(pid, jcmd);
        sleepSeconds(settle);
        long storeSettled = storeBytes();

        if (!state.isEmpty()) {
            try {
                Files.writeString(Path.of(state), ServerApi.json(Map.of("siteId", tracked.siteId(), "apiKey", tracked.apiKey(),
                        "from", LocalDate.ofInstant(firstDay, ZoneOffset.UTC).minusDays(1).toString(),
                        "to", LocalDate.ofInstant(api.advanceClock(0), ZoneOffset.UTC).plusDays(1).toString(),
                        "visits", visits, "clockAt", api.advanceClock(0).toString())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("scenario", "footprint");
        r.put("environment", Results.environment(o));
        r.put("visits", visits);
        r.put("visitsOk", ok);
        r.put("visitsFailed", failed);
        r.put("seconds", seconds);
        r.put("storeBytesBefore", storeBefore);
        r.put("storeBytesAfter", storeAfter);
        r.put("storeBytesAfterSettle", storeSettled);
        r.put("settleSeconds", settle);
        r.put("storeBytesPerVisit", (double) (storeAfter - storeBefore) / visits);
        r.put("storeBytesPerVisitAfterSettle", (double) (storeSettled - storeBefore) / visits);
        r.put("logBytes", logAfter - logBefore);
        r.put("liveSessions", live);
        r.put("heapAfterGcMB", heapMb);
        System.out.printf("%nFootprint — %,d visits (%,d into a full pool) in %.0f s, %,d failed%n", visits, visits - trackedVisits, seconds,
                failed);
        System.out.printf("  store bytes per visit      %10.0f  (%,d bytes; before %,d)%n", (double) (storeAfter - storeBefore) / visits,
                storeAfter, storeBefore);
        System.out.printf("  ... after %.0f s settle     %10.0f  (%,d bytes)%n", settle, (double) (storeSettled - storeBefore) / visits,
                storeSettled);
        System.out.printf("  log bytes                  %,10d%n", logAfter - logBefore);
        System.out.printf("  heap after GC              %10.1f MB with %,d live sessions%n", heapMb, live);
        Path file = Results.write(out, "footprint", r);
        System.out.println("results: " + file);
        return r;
    }

    private Map<String, Object> afterRestart(Path out, String state, String serverLog) {
        JsonNode s;
        try {
            s = ServerApi.JSON.readTree(Files.readString(Path.of(state)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String path = "/v1/sites/" + s.path("siteId").asText() + "/reports/sources?from=" + s.path("from").asText() + "&to="
                + s.path("to").asText();
        // Timed from the first request to the first 200: a server still loading its report facts
        // answers 503 (it asks the client to come back), and the wait for it is part of the figure.
        long t0 = System.nanoTime();
        LoadClient.Reply r;
        int attempts = 0;
        while (true) {
            attempts++;
            r = api.http().get(path, Map.of("Authorization", "Bearer " + s.path("apiKey").asText())).join();
            if (r.status() != 503 || attempts >= 120) {
                break;
            }
            sleepSeconds(1);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.status() != 200) {
            throw new IllegalStateException("first report answered " + r.status() + ": " + r.text());
        }
        long reported = ServerApi.parse(r).path("totals").path("visits").asLong(-1);
        long storeBytes = storeBytes();
        System.out.printf("%nFootprint after restart — first report (sources) %.1f ms (%d attempt(s)), %,d visits in it; store %,d bytes;"
                + " log %,d bytes%n", ms, attempts, reported, storeBytes, fileBytes(serverLog));
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("scenario", "footprint-after-restart");
        res.put("environment", Results.environment(o));
        res.put("firstReportMs", ms);
        res.put("attempts", attempts);
        res.put("reportedVisits", reported);
        res.put("storeBytes", storeBytes);
        Path file = Results.write(out, "footprint-after-restart", res);
        System.out.println("results: " + file);
        return res;
    }

    private Harness.RequestSource visitSource(ServerApi.Site site, long[] seq) {
        return i -> {
            long v = ++seq[0];
            return api.http().post("/v1/sessions", ServerApi.scriptHeaders(ServerApi.ipOf(v), false),
                    ServerApi.sessionBody(site.publicKey(), "fp-visitor-" + v,
                            "https://example.com/landing" + (v % 5) + "?utm_source=google&utm_medium=cpc&utm_campaign=c" + (v % 20)
                                    + "&gclid=g" + v,
                            "https://www.google.com/"));
        };
    }

    private long liveSessions() {
        return ServerApi.parse(api.http().get("/health", null).join()).path("liveSessions").asLong(-1);
    }

    private long storeBytes() {
        return (long) metric("ringpool_store_size_bytes");
    }

    private void waitForWriteQueue() {
        for (int i = 0; i < 600 && metric("ringpool_store_write_queue") > 0; i++) {
            sleepSeconds(0.1);
        }
    }

    private double metric(String name) {
        double sum = 0;
        boolean found = false;
        for (String line : api.metrics().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? sum : -1;
    }

    private double heapAfterGc(long pid, String jcmd) {
        if (pid > 0) {
            try {
                Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                p.waitFor(60, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                System.err.println("jcmd GC.run failed: " + e);
            }
        }
        double heap = 0;
        for (String line : api.metrics().split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return heap / (1 << 20);
    }

    private static long fileBytes(String file) {
        try {
            return file.isEmpty() ? -1 : Files.size(Path.of(file));
        } catch (IOException e) {
            return -1;
        }
    }

    private static void sleepSeconds(double s) {
        try {
            Thread.sleep((long) (s * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
