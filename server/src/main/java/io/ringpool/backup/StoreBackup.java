package io.ringpool.backup;

import io.ringpool.datadir.OwnerOnly;
import io.ringpool.failure.DomainFailure;
import io.ringpool.store.Database;
import io.ringpool.store.StoreException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Online, consistent backups of the embedded H2 store, and their restore.
 *
 * <p>H2's {@code BACKUP TO 'file.zip'} copies the MVStore file while the server keeps writing: the
 * MVStore never overwrites a live chunk, so the copy is the store as of one commit (H2 documents
 * it as "transactionally consistent"). It runs on one pooled connection; nothing is locked, so
 * sessions and calls keep flowing during a backup.
 *
 * <p>Why through the running server and not a second process: H2 in file mode lets one process
 * open the file, so while Ringpool runs only Ringpool can read it. {@code ringpool backup FILE}
 * therefore asks the running server ({@code POST /v1/admin/backup}) and, when none runs, opens
 * the file itself ({@link #offline}).
 *
 * <p>PostgreSQL has its own tools (pg_dump, base backups with WAL archiving); Ringpool does not
 * wrap them. What the backup does not hold: call events still in the journal (they reach the
 * store when it can take them) and the key files of the data directory ({@code secret.key}
 * decrypts webhook secrets and Twilio tokens: keep it, separately, with the backups).
 */
public final class StoreBackup {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StoreBackup.class);

    /** The file written and when. */
    public record Taken(Path file, long bytes, Instant takenAt) {}

    /** Backups one millisecond may name before the next is refused: far more than requests can start at once. */
    private static final int MAX_SAME_MILLISECOND = 100;
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    private final Database db;
    private final Path backupDir;
    private final Clock clock;

    /**
     * @param backupDir where online backups are written ({@code dataDir/backups}); the HTTP caller
     *                  never chooses a path, so an admin key cannot write files elsewhere
     */
    public StoreBackup(Database db, Path backupDir, Clock clock) {
        this.db = db;
        this.backupDir = backupDir;
        this.clock = clock;
    }

    /** Writes {@code backups/ringpool-<time>.zip} (0600, in a 0700 directory) from the running store. */
    public Taken take() {
        if (!db.isH2()) {
            throw new DomainFailure(DomainFailure.Kind.CONFLICT, "backup_not_supported",
                    "the store is PostgreSQL: back it up with pg_dump or base backups (see the README, Backups)");
        }
        Instant now = clock.instant();
        Path file = reserve(now);
        try {
            db.read(c -> {
                backupTo(c, file);
                return null;
            });
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the failure is what the caller needs to hear about
            }
            if (outOfSpace(e)) {
                throw noSpace(backupDir);
            }
            throw e;
        }
        return new Taken(file, size(file), now);
    }

    /**
     * Creates the (empty) file of a backup taken at {@code now}. Two taken in the same millisecond
     * (two admins, a retried request) get {@code -2}, {@code -3}, … rather than one failing on the
     * name: the name only says when, it was never meant to be unique.
     */
    private Path reserve(Instant now) {
        String stem = "ringpool-" + NAME.format(now);
        Path file = null;
        try {
            OwnerOnly.createDirectories(backupDir);
            for (int n = 1; ; n++) {
                file = backupDir.resolve(stem + (n == 1 ? "" : "-" + n) + ".zip").toAbsolutePath();
                try {
                    return OwnerOnly.createFile(file);
                } catch (FileAlreadyExistsException taken) {
                    if (n == MAX_SAME_MILLISECOND) {
                        throw taken;
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot create " + (file == null ? backupDir : file), e);
        }
    }

    /** A backup of a store no server has open: opens the H2 file at {@code jdbcUrl} itself. */
    public static Taken offline(String jdbcUrl, String user, String password, Path target, Clock clock) {
        Instant now = clock.instant();
        try {
            OwnerOnly.createFile(target);
        } catch (IOException e) {
            throw new StoreException("cannot create " + target + ": " + e.getMessage(), e);
        }
        // a store left by a kill -9: the backup must hold its newest commit, not what H2's quick recovery finds
        io.ringpool.store.H2CrashRecovery.recoverIfUnclean(jdbcUrl);
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            backupTo(c, target.toAbsolutePath());
        } catch (SQLException e) {
            try {
                Files.deleteIfExists(target);
            } catch (IOException ignored) {
                // the failure below is what the operator needs to read
            }
            if (outOfSpace(e)) {
                throw noSpace(target.toAbsolutePath().getParent());
            }
            throw new StoreException("cannot back up " + jdbcUrl.replaceAll(";.*", "") + ": " + e.getMessage(), e);
        }
        return new Taken(target.toAbsolutePath(), size(target), now);
    }

    /**
     * Restores {@code zip} into the H2 file named by {@code jdbcUrl}; refuses to overwrite an
     * existing store (the operator moves it aside first, so a mistyped restore destroys nothing).
     */
    public static Path restore(Path zip, String jdbcUrl) {
        Path base = h2File(jdbcUrl);
        Path dir = base.getParent();
        String name = base.getFileName().toString();
        Path existing = dir.resolve(name + ".mv.db");
        if (Files.exists(existing)) {
            throw new IllegalStateException(existing + " exists; move it aside first (restore never overwrites a store)");
        }
        if (!Files.exists(zip)) {
            throw new IllegalStateException(zip + ": no such file");
        }
        if (!Files.isRegularFile(zip)) {
            throw new IllegalStateException(zip + " is not a backup file");
        }
        try {
            OwnerOnly.createDirectories(dir);
            // H2 writes into the file it finds (truncating it), so the restored store is 0600 from its first byte.
            OwnerOnly.createFile(existing);
            try {
                org.h2.tools.Restore.execute(zip.toAbsolutePath().toString(), dir.toString(), name);
            } catch (RuntimeException notABackup) {
                // H2's words were its internals: 'IO Exception: "java.io.IOException: No database named ringpool found"; … [90031-252]'
                throw new IllegalStateException(zip + " is not a Ringpool backup (a zip made by 'ringpool backup' or POST /v1/admin/backup,"
                        + " holding the store '" + name + "')");
            } finally {
                if (Files.size(existing) == 0) {
                    Files.delete(existing); // nothing restored: leave no empty store behind to refuse the next try
                }
            }
            if (!Files.exists(existing)) {
                throw new IllegalStateException(zip + " holds no Ringpool store named '" + name + "'");
            }
            io.ringpool.store.H2CrashRecovery.settleRestored(jdbcUrl);
        } catch (IOException e) {
            throw new IllegalStateException("cannot restore into " + dir + ": " + e.getMessage(), e);
        }
        return existing;
    }

    /** The database file's path without extension, from {@code jdbc:h2:file:/x/ringpool;...}. */
    static Path h2File(String jdbcUrl) {
        String rest = jdbcUrl.substring("jdbc:h2:".length());
        int semicolon = rest.indexOf(';');
        if (semicolon >= 0) {
            rest = rest.substring(0, semicolon);
        }
        if (rest.startsWith("file:")) {
            rest = rest.substring("file:".length());
        }
        if (rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:")) {
            throw new IllegalStateException("only an embedded H2 file store can be restored here (got " + rest + ")");
        }
        return Path.of(rest).toAbsolutePath();
    }

    private static void backupTo(Connection c, Path file) throws SQLException {
        try (Statement s = c.createStatement()) {
            // The path is ours (a fixed directory and a timestamp, or the operator's own argument
            // on the command line); quotes are doubled anyway.
            s.execute("BACKUP TO '" + file.toString().replace("'", "''") + "'");
        }
    }

    /**
     * Whether a backup failed for want of disk space: the kernel's ENOSPC (or EDQUOT) somewhere in
     * the chain, as H2 wraps it ("IO Exception: java.io.IOException: No space left on device").
     * Such a failure used to be answered 503 {@code store_unavailable}, "retry later", and logged as
     * a store outage, while the store was fine and every retry would fail the same way (audit AM3 F6).
     */
    static boolean outOfSpace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.contains("No space left on device") || message.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    /** The answer to a backup that did not fit: where, and how much room is left there; logged as what it is. */
    private static DomainFailure noSpace(Path dir) {
        long free = -1;
        try {
            free = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException unknown) {
            // the message then says only where
        }
        LOG.warn("backup_no_space dir={} free_bytes={}", dir, free);
        return new DomainFailure(DomainFailure.Kind.INSUFFICIENT_STORAGE, "backup_no_space", "not enough disk space for the backup at "
                + dir + (free >= 0 ? " (" + free + " bytes free there)" : "") + "; free some space there or move old backups away, then retry");
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
