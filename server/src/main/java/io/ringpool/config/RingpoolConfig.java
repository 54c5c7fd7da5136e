package io.ringpool.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole server configuration, immutable and validated at start. Each group mirrors a section
 * of {@code config/ringpool.yaml}, where every key is documented with its unit and default.
 */
public record RingpoolConfig(Server server, Store store, Security security, Leasing leasing, Limits limits, Leads leads, Demo demo,
        Recordings recordings, Cluster cluster, Outbound outbound, Journal journal) {

    /** Without a journal section: its defaults. */
    public RingpoolConfig(Server server, Store store, Security security, Leasing leasing, Limits limits, Leads leads, Demo demo,
            Recordings recordings, Cluster cluster, Outbound outbound) {
        this(server, store, security, leasing, limits, leads, demo, recordings, cluster, outbound, Journal.DEFAULTS);
    }

    /**
     * Several nodes on one PostgreSQL store: this node's id (empty = generated once into the data
     * directory), how often it polls the store for changes made by other nodes, and how often it
     * tells the others it is alive.
     */
    public record Cluster(String nodeId, Duration changePoll, Duration nodeBeat, boolean listenForChanges) {
        /** The defaults of config/ringpool.yaml. */
        public static final Cluster DEFAULTS = new Cluster("", Duration.ofSeconds(1), Duration.ofSeconds(2), true);
    }

    /**
     * HTTP listener, limits and the worker pool that runs blocking work off the event loop.
     * {@code publicUrl} is empty when not set: see {@link #publicUrlAt}.
     */
    public record Server(
            String host,
            int port,
            String publicUrl,
            int ioThreads,
            int workerThreads,
            int workerQueue,
            Duration requestTimeout,
            Duration idleTimeout,
            int maxInitialLineBytes,
            int maxHeaderBytes,
            int maxScriptBodyBytes,
            int maxWebhookBodyBytes,
            int maxAdminBodyBytes,
            List<String> trustedProxies,
            int reportThreads,
            int reportQueue,
            int reportConcurrencyPerKey,
            Duration reportYield,
            int reportSharePercent,
            boolean reportPreload,
            int reportMaxVisits) {

        /**
         * The external base URL: {@code publicUrl}, or when it is not set, this machine's at the
         * port actually listened on. A default of port 8080 whatever the port made every invite,
         * feed link and Twilio signature check point elsewhere (audit P #3).
         */
        public String publicUrlAt(int boundPort) {
            return publicUrl.isEmpty() ? "http://localhost:" + boundPort : publicUrl;
        }

        /** The same with another interface to bind (the demo binds loopback). */
        public Server withHost(String newHost) {
            return new Server(newHost, port, publicUrl, ioThreads, workerThreads, workerQueue, requestTimeout, idleTimeout,
                    maxInitialLineBytes, maxHeaderBytes, maxScriptBodyBytes, maxWebhookBodyBytes, maxAdminBodyBytes,
                    trustedProxies, reportThreads, reportQueue, reportConcurrencyPerKey, reportYield, reportSharePercent, reportPreload,
                    reportMaxVisits);
        }
    }

    /** Database: H2 file store in {@code dataDir} unless {@code url} names another JDBC URL. */
    public record Store(
            Path dataDir,
            String url,
            String user,
            String password,
            int maxConnections,
            int writerBatchMax,
            int writerQueueMax,
            boolean syncCommits) {

        public boolean isH2() {
            return url.startsWith("jdbc:h2:");
        }
    }

    /** Operator credentials and the key that encrypts per-site secrets at rest. */
    public record Security(String adminKey, String secretKey, String metricsToken, int authFailuresBeforeSlowdown,
            int authFailuresBeforeBlock) {}

    /** Server-wide leasing knobs; per-site lease timings live in site settings. */
    public record Leasing(Duration sweepInterval, int sessionsPerIpPerMinute, int addressCapPercent, int networkCapPercent,
            boolean testClock, Duration renewalFlush, int maxLiveSessions, java.time.Instant testClockStart) {}

    /** The local call journal (see {@code journal.CallJournal}); {@code maxBytes} bounds its files together. */
    public record Journal(long maxBytes) {
        public static final Journal DEFAULTS = new Journal(64L * 1024 * 1024);
    }

    /**
     * Budgets of the public site-script routes (per minute, per session and per client address)
     * and the caps on what one session may store. 0 = unlimited where a budget allows it.
     */
    public record Limits(
            int pageviewsPerSession,
            int pageviewsPerAddress,
            int intentsPerSession,
            int intentsPerAddress,
            int heartbeatsPerSession,
            int heartbeatsPerAddress,
            int leadsPerSession,
            int pageviewsStoredPerSession,
            int intentsStoredPerSession,
            int maxUrlChars,
            int maxTitleChars) {}

    /** Server-wide lead knobs; per-site lead settings live in site settings. */
    public record Leads(int perIpPerMinute) {}

    /**
     * What Ringpool sends out (webhooks, uploads): where it may connect and how hard it tries.
     *
     * @param allow              hosts, addresses or CIDRs reachable although internal (SSRF allow-list)
     * @param perSiteConcurrency of the {@code threads}, at most this many for one site's endpoints (0 in the file: half of them)
     * @param slowThreads        more threads, for endpoints whose attempts take half the timeout or more
     * @param paused             nothing is sent: deliveries are kept pending (a restored copy checked beside the live server)
     */
    public record Outbound(List<String> allow, Duration timeout, int threads, int perSiteConcurrency, int perTargetConcurrency,
            int slowThreads, Duration poll, Duration lease, boolean paused) {
        /** The defaults of config/ringpool.yaml. */
        public static final Outbound DEFAULTS = new Outbound(List.of(), Duration.ofSeconds(10), 8, 4, 2, 2, Duration.ofMillis(250),
                Duration.ofSeconds(30), false);
    }

    /** The demo site, seeded only when asked for, bound to {@code host} while on. */
    public record Demo(boolean enabled, String host, Path file) {}
    /**
     * Fetching and keeping call recordings (docs/recordings.md).
     *
     * @param maxBytes      a recording larger than this is refused and not kept, bytes
     * @param fetchTimeout  one download, connect to last byte
     * @param maxAttempts   downloads tried before a recording is given up as failed
     * @param pollInterval  how often the fetcher looks for due downloads (it is also woken by new ones)
     * @param fetchAllow    hosts or CIDRs a download may reach although loopback or private (empty by default)
     */
    public record Recordings(long maxBytes, Duration fetchTimeout, int maxAttempts, Duration pollInterval, List<String> fetchAllow) {
        public static final Recordings DEFAULTS = new Recordings(200L * 1024 * 1024, Duration.ofSeconds(120), 10,
                Duration.ofSeconds(5), List.of());
    }
}
