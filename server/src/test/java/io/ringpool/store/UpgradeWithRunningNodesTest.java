package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.app.Ringpool;
import io.ringpool.app.StartupFailure;
import io.ringpool.app.TestServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Audit AC3 #2: a node of a newer Ringpool started on a PostgreSQL store that a node of the older
 * one still used migrated it under that node, without a word, and the old node went on writing
 * rows the new schema depends on. A start with scripts to apply now waits for the other nodes'
 * beats to age, and is refused, naming them, while they still beat.
 *
 * <p>The older node is played by a node of this version on a store from which one applied script,
 * V134 (an UPDATE, harmless to run again), was struck from {@code schema_version}: to the next
 * start the store is one script behind, exactly as after a release.
 */
class UpgradeWithRunningNodesTest {
    private static final int STRUCK = 134;

    @RegisterExtension
    final PostgresNodes nodes = new PostgresNodes("rp_test_", Map.of("cluster.nodeBeatMillis", 500)).namedInCluster();

    private boolean applied(int version) throws Exception {
        try (Connection c = nodes.pg().connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM schema_version WHERE version = " + version)) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    @Test
    void aStartThatWouldMigrateIsRefusedWhileAnotherNodeRunsAndGoesAheadOnceItStopped() throws Exception {
        try (TestServer old = nodes.node("node-old")) {
            try (Connection c = nodes.pg().connect(); Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM schema_version WHERE version = " + STRUCK);
            }
            Ringpool refused = nodes.unstarted("node-new", nodes.settings("node-new"));
            long started = System.nanoTime();
            assertThatThrownBy(refused::startOrClose).isInstanceOf(StartupFailure.class)
                    .hasMessageContaining("node-old")
                    .hasMessageContaining("stop every node, then start one node of this version")
                    .satisfies(e -> assertThat(((StartupFailure) e).exitStatus()).isEqualTo(2));
            assertThat((System.nanoTime() - started) / 1_000_000).as("it waited for the beat to age first, ms")
                    .isGreaterThanOrEqualTo(6_500);
            assertThat(applied(STRUCK)).as("nothing migrated under the running node").isFalse();
        }

        // The old node stopped just now: its last beat is fresh, so the new one waits for it to age, then migrates.
        try (TestServer upgraded = nodes.node("node-new")) {
            assertThat(applied(STRUCK)).isTrue();
            assertThat(upgraded.get("/health", null).status()).isEqualTo(200);
            // Nothing left to migrate: a second node of the new version joins while this one runs.
            try (TestServer second = nodes.node("node-second")) {
                assertThat(second.get("/health", null).status()).isEqualTo(200);
            }
        }
    }

    /** A node that finds the store migrated past its version while it runs (it was paused meanwhile) stops, and says why. */
    @Test
    void aRunningNodeStopsOnceTheStoreIsMigratedPastItsVersion() throws Exception {
        try (TestServer node = nodes.node("node-running")) {
            assertThat(node.get("/health", null).status()).isEqualTo(200);
            int newer = io.ringpool.cluster.UpgradeGate.knownNewest() + 1_000;
            try (Connection c = nodes.pg().connect(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO schema_version(version, script, applied_at) VALUES (" + newer + ", 'V" + newer
                        + "__from_a_newer_release.sql', 0)");
            }
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!node.app.stoppedUnderNewerSchema() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(node.app.stoppedUnderNewerSchema()).as("stopped within 5 beats of the migration").isTrue();
            String base = node.base();
            waitUntilRefused(base);
        }
    }

    private static void waitUntilRefused(String base) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/health"))
                        .timeout(java.time.Duration.ofSeconds(2)).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            } catch (java.io.IOException refused) {
                return; // the listener is closed: the node no longer takes requests
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the node still answers at " + base);
    }
}
