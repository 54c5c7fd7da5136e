package io.ringpool.loadtest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code memory}: server heap with {@code --live} live sessions, and after {@code --total}
 * sessions in all. The server keeps only live sessions (and its pools) in memory; ended ones are
 * in the store. So the run starts {@code --live} sessions, measures, then moves the test clock past
 * lease TTL + cool-down (every lease expires, the sweeper ends them, numbers are free again) and
 * starts the next batch, until {@code --total}.
 *
 * <p>Heap is read from {@code /metrics} ({@code jvm_memory_used_bytes{area="heap"}}), which includes
 * garbage; with {@code --server-pid} the run first asks for a full GC ({@code jcmd PID GC.run}) so
 * the figure is the live heap.
 */
final class MemoryScenario {
    private final ServerApi api;
    private final Options o;
    /** Where class histograms go, or null for none. */
    private Path histogramDir;
    private boolean heapDump;

    MemoryScenario(ServerApi api, Options o) {
        this.api = api;
        this.o = o;
    }

    Map<String, Object> run(Path out) {
        int live = o.intOpt("live", 100_000, "live sessions at each measurement (= pool size)");
        long total = o.longOpt("total", 1_000_000, "sessions started in all");
        int connections = o.intOpt("connections", 64, "connections");
        long pid = o.longOpt("server-pid", 0, "server process id, to force a GC (jcmd) before each heap reading; 0 = no GC");
        String jcmd = o.str("jcmd", System.getProperty("java.home") + "/bin/jcmd", "the jcmd binary");
        boolean histogram = Boolean.parseBoolean(o.str("histogram", "false", "also save the server's class histogram (jcmd GC.class_histogram) at each reading"));
        this.heapDump = Boolean.parseBoolean(o.str("heap-dump", "false", "with --histogram, also write a heap dump (jcmd GC.heap_dump) at each reading"));
        o.rejectUnknown();
        this.histogramDir = histogram && pid > 0 ? out : null;

        ServerApi.Site site = api.createSite("loadtest-memory", "+74950000000");
        api.createPool(site, ServerApi.numbers("802", (System.currentTimeMillis() / 1000 % 20) * 400_000L, live));
        List<Map<String, Object>> readings = new ArrayList<>();
        readings.add(reading("before", 0, pid, jcmd));
        long started = 0;
        long[] visitor = {0};
        try (Progress progress = new Progress("memory", () -> "")) {
            Harness h = new Harness(progress);
            while (started < total) {
                long batch = Math.min(live, total - started);
                Harness.RequestSource src = i -> {
                    long v = ++visitor[0];
                    return api.http().post("/v1/sessions", ServerApi.scriptHeaders(ServerApi.ipOf(v), false),
                            ServerApi.sessionBody(site.publicKey(), "mem-visitor-" + v, "https://example.com/?utm_source=google&utm_medium=cpc&gclid=g" + v,
                                    "https://www.google.com/"));
                };
                // Exactly `batch` starts: closed loop with a budget.
                Harness.Phase p = h.closedLoop("memory", src, connections, 3600, batch);
                started += p.ok();
                if (p.rejected() + p.failed() > 0) {
                    System.err.printf("%n%d session starts failed or were refused%n", p.rejected() + p.failed());
                }
                if (p.rejected() + p.failed() > batch / 10) {
                    readings.add(reading("stopped: >10% of a batch failed", started, pid, jcmd));
                    break;
                }
                if (started == p.ok() || started >= total) {
                    readings.add(reading("live", started, pid, jcmd));
                }
                if (started < total) {
                    api.advanceClock(1200); // all leases expire and cool down; the sweeper ends them
                }
            }
        }
        api.advanceClock(1200);
        readings.add(reading("after all ended", started, pid, jcmd));
        Map<String, Object> results = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder(String.format("%-16s %12s %10s %10s %12s%n", "when", "sessions", "live", "heap MB",
                "objects MB"));
        for (var r : readings) {
            table.append(String.format("%-16s %,12d %,10d %10.1f %12.1f%n", r.get("when"), r.get("sessionsStarted"), r.get("liveSessions"),
                    (double) r.get("heapUsedMB"), (double) r.get("liveObjectsMB")));
        }
        // Per live session: the first reading with sessions live against the empty server.
        Map<String, Object> empty = readings.get(0);
        readings.stream().filter(r -> ((Number) r.get("liveSessions")).longValue() > 0).findFirst().ifPresent(r -> {
            long n = ((Number) r.get("liveSessions")).longValue();
            double heapBytes = ((double) r.get("heapUsedMB") - (double) empty.get("heapUsedMB")) * (1 << 20) / n;
            double objectBytes = ((double) r.get("liveObjectsMB") - (double) empty.get("liveObjectsMB")) * (1 << 20) / n;
            table.append(String.format("per live session: %.0f bytes of heap used, %.0f bytes of live objects (class histogram)%n",
                    heapBytes, objectBytes));
            results.put("heapBytesPerLiveSession", heapBytes);
            results.put("objectBytesPerLiveSession", objectBytes);
        });
        System.out.printf("%nMemory — pool %,d, %,d sessions in all, GC before reading: %s%n%s", live, total, pid > 0, table);
        results.put("scenario", "memory");
        results.put("environment", Results.environment(o));
        results.put("readings", readings);
        Path file = Results.write(out, "memory", results);
        System.out.println("results: " + file);
        return results;
    }

