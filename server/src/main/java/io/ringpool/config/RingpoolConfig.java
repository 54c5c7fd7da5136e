package io.ringpool.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole server configuration, immutable and validated at start. Each group mirrors a section
 * of {@code config/ringpool.yaml}, where every key is documented with its unit and default.
 */
public record RingpoolConfig(Server server, Store store, Security security, Leasing leasing, Demo demo, Journal journal) {

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
            List<String> trustedProxies) {}

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
    public record Security(String adminKey, String secretKey) {}

    /** Server-wide leasing knobs; per-site lease timings live in site settings. */
    public record Leasing(Duration sweepInterval, int sessionsPerIpPerMinute, int addressCapPercent, boolean testClock) {}

    /** The local call journal (see {@code journal.CallJournal}); {@code maxBytes} bounds its files together. */
    public record Journal(long maxBytes) {}

    /** The demo site seeded on first start so a new user sees something working. */
    public record Demo(boolean enabled, Path file) {}
}
