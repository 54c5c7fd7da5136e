package io.ringpool.loadtest;

import java.net.URI;
import java.nio.file.Path;

/**
 * {@code java -jar ringpool-loadtest.jar <scenario> [--option=value ...]}; scenarios:
 * {@code accuracy}, {@code sweep}, {@code throughput}, {@code memory}. {@code --help} after a
 * scenario lists its options with their defaults. See loadtest/README.md.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("--")) {
            System.err.println("usage: ringpool-loadtest accuracy|sweep|throughput|memory [--option=value ...] [--help]");
            System.exit(2);
        }
        String scenario = args[0];
        Options o = new Options(java.util.Arrays.copyOfRange(args, 1, args.length));
        URI url = URI.create(o.str("url", "http://127.0.0.1:8080", "the server's base URL"));
        String adminKey = o.str("admin-key", System.getenv().getOrDefault("RINGPOOL_ADMIN_KEY", "change-me"),
                "the server's admin key (env RINGPOOL_ADMIN_KEY)");
        Path out = Path.of(o.str("out", "loadtest-results", "directory for results JSON (and the sweep chart)"));
        int maxConnections = o.intOpt("max-connections", 256, "client connection limit");
        int ioThreads = o.intOpt("io-threads", 1, "Netty event-loop threads of the generator");
        try (LoadClient client = new LoadClient(url, maxConnections, ioThreads)) {
            ServerApi api = new ServerApi(client, adminKey);
            Runnable help = () -> {
                System.out.println("options of " + scenario + ":\n" + o.helpText());
                System.exit(0);
            };
            switch (scenario) {
                case "accuracy" -> {
                    var s = new AccuracyScenario(api, o);
                    o.dbl("pool-factor", 1.0, "pool size as a multiple of the server's recommended size");
                    o.intOpt("pool-size", 0, "pool size (0 = calibrate and use --pool-factor × recommended)");
                    if (o.helpRequested()) {
                        help.run();
                    }
                    s.accuracy(out);
                }
                case "sweep" -> {
                    var s = new AccuracyScenario(api, o);
                    o.str("factors", "0.25,0.5,0.75,1,1.5,2", "pool sizes as multiples of the recommended size");
                    if (o.helpRequested()) {
                        help.run();
                    }
                    s.sweep(out);
                }
                case "throughput" -> {
                    if (o.helpRequested()) {
                        throughputHelp(o);
                        help.run();
                    }
                    new ThroughputScenario(api, o).run(out);
                }
                case "memory" -> {
                    if (o.helpRequested()) {
                        memoryHelp(o);
                        help.run();
                    }
                    new MemoryScenario(api, o).run(out);
                }
                case "report" -> new ReportScenario(api, o).run(out);
                case "fairness" -> new FairnessScenario(api, o, url).run(out);
                default -> {
                    System.err.println("unknown scenario " + scenario + "; one of accuracy, sweep, throughput, memory, report, fairness");
                    System.exit(2);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
        System.exit(0);
    }

    private static void throughputHelp(Options o) {
        o.intOpt("connections", 64, "connections (closed loop: one request in flight on each)");
        o.dbl("seconds", 10, "measured seconds per phase");
        o.dbl("warmup", 3, "warm-up seconds before each closed-loop phase (not recorded)");
        o.dbl("open-fraction", 0.5, "open-loop offered rate as a share of the measured saturation rate");
        o.intOpt("numbers", 200_000, "tracking numbers in the pool");
        o.str("test-clock", "true", "free the pool between phases with the test clock");
        o.str("only", "health,sessions,heartbeats,calls", "which request kinds to measure");
    }

    private static void memoryHelp(Options o) {
        o.intOpt("live", 100_000, "live sessions at each measurement (= pool size)");
        o.longOpt("total", 1_000_000, "sessions started in all");
        o.intOpt("connections", 64, "connections");
        o.longOpt("server-pid", 0, "server process id, to force a GC (jcmd) before each heap reading; 0 = no GC");
    }
}
