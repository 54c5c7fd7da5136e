package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.Ringpool;
import io.ringpool.app.TestServer;
import io.ringpool.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Nodes of one Ringpool cluster on a fresh PostgreSQL database: before each test a database of its
 * own ({@link TestPostgres}) and a directory for the nodes' data; after it the database is dropped
 * (and checked gone) and the directory deleted. Without {@code RINGPOOL_TEST_PG_URL} each test is
 * skipped before it starts, as {@link TestPostgres#create} skips it.
 *
 * <p>Registered per test class:
 * {@code @RegisterExtension final PostgresNodes nodes = new PostgresNodes("rp_test_", Map.of("leasing.sweepIntervalMillis", 200));}
 * A node gets the store's settings, the key every node of one store must share to read the
 * others' site secrets ({@link #SECRET_KEY}), the class's settings and its own, in that order.
 * The test closes the nodes it starts; what is still connected when the test ends is forced out
 * by the drop.
 */
public final class PostgresNodes implements BeforeEachCallback, AfterEachCallback {
    /** The key that encrypts site secrets, the same on every node. */
    public static final String SECRET_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private final String databasePrefix;
    private final Map<String, Object> settings;
    private final boolean namedInCluster;
    private TestPostgres pg;
    private Path dir;

    /** Nodes with only the store's settings and the shared key besides {@link TestServer}'s. */
    public PostgresNodes(String databasePrefix) {
        this(databasePrefix, Map.of());
    }

    /** Nodes with {@code settings} as well, e.g. a faster sweep or node beat. */
    public PostgresNodes(String databasePrefix, Map<String, Object> settings) {
        this(databasePrefix, settings, false);
    }

    private PostgresNodes(String databasePrefix, Map<String, Object> settings, boolean namedInCluster) {
        this.databasePrefix = databasePrefix;
        this.settings = Map.copyOf(settings);
        this.namedInCluster = namedInCluster;
    }

    /**
     * The same nodes, each with its name as its {@code cluster.nodeId}. Without it a node takes the
     * id generated once into its data directory ({@code node.id}), as a node configured with none does.
     */
    public PostgresNodes namedInCluster() {
        return new PostgresNodes(databasePrefix, settings, true);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        pg = TestPostgres.create(databasePrefix);
        dir = Files.createTempDirectory("rp-nodes-");
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            if (pg != null) {
                pg.close();
                assertThat(pg.exists()).as("test database dropped").isFalse();
            }
        } finally {
            pg = null;
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                dir = null;
            }
        }
    }

    /** This test's database. */
    public TestPostgres pg() {
        return pg;
    }

    /** A path in this test's directory: the data directory of node {@code name}, or a file the test writes there. */
    public Path path(String name) {
        return dir.resolve(name);
    }

    /** What node {@code name} is started with besides {@link TestServer}'s defaults; a copy the caller may change. */
    public Map<String, Object> settings(String name) {
        Map<String, Object> s = new HashMap<>(pg.storeSettings());
        s.put("security.secretKey", SECRET_KEY);
        if (namedInCluster) {
            s.put("cluster.nodeId", name);
        }
        s.putAll(settings);
        return s;
    }

    /** Starts node {@code name} in this JVM on its own data directory; returns once it listens. */
    public TestServer node(String name) {
        return node(name, Map.of());
    }

    /** Starts node {@code name} with {@code extra} settings over the class's. */
    public TestServer node(String name, Map<String, Object> extra) {
        Map<String, Object> s = settings(name);
        s.putAll(extra);
        return new TestServer(path(name), s);
    }

    /**
     * A node that the test expects not to start, built as {@code Main} builds one (port 0, no demo,
     * the tests' admin key) on the data directory {@code dirName}, and not started:
     * {@link Ringpool#startOrClose} then closes what a refused start opened, as at a real start.
     */
    public Ringpool unstarted(String dirName, Map<String, Object> nodeSettings) {
        Map<String, Object> s = new HashMap<>(nodeSettings);
        s.put("server.port", 0);
        s.put("store.dataDir", path(dirName).toString());
        s.put("security.adminKey", TestServer.ADMIN_KEY);
        s.put("demo.enabled", false);
        return new Ringpool(ConfigLoader.defaultsWith(s), Clock.systemUTC());
    }
}
