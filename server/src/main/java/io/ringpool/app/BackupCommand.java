package io.ringpool.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.backup.StoreBackup;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.report.ReportService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;

/**
 * {@code ringpool backup FILE} and {@code ringpool restore FILE} (see {@link StoreBackup} for why
 * a backup goes through the running server when there is one). Each returns a one-line result for
 * the terminal or throws {@link StartupFailure} with a one-line reason.
 */
public final class BackupCommand {
    private BackupCommand() {}

    /**
     * Online through the server holding the data directory (its address is in the lock file), or
     * offline when none runs (this process then holds the lock so none starts meanwhile).
     */
    public static String backup(RingpoolConfig config, Path target) {
        RingpoolConfig.Store store = requireH2(config, "backup");
        if (Files.exists(target)) {
            throw new StartupFailure(target + " exists; choose a new file name (a backup never overwrites one)");
        }
        Path dataDir = store.dataDir();
        if (DataDirLock.isHeld(dataDir)) {
            DataDirLock.Holder holder = DataDirLock.holder(dataDir).orElseThrow(
                    () -> new StartupFailure("a Ringpool holds " + dataDir + " but its lock file names no port"));
            String address = serverAddress(config, holder);
            Path written = askServer(config, address);
            try {
                Files.move(written, target, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new StartupFailure("the server wrote " + written + " but it cannot be moved to " + target + ": " + e.getMessage());
            }
            return "backup written to " + target.toAbsolutePath() + " (online, through the server at " + address + ")";
        }
        if (!Files.isDirectory(dataDir)) {
            throw new StartupFailure("no data directory at " + dataDir.toAbsolutePath() + "; nothing to back up");
        }
        try (DataDirLock lock = DataDirLock.acquire(dataDir, 0)) {
            StoreBackup.offline(store.url() + ";IFEXISTS=TRUE", store.user(), store.password(), target, Clock.systemUTC());
        }
        return "backup written to " + target.toAbsolutePath() + " (offline: no server was running)";
    }

    /** Restores into the configured data directory while no server runs there. */
    public static String restore(RingpoolConfig config, Path zip) {
        RingpoolConfig.Store store = requireH2(config, "restore");
        try (DataDirLock lock = DataDirLock.acquire(store.dataDir(), 0)) {
            Path restored = StoreBackup.restore(zip, store.url());
            // The saved report facts describe the store that was moved aside, not the restored one:
            // loaded at the next start they would count calls and visits the store no longer has.
            forgetReportFacts(store.dataDir().resolve(ReportService.FACTS_DIRECTORY));
            return "restored " + zip + " into " + restored
                    + " (keep the same secret.key in " + store.dataDir().toAbsolutePath() + ": it decrypts the sites' secrets)";
        } catch (IllegalStateException e) {
            throw new StartupFailure(e.getMessage());
        }
    }

    private static void forgetReportFacts(Path facts) {
        if (!Files.isDirectory(facts)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(facts)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new StartupFailure("restored, but the old report facts in " + facts + " cannot be removed (" + e.getMessage()
                    + "): remove that directory before starting, or the reports will count the old store's data");
        }
    }

    /** Why the server could not be reached, in words: the HTTP client's exceptions often carry no message ("null", audit AM3 F7). */
    static String unreachable(IOException e) {
        if (e instanceof java.net.ConnectException) {
            return "nothing answers there (connection refused)";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer in time";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** {@code command} is {@code backup} or {@code restore}, as typed. */
    static RingpoolConfig.Store requireH2(RingpoolConfig config, String command) {
        RingpoolConfig.Store store = config.store();
        if (!store.isH2()) {
            String tools = command.equals("backup") ? "back it up with pg_dump or base backups" : "restore it with pg_restore or base backups";
            throw new StartupFailure("the store is PostgreSQL: " + tools + " (README, Backups); 'ringpool " + command
                    + "' handles the embedded H2 store only");
        }
        return store;
    }

    /**
     * Where the holder listens: the host its lock file names (the one it bound), else this
     * command's {@code server.host} (a lock file from before session 46); a wildcard is reached on
     * the loopback. Before, the command's own host was used: with the server bound to one interface
     * ({@code RINGPOOL_HOST}) and a cron job without that variable, the backup knocked at 127.0.0.1
     * and failed (audit AM3 F7).
     */
    static String serverAddress(RingpoolConfig config, DataDirLock.Holder holder) {
        String host = holder.host() != null ? holder.host() : config.server().host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.isBlank()) {
            host = "127.0.0.1";
        }
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + holder.port();
    }

    private static Path askServer(RingpoolConfig config, String address) {
        String adminKey = config.security().adminKey();
        if (adminKey.isEmpty()) {
            Path keyFile = config.store().dataDir().resolve("admin.key");
            try {
                adminKey = Files.readString(keyFile, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new StartupFailure("no admin key configured and " + keyFile + " cannot be read");
            }
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + "/v1/admin/backup"))
                .timeout(Duration.ofMinutes(30))
                .header("Authorization", "Bearer " + adminKey)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isEmpty() ? null : new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
            if (response.statusCode() != 201 || body == null || !body.hasNonNull("file")) {
                String reason = body == null ? "" : body.path("error").path("message").asText("");
                throw new StartupFailure("the server at " + address + " refused the backup (" + response.statusCode() + ") " + reason);
            }
            return Path.of(body.get("file").asText());
        } catch (IOException e) {
            throw new StartupFailure("cannot reach the server at " + address + " (from its lock file "
                    + config.store().dataDir().resolve(DataDirLock.FILE_NAME) + "): " + unreachable(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupFailure("interrupted");
        }
    }
}
