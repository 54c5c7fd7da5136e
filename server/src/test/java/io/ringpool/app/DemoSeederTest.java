package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer.Reply;
import io.ringpool.config.ConfigLoader;
import io.ringpool.config.RingpoolConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo site of {@code config/demo-site.yaml}: off unless asked for, with random keys when on. */
class DemoSeederTest {
    @TempDir
    Path dir;

    static final Path DEMO = Path.of("..", "config", "demo-site.yaml").toAbsolutePath();

    static Properties keys(Path file) throws Exception {
        Properties p = new Properties();
        try (var in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    @Test
    void theDemoFileSeedsItsSiteWithRandomKeysInAnOwnerOnlyFileAndOnlyOnce() throws Exception {
        assertThat(DEMO).exists();
        Map<String, Object> overrides = Map.of("demo.enabled", true, "demo.file", DEMO.toString());
        Properties keys;
        try (TestServer server = new TestServer(dir, overrides)) {
            Path file = server.app.demoKeysFile();
            assertThat(file).isEqualTo(dir.resolve("demo-keys.env"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            keys = keys(file);
            assertThat(keys.getProperty("DEMO_API_KEY")).startsWith("sk_").hasSizeGreaterThan(40);
            Reply site = server.get("/v1/sites/st_demo", keys.getProperty("DEMO_API_KEY"));
            assertThat(site.status()).isEqualTo(200);
            assertThat(site.text("publicKey")).isEqualTo(keys.getProperty("DEMO_PUBLIC_KEY"));
            assertThat(site.text("defaultNumber")).isEqualTo("+74951399193");
            assertThat(site.json().get("domains")).hasSize(3);
            Reply pools = server.get("/v1/sites/st_demo/pools", TestServer.ADMIN_KEY);
            assertThat(pools.json().get("pools")).hasSize(2);
            assertThat(pools.json().get("pools").get(0).get("name").asText()).isEqualTo("Google Ads");
            assertThat(pools.json().get("pools").get(0).get("size").asInt()).isEqualTo(3);
            Reply statics = server.get("/v1/sites/st_demo/static-numbers", TestServer.ADMIN_KEY);
            assertThat(statics.json().get("staticNumbers").get(0).get("label").asText()).isEqualTo("Billboard MKAD 42km");
            assertThat(server.get("/v1/sites/st_demo", "sk_demo_site_change_me_0123456789").status())
                    .as("the key that used to be fixed in the repository").isEqualTo(401);
        }
        try (TestServer again = new TestServer(dir, overrides)) {
            assertThat(again.app.demoKeysFile()).as("not seeded twice").isNull();
            assertThat(again.get("/v1/sites/st_demo/pools", keys.getProperty("DEMO_API_KEY")).json().get("pools")).hasSize(2);
        }
    }

    @Test
    void aServerStartedWithTheShippedConfigurationHasNoSiteWhoseKeysAreInTheRepository() throws Exception {
        Path shipped = Path.of("..", "config", "ringpool.yaml");
        Map<String, String> env = new HashMap<>(Map.of("RINGPOOL_PORT", "0", "RINGPOOL_DATA_DIR", dir.toString()));
        RingpoolConfig config = ConfigLoader.load(shipped, env);
        Ringpool app = new Ringpool(config, Clock.systemUTC());
        try {
            app.start();
            assertThat(status(app.port(), "/v1/sites/st_demo", app.adminKey())).as("no demo site").isEqualTo(404);
            // No credential written anywhere in the repository opens anything.
            List<String> secrets = repositorySecretLikeStrings();
            assertThat(secrets).as("the old fixed demo key is found by the scan when present").isNotNull();
            for (String secret : secrets) {
                assertThat(status(app.port(), "/v1/sites/st_demo", secret)).as(secret).isIn(401, 429);
            }
        } finally {
            app.close();
        }
        assertThat(Files.readString(DEMO)).doesNotContain("apiKey").doesNotContain("webhookSecret").doesNotContain("publicKey");
    }

    static int status(int port, String path, String key) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key).build();
        return java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Every token in the repository's config, docs and scripts that looks like a key. */
    static List<String> repositorySecretLikeStrings() throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (Stream<Path> files = Stream.of(Path.of("..", "config"), Path.of("..", "README.md"), Path.of("..", "docs"), Path.of("..", "bin"))
                .flatMap(p -> {
                    try {
                        return Files.isDirectory(p) ? Files.walk(p) : Stream.of(p);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                var m = java.util.regex.Pattern.compile("\\b(?:sk|pk|whsec|adm)_[A-Za-z0-9_-]{6,}").matcher(Files.readString(f));
                while (m.find()) {
                    out.add(m.group());
                }
            }
        }
        return out;
    }

    /**
     * Audit R #3: an unknown key stopped the start only after the store's migration, with Jackson's
     * Java class names; now one line naming the file, the key and its line, exit 2, nothing migrated.
     */
    @Test
    void aKeyTheCommandsDoNotKnowStopsTheStartInOneLineBeforeTheStoreIsOpened() throws Exception {
        Path demo = dir.resolve("demo.yaml");
        Files.writeString(demo, "name: Demo\ndefaultNumber: '+74951399193'\ntimezone: Europe/Moscow\npools:\n  - name: a\n    sise: 3\n");
        assertRefusedBeforeTheStore(demo, "has a key the demo site does not take: 'timezone' (line 3)");
        Files.writeString(demo, "name: Demo\ndefaultNumber: '+74951399193'\npools:\n  - name: a\n    sise: 3\n");
        assertRefusedBeforeTheStore(demo, "has a key the demo site does not take: 'pools.0.sise' (line 5)");
    }

    /** Audit R #3: the main config file refuses a key given twice; the demo file took the last one. */
    @Test
    void aKeyGivenTwiceInTheDemoFileIsRefusedAsInTheConfigFile() throws Exception {
        Path demo = dir.resolve("demo.yaml");
        Files.writeString(demo, "name: Demo\ndefaultNumber: '+74951399193'\nname: Other\n");
        assertRefusedBeforeTheStore(demo, "key 'name' is given twice (again on line 3); say it once");
    }

    private void assertRefusedBeforeTheStore(Path demo, String problem) throws Exception {
        Path config = dir.resolve("ringpool.yaml");
        Files.writeString(config, "demo:\n  enabled: true\n  file: " + demo + "\n");
        Path data = dir.resolve("data");
        try (ChildServer child = ChildServer.start(data, 0, Map.of("RINGPOOL_DEMO", "true"), "--config", config.toString())) {
            assertThat(child.awaitExit()).as(String.join("\n", child.output)).isEqualTo(2);
            assertThat(child.output.stream().filter(l -> l.startsWith("ringpool:")).toList()).singleElement().asString()
                    .isEqualTo("ringpool: cannot start: demo site file " + demo + " " + problem);
            assertThat(child.output).noneMatch(l -> l.contains("Exception") || l.contains("io.ringpool.") || l.contains("listening")
                    || l.contains("stopped"));
        }
        assertThat(data.resolve("ringpool.mv.db")).as("nothing migrated").doesNotExist();
    }
}
