package io.ringpool.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real server as its own JVM ({@code io.ringpool.Main}), for what only a process shows: exit codes, signals, locks. */
final class ChildServer implements AutoCloseable {
    static final String ADMIN = "admin-key-for-child-tests";

    final Process process;
    final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;
    private volatile int port = -1;

    private ChildServer(Process process) {
        this.process = process;
        this.reader = Thread.ofPlatform().daemon(true).start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    int at = line.indexOf("listening port=");
                    if (at >= 0) {
                        port = Integer.parseInt(line.substring(at + 15).split("\\s")[0]);
                    }
                    output.add(line);
                }
            } catch (Exception ignored) {
                // the process went away
            }
        });
    }

    /** Starts {@code Main} with {@code args}; stdout and stderr together in {@link #output}. */
    static ChildServer start(Path dataDir, int port, Map<String, String> env, String... args) throws Exception {
        // With a JVM option given, Main runs the server in this JVM (ServerJvm relaunches only a bare one).
        return start(List.of("--enable-native-access=ALL-UNNAMED"), dataDir, port, env, args);
    }

    /** Starts {@code Main} in a JVM given no option at all, as {@code java -jar} alone would. */
    static ChildServer startBare(Path dataDir, int port, Map<String, String> env, String... args) throws Exception {
        return start(List.of(), dataDir, port, env, args);
    }

    private static ChildServer start(List<String> jvmOptions, Path dataDir, int port, Map<String, String> env, String... args)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.ringpool.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("RINGPOOL_PORT", Integer.toString(port));
        pb.environment().put("RINGPOOL_DATA_DIR", dataDir.toString());
        pb.environment().put("RINGPOOL_ADMIN_KEY", ADMIN);
        pb.environment().put("RINGPOOL_DEMO", "false");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        return new ChildServer(pb.start());
    }

    /** Waits for {@code listening port=N}; fails when the process exits first or takes a minute. */
    int awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (port < 0) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("child server did not start: " + output);
            }
            Thread.sleep(20);
        }
        return port;
    }

    /** Waits for the exit and for the last line of output; returns the exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("child server did not exit: " + output);
        }
        // the reader thread may still be draining the pipe
        reader.join(java.time.Duration.ofSeconds(10));
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
