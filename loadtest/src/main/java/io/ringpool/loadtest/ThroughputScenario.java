package io.ringpool.loadtest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code throughput}: session starts, heartbeats and call events, each at saturation (closed loop)
 * and then at a fixed share of that rate (open loop), with {@code GET /health} measured by the same
 * harness in the same run as the baseline. Results are ratios to /health: the machine is noisy
 * (PERF-NOTES.md), a ratio from one run is comparable, an absolute rate is not.
 *
 * <p>Call events come two per call (ringing, then completed: at once, or {@code --call-lag} calls
 * later), each answered after its commit.
 * Every session start is a new visitor leasing a number, durably committed; it names no visitor id,
 * as the site script's first page view does, so the id is the server's. Before the closed
 * session phase the test clock (if enabled) is moved past lease TTL + cool-down so the pool is free.
 * Before the open one it is moved only when the numbers not leased cannot cover that phase: the move
 * ends every lease of the closed phase at once, and writing those ends (2,000 a second per pool)
 * would be measured as the open phase's latency. {@code --numbers} must cover the starts, else the
 * rest are answered untracked (counted as {@code untracked} in the results, a cheaper path).
 */
final class ThroughputScenario {
    /** Call ids of the ringing-only calls sent while the first completions are not due yet (far from the others). */
    private static final long CALL_IDS_WITHOUT_COMPLETION = 1_000_000_000L;
    private final ServerApi api;
    private final Options o;

    ThroughputScenario(ServerApi api, Options o) {
        this.api = api;
        this.o = o;
    }

