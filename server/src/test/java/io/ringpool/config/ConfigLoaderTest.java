package io.ringpool.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    }

    /** Audit P #1: an in-memory store started, answered 201s, and lost every one of them at the next start. */
    @Test
    void anInMemoryH2StoreIsRefusedNamingTheKeyAndTheVariableItCameFrom() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_DATA_DIR", dir.toString(), "RINGPOOL_DB_URL", "jdbc:h2:mem:x")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration key 'store.url' (RINGPOOL_DB_URL) names an in-memory H2 database (jdbc:h2:mem:), which loses "
                        + "every write when the server stops; leave it empty for the H2 file in the data directory, or name an H2 file "
                        + "or PostgreSQL");
        Path file = dir.resolve("mem.yaml");
        Files.writeString(file, "store:\n  url: \"jdbc:h2:mem:calls;DB_CLOSE_DELAY=-1\"\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("RINGPOOL_DATA_DIR", dir.toString())))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("configuration key 'store.url' names an in-memory H2");
    }

    /** Audit P2 #4: the operator set RINGPOOL_PORT; a message naming only server.port left them to find the mapping. */
    @Test
    void aBadValueFromTheEnvironmentNamesTheVariableAsWellAsTheKey() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_PORT", "70000")))
                .hasMessage("configuration key 'server.port' (RINGPOOL_PORT) must be between 0 and 65535 (got 70000)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_OUTBOUND_ALLOW", "10.0.0.0/40")))
                .hasMessageContaining("'outbound.allow' (RINGPOOL_OUTBOUND_ALLOW)");
        Path file = dir.resolve("port.yaml");
        Files.writeString(file, "server:\n  port: 70000\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .as("from the file: the key only").hasMessage("configuration key 'server.port' must be between 0 and 65535 (got 70000)");
    }

    /** Audit P #8, P2 #4: PostgreSQL URLs were masked, an unsupported scheme was echoed with its password. */
    @Test
    void anUnsupportedStoreUrlIsEchoedWithoutItsPassword() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_DB_URL", "jdbc:mysql://h/db?user=u&password=hunter2secret")))
                .hasMessageContaining("store.url").hasMessageContaining("password=***").hasMessageNotContaining("hunter2secret");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_DB_URL", "jdbc:mysql://u:hunter2secret@h/db")))
                .hasMessageContaining("jdbc:mysql://u:***@h/db").hasMessageNotContaining("hunter2secret");
    }

    /** Audit P #9: recordings.fetchAllow took 10.0.0.0/99 and 999.0.0.0/8, which outbound.allow refuses. */
    @Test
    void theRecordingsFetchAllowListIsCheckedLikeTheOutboundOne() throws Exception {
        Path file = dir.resolve("fetch.yaml");
        for (String bad : new String[] {"10.0.0.0/99", "999.0.0.0/8"}) {
            Files.writeString(file, "recordings:\n  fetchAllow: [\"" + bad + "\"]\n");
            assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("recordings.fetchAllow").hasMessageContaining(bad);
        }
        Files.writeString(file, "recordings:\n  fetchAllow: [127.0.0.1, 10.0.0.0/8, recordings.internal, \"::1\"]\n");
        assertThat(ConfigLoader.load(file, Map.of()).recordings().fetchAllow()).hasSize(4);
    }

    /** Audit P #9: "port: 19033" then "port: 19034" listened on 19034 without a word. */
    @Test
    void aKeyGivenTwiceInTheFileIsRefusedNamingIt() throws Exception {
        Path file = dir.resolve("twice.yaml");
        Files.writeString(file, "server:\n  port: 19033\n  host: 127.0.0.1\n  port: 19034\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("configuration key 'server.port' is given twice in " + file)
                .hasMessageContaining("line 4").hasMessageNotContaining("\n").hasMessageNotContaining("DeserializationFeature");
        Files.writeString(file, "demo:\n  enabled: false\ndemo:\n  enabled: true\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).hasMessageStartingWith("configuration key 'demo' is given twice");
    }

    /** Audit P #9: a demo.file that does not exist seeded the built-in demo site without a word. */
    @Test
    void aDemoFileTheOperatorNamedMustExistWhenTheDemoIsOn() throws Exception {
        Path file = dir.resolve("demo.yaml");
        Files.writeString(file, "demo:\n  file: my-demo-site.yaml\n");
        assertThat(ConfigLoader.load(file, Map.of()).demo().enabled()).as("off: not read, not checked").isFalse();
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("RINGPOOL_DEMO", "true"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("demo.file").hasMessageContaining("my-demo-site.yaml");
        Files.writeString(dir.resolve("my-demo-site.yaml"), "siteId: st_demo\n");
        assertThat(ConfigLoader.load(file, Map.of("RINGPOOL_DEMO", "true")).demo().file()).isEqualTo(dir.resolve("my-demo-site.yaml"));
        assertThat(ConfigLoader.load(null, Map.of("RINGPOOL_DEMO", "true")).demo().enabled())
                .as("the default name falls back to the demo site in the jar").isTrue();
    }

    /** Audit P #3: the default publicUrl named port 8080 whatever the port; now it is derived from the port listened on. */
    @Test
    void thePublicUrlIsUnsetByDefaultAndThenTheLocalUrlAtThePortListenedOn() {
        RingpoolConfig.Server server = ConfigLoader.load(null, Map.of("RINGPOOL_PORT", "19038")).server();
        assertThat(server.publicUrl()).isEmpty();
        assertThat(server.publicUrlAt(19038)).isEqualTo("http://localhost:19038");
        RingpoolConfig.Server set = ConfigLoader.load(null, Map.of("RINGPOOL_PUBLIC_URL", "https://calls.example.com/")).server();
        assertThat(set.publicUrlAt(19038)).isEqualTo("https://calls.example.com");
    }

    /** Audit P #6: a restored copy checked beside the live server can be started without sending anything. */
    @Test
    void outboundSendingCanBePausedFromTheEnvironment() {
        assertThat(ConfigLoader.load(null, Map.of()).outbound().paused()).isFalse();
        assertThat(ConfigLoader.load(null, Map.of("RINGPOOL_OUTBOUND_PAUSED", "true")).outbound().paused()).isTrue();
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_OUTBOUND_PAUSED", "maybe")))
                .hasMessageContaining("'outbound.paused' (RINGPOOL_OUTBOUND_PAUSED)");
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

    /** Audit AI3 F2: every link is the base URL plus a path, which a query, fragment or user-info would swallow. */
    @Test
    void aPublicUrlWithAQueryFragmentOrUserInfoIsRefused() {
        for (String bad : new String[] {"https://calls.example.com?x=1", "https://calls.example.com/?x=1", "https://calls.example.com/#frag",
                "https://calls.example.com#frag", "https://user:pw@calls.example.com", "https://user@calls.example.com/ringpool"}) {
            assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_PUBLIC_URL", bad))).as(bad)
                    .hasMessageContaining("server.publicUrl").hasMessageContaining("no query, fragment or user name");
        }
        assertThat(ConfigLoader.load(null, Map.of("RINGPOOL_PUBLIC_URL", "https://calls.example.com:8443/ringpool/")).server().publicUrl())
                .isEqualTo("https://calls.example.com:8443/ringpool");
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

    /** Session 37: one site's share of the sender threads is half of them unless set; slow endpoints get threads of their own. */
    @Test
    void oneSitesShareOfTheOutboundThreadsIsHalfOfThemUnlessSet() {
        RingpoolConfig.Outbound defaults = ConfigLoader.defaultsWith(Map.of()).outbound();
        assertThat(defaults).isEqualTo(RingpoolConfig.Outbound.DEFAULTS);
        assertThat(defaults.perSiteConcurrency()).isEqualTo(4);
        assertThat(defaults.slowThreads()).isEqualTo(2);
        assertThat(ConfigLoader.defaultsWith(Map.of("outbound.threads", 5)).outbound().perSiteConcurrency()).isEqualTo(3);
        assertThat(ConfigLoader.defaultsWith(Map.of("outbound.threads", 1)).outbound().perSiteConcurrency()).isEqualTo(1);
        assertThat(ConfigLoader.defaultsWith(Map.of("outbound.threads", 16, "outbound.perSiteConcurrency", 16)).outbound()
                .perSiteConcurrency()).as("a server of one site may give it every thread").isEqualTo(16);
        assertThatThrownBy(() -> ConfigLoader.defaultsWith(Map.of("outbound.slowThreads", 0)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("outbound.slowThreads");
        assertThatThrownBy(() -> ConfigLoader.defaultsWith(Map.of("outbound.perSiteConcurrency", -1)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("outbound.perSiteConcurrency");
    }

    /** Audit AK2 F6: RINGPOOL_PROT=19861 was ignored without a word, and the server came up on 8080. */
    @Test
    void aMisspeltRingpoolVariableIsNamedWithTheOneItIsClosestTo() {
        assertThat(EnvironmentVariables.unknown(Map.of("RINGPOOL_DATA_DIR", dir.toString(), "RINGPOOL_PROT", "19861")))
                .containsExactly("RINGPOOL_PROT is not a variable Ringpool reads (did you mean RINGPOOL_PORT?); it is ignored"
                        + " (README \"Configuration\" lists the variables there are)");
        assertThat(EnvironmentVariables.unknown(Map.of("RINGPOOL_ADMN_KEY", "x".repeat(20), "RINGPOOL_SOMETHING_ELSE", "1")))
                .satisfiesExactly(l -> assertThat(l).startsWith("RINGPOOL_ADMN_KEY is not").contains("did you mean RINGPOOL_ADMIN_KEY?"),
                        l -> assertThat(l).startsWith("RINGPOOL_SOMETHING_ELSE is not a variable Ringpool reads; it is ignored"));
        assertThat(EnvironmentVariables.unknown(Map.of("RINGPOOLX", "1", "OTHER_PORT", "1", "RINGPOOL_PORT", "1"))).isEmpty();
        // A warning, not a refusal: a deployment may keep a variable of its own under the prefix.
        assertThat(ConfigLoader.load(null, Map.of("RINGPOOL_DATA_DIR", dir.toString(), "RINGPOOL_PROT", "19861"))
                .server().port()).isEqualTo(8080);
    }

    /** Every RINGPOOL_* variable the README, the launcher scripts and the Logback files name is one the server accepts. */
    @Test
    void everyDocumentedOrScriptedVariableIsAccepted() throws Exception {
        java.util.Set<String> named = new java.util.TreeSet<>();
        // A name followed by '*' is a family (RINGPOOL_LOG_*), not a variable.
        java.util.regex.Pattern variable = java.util.regex.Pattern.compile("RINGPOOL_[A-Z0-9_]++(\\*)?");
        for (Path root : List.of(Path.of("..", "README.md"), Path.of("..", "docs"), Path.of("..", "bin"), Path.of("..", "config"),
                Path.of("..", "loadtest"))) {
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(root)) {
                for (Path file : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                    java.util.regex.Matcher m = variable.matcher(new String(java.nio.file.Files.readAllBytes(file),
                            java.nio.charset.StandardCharsets.ISO_8859_1));
                    while (m.find()) {
                        if (m.group(1) == null) {
                            named.add(m.group());
                        }
                    }
                }
            }
        }
        assertThat(named.remove("RINGPOOL_PROT")).as("README's example of a misspelt variable").isTrue();
        assertThat(named).contains("RINGPOOL_PORT", "RINGPOOL_HEAP", "RINGPOOL_LOG_FILE");
        assertThat(EnvironmentVariables.known()).containsAll(named);
    }
}
