package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A jar started with no JVM option runs the server in a JVM with config/jvm.options
 * (io.ringpool.launch.ServerJvm): by default the started process becomes that JVM; with
 * RINGPOOL_RELAUNCH=process it is a child. Real processes, real signals.
 */
class ServerJvmProcessTest {
    /** A small heap: the test only needs the server to start, and the options are what it checks. */
    private static final Map<String, String> SMALL = Map.of("RINGPOOL_HEAP", "96m");
    private static final Map<String, String> SMALL_CHILD = Map.of("RINGPOOL_HEAP", "96m", "RINGPOOL_RELAUNCH", "process");

    @TempDir
    Path dir;

    @Test
    @EnabledOnOs(OS.LINUX)
    void theStartedProcessBecomesTheServerSoEverySignalReachesIt() throws Exception {
        existingDataDirectory(); // gc.log goes to a data directory that exists at the start
        try (ChildServer server = ChildServer.startBare(dir.resolve("data"), 0, SMALL)) {
            int port = server.awaitListening();
            assertThat(server.process.children().count()).isZero();
            assertThat(commandLine(server.process.toHandle())).contains("-XX:+UseParallelGC", "-XX:-TieredCompilation",
                    "-XX:+ExitOnOutOfMemoryError", "-Xms96m", "-Xmx96m");
            assertThat(server.output).anySatisfy(line -> assertThat(line).contains("server_jvm options=\"-XX:+UseParallelGC")
                    .contains("in=this-process"));
            assertThat(get(port, "/health")).isEqualTo(200);

            signal("STOP", server.process.pid()); // the operator pauses the process it started: the server stops answering
            assertThatThrownBy(() -> get(port, "/health")).isInstanceOf(java.net.http.HttpTimeoutException.class);
            signal("CONT", server.process.pid());
            assertThat(get(port, "/health")).isEqualTo(200);

            // Audit E #7: gc.log, which the JVM creates itself, is owner-only as with bin/ringpool (umask 077).
            assertThat(Files.getPosixFilePermissions(dir.resolve("data").resolve("gc.log")))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            server.process.toHandle().destroy(); // SIGTERM, as systemd or docker stop sends it
            assertThat(server.awaitExit()).as("a stop that was asked for exits 0, not the JVM's 143 (audit E #4)").isZero();
            assertThat(server.output).anySatisfy(line -> assertThat(line).contains("stopped port=" + port));
        }
    }

    /** One story, to start as few JVMs as the promises allow: each start here is two of them. */
    @Test
    @EnabledOnOs(OS.LINUX)
    void asAChildTheServerTakesTheShippedOptionsAndGoesWhenItsLauncherIsKilled() throws Exception {
        Path data = dir.resolve("data");
        int port;
        try (ChildServer launcher = ChildServer.startBare(data, 0, SMALL_CHILD)) {
            port = launcher.awaitListening();
            ProcessHandle server = onlyChild(launcher);
            assertThat(commandLine(server)).contains("-XX:+UseParallelGC", "-XX:-TieredCompilation", "-XX:+ExitOnOutOfMemoryError",
                    "-Xms96m", "-Xmx96m");
            assertThat(launcher.output).anySatisfy(line -> assertThat(line).contains("in=child-process (RINGPOOL_RELAUNCH=process)"));
            assertThat(get(port, "/health")).isEqualTo(200);

            // The server's own failure is the launcher's exit status.
            try (ChildServer second = ChildServer.startBare(dir.resolve("second"), port, SMALL_CHILD)) {
                assertThat(second.awaitExit()).isEqualTo(1);
                assertThat(second.output).anySatisfy(line -> assertThat(line).contains("port " + port + " is already in use"));
            }

            launcher.process.destroyForcibly(); // kill -9 of the process the operator started
            server.onExit().get(10, TimeUnit.SECONDS);
            assertThat(server.isAlive()).isFalse();
        }
        assertThatThrownBy(() -> connect(port)).isInstanceOf(IOException.class);
        // The same data directory and port start again at once: no orphan holds either.
        try (ChildServer again = ChildServer.startBare(data, port, SMALL)) {
            assertThat(again.awaitListening()).isEqualTo(port);
            assertThat(get(port, "/health")).isEqualTo(200);
        }
    }

