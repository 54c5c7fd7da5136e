package io.ringpool.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole server configuration, immutable and validated at start. Each group mirrors a section
 * of {@code config/ringpool.yaml}, where every key is documented with its unit and default.
 */
public record RingpoolConfig(Server server, Store store, Security security, Leasing leasing, Limits limits, Demo demo) {

    /** HTTP listener, limits and the worker pool that runs blocking work off the event loop. */
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
            int reportConcurrencyPerKey) {

        /** The same with another interface to bind (the demo binds loopback). */
        public Server withHost(String newHost) {
            return new Server(newHost, port, publicUrl, ioThreads, workerThreads, workerQueue, requestTimeout, idleTimeout,
                    maxInitialLineBytes, maxHeaderBytes, maxScriptBodyBytes, maxWebhookBodyBytes, maxAdminBodyBytes,
                    trustedProxies, reportThreads, reportQueue, reportConcurrencyPerKey);
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
            int writerQueueMax) {

        public boolean isH2() {
            return url.startsWith("jdbc:h2:");
        }
    }

    /** Operator credentials and the key that encrypts per-site secrets at rest. */
    public record Security(String adminKey, String secretKey, String metricsToken, int authFailuresBeforeSlowdown,
            int authFailuresBeforeBlock) {}

    /** Server-wide leasing knobs; per-site lease timings live in site settings. */
    public record Leasing(Duration sweepInterval, int sessionsPerIpPerMinute, boolean testClock) {}

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
            int leadsPerAddress,
            int pageviewsStoredPerSession,
            int intentsStoredPerSession,
            int maxUrlChars,
            int maxTitleChars) {}

    /** The demo site, seeded only when asked for, bound to {@code host} while on. */
    public record Demo(boolean enabled, String host, Path file) {}
}