    private Map<String, Object> reading(String when, long started, long pid, String jcmd) {
        long live = ServerApi.parse(api.http().get("/health", null).join()).path("liveSessions").asLong(-1);
        if (pid > 0) {
            try {
                Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                p.waitFor(60, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                System.err.println("jcmd GC.run failed: " + e);
            }
        }
        double objectsMb = histogramDir != null ? saveHistogram(pid, jcmd, when, started) : Double.NaN;
        double heap = 0;
        for (String line : api.metrics().split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("when", when);
        r.put("sessionsStarted", started);
        r.put("liveSessions", live);
        r.put("heapUsedMB", heap / (1 << 20));
        r.put("liveObjectsMB", objectsMb);
        System.err.printf("%n%s: %,d sessions started, %,d live, heap %.1f MB%n", when, started, live, heap / (1 << 20));
        return r;
    }

    /** The server's heap by class (after the GC above), to see where the bytes of a live session go. */
    private double saveHistogram(long pid, String jcmd, String when, long started) {
        try {
            java.nio.file.Files.createDirectories(histogramDir);
            Path file = histogramDir.resolve("memory-histogram-" + when.replaceAll("[^a-z0-9]+", "-") + "-" + started + ".txt");
            Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.class_histogram").redirectErrorStream(true)
                    .redirectOutput(file.toFile()).start();
            p.waitFor(120, TimeUnit.SECONDS);
            System.err.println("class histogram: " + file);
            if (heapDump) {
                Path dump = histogramDir.resolve(file.getFileName().toString().replace("histogram", "heap").replace(".txt", ".hprof"));
                new ProcessBuilder(jcmd, Long.toString(pid), "GC.heap_dump", dump.toAbsolutePath().toString()).inheritIO().start()
                        .waitFor(300, TimeUnit.SECONDS);
            }
            // The histogram's last line: "Total <instances> <bytes>", the bytes of live objects only.
            List<String> lines = java.nio.file.Files.readAllLines(file);
            String[] total = lines.isEmpty() ? new String[0] : lines.get(lines.size() - 1).trim().split("\\s+");
            return total.length == 3 && total[0].equals("Total") ? Long.parseLong(total[2]) / (double) (1 << 20) : Double.NaN;
        } catch (IOException | InterruptedException | NumberFormatException e) {
            System.err.println("jcmd GC.class_histogram failed: " + e);
        }
        return Double.NaN;
    }
}
