package io.ringpool.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void theBundledDefaultsLoadAndPointAtAnH2FileWithWriteDelayZero() {
        RingpoolConfig config = ConfigLoader.load(null, Map.of("RINGPOOL_DATA_DIR", dir.toString()));
        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.store().url()).startsWith("jdbc:h2:file:").contains("WRITE_DELAY=0");
        assertThat(config.store().dataDir()).isEqualTo(dir);
    }

    @Test
    void theDefaultH2PageCacheIsSixteenMegabytesWhateverTheHeap() {
        assertThat(ConfigLoader.H2_PAGE_CACHE_KB).isEqualTo(16 * 1024);
        assertThat(ConfigLoader.defaultH2Url(dir)).endsWith(";CACHE_SIZE=16384");
    }

    @Test
    void anOperatorsOwnH2FileUrlGetsTheSettingsDurabilityRestsOnUnlessItNamesThem() {
        RingpoolConfig own = ConfigLoader.load(null, Map.of("RINGPOOL_DATA_DIR", dir.toString(),
                "RINGPOOL_DB_URL", "jdbc:h2:file:/srv/ringpool/calls"));
        assertThat(own.store().url()).isEqualTo("jdbc:h2:file:/srv/ringpool/calls;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000");
        RingpoolConfig named = ConfigLoader.load(null, Map.of("RINGPOOL_DATA_DIR", dir.toString(),
                "RINGPOOL_DB_URL", "jdbc:h2:/srv/ringpool/calls;write_delay=100;CIPHER=AES"));
        assertThat(named.store().url()).isEqualTo("jdbc:h2:/srv/ringpool/calls;write_delay=100;CIPHER=AES;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000");
        assertThat(ConfigLoader.load(null, Map.of("RINGPOOL_DATA_DIR", dir.toString(), "RINGPOOL_DB_URL", "jdbc:h2:mem:x")).store().url())
                .isEqualTo("jdbc:h2:mem:x");
    }

    @Test
    void environmentVariablesOverrideTheFile() throws Exception {
        Path file = dir.resolve("ringpool.yaml");
        Files.writeString(file, "server:\n  port: 9000\n  publicUrl: https://calls.example.com/\n");
        RingpoolConfig config = ConfigLoader.load(file, Map.of("RINGPOOL_PORT", "0", "RINGPOOL_ADMIN_KEY", "a-long-enough-admin-key",
                "RINGPOOL_DB_URL", "jdbc:postgresql://localhost/ringpool"));
        assertThat(config.server().port()).isZero();
        assertThat(config.server().publicUrl()).isEqualTo("https://calls.example.com");
        assertThat(config.security().adminKey()).isEqualTo("a-long-enough-admin-key");
        assertThat(config.store().isH2()).isFalse();
    }

    /** Audit E #7: bad YAML printed a ten-line parser dump ending in Jackson's [Source: (sun.nio.ch.ChannelInputStream); …]. */
    @Test
    void badYamlIsOneLineNamingTheFileLineAndColumn() throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "server:\n  port: 9000: 1\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("RINGPOOL_DATA_DIR", dir.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("line 2, column 13")
                .hasMessageNotContaining("\n").hasMessageNotContaining("Source:").hasMessageNotContaining("jackson");
    }

    /** Audit E #7: Logback takes an unknown level silently (as DEBUG); the server started with RINGPOOL_LOG_LEVEL=LOUD. */
    @Test
    void anUnknownLogLevelIsRefusedNamingTheVariableAndTheLevelsAllowed() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_DATA_DIR", dir.toString(), "RINGPOOL_LOG_LEVEL", "LOUD")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("RINGPOOL_LOG_LEVEL").hasMessageContaining("LOUD")
                .hasMessageContaining("TRACE, DEBUG, INFO, WARN, ERROR, OFF");
        assertThat(ConfigLoader.load(null, Map.of("RINGPOOL_DATA_DIR", dir.toString(), "RINGPOOL_LOG_LEVEL", "warn"))).isNotNull();
    }

    @Test
    void aBadValueStopsStartWithAMessageNamingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_PORT", "70000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.port").hasMessageContaining("70000");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_PORT", "eighty")))
                .hasMessageContaining("server.port");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_DB_URL", "mysql://x")))
                .hasMessageContaining("store.url");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_DB_URL", "jdbc:h2:file:/srv/ringpool/calls;auto_server=true")))
                .as("an H2 file serves one node").hasMessageContaining("store.url").hasMessageContaining("PostgreSQL");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_SECRET_KEY", "not-hex")))
                .hasMessageContaining("security.secretKey");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_PUBLIC_URL", "calls.example.com")))
                .hasMessageContaining("server.publicUrl");
    }

    @Test
    void theTestClockStartIsAnInstantFromTheEnvironmentOrNone() {
        assertThat(ConfigLoader.load(null, Map.of()).leasing().testClockStart()).isNull();
        assertThat(ConfigLoader.load(null, Map.of("RINGPOOL_TEST_CLOCK_START", "")).leasing().testClockStart()).isNull();
        assertThat(ConfigLoader.load(null, Map.of("RINGPOOL_TEST_CLOCK_START", "2030-01-02T03:04:05Z")).leasing().testClockStart())
                .isEqualTo(java.time.Instant.parse("2030-01-02T03:04:05Z"));
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_TEST_CLOCK_START", "tomorrow")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("leasing.testClockStart").hasMessageContaining("tomorrow");
    }

    @Test
    void aShortAdminKeyStopsTheStartNamingTheKeyButNotTheValue() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_ADMIN_KEY", "admin-key-15chr")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("security.adminKey").hasMessageContaining("16")
                .hasMessageNotContaining("admin-key-15chr");
        assertThat(ConfigLoader.load(null, Map.of("RINGPOOL_ADMIN_KEY", "admin-key-16char")).security().adminKey())
                .isEqualTo("admin-key-16char");
    }

    @Test
    void theDemoIsOffUnlessAskedForAndBindsLoopbackWhenOn() {
        RingpoolConfig defaults = ConfigLoader.load(null, Map.of());
        assertThat(defaults.demo().enabled()).isFalse();
        RingpoolConfig demo = ConfigLoader.load(null, Map.of("RINGPOOL_DEMO", "true"));
        assertThat(demo.demo().enabled()).isTrue();
        assertThat(demo.demo().host()).isEqualTo("127.0.0.1");
    }

    @Test
    void trustedProxiesMustBeAddressesOrCidrBlocksAndTheMetricsTokenLongEnough() throws Exception {
        Path file = dir.resolve("proxies.yaml");
        Files.writeString(file, "server:\n  trustedProxies: [10.0.0.0/8, \"2001:db8::/32\", proxy.local]\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).hasMessageContaining("server.trustedProxies")
                .hasMessageContaining("proxy.local");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_METRICS_TOKEN", "short")))
                .hasMessageContaining("security.metricsToken");
        assertThat(ConfigLoader.load(null, Map.of("RINGPOOL_METRICS_TOKEN", "a-metrics-token-0123")).security().metricsToken())
                .isEqualTo("a-metrics-token-0123");
    }

    @Test
    void anUnknownKeyInTheFileIsRejectedNotIgnored() throws Exception {
        Path file = dir.resolve("typo.yaml");
        Files.writeString(file, "server:\n  prot: 9000\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).hasMessageContaining("server.prot");
        Files.writeString(file, "leasing:\n  sweepIntervalMillis: 5\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).hasMessageContaining("leasing.sweepIntervalMillis");
    }

    @Test
    void theShippedConfigFileIsTheDefaultsFileAndEveryKeyIsDocumented() throws Exception {
        Path shipped = Path.of("..", "config", "ringpool.yaml");
        assertThat(shipped).exists();
        for (String line : Files.readAllLines(shipped)) {
            if (line.matches("\\s+\\w+:.*\\S.*") && !line.trim().startsWith("#")) {
                assertThat(line).as("documented key").contains("#");
            }
        }
        ConfigLoader.load(shipped, Map.of());
    }

    @Test
    void theOutboundAllowListComesFromTheEnvironmentCommaSeparatedAndABadEntryNamesTheKey() {
        RingpoolConfig config = ConfigLoader.load(null, Map.of("RINGPOOL_DATA_DIR", dir.toString(),
                "RINGPOOL_OUTBOUND_ALLOW", " 127.0.0.1, 10.0.0.0/8 ,hooks.internal,"));
        assertThat(config.outbound().allow()).containsExactly("127.0.0.1", "10.0.0.0/8", "hooks.internal");
        assertThat(ConfigLoader.load(null, Map.of("RINGPOOL_DATA_DIR", dir.toString())).outbound().allow()).isEmpty();
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_OUTBOUND_ALLOW", "10.0.0.0/40")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("outbound.allow").hasMessageContaining("10.0.0.0/40");
        assertThatThrownBy(() -> ConfigLoader.defaultsWith(Map.of("outbound.timeoutSeconds", 30, "outbound.leaseSeconds", 60)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("outbound.leaseSeconds");
    }
}
