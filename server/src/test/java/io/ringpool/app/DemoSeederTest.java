package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo site of {@code config/demo-site.yaml}, seeded through the services on first start. */
class DemoSeederTest {
    @TempDir
    Path dir;

    @Test
    void theDemoFileSeedsItsSiteWithItsKeysPoolsAndStaticNumbersAndOnlyOnce() {
        Path demo = Path.of("..", "config", "demo-site.yaml").toAbsolutePath();
        assertThat(demo).exists();
        Map<String, Object> overrides = Map.of("demo.enabled", true, "demo.file", demo.toString());
        try (TestServer server = new TestServer(dir, overrides)) {
            Reply site = server.get("/v1/sites/st_demo", "sk_demo_site_change_me_0123456789");
            assertThat(site.status()).isEqualTo(200);
            assertThat(site.text("publicKey")).isEqualTo("pk_demo_site");
            assertThat(site.text("defaultNumber")).isEqualTo("+74951399193");
            assertThat(site.json().get("domains")).hasSize(3);
            Reply pools = server.get("/v1/sites/st_demo/pools", TestServer.ADMIN_KEY);
            assertThat(pools.json().get("pools")).hasSize(2);
            assertThat(pools.json().get("pools").get(0).get("name").asText()).isEqualTo("Google Ads");
            assertThat(pools.json().get("pools").get(0).get("size").asInt()).isEqualTo(3);
            Reply statics = server.get("/v1/sites/st_demo/static-numbers", TestServer.ADMIN_KEY);
            assertThat(statics.json().get("staticNumbers").get(0).get("label").asText()).isEqualTo("Billboard MKAD 42km");
        }
        try (TestServer again = new TestServer(dir, Map.of("demo.enabled", true, "demo.file", demo.toString()))) {
            assertThat(again.get("/v1/sites/st_demo/pools", TestServer.ADMIN_KEY).json().get("pools")).hasSize(2);
        }
    }

    @Test
    void aKeyTheCommandsDoNotKnowStopsTheStartNamingTheFile() throws Exception {
        Path demo = dir.resolve("demo.yaml");
        Files.writeString(demo, "name: Demo\ndefaultNumber: '+74951399193'\ntimezone: Europe/Moscow\n"
                + "publicKey: pk_x\napiKey: sk_x_0123456789\nwebhookSecret: whsec_x\n");
        Path data = dir.resolve("data");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new TestServer(data, Map.of("demo.enabled", true, "demo.file", demo.toString())).close())
                .hasMessageContaining(demo.toString()).hasMessageContaining("timezone");
    }
}