    Map<String, Object> run(Path out) {
        int connections = o.intOpt("connections", 64, "connections (closed loop: one request in flight on each)");
        double seconds = o.dbl("seconds", 10, "measured seconds per phase");
        // 20 s, not 3: the server's JVM compiles with C2 alone (config/jvm.options), so at 3 s the starts and
        // call events phases measured the interpreter climbing (794 -> 4,649 starts/s within one phase, JIT 32 %)
        double warmup = o.dbl("warmup", 20, "warm-up seconds before each closed-loop phase (not recorded)");
        // the call path (two events, attribution reads, the call's JSON) is still compiling after 20 s: the JIT took
        // 25-30 % of the calls phase at 20 s in sessions 19-23, and 1-4 % after 30-90 s (docs/scaling.md, session 22)
        double callsWarmup = o.dbl("calls-warmup", Math.max(60, warmup), "warm-up seconds before the call events' closed-loop phase");
        double openWarmup = o.dbl("open-warmup", 3, "seconds at each open phase's rate before it is recorded (the server's "
                + "background work after the closed phases, e.g. the report refresh reading their rows back, falls there)");
        double fraction = o.dbl("open-fraction", 0.5, "open-loop offered rate as a share of the measured saturation rate");
        // 600,000: a warmed closed phase (20 s of warm-up, then 10 s) at 10-15k starts/s leases 300-450k
        int numbers = o.intOpt("numbers", 600_000, "tracking numbers in the pool");
        boolean clock = Boolean.parseBoolean(o.str("test-clock", "true", "free the pool between phases with the test clock"));
        Map<String, Double> openRates = fixedRates(o.str("open-rates", "",
                "fixed open-loop rates per kind instead of the fraction, e.g. calls:1500,sessions:5000 (to compare builds at the same offered load)"));
        long callLag = o.intOpt("call-lag", 0, "calls between a call's ringing event and its completed event "
                + "(0: back to back, on two connections at once, as every earlier figure was measured)");
        boolean randomCallIds = o.str("call-ids", "sequential", "provider call ids: sequential (tp-SITE-N) or random "
                + "(CA + 32 hex digits, as Twilio's CallSid)").equals("random");
        String only = o.str("only", "health,sessions,heartbeats,calls", "which request kinds to measure");
        long serverPid = o.intOpt("server-pid", 0, "the server's pid, for its CPU by thread group per phase (run.sh passes it); 0: not shown");
        o.rejectUnknown();

        ServerApi.Site site = api.createSite("loadtest-throughput", "+74950000000");
        System.err.printf("creating a pool of %,d numbers…%n", numbers);
        List<String> pool = ServerApi.numbers("801", (System.currentTimeMillis() / 1000 % 20) * 400_000L, numbers);
        api.createPool(site, pool);
        // Server clock − our clock, seconds; re-read after every test-clock move (call signatures use it).
        long[] skew = {clock ? api.advanceClock(0).getEpochSecond() - Instant.now().getEpochSecond() : 0};

        List<String> sessionIds = new ArrayList<>();
        AtomicLong untrackedStarts = new AtomicLong();
        AtomicLong leasedSinceFreed = new AtomicLong(); // tracked starts since the pool was last freed (sessionIds keeps at most 200,000)
        long[] visitor = {0};
        Harness.RequestSource health = i -> api.http().get("/health", null);
        Harness.RequestSource sessions = i -> {
            long v = ++visitor[0];
            return api.http().post("/v1/sessions", ServerApi.scriptHeaders(ServerApi.ipOf(v), false),
                    ServerApi.sessionBody(site.publicKey(), null, "https://example.com/?utm_source=google&utm_medium=cpc&gclid=x" + v,
                            "https://www.google.com/")).thenApply(r -> {
                                collect(r, sessionIds, untrackedStarts, leasedSinceFreed);
                                return r;
                            });
        };
        Harness.RequestSource heartbeats = i -> {
            String id;
            synchronized (sessionIds) {
                id = sessionIds.isEmpty() ? "none" : sessionIds.get((int) (i % sessionIds.size()));
            }
            return api.heartbeat(id, ServerApi.ipOf(i));
        };
        long[] event = {0};
        Harness.RequestSource calls = i -> {
            // Two events per call, as a provider sends them: "ringing" creates and attributes the
            // call, "completed" updates it. By default the two go out back to back, on two
            // connections at once, so the second waits for the first's commit (one call's events
            // are serialised); --call-lag=N sends it N calls later, as a provider does when the call
            // ends (1,000 measured no different: docs/scaling.md, "Session 17"). One caller in 4 has
            // called before, so classification reads an earlier call.
            long e = ++event[0];
            long c = e / 2;
            boolean ringing = e % 2 == 0 || c < callLag;
            long call = e % 2 == 0 ? c : c < callLag ? CALL_IDS_WITHOUT_COMPLETION + c : c - callLag;
            // The signature's time is the server's clock (test clock may be ahead of ours).
            long t = Instant.now().getEpochSecond() + skew[0];
            String from = "+7916" + String.format("%07d", (call % 4 == 0 ? call / 4 : call) % 10_000_000);
            String to = pool.get((int) (call % pool.size()));
            String callId = randomCallIds ? randomLookingCallId(call) : "tp-" + site.siteId() + "-" + call;
            String body = ringing
                    ? ServerApi.callBody(callId, "ringing", from, to, Instant.ofEpochSecond(t), -1, 0)
                    : ServerApi.callBody(callId, "completed", from, to, Instant.ofEpochSecond(t), 45, 40);
            return api.callEvent(site, t, body);
        };
        Map<String, Harness.RequestSource> sources = new LinkedHashMap<>();
        for (String k : only.split(",")) {
            sources.put(k.trim(), switch (k.trim()) {
                case "health" -> health;
                case "sessions" -> sessions;
                case "heartbeats" -> heartbeats;
                case "calls" -> calls;
                default -> throw new IllegalArgumentException("--only: unknown kind " + k);
            });
        }

        List<Harness.Phase> phases = new ArrayList<>();
        List<ServerCpu.Split> cpu = new ArrayList<>(); // one per measured phase, in the same order
        List<Long> untracked = new ArrayList<>(); // starts answered without a number, per measured phase
        Map<String, Double> saturation = new LinkedHashMap<>();
        String[] phaseName = {""};
        try (Progress progress = new Progress("throughput", () -> phaseName[0])) {
            Harness h = new Harness(progress);
            for (var e : sources.entrySet()) {
                if (e.getKey().equals("sessions") && clock) {
                    skew[0] = api.advanceClock(1200).getEpochSecond() - Instant.now().getEpochSecond(); // every earlier lease expires and cools down
                    synchronized (sessionIds) {
                        sessionIds.clear();
                    }
                    leasedSinceFreed.set(0);
                }
                phaseName[0] = e.getKey() + " warm-up";
                h.closedLoop(e.getKey(), e.getValue(), connections, e.getKey().equals("calls") ? callsWarmup : warmup);
                phaseName[0] = e.getKey() + " saturation";
                ServerCpu.Snapshot before = ServerCpu.snapshot(serverPid);
                long untrackedBefore = untrackedStarts.get();
                Harness.Phase p = h.closedLoop(e.getKey(), e.getValue(), connections, seconds);
                cpu.add(ServerCpu.between(before, ServerCpu.snapshot(serverPid)));
                untracked.add(untrackedStarts.get() - untrackedBefore);
                phases.add(p);
                saturation.put(e.getKey(), p.rate());
            }
            for (var e : sources.entrySet()) {
                double rate = openRates.getOrDefault(e.getKey(), Math.max(1, saturation.get(e.getKey()) * fraction));
                if (e.getKey().equals("sessions") && clock && !poolHasRoom(numbers, leasedSinceFreed.get(), rate * (seconds + openWarmup))) {
                    // Only when the pool is too small for this phase: moving the clock past the TTL
                    // ends every lease of the closed phase at once, and the sweeper's writes of those
                    // ends (MAX_ENDS_PER_SWEEP a second) would be measured as this phase's latency.
                    System.err.printf("the pool cannot hold the open phase's starts: expiring the closed phase's leases first "
                            + "(their end writes fall inside this phase)%n");
                    skew[0] = api.advanceClock(1200).getEpochSecond() - Instant.now().getEpochSecond();
                    synchronized (sessionIds) {
                        sessionIds.clear();
                    }
                    leasedSinceFreed.set(0);
                }
                if (openWarmup > 0) {
                    phaseName[0] = e.getKey() + String.format(" open %.0f/s warm-up", rate);
                    h.openLoop(e.getKey(), e.getValue(), rate, openWarmup);
                }
                phaseName[0] = e.getKey() + String.format(" open %.0f/s", rate);
                ServerCpu.Snapshot before = ServerCpu.snapshot(serverPid);
                long untrackedBefore = untrackedStarts.get();
                phases.add(h.openLoop(e.getKey(), e.getValue(), rate, seconds));
                cpu.add(ServerCpu.between(before, ServerCpu.snapshot(serverPid)));
                untracked.add(untrackedStarts.get() - untrackedBefore);
            }
        }
        double healthRate = saturation.getOrDefault("health", 0.0);
        StringBuilder table = new StringBuilder(String.format("%-11s %-6s %9s %10s %8s %8s %8s %8s %8s %7s%n",
                "request", "mode", "offered/s", "achieved/s", "×health", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "non-2xx"));
        List<Map<String, Object>> json = new ArrayList<>();
        StringBuilder cpuLines = new StringBuilder();
        StringBuilder warnings = new StringBuilder();
        for (int i = 0; i < phases.size(); i++) {
            Harness.Phase p = phases.get(i);
            table.append(String.format("%-11s %-6s %9s %10.0f %8s %8.2f %8.2f %8.2f %8.1f %7d%n", p.name(), p.mode(),
                    p.offeredRate() > 0 ? String.format("%.0f", p.offeredRate()) : "max", p.rate(),
                    healthRate > 0 ? String.format("%.3f", p.rate() / healthRate) : "-", p.ms(50), p.ms(99), p.ms(99.9),
                    p.latencyMicros().getMaxValue() / 1000.0, p.rejected() + p.failed()));
            Map<String, Object> phaseJson = new LinkedHashMap<>(p.toJson(healthRate));
            if (p.name().equals("sessions")) {
                phaseJson.put("untrackedStarts", untracked.get(i));
                if (untracked.get(i) > 0) {
                    warnings.append(String.format("%s %s: %,d of %,d starts untracked (a cheaper path: the pool ran out; raise --numbers)%n",
                            p.name(), p.mode(), untracked.get(i), p.ok()));
                }
            }
            if (!cpu.get(i).shares().isEmpty()) {
                phaseJson.put("serverCpuSeconds", cpu.get(i).seconds());
                phaseJson.put("serverCpuShares", cpu.get(i).shares());
                cpuLines.append(String.format("%-11s %-6s %s%n", p.name(), p.mode(), cpu.get(i)));
            }
            json.add(phaseJson);
        }
        System.out.printf("%nThroughput — %d connections, %.0f s per phase, open loop at %.0f%% of saturation%n%s", connections,
                seconds, fraction * 100, table);
        System.out.print(warnings.isEmpty() ? "every measured start leased a number\n" : "WARNING " + warnings);
        if (!cpuLines.isEmpty()) {
            // "jit" is the JIT compiler still compiling: on one core it takes a minute or more (docs/scaling.md)
            System.out.printf("%nServer CPU by thread group (kernel accounting)%n%s", cpuLines);
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("scenario", "throughput");
        results.put("environment", Results.environment(o));
        results.put("phases", json);
        results.put("sessionsCollected", sessionIds.size());
        Path file = Results.write(out, "throughput", results);
        System.out.println("results: " + file);
        return results;
    }

    /** A provider call id that looks random (Twilio's CallSid shape) but is the same for both events of a call. */
    static String randomLookingCallId(long call) {
        return String.format("CA%016x%016x", mix(call), mix(call ^ 0x5DEECE66DL));
    }

    /** A 64-bit mixing function (SplitMix64's finaliser): consecutive inputs give unrelated outputs. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Keeps the session id of a tracked start (cheap substring search: the generator must stay cheap). */
    private static void collect(LoadClient.Reply r, List<String> into, AtomicLong untracked, AtomicLong leased) {
        if (r.status() == 200 && new String(r.body(), StandardCharsets.UTF_8).contains("\"tracked\":false")) {
            untracked.incrementAndGet();
        }
        if (r.status() != 201) {
            return;
        }
        leased.incrementAndGet();
        String s = new String(r.body(), StandardCharsets.UTF_8);
        int i = s.indexOf("\"sessionId\":\"");
        if (i >= 0) {
            int from = i + 13;
            int to = s.indexOf('"', from);
            synchronized (into) {
                if (into.size() < 200_000) {
                    into.add(s.substring(from, to));
                }
            }
        }
    }

    /** Whether the numbers not yet leased cover {@code starts} more starts with a tenth to spare. */
    static boolean poolHasRoom(int numbers, long leased, double starts) {
        return numbers - leased >= starts * 1.1;
    }

    /** "calls:1500,sessions:5000" as kind → requests a second; empty: none. */
    static Map<String, Double> fixedRates(String spec) {
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.split(":");
            if (kv.length != 2) {
                throw new IllegalArgumentException("--open-rates must look like calls:1500,sessions:5000, got " + spec);
            }
            rates.put(kv[0].trim(), Double.parseDouble(kv[1].trim()));
        }
        return rates;
    }
}
