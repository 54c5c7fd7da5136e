package io.ringpool.loadtest;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code fairness} (issue 18): does a flood of report requests slow the site script? Visitors'
 * session starts are sent at a fixed rate (open loop) twice: idle, then while {@code --reports}
 * report requests run at once without pause (each a range no one asked before, so none is cached),
 * on connections of their own. The answer is the ratio of the two p99s. Report answers are counted
 * by status: 200 computed, 429 past the key's share, 503 when the report lane is full.
 */
final class FairnessScenario {
    private final ServerApi api;
    private final Options o;
    private final URI url;

    FairnessScenario(ServerApi api, Options o, URI url) {
        this.api = api;
        this.o = o;
        this.url = url;
    }

    Map<String, Object> run(Path out) {
        int visits = o.intOpt("visits", 20_000, "visits put in first, so reports have something to compute");
        double rate = o.dbl("rate", 200, "session starts per second, offered in both phases");
        double seconds = o.dbl("seconds", 15, "measured seconds per phase");
        int reports = o.intOpt("reports", 64, "report requests kept running at once in the second phase");
        boolean honour = Boolean.parseBoolean(o.str("honour-retry-after", "false", "wait Retry-After after a 429 (a polite client)"));
        o.rejectUnknown();

        ServerApi.Site site = api.createSite("loadtest-fairness", "+74950000000");
        int numbers = (int) Math.max(visits, rate * seconds) + 1_000;
        api.createPool(site, ServerApi.numbers("802", (System.currentTimeMillis() / 1000 % 20) * 400_000L, numbers));
        long[] visitor = {0};
        Harness.RequestSource sessions = i -> {
            long v = ++visitor[0];
            return api.http().post("/v1/sessions", ServerApi.scriptHeaders(ServerApi.ipOf(v), false),
                    ServerApi.sessionBody(site.publicKey(), "fair-" + v, "https://example.com/?utm_source=s" + (v % 50)
                            + "&utm_medium=cpc&utm_campaign=c" + (v % 300), "https://www.google.com/"));
        };
        Map<String, Object> results = new LinkedHashMap<>();
        Map<Integer, AtomicLong> reportStatuses = new ConcurrentHashMap<>();
        Harness.Phase idle;
        Harness.Phase loaded;
        Harness.Phase idleAfter;
        try (Progress progress = new Progress("fairness", () -> "")) {
            Harness h = new Harness(progress);
            System.err.printf("putting in %,d visits…%n", visits);
            h.closedLoop("seed", sessions, 32, 3600, visits);
            api.advanceClock(1200);
            h.openLoop("warm-up", sessions, rate, seconds); // JIT and caches; not recorded
            api.advanceClock(1200);
            idle = h.openLoop("sessions idle", sessions, rate, seconds);
            api.advanceClock(1200);
            try (LoadClient reportClient = new LoadClient(url, reports, 1)) {
                AtomicBoolean running = new AtomicBoolean(true);
                ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
                ZoneId zone = ZoneId.of("Europe/Moscow");
                LocalDate today = LocalDate.now(zone);
                String[] groupBys = {"source", "source,medium", "campaign", "source,campaign", "medium,campaign,term", "device",
                        "landingPage", "channel,source"};
                Runnable[] loop = new Runnable[1];
                loop[0] = () -> {
                    if (!running.get()) {
                        return;
                    }
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    LocalDate from = today.minusDays(r.nextInt(1, 400));
                    LocalDate to = from.plusDays(r.nextInt(0, (int) (today.toEpochDay() - from.toEpochDay()) + 1));
                    String path = "/v1/sites/" + site.siteId() + "/reports/sources?from=" + from + "&to=" + to + "&groupBy="
                            + groupBys[r.nextInt(groupBys.length)];
                    reportClient.get(path, Map.of("Authorization", "Bearer " + site.apiKey())).whenComplete((reply, e) -> {
                        int status = reply == null ? 0 : reply.status();
                        reportStatuses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                        if (honour && status == 429) {
                            later.schedule(loop[0], 1, TimeUnit.SECONDS);
                        } else {
                            later.execute(loop[0]);
                        }
                    });
                };
                for (int i = 0; i < reports; i++) {
                    later.execute(loop[0]);
                }
                loaded = h.openLoop("sessions + " + reports + " reports", sessions, rate, seconds);
                running.set(false);
                later.shutdown();
            }
            // Idle once more: on a shared machine the noise drifts; a loaded p99 between two idle ones means something.
            api.advanceClock(1200);
            idleAfter = h.openLoop("sessions idle again", sessions, rate, seconds);
        }
        double ratio = loaded.ms(99) / Math.max(idle.ms(99), idleAfter.ms(99));
        System.out.printf("%nFairness — %,d visits, sessions at %.0f/s for %.0f s per phase, %d report requests at once%n", visits,
                rate, seconds, reports);
        System.out.printf("%-28s %8s %8s %8s %8s %7s%n", "phase", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "non-2xx");
        for (Harness.Phase p : List.of(idle, loaded, idleAfter)) {
            System.out.printf("%-28s %8.2f %8.2f %8.2f %8.1f %7d%n", p.name(), p.ms(50), p.ms(99), p.ms(99.9),
                    p.latencyMicros().getMaxValue() / 1000.0, p.rejected() + p.failed());
        }
        System.out.printf("p99 loaded / the larger idle p99 = %.2f; report answers by status: %s%n", ratio, reportStatuses);
        results.put("scenario", "fairness");
        results.put("environment", Results.environment(o));
        results.put("idle", idle.toJson(0));
        results.put("loaded", loaded.toJson(0));
        results.put("idleAfter", idleAfter.toJson(0));
        results.put("p99Ratio", ratio);
        Map<String, Long> statuses = new LinkedHashMap<>();
        reportStatuses.forEach((k, v) -> statuses.put(Integer.toString(k), v.get()));
        results.put("reportStatuses", statuses);
        Path file = Results.write(out, "fairness", results);
        System.out.println("results: " + file + " (at " + Instant.now() + ")");
        return results;
    }
}
