package io.ringpool.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.cluster.ClusterSecretKey;
import io.ringpool.cluster.NodeIdGate;
import io.ringpool.cluster.UpgradeGate;
import io.ringpool.config.ConfigLoader;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.launch.GcLog;
import io.ringpool.store.Database;
import io.ringpool.store.GroupCommitWriter;
import io.ringpool.store.Migrator;
import io.ringpool.store.StoreProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory and the store a start opens, in two phases: {@link #holdDataDir} (the
 * directory's lock, a store held by another directory refused, the directory owner-only, the GC
 * log, H2's files created owner-only, the admin key), then {@link #open} (the database, on
 * PostgreSQL the node id and the upgrade gate before the migration, the migration, the store
 * probe, the secret key, the group-commit writer). Each part is kept as soon as it is open, so
 * {@link #close} after a start refused half way closes exactly what was opened.
 *
 * <p>Threading: opened on the thread running the start; closed by {@code Ringpool.close()}.
 */
final class StoreOpening {
    /** Ringpool's logger, as before these lines moved here: the log shows {@code Ringpool - …}, and filters and tests name it. */
    private static final Logger LOG = LoggerFactory.getLogger(Ringpool.class);

    private final RingpoolConfig config;
    private final Clock clock;
    private final MeterRegistry registry;
    private final UnaryOperator<DataSource> storeBoundary;

    private DataDirLock dataDirLock;
    private String adminKey;
    private boolean adminKeyGenerated;
    private Database db;
    private String nodeId;
    private StoreProbe probe;
    private String secretKey;
    /** The secret.key this start generated, removed again if the store turns out to need another (audit AC3 #4). */
    private Path generatedSecretKey;
    private GroupCommitWriter writer;

    StoreOpening(RingpoolConfig config, Clock clock, MeterRegistry registry, UnaryOperator<DataSource> storeBoundary) {
        this.config = config;
        this.clock = clock;
        this.registry = registry;
        this.storeBoundary = storeBoundary;
    }

    /** Takes the data directory for this process (bound to {@code port}) and prepares what lives in it. */
    /** @param host and {@code port}: where the server listens, written into the lock file for {@code ringpool backup} */
    void holdDataDir(String host, int port) {
        RingpoolConfig.Store storeConfig = config.store();
        dataDirLock = DataDirLock.acquire(storeConfig.dataDir(), host, port);
        DataDirLock.refuseStoreHeldElsewhere(storeConfig.url(), storeConfig.dataDir());
        KeyFiles.prepareDataDir(storeConfig.dataDir());
        GcLog.startIfAsked(storeConfig.dataDir()); // only the process that holds the directory owns its gc.log
        if (storeConfig.url().equals(ConfigLoader.defaultH2Url(storeConfig.dataDir()))) {
            // H2 creates its file with the process umask (often 0644); an empty file it finds is a new store.
            KeyFiles.createOwnerOnly(storeConfig.dataDir().resolve("ringpool.mv.db"));
            // H2 appends to the trace file it finds; it makes a new one (process umask) only when the
            // trace passes 16 MB and rotates, inside the 0700 directory.
            KeyFiles.createOwnerOnly(storeConfig.dataDir().resolve("ringpool.trace.db"));
        }
        adminKeyGenerated = config.security().adminKey().isEmpty()
                && !Files.exists(storeConfig.dataDir().resolve("admin.key"));
        adminKey = KeyFiles.resolve(config.security().adminKey(), storeConfig.dataDir(), "admin.key", false);
    }

    /** Opens, gates, migrates and probes the store, settles the secret key and starts the writer. */
    void open() {
        RingpoolConfig.Store storeConfig = config.store();
        db = new Database(storeConfig, registry, storeBoundary);
        // Several nodes may share a PostgreSQL store; an H2 file serves one node, which needs no id.
        RingpoolConfig.Cluster clusterConfig = config.cluster();
        nodeId = db.isH2() ? null : KeyFiles.resolveNodeId(clusterConfig.nodeId(), storeConfig.dataDir());
        if (nodeId != null) {
            try {
                UpgradeGate.awaitOtherNodesStopped(db, nodeId, clusterConfig.nodeBeat().toMillis());
            } catch (UpgradeGate.NodesStillRunning e) {
                throw new StartupFailure(e.getMessage(), 2);
            }
            try {
                NodeIdGate.awaitOwnIdFree(db, nodeId, clusterConfig.nodeBeat().toMillis());
            } catch (NodeIdGate.NodeIdInUse e) {
                throw new StartupFailure(e.getMessage(), 2);
            }
        }
        try {
            new Migrator(db).migrate();
        } catch (Migrator.SchemaTooNew e) {
            throw new StartupFailure(e.getMessage(), 2);
        }
        probe = StoreProbe.start(db);
        db.failFastWhile(probe::lastProbeFailed);
        secretKey = secretKey(config.security().secretKey(), storeConfig.dataDir());
        writer = new GroupCommitWriter(db, storeConfig.writerQueueMax(), storeConfig.writerBatchMax(), registry,
                storeConfig.syncCommits() && db.isH2() ? "CHECKPOINT SYNC" : null);
    }

    /**
     * The key site secrets are encrypted with: on an H2 file (one node) the given one or the data
     * directory's, generated there once; on PostgreSQL the one every node of the store agrees on
     * ({@link ClusterSecretKey}), so a site created through one node is readable through all.
     */
    private String secretKey(String configured, Path dataDir) {
        if (db.isH2()) {
            Path file = dataDir.resolve("secret.key");
            boolean generating = configured.isEmpty() && !Files.exists(file);
            String key = KeyFiles.resolve(configured, dataDir, "secret.key", true);
            generatedSecretKey = generating ? file : null;
            return key;
        }
        String inDataDir = KeyFiles.readIfPresent(dataDir, "secret.key");
        ClusterSecretKey.Agreed agreed;
        try {
            agreed = ClusterSecretKey.agree(db, configured, inDataDir, KeyFiles::newHexKey, clock);
        } catch (ClusterSecretKey.KeyDisagrees e) {
            throw new StartupFailure(e.getMessage());
        }
        if (agreed.source() == ClusterSecretKey.Source.STORE || agreed.source() == ClusterSecretKey.Source.GENERATED) {
            // Said at every start: the operator may not know a copy of the database now reads its secrets.
            LOG.warn("secret_key_kept_in_store source={} advice=\"give every node the same RINGPOOL_SECRET_KEY to keep site secrets"
                    + " unreadable from a copy of the database\"", agreed.source().name().toLowerCase(Locale.ROOT));
        }
        if (inDataDir != null && !inDataDir.equals(agreed.key())) {
            LOG.warn("secret_key_file_ignored file={} reason=the_nodes_of_this_database_use_another_key", dataDir.resolve("secret.key"));
        }
        return agreed.key();
    }

    /**
     * A key generated for a store that turned out to hold secrets under another key (a backup
     * restored without its secret.key) matches nothing: left behind, it is what an operator
     * looking for "the key" would find. Removed only on this refusal: after any other failure the
     * key may already protect what the start wrote (the demo site).
     */
    void forgetGeneratedSecretKey() {
        if (generatedSecretKey == null) {
            return;
        }
        try {
            Files.deleteIfExists(generatedSecretKey);
        } catch (IOException e) {
            LOG.warn("secret_key_not_removed file={} reason={}", generatedSecretKey, e.toString());
        }
    }

    String adminKey() {
        return adminKey;
    }

    boolean adminKeyGenerated() {
        return adminKeyGenerated;
    }

    Database database() {
        return db;
    }

    /** This node's id in a PostgreSQL cluster; null on an H2 file (one node). */
    String nodeId() {
        return nodeId;
    }

    StoreProbe probe() {
        return probe;
    }

    String secretKey() {
        return secretKey;
    }

    /** The secret.key file this start generated, else null. */
    Path generatedSecretKey() {
        return generatedSecretKey;
    }

    GroupCommitWriter writer() {
        return writer;
    }

    /** The writer first (its last batch still needs the store), then the probe, the store, and the directory's lock last. */
    void close() {
        if (writer != null) {
            writer.close();
        }
        if (probe != null) {
            probe.close();
        }
        if (db != null) {
            db.close();
        }
        if (dataDirLock != null) {
            dataDirLock.close();
        }
    }
}
