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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A jar started with no JVM option runs the server in a second JVM with config/jvm.options
 * (io.ringpool.launch.ServerJvm): real processes, real signals.
 */
class ServerJvmProcessTest {
    /** A small heap: the test only needs the server to start, and the options are what it checks. */
    private static final Map<String, String> SMALL = Map.of("RINGPOOL_HEAP", "96m");

    @TempDir
    Path dir;

    /** One story, to start as few JVMs as the promises allow: each start here is two of them. */
    @Test
    @EnabledOnOs(OS.LINUX)
    void aBareJvmRunsTheServerInOneWithTheShippedOptionsAndTakesItAlongWhenKilled() throws Exception {
        Path data = dir.resolve("data");
        int port;
        try (ChildServer launcher = ChildServer.startBare(data, 0, SMALL)) {
            port = launcher.awaitListening();
            ProcessHandle server = onlyChild(launcher);
            // From the kernel: ProcessHandle.Info drops the arguments of a command line as long as the test class path.
            List<String> arguments = List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(server.pid()), "cmdline")),
                    StandardCharsets.UTF_8).split("\0"));
            assertThat(arguments).contains("-XX:+UseParallelGC", "-XX:-TieredCompilation", "-XX:+ExitOnOutOfMemoryError",
                    "-Xms96m", "-Xmx96m");
            assertThat(launcher.output).anySatisfy(line -> assertThat(line).contains("server_jvm options=\"-XX:+UseParallelGC"));
            assertThat(get(port, "/health")).isEqualTo(200);

            // The server's own failure is the launcher's exit status.
            try (ChildServer second = ChildServer.startBare(dir.resolve("second"), port, SMALL)) {
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

    @Test
    void sigtermToTheLauncherStopsTheServerCleanly() throws Exception {
        try (ChildServer launcher = ChildServer.startBare(dir.resolve("data"), 0, SMALL)) {
            int port = launcher.awaitListening();
            ProcessHandle server = onlyChild(launcher);
            launcher.process.toHandle().destroy(); // SIGTERM, as systemd or docker stop sends it
            assertThat(launcher.awaitExit()).isEqualTo(143);
            assertThat(server.isAlive()).isFalse();
            assertThat(launcher.output).anySatisfy(line -> assertThat(line).contains("stopped port=" + port));
            assertThat(launcher.output).noneSatisfy(line -> assertThat(line).contains("halting"));
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

    private static int get(int port, String path) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }
}
