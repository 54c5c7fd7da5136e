package io.ringpool;

import io.ringpool.app.BackupCommand;
import io.ringpool.app.DataDirLock;
import io.ringpool.app.Ringpool;
import io.ringpool.app.StartupFailure;
import io.ringpool.config.ConfigException;
import io.ringpool.config.ConfigLoader;
import io.ringpool.config.LogSettings;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.launch.CleanStop;
import io.ringpool.launch.ParentWatch;
import io.ringpool.launch.ServerJvm;
import io.ringpool.store.OfflineCompaction;
import java.io.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;

/** Reads configuration, starts the server, stops it cleanly on SIGTERM/SIGINT. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        try {
            chooseLogConfiguration(System.getenv());
        } catch (ConfigException e) {
            System.err.println("ringpool: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path configFile = null;
        String command = null;
        Path commandFile = null;
        Map<String, String> env = new HashMap<>(System.getenv());
        boolean compact = args.length > 0 && args[0].equals("compact");
        for (int i = compact ? 1 : 0; i < args.length; i++) {
            if ((args[i].equals("backup") || args[i].equals("restore")) && command == null && i + 1 < args.length) {
                command = args[i];
                commandFile = Path.of(args[++i]);
            } else if ((args[i].equals("--config") || args[i].equals("-c")) && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else if (args[i].startsWith("--config=")) {
                configFile = Path.of(args[i].substring("--config=".length()));
            } else if (args[i].equals("--demo")) {
                env.put("RINGPOOL_DEMO", "true");
            } else {
                System.err.println("usage: java -jar ringpool-server.jar [--config FILE] [--demo] [compact | backup FILE | restore FILE]");
                System.exit(2);
            }
        }
        RingpoolConfig config;
        try {
            config = ConfigLoader.load(configFile, env);
        } catch (ConfigException e) {
            System.err.println("ringpool: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (compact) {
            compact(config);
            return;
        }
        if (command != null) {
            try {
                System.out.println(command.equals("backup") ? BackupCommand.backup(config, commandFile)
                        : BackupCommand.restore(config, commandFile));
                System.exit(0);
            } catch (RuntimeException e) {
                System.err.println("ringpool: " + command + " failed: " + e.getMessage());
                System.exit(1);
            }
            return;
        }
        boolean relaunch;
        try {
            relaunch = ServerJvm.wanted(env);
        } catch (IllegalArgumentException e) {
            System.err.println("ringpool: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (!relaunch) {
            // Here, in the JVM that runs the server: a relaunching one would say it twice.
            ConfigLoader.unknownVariables(env).forEach(line -> org.slf4j.LoggerFactory.getLogger(Main.class)
                    .warn("unknown_environment_variable {}", line));
        }
        if (relaunch) {
            // Started as "java -jar" with no JVM option: the server runs in a JVM with Ringpool's own (ServerJvm).
            int status;
            try {
                status = ServerJvm.runServer(args, config.store().dataDir(), env, isTerminal());
            } catch (IllegalArgumentException e) {
                System.err.println("ringpool: " + e.getMessage());
                status = 2;
            } catch (IOException e) {
                System.err.println("ringpool: cannot start the server's JVM (" + e.getMessage()
                        + "); set RINGPOOL_RELAUNCH=false to run the server in this one");
                status = 1;
            }
            System.exit(status);
            return;
        }
        ParentWatch.startIfLaunched();
        // The hook first: a SIGTERM that arrives while the server is still starting must close
        // what was opened (and log "stopped"), not kill the JVM with the store half open.
        Ringpool app = new Ringpool(config, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "ringpool-shutdown"));
        CleanStop.onSigterm(() -> 0); // a stop that was asked for exits 0, after this hook, not the JVM's 143
        app.onSelfStop(() -> {
            System.err.println("ringpool: stopped: another node migrated the database to a newer schema than this version knows;"
                    + " start this node with that version");
            System.exit(2);
        });
        try {
            app.startOrClose();
        } catch (Exception e) {
            // One line for the operator; the cause is named in it (a port in use, a locked data directory).
            System.err.println("ringpool: cannot start: " + e.getMessage());
            System.exit(e instanceof StartupFailure failure ? failure.exitStatus() : 1);
            return;
        }
        showSecrets(config, app);
        stopped.await();
    }

    /**
     * Before the first logger exists: the operator's Logback file ({@code RINGPOOL_LOG_CONFIG} or
     * {@code -Dlogback.configurationFile}), else a size-capped rolling file when
     * {@code RINGPOOL_LOG_FILE} is set, else stdout; the last two are {@code config/logback*.xml},
     * shipped in the jar under {@code defaults/}. The {@code RINGPOOL_LOG_*} values are checked
     * first ({@link LogSettings}) and handed to Logback as system properties, which it reads
     * before the environment.
     *
     * @throws ConfigException for a logging setting Logback would not take as meant
     */
    static void chooseLogConfiguration(java.util.Map<String, String> env) {
        String chosen = System.getProperty("logback.configurationFile");
        LogSettings settings = LogSettings.read(env, chosen);
        settings.properties().forEach((name, value) -> {
            if (System.getProperty(name) == null) {
                System.setProperty(name, value);
            }
        });
        if (chosen == null) {
            System.setProperty("logback.configurationFile", settings.configurationFile());
        }
    }

    /** {@code compact}: offline full compaction of the store; the server must be stopped (H2 refuses a locked file). */
    private static void compact(RingpoolConfig config) {
        try {
            OfflineCompaction.Result r = compactStore(config);
            System.out.printf("ringpool: compacted the %s store: %,d -> %,d bytes%n", r.store(), r.bytesBefore(), r.bytesAfter());
        } catch (StartupFailure held) {
            System.err.println("ringpool: cannot compact: " + held.getMessage());
            System.exit(1);
        } catch (SQLException | RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            System.err.println("ringpool: cannot compact: " + message
                    + (message.contains("locked") ? " (stop the server first: compaction needs the file to itself)" : ""));
            System.exit(1);
        }
    }

    /**
     * Compacts the store while holding its data directory, as a start, a backup and a restore do:
     * a running server's H2 file is not touched at all. Before, H2 refused it with its own "may be
     * already in use … use the server mode" and wrote a stack trace into the running server's trace
     * file (audit AE1 #2), and the crash recovery that runs first read a file being written.
     *
     * @throws StartupFailure naming the server that holds the directory
     */
    static OfflineCompaction.Result compactStore(RingpoolConfig config) throws SQLException {
        RingpoolConfig.Store store = config.store();
        if (!store.isH2() || !Files.isDirectory(store.dataDir())) {
            return OfflineCompaction.run(store); // PostgreSQL needs no directory; a missing one has no file to compact
        }
        DataDirLock.refuseStoreHeldElsewhere(store.url(), store.dataDir());
        try (DataDirLock held = DataDirLock.acquire(store.dataDir(), 0)) {
            return OfflineCompaction.run(store);
        }
    }

    /**
     * Generated secrets are shown once, and only to a person at a terminal: output that goes to a
     * file or a log collector gets the path of the owner-only file that holds them instead. They
     * never go through the logger.
     */
    private static void showSecrets(RingpoolConfig config, Ringpool app) {
        boolean terminal = isTerminal();
        Path adminKeyFile = config.store().dataDir().resolve("admin.key");
        if (app.adminKeyGenerated()) {
            System.out.println(terminal ? "admin key (shown once; kept in " + adminKeyFile + "): " + app.adminKey()
                    : "admin key generated into " + adminKeyFile);
        } else if (config.security().adminKey().isEmpty()) {
            System.out.println("admin key: in " + adminKeyFile);
        }
        Path demoKeys = app.demoKeysFile();
        if (demoKeys != null) {
            String text = "";
            try {
                text = Files.readString(demoKeys);
            } catch (IOException e) {
                terminal = false;
            }
            System.out.println(terminal ? "demo site seeded (keys shown once; kept in " + demoKeys + "):\n" + text.strip()
                    : "demo site seeded; its keys are in " + demoKeys);
        }
    }

    /**
     * Whether standard output is a terminal. {@code System.console()} is null when it is not on
     * JDK 21; later JDKs may return a console anyway and say so by {@code Console.isTerminal()}
     * (JDK 22+), read reflectively because the build targets 21.
     */
    static boolean isTerminal() {
        Boolean launcher = ParentWatch.launcherTerminal();
        if (launcher != null) {
            return launcher; // this JVM's standard input is its launcher's pipe; the launcher saw the terminal
        }
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
