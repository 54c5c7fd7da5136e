package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AC3 #4: a store restored into a new data directory without its secret.key is refused at
 * start (its sites' secrets cannot be read), and that refusal used to leave a newly generated key
 * behind, matching nothing, where an operator looking for "the key" would find it.
 */
class RestoredWithoutSecretKeyTest {
    @TempDir
    Path dir;

    @Test
    void aRefusedStartLeavesNoGeneratedKeyAndNamesTheFile() throws Exception {
        Path data = dir.resolve("data");
        String siteId;
        try (TestServer server = new TestServer(data)) {
            siteId = server.siteWithPool(List.of("+74950000001")).get("siteId");
        }
        String originalKey = Files.readString(data.resolve("secret.key"));
        Files.delete(data.resolve("secret.key"));

        Ringpool app = new Ringpool(ConfigLoader.defaultsWith(Map.of("server.port", 0, "store.dataDir", data.toString(),
                "security.adminKey", TestServer.ADMIN_KEY, "demo.enabled", false)), Clock.systemUTC());
        assertThatThrownBy(app::startOrClose).isInstanceOf(StartupFailure.class)
                .hasMessageContaining(data.resolve("secret.key").toString())
                .hasMessageContaining("none was generated");
        assertThat(data.resolve("secret.key")).doesNotExist();

        // The right key put back: the store starts and its site is there, as after a restore with its key.
        Files.writeString(data.resolve("secret.key"), originalKey);
        try (TestServer server = new TestServer(data)) {
            assertThat(server.get("/v1/sites/" + siteId, TestServer.ADMIN_KEY).status()).isEqualTo(200);
        }
    }
}
