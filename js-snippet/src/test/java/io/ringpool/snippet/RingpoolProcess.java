package io.ringpool.snippet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real server: {@code ../server/target/ringpool-server.jar} run by this JDK as a child process on
 * port 0 with a temporary data dir and a random admin key; ready when it logs {@code listening port=N}.
 */
final class RingpoolProcess extends Ringpool {
    private static final Path JAR = Path.of("..", "server", "target", "ringpool-server.jar");
    private static final Pattern LISTENING = Pattern.compile("listening port=(\\d+)");
    private static final long START_TIMEOUT_SECONDS = 60;

    private final Process process;
    private final int port;
    private final String adminKey;
    private final Path dataDir;

    private RingpoolProcess(Process process, int port, String adminKey, Path dataDir) {
        this.process = process;
        this.port = port;
        this.adminKey = adminKey;
        this.dataDir = dataDir;
    }

    static RingpoolProcess start() throws Exception {
        // The browsers reach the server from loopback with no proxy in between: say so, so loopback is
        // not rate limited (a proxy configured there would make loopback count as one busy address).
        return start("server:\n  trustedProxies: []\n");
    }

    /** The server with {@code yaml} as its configuration file. */
    static RingpoolProcess start(String yaml) throws Exception {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: build the server first, e.g. ./mvnw -B -pl server,js-snippet -am verify");
        }
        Path dataDir = Files.createTempDirectory("ringpool-snippet-test");
        String adminKey = "admin-" + UUID.randomUUID();
        Path config = dataDir.resolve("ringpool-test.yaml");
        Files.writeString(config, yaml);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                "--config", config.toString())
                .redirectErrorStream(true);
        pb.environment().put("RINGPOOL_PORT", "0");
        pb.environment().put("RINGPOOL_DATA_DIR", dataDir.toString());
        pb.environment().put("RINGPOOL_ADMIN_KEY", adminKey);
        // The default heap follows the machine (4g here, touched at start); these servers need little.
        pb.environment().put("RINGPOOL_HEAP", "512m");
        Process p = pb.start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        StringBuilder log = new StringBuilder();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (log) { if (log.length() < 200_000) log.append(line).append('\n'); }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) port.complete(Integer.parseInt(m.group(1)));
                }
            } catch (IOException ignored) {
                // the process ended
            }
            port.completeExceptionally(new IllegalStateException("server exited before listening:\n" + log));
        }, "ringpool-server-log");
        pump.setDaemon(true);
        pump.start();
        try {
            return new RingpoolProcess(p, port.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS), adminKey, dataDir);
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    @Override
    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    String adminKey() {
        return adminKey;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
