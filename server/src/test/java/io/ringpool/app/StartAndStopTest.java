package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10, item 9: what an operator sees when starting on a taken port or data directory, and when stopping. */
class StartAndStopTest {
    @TempDir
    Path tmp;

    @Test
    void aPortInUseStopsTheStartWithOneLineNamingThePortExitCodeOneAndNothingWritten() throws Exception {
        Path dataDir = tmp.resolve("fresh-data");
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
            int port = taken.getLocalPort();
            try (ChildServer child = ChildServer.start(dataDir, port, Map.of())) {
                int exit = child.awaitExit();

                assertThat(exit).isEqualTo(1);
                assertThat(child.output).hasSize(1);
                assertThat(child.output.get(0)).contains("port " + port).contains("in use").doesNotContain("Exception");
                assertThat(dataDir).doesNotExist();
            }
        }
    }

    @Test
    void aSecondServerOnTheSameDataDirectorySaysAnotherRingpoolHoldsIt() throws Exception {
        Path dataDir = tmp.resolve("data");
        try (ChildServer first = ChildServer.start(dataDir, 0, Map.of())) {
            int firstPort = first.awaitListening();
            try (ChildServer second = ChildServer.start(dataDir, 0, Map.of())) {
                int exit = second.awaitExit();

                assertThat(exit).isEqualTo(1);
                assertThat(String.join("\n", second.output))
                        .contains("another Ringpool holds the data directory")
                        .contains("port " + firstPort)
                        .doesNotContain("Exception");
            }
            assertThat(first.process.isAlive()).isTrue();
        }
    }

    @Test
    void aCleanStopLogsStoppedAndLeavesNoStackTraceInTheH2TraceFile() throws Exception {
        Path dataDir = tmp.resolve("data");
        try (ChildServer child = ChildServer.start(dataDir, 0, Map.of())) {
            child.awaitListening();
            // SIGTERM, as systemd or Ctrl-C would; through the handle, because Process.destroy()
            // also closes our end of the child's output and the last lines would be lost.
            child.process.toHandle().destroy();

            child.awaitExit();
            assertThat(child.output).anyMatch(line -> line.contains(" stopped"));
            assertThat(String.join("\n", child.output)).doesNotContain("Exception");
            Path trace = dataDir.resolve("ringpool.trace.db");
            if (Files.exists(trace)) {
                assertThat(Files.readString(trace)).doesNotContain("Exception");
            }
        }
        // and the directory is free again: a new server starts on it
        try (ChildServer again = ChildServer.start(dataDir, 0, Map.of())) {
            assertThat(again.awaitListening()).isPositive();
        }
    }
}
