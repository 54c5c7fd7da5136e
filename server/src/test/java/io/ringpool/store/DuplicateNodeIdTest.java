package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.app.Ringpool;
import io.ringpool.app.StartupFailure;
import io.ringpool.app.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Audit AI3 F9: a second process started with a running node's id was not refused, and a restart of
 * it adopted the running node's live leases (its visitors' heartbeats got 410). Now a start under an
 * id whose beat moves while the start watches it is refused in one line, exit 2; a restart of the
 * same node (its last beat fresh but still) goes ahead.
 */
class DuplicateNodeIdTest {
    @RegisterExtension
    final PostgresNodes nodes = new PostgresNodes("rp_test_", Map.of("cluster.nodeBeatMillis", 500)).namedInCluster();

    @Test
    void aSecondProcessWithARunningNodesIdIsRefusedAndARestartIsNot() {
        try (TestServer running = nodes.node("node-a")) {
            assertThat(running.get("/health", null).status()).isEqualTo(200);
            Ringpool refused = nodes.unstarted("twin", nodes.settings("node-a"));
            assertThatThrownBy(refused::startOrClose).isInstanceOf(StartupFailure.class)
                    .hasMessageContaining("node id 'node-a'")
                    .hasMessageContaining("RINGPOOL_NODE_ID")
                    .satisfies(e -> assertThat(((StartupFailure) e).exitStatus()).isEqualTo(2));
            assertThat(running.get("/health", null).status()).as("the running node is untouched").isEqualTo(200);
        }
        // The node stopped just now: its own last beat is fresh, and nobody moves it any more.
        try (TestServer restarted = nodes.node("node-a")) {
            assertThat(restarted.get("/health", null).status()).isEqualTo(200);
        }
    }
}
