package io.ringpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.app.StartupFailure;
import io.ringpool.app.TestServer;
import io.ringpool.config.ConfigLoader;
import io.ringpool.config.RingpoolConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AE1 #2: {@code compact} on a running server's data directory printed H2's "database may
 * be already in use … use the server mode" and wrote a stack trace into the running server's
 * trace file. It is refused now as a second start is, naming the server, before the file is opened;
 * with the server stopped it compacts.
 */
class CompactWhileRunningTest {
    @TempDir
    Path dir;

    @Test
    void compactIsRefusedNamingTheRunningServerAndWorksOnceItStopped() throws Exception {
        RingpoolConfig config = ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString()));
        Path trace = dir.resolve("ringpool.trace.db");
        try (TestServer server = new TestServer(dir)) {
            server.siteWithPool(List.of("+74957300001"));
            long traceBefore = Files.exists(trace) ? Files.size(trace) : 0;
            assertThatThrownBy(() -> Main.compactStore(config)).isInstanceOf(StartupFailure.class)
                    .hasMessageContaining("another Ringpool holds the data directory").hasMessageContaining("pid " + ProcessHandle.current().pid());
            assertThat(Files.exists(trace) ? Files.size(trace) : 0).as("nothing written into the running server's trace").isEqualTo(traceBefore);
            assertThat(server.get("/health", null).text("status")).isEqualTo("up");
        }
        assertThat(Main.compactStore(config).store()).isEqualTo("h2");
    }
}