    /** Audit E #4: systemd counted the JVM's 143 after a clean SIGTERM stop as a failure. */
    @Test
    @EnabledOnOs(OS.LINUX)
    void asAChildTheServerStopsCleanlyOnTheLaunchersSigtermAndTheLauncherExitsZero() throws Exception {
        existingDataDirectory();
        try (ChildServer launcher = ChildServer.startBare(dir.resolve("data"), 0, SMALL_CHILD)) {
            int port = launcher.awaitListening();
            ProcessHandle server = onlyChild(launcher);
            assertThat(Files.getPosixFilePermissions(dir.resolve("data").resolve("gc.log")))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            launcher.process.toHandle().destroy(); // SIGTERM to the process the operator started
            assertThat(launcher.awaitExit()).isZero();
            server.onExit().get(10, TimeUnit.SECONDS);
            assertThat(launcher.output).anySatisfy(line -> assertThat(line).contains("stopped port=" + port));
        }
    }

    /**
     * Audit P #8, P2 #2: a refused second start rotated the running server's gc.log away (five of
     * them deleted it while it was written), and a data directory that did not exist at the start
     * got no GC log at all. Only the process that holds the directory starts the log now.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void onlyTheServerThatHoldsTheDataDirectoryWritesItsGcLog() throws Exception {
        Path data = dir.resolve("data"); // not there yet
        try (ChildServer server = ChildServer.startBare(data, 0, SMALL)) {
            server.awaitListening();
            Path gcLog = data.resolve("gc.log");
            assertThat(gcLog).exists();
            Object inode = Files.getAttribute(gcLog, "unix:ino");
            try (ChildServer second = ChildServer.startBare(data, 0, SMALL)) {
                assertThat(second.awaitExit()).isEqualTo(1);
                assertThat(String.join("\n", second.output)).contains("another Ringpool holds the data directory");
            }
            assertThat(Files.getAttribute(gcLog, "unix:ino")).as("the running server's gc.log was not rotated").isEqualTo(inode);
            try (var files = Files.list(data)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith("gc.log."));
            }
        }
    }

    @Test
    void relaunchFalseKeepsTheServerInTheJvmAsStarted() throws Exception {
        try (ChildServer server = ChildServer.startBare(dir.resolve("data"), 0, Map.of("RINGPOOL_RELAUNCH", "false"))) {
            int port = server.awaitListening();
            assertThat(server.process.descendants().count()).isZero();
            assertThat(server.output).noneSatisfy(line -> assertThat(line).contains("server_jvm"));
            assertThat(get(port, "/health")).isEqualTo(200);
        }
    }

    @Test
    void anUnknownRelaunchValueIsRefusedByName() throws Exception {
        try (ChildServer server = ChildServer.startBare(dir.resolve("data"), 0, Map.of("RINGPOOL_RELAUNCH", "sometimes"))) {
            assertThat(server.awaitExit()).isEqualTo(2);
            assertThat(server.output).anySatisfy(line -> assertThat(line).contains("RINGPOOL_RELAUNCH must be true, process or false"));
        }
    }

    /** Audit AE1 #4: a bad RINGPOOL_JAVA_OPTS got the JVM's three lines and exit 1, nothing naming the variable. */
    @Test
    void anOptionTheJvmRefusesInRingpoolJavaOptsIsRefusedByName() throws Exception {
        try (ChildServer server = ChildServer.startBare(dir.resolve("data"), 0,
                Map.of("RINGPOOL_HEAP", "96m", "RINGPOOL_JAVA_OPTS", "-XX:+NoSuchRingpoolOption"))) {
            assertThat(server.awaitExit()).isEqualTo(2);
            assertThat(server.output).anySatisfy(line -> assertThat(line)
                    .startsWith("ringpool: RINGPOOL_JAVA_OPTS: the JVM refuses these options: ").contains("NoSuchRingpoolOption"));
            assertThat(server.output).noneSatisfy(line -> assertThat(line).contains("Could not create the Java Virtual Machine"));
        }
    }

    private void existingDataDirectory() throws IOException {
        Files.createDirectories(dir.resolve("data"),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    }

    /** From the kernel: ProcessHandle.Info drops the arguments of a command line as long as the test class path. */
    private static List<String> commandLine(ProcessHandle process) throws IOException {
        return List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")),
                StandardCharsets.UTF_8).split("\0"));
    }

    private static void signal(String name, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor()).isZero();
    }

    private static ProcessHandle onlyChild(ChildServer launcher) {
        List<ProcessHandle> children = launcher.process.children().toList();
        assertThat(children).hasSize(1);
        return children.get(0);
    }

    private static void connect(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        }
    }

    /**
     * A generous timeout: a server JVM just started runs its first request interpreted (one JIT tier,
     * C2 alone) and on a loaded 2-core box that took more than 2 s once in CI. These tests are about
     * which process serves, not how fast.
     */
    private static int get(int port, String path) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(java.time.Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }
}
