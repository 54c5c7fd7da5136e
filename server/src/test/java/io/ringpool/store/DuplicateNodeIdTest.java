package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.app.Ringpool;
import io.ringpool.app.StartupFailure;
import io.ringpool.app.TestServer;
import io.ringpool.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AI3 F9: a second process started with a running node's id was not refused, and a restart of
 * it adopted the running node's live leases (its visitors' heartbeats got 410). Now a start under an
 * id whose beat moves while the start watches it is refused in one line, exit 2; a restart of the
 * same node (its last beat fresh but still) goes ahead.
 */
class DuplicateNodeIdTest {
    @TempDir
    Path dir;

    TestPostgres pg;

    @BeforeEach
    void freshDatabase() {
        pg = TestPostgres.create("rp_test_");
    }

    @AfterEach
    void dropDatabase() {
        if (pg != null) {
            pg.close();
        }
    }

    private Map<String, Object> settings(String nodeId) {
        Map<String, Object> s = new HashMap<>(Map.of("store.url", pg.url, "store.user", pg.user, "store.password", pg.password,
                "cluster.nodeBeatMillis", 500,
                "security.secretKey", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));
        s.put("cluster.nodeId", nodeId);
        return s;
    }

    @Test
    void aSecondProcessWithARunningNodesIdIsRefusedAndARestartIsNot() {
        try (TestServer running = new TestServer(dir.resolve("a"), settings("node-a"))) {
            assertThat(running.get("/health", null).status()).isEqualTo(200);
            Map<String, Object> twin = new HashMap<>(settings("node-a"));
            twin.put("server.port", 0);
            twin.put("store.dataDir", dir.resolve("twin").toString());
            twin.put("security.adminKey", TestServer.ADMIN_KEY);
            twin.put("demo.enabled", false);
            Ringpool refused = new Ringpool(ConfigLoader.defaultsWith(twin), Clock.systemUTC());
            assertThatThrownBy(refused::startOrClose).isInstanceOf(StartupFailure.class)
                    .hasMessageContaining("node id 'node-a'")
                    .hasMessageContaining("RINGPOOL_NODE_ID")
                    .satisfies(e -> assertThat(((StartupFailure) e).exitStatus()).isEqualTo(2));
            assertThat(running.get("/health", null).status()).as("the running node is untouched").isEqualTo(200);
        }
        // The node stopped just now: its own last beat is fresh, and nobody moves it any more.
        try (TestServer restarted = new TestServer(dir.resolve("a"), settings("node-a"))) {
            assertThat(restarted.get("/health", null).status()).isEqualTo(200);
        }
    }
}
