package io.ringpool.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code accuracy} and {@code sweep}. Each run creates a fresh site (so pools and history never
 * mix), sizes its pool, plays the seeded traffic and judges every call.
 *
 * <p>Pool sizes are relative to the server's own {@code recommendedSize}, which it can only give
 * after seeing traffic: a calibration run plays the first simulated day (no calls) on an
 * over-sized pool and reads the pool report. {@code --pool-size} skips it.
 */
final class AccuracyScenario {
    /** Distinct number blocks per site, so sites of one server never share a number. */
    private static final AtomicLong SITE_COUNTER = new AtomicLong(System.currentTimeMillis() / 1000 % 50 * 20);

    private final ServerApi api;
    private final Options options;
    private final TrafficModel.Params params;
    private final int step;
    private final int calibrationPool;

    AccuracyScenario(ServerApi api, Options options) {
        this.api = api;
        this.options = options;
        this.params = TrafficModel.Params.from(options);
        this.step = options.intOpt("step", 5, "simulated seconds per clock step");
        this.calibrationPool = options.intOpt("calibration-pool", 2000, "pool size of the calibration run");
    }

    /** One point: a fresh site with {@code poolSize} numbers, the full traffic. */
    Map<String, Object> runPoint(String label, int poolSize, TrafficModel.Params p, boolean withCalls) {
        ServerApi.Site site = api.createSite("loadtest-" + label, "+74950000000");
        long block = SITE_COUNTER.incrementAndGet() % 1000;
        String poolId = api.createPool(site, ServerApi.numbers("800", block * 10_000L, poolSize));
        var holder = new java.util.concurrent.atomic.AtomicReference<Simulation>();
        Simulation sim;
        try (Progress progress = new Progress(label + " pool=" + poolSize,
                () -> holder.get() == null ? "" : holder.get().simTime())) {
            sim = new Simulation(api, site, new TrafficModel(p), step, Simulation.SiteTimes.defaults(), progress);
            holder.set(sim);
            sim.run(withCalls);
        }
        JsonNode pool = api.pool(site, poolId);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("label", label);
        out.put("poolSize", poolSize);
        out.put("siteId", site.siteId());
        out.put("pool", ServerApi.JSON.convertValue(pool, Map.class));
        out.put("accuracy", sim.tally().toJson());
        out.put("counters", sim.countersJson());
        out.put("tally", sim.tally());
        return out;
    }

    int calibrate() {
        TrafficModel.Params oneDay = new TrafficModel.Params(params.seed(), Math.min(1, params.days()), params.visitorsPerDay(),
                params.hourlyCurve(), params.medianSessionSeconds(), params.sessionSigma(), params.minSessionSeconds(),
                params.maxSessionSeconds(), params.meanPageviews(), params.returningShare(), params.multiTabShare(),
                params.hiddenShare(), params.frozenShare(), params.endBeaconShare(), params.botShare(), params.callShare(),
                params.callDuringShare(), params.intentShare(), params.afterDelayMedianSeconds(), params.afterDelaySigma(),
                params.repeatShare(), params.repeatMinDays(), params.repeatMaxDays(), params.talkMedianSeconds());
        Map<String, Object> r = runPoint("calibration", calibrationPool, oneDay, false);
        @SuppressWarnings("unchecked")
        Map<String, Object> pool = (Map<String, Object>) r.get("pool");
        int recommended = ((Number) pool.get("recommendedSize")).intValue();
        System.err.printf("calibration: peak leased %s, recommended size %d%n", pool.get("peakLeased"), recommended);
        if (((Number) pool.get("exhaustions")).longValue() > 0) {
            System.err.println("warning: the calibration pool was exhausted; raise --calibration-pool");
        }
        return recommended;
    }

    /** {@code accuracy}: one pool size (the recommended size × {@code --pool-factor}, or {@code --pool-size}). */
    Map<String, Object> accuracy(Path out) {
        double factor = options.dbl("pool-factor", 1.0, "pool size as a multiple of the server's recommended size");
        int fixed = options.intOpt("pool-size", 0, "pool size (0 = calibrate and use --pool-factor × recommended)");
        options.rejectUnknown();
        int recommended = fixed > 0 ? fixed : calibrate();
        int size = fixed > 0 ? fixed : Math.max(1, (int) Math.round(recommended * factor));
        Map<String, Object> r = runPoint("accuracy", size, params, true);
        AccuracyClassifier.Tally tally = (AccuracyClassifier.Tally) r.remove("tally");
        System.out.printf("%nAccuracy — pool %d numbers (%s), %s calls%n%s", size,
                fixed > 0 ? "fixed" : String.format("%.2f × recommended %d", factor, recommended), tally.calls(), tally.table());
        System.out.println("server counters: " + r.get("counters"));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("scenario", "accuracy");
        results.put("environment", Results.environment(options));
        results.put("recommendedSize", recommended);
        results.put("run", r);
        Path file = Results.write(out, "accuracy", results);
        System.out.println("results: " + file);
        return results;
    }

    /** {@code sweep}: the pool-size sweep, a table and an SVG chart. */
    Map<String, Object> sweep(Path out) {
        String factorsOpt = options.str("factors", "0.25,0.5,0.75,1,1.5,2", "pool sizes as multiples of the recommended size");
        options.rejectUnknown();
        int recommended = calibrate();
        List<Map<String, Object>> points = new ArrayList<>();
        StringBuilder table = new StringBuilder(String.format("%8s %6s %7s %8s %8s %8s %9s %7s %12s%n",
                "factor", "pool", "calls", "correct", "wrong", "unknown", "ambiguous", "shared", "shared→amb"));
        for (String f : factorsOpt.split(",")) {
            double factor = Double.parseDouble(f.trim());
            int size = Math.max(1, (int) Math.round(recommended * factor));
            Map<String, Object> r = runPoint("sweep-" + f.trim(), size, params, true);
            AccuracyClassifier.Tally t = (AccuracyClassifier.Tally) r.remove("tally");
            r.put("factor", factor);
            points.add(r);
            @SuppressWarnings("unchecked")
            Map<String, Object> acc = (Map<String, Object>) r.get("accuracy");
            table.append(String.format("%8.2f %6d %7d %7.2f%% %7.2f%% %7.2f%% %9d %7d %12d%n", factor, size, t.calls(),
                    100 * t.share(AccuracyClassifier.Outcome.CORRECT), 100 * t.share(AccuracyClassifier.Outcome.WRONG),
                    100 * t.share(AccuracyClassifier.Outcome.UNKNOWN), acc.get("ambiguous"), t.shared(), t.sharedMarkedAmbiguous()));
        }
        System.out.printf("%nPool-size sweep — recommended size %d%n%s", recommended, table);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("scenario", "sweep");
        results.put("environment", Results.environment(options));
        results.put("recommendedSize", recommended);
        results.put("points", points);
        Path file = Results.write(out, "sweep", results);
        Path svg = out.resolve("sweep.svg");
        try {
            Files.writeString(svg, SweepChart.svg(recommended, points));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.out.println("results: " + file + "\nchart:   " + svg);
        return results;
    }
}
