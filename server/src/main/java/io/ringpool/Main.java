package io.ringpool;

import io.ringpool.app.BackupCommand;
import io.ringpool.app.Ringpool;
import io.ringpool.config.ConfigException;
import io.ringpool.config.ConfigLoader;
import io.ringpool.config.RingpoolConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/** Reads configuration, starts the server, stops it cleanly on SIGTERM/SIGINT. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        Path configFile = null;
        String command = null;
        Path commandFile = null;
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("backup") || args[i].equals("restore")) && command == null && i + 1 < args.length) {
                command = args[i];
                commandFile = Path.of(args[++i]);
            } else if ((args[i].equals("--config") || args[i].equals("-c")) && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else if (args[i].startsWith("--config=")) {
                configFile = Path.of(args[i].substring("--config=".length()));
            } else {
                System.err.println("usage: java -jar ringpool-server.jar [--config FILE] [backup FILE | restore FILE]");
                System.exit(2);
            }
        }
        RingpoolConfig config;
        try {
            config = ConfigLoader.load(configFile, System.getenv());
        } catch (ConfigException e) {
            System.err.println("ringpool: " + e.getMessage());
            System.exit(2);
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
        // The hook first: a SIGTERM that arrives while the server is still starting must close
        // what was opened (and log "stopped"), not kill the JVM with the store half open.
        Ringpool app = new Ringpool(config, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "ringpool-shutdown"));
        try {
            app.startOrClose();
        } catch (Exception e) {
            // One line for the operator; the cause is named in it (a port in use, a locked data directory).
            System.err.println("ringpool: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (config.security().adminKey().isEmpty()) {
            System.out.println("admin key (from " + config.store().dataDir().resolve("admin.key") + "): " + app.adminKey());
        }
        stopped.await();
    }
}
