package io.ringpool.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * {@code report}: how fast the marketer's reports answer over a big history (issue 6: 1,000,000
 * visits and 100,000 calls, under 500 ms). Everything goes in through the public API, as the
 * script and a PBX would send it: session starts with a spread of sources, and for every
 * {@code --call-every}th visit a signed call to the number it was shown. Batches of visits are
 * spread over simulated hours with the test clock. Then {@code reports/sources} (and the other
 * reports) are timed: the first answer after the data (computed), repeated answers (cached), and
 * an answer right after one more call (recomputed).
 */
final class ReportScenario {
    private static final String[][] SOURCES = {
        {"utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=G", "https://www.google.com/"},
        {"utm_source=yandex&utm_medium=cpc&utm_campaign=generic&yclid=Y", "https://yandex.ru/"},
        {"utm_source=facebook&utm_medium=social&utm_campaign=spring", "https://www.facebook.com/"},
        {"utm_source=newsletter&utm_medium=email&utm_campaign=nov", ""},
        {"", "https://www.google.com/"},
        {"", "https://blog.example.org/post"},
        {"", ""},
    };

    private final ServerApi api;
    private final Options o;

    ReportScenario(ServerApi api, Options o) {
        this.api = api;
        this.o = o;
    }

    Map<String, Object> run(Path out) {
        long visits = o.longOpt("visits", 1_000_000, "visits (session starts) in all");
        int callEvery = o.intOpt("call-every", 10, "one call for every N visits");
        int batch = o.intOpt("batch", 100_000, "visits per batch (= pool size); the clock moves 20 min between batches");
        int visitors = o.intOpt("visitors", 250_000, "distinct visitors (the rest are returning visits)");
        int connections = o.intOpt("connections", 64, "connections");
        int repeats = o.intOpt("repeats", 20, "timed repetitions of each cached report");
        int settleSeconds = o.intOpt("settle", 12, "seconds to wait after the last write before timing again");
        o.rejectUnknown();

        ServerApi.Site site = api.createSite("loadtest-report", "+74950000000");
        api.createPool(site, ServerApi.numbers("803", (System.currentTimeMillis() / 1000 % 20) * 400_000L, batch));
        Instant firstDay = api.advanceClock(0);
        long started = 0;
        long calls = 0;
        long[] seq = {0};
        String anyNumber = null;
        try (Progress progress = new Progress("report", () -> "")) {
            Harness h = new Harness(progress);
            while (started < visits) {
                long size = Math.min(batch, visits - started);
                ConcurrentLinkedQueue<String> shown = new ConcurrentLinkedQueue<>();
                Harness.RequestSource visitsSrc = i -> {
                    long v = ++seq[0];
                    String[] src = SOURCES[(int) (v % SOURCES.length)];
                    String url = "https://example.com/landing" + (v % 5) + (src[0].isEmpty() ? "" : "?" + src[0] + (src[0].endsWith("=G") || src[0].endsWith("=Y") ? v : ""));
                    String visitor = "rep-" + (v % visitors);
                    var reply = api.http().post("/v1/sessions", ServerApi.scriptHeaders(ServerApi.ipOf(v), false),
                            ServerApi.sessionBody(site.publicKey(), visitor + "-" + (v / visitors), url, src[1]));
                    if (v % callEvery == 0) {
                        reply = reply.thenApply(r -> {
                            if (r.status() == 201) {
                                JsonNode n = ServerApi.parse(r);
                                shown.add(n.path("number").asText());
                            }
                            return r;
                        });
                    }
                    return reply;
                };
                Harness.Phase p = h.closedLoop("visits", visitsSrc, connections, 3600, size);
                started += p.ok();
                Instant now = api.advanceClock(0);
                List<String> numbers = new ArrayList<>(shown);
                if (!numbers.isEmpty()) {
                    anyNumber = numbers.get(0);
                }
                long firstCall = calls;
                Harness.RequestSource callsSrc = i -> {
                    String to = numbers.get((int) i % numbers.size());
                    long c = firstCall + i;
                    String body = ServerApi.callBody("rep-call-" + c, "completed", "+7916" + String.format("%07d", c % 3_000_000), to,
                            now, 60 + c % 120, 30 + c % 90);
                    return api.callEvent(site, now.getEpochSecond(), body);
                };
                if (!numbers.isEmpty()) {
                    Harness.Phase pc = h.closedLoop("calls", callsSrc, connections, 3600, numbers.size());
                    calls += pc.ok();
                }
                api.advanceClock(1200);
                // Each clock call sweeps once, and a sweep ends at most 2,000 leases per pool:
                // keep sweeping until the batch's leases are gone, so the next batch finds numbers.
                for (int k = 0; k < 1_000 && liveSessions() > 0; k++) {
                    api.advanceClock(0);
                }
            }
        }
        LocalDate from = LocalDate.ofInstant(firstDay, ZoneOffset.UTC).minusDays(1);
        LocalDate to = LocalDate.ofInstant(api.advanceClock(0), ZoneOffset.UTC).plusDays(1);
        String range = "from=" + from + "&to=" + to;
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("sources right after the last write (computed)", time(site, "/reports/sources?" + range, 1));
        // The server re-reads the last few seconds of visits on each report (a commit may lag its
        // time stamp); right after a burst of thousands of visits a second that is most of the
        // work. Measure again once that window has passed, as a marketer opening a report would.
        sleep(settleSeconds);
        timings.put("sources after " + settleSeconds + " s (computed)", time(site, "/reports/sources?" + range + "&limit=99", 1));
        timings.put("sources cached (median of " + repeats + ")", time(site, "/reports/sources?" + range, repeats));
        timings.put("sources by source,medium,campaign first_click (computed)",
                time(site, "/reports/sources?" + range + "&groupBy=source,medium,campaign&model=first_click", 1));
        timings.put("devices (computed)", time(site, "/reports/devices?" + range, 1));
        timings.put("time (computed)", time(site, "/reports/time?" + range, 1));
        timings.put("paths (computed)", time(site, "/reports/paths?" + range, 1));
        Instant now = api.advanceClock(0);
        String body = ServerApi.callBody("rep-call-extra", "completed", "+79169999999", anyNumber, now, 90, 60);
        api.callEvent(site, now.getEpochSecond(), body).join();
        timings.put("sources right after one more call (recomputed)", time(site, "/reports/sources?" + range, 1));

        JsonNode totals = ServerApi.parse(api.http().get("/v1/sites/" + site.siteId() + "/reports/sources?" + range,
                Map.of("Authorization", "Bearer " + site.apiKey())).join()).path("totals");
        StringBuilder table = new StringBuilder();
        timings.forEach((k, v) -> table.append(String.format("  %-56s %9.1f ms%n", k, (double) v)));
        System.out.printf("%nReports — %,d visits and %,d calls through the API; report totals: %s visits, %s calls%n%s",
                started, calls, totals.path("visits").asText("?"), totals.path("calls").asText("?"), table);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("scenario", "report");
        results.put("environment", Results.environment(o));
        results.put("visits", started);
        results.put("calls", calls);
        results.put("reportTotals", totals);
        results.put("millis", timings);
        Path file = Results.write(out, "report", results);
        System.out.println("results: " + file);
        return results;
    }

    private static void sleep(int seconds) {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long liveSessions() {
        return ServerApi.parse(api.http().get("/health", null).join()).path("liveSessions").asLong(0);
    }

    /** Median milliseconds of {@code n} answers (n = 1: the one answer). */
    private double time(ServerApi.Site site, String path, int n) {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            LoadClient.Reply r = api.http().get("/v1/sites/" + site.siteId() + path, Map.of("Authorization", "Bearer " + site.apiKey())).join();
            ms[i] = (System.nanoTime() - t0) / 1e6;
            if (r.status() != 200) {
                throw new IllegalStateException(path + " answered " + r.status() + ": " + new String(r.body()));
            }
        }
        Arrays.sort(ms);
        return ms[n / 2];
    }
}
