package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AI3 F7: on a full disk H2 closes its store at the first failed write, and kept it closed
 * after space came back: every write and read answered 503 until a restart, while /health said
 * {@code up}. The disk is {@link FullDiskFileSystem}: H2's writes fail as on a full disk.
 */
class H2FullDiskTest {
    @TempDir
    Path dir;

    @AfterEach
    void freeTheDisk() {
        FullDiskFileSystem.free();
    }

    TestServer server() {
        return new TestServer(dir.resolve("data"), Map.of("store.url", FullDiskFileSystem.h2Url(dir.resolve("data").resolve("ringpool")),
                "leasing.sessionsPerIpPerMinute", 0));
    }

    static Reply healthOnceTheStoreIs(TestServer server, String store) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Reply health = server.get("/health", null);
        while (!store.equals(health.text("store")) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            health = server.get("/health", null);
        }
        return health;
    }

    static Reply newSite(TestServer server, String name) {
        return server.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("name", name, "domains", List.of("example.com"),
                "defaultNumber", "+74951234567", "timeZone", "Europe/Moscow", "currency", "RUB"));
    }

    @Test
    void aStoreClosedByAFullDiskShowsDownAndIsReopenedOnceTheDiskHasRoomWithEveryAcknowledgedWriteKept() {
        String before;
        String after;
        try (TestServer server = server()) {
            Map<String, String> site = server.siteWithPool(List.of("+74950009001", "+74950009002"));
            before = site.get("siteId");
            assertThat(server.startSession(site.get("publicKey"), "v-before", "https://example.com/").status()).isEqualTo(201);

            FullDiskFileSystem.fill();
            Reply refused = newSite(server, "on a full disk");
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            Reply health = healthOnceTheStoreIs(server, "down");
            assertThat(health.text("store")).as(health.body()).isEqualTo("down");
            assertThat(health.text("status")).isNotEqualTo("up");
            assertThat(newSite(server, "still full").status()).isEqualTo(503);

            FullDiskFileSystem.free();
            health = healthOnceTheStoreIs(server, "up");
            assertThat(health.text("store")).as(health.body()).isEqualTo("up");
            Reply created = newSite(server, "after the disk was freed");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            after = created.text("siteId");
            assertThat(server.startSession(site.get("publicKey"), "v-after", "https://example.com/").status()).isEqualTo(201);
        }
        try (TestServer restarted = server()) {
            for (String siteId : List.of(before, after)) {
                Reply kept = restarted.get("/v1/sites/" + siteId, TestServer.ADMIN_KEY);
                assertThat(kept.status()).as(kept.body()).isEqualTo(200);
            }
        }
    }
}
