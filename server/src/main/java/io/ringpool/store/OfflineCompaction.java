package io.ringpool.store;

import io.ringpool.config.RingpoolConfig;
import io.ringpool.datadir.OwnerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ringpool compact}: gives the store's free space back to the file system while the server
 * is stopped. H2: {@code SHUTDOWN COMPACT} rewrites the file with only live pages, packed (the
 * running server reuses free space inside the file but never shrinks it). PostgreSQL:
 * {@code VACUUM FULL} of Ringpool's tables (autovacuum already makes dead rows' space reusable
 * while running; FULL returns it to the OS and needs exclusive locks, hence offline).
 */
public final class OfflineCompaction {

    /** Sizes before and after, in bytes. */
    public record Result(String store, long bytesBefore, long bytesAfter) {}

    private OfflineCompaction() {}

    public static Result run(RingpoolConfig.Store config) throws SQLException {
        if (config.isH2()) {
            Path file = Database.h2File(config.url());
            if (file == null || !Files.exists(file)) {
                throw new SQLException("no H2 file at " + file);
            }
            long before = size(file);
            // SHUTDOWN COMPACT keeps only what H2 opened: after a kill -9, that must be the newest commit
            H2CrashRecovery.recoverIfUnclean(config.url());
            try (Connection c = DriverManager.getConnection(config.url(), config.user(), config.password());
                    Statement s = c.createStatement()) {
                s.execute("SHUTDOWN COMPACT");
            }
            keepOwnerOnly(file);
            return new Result("h2", before, size(file));
        }
        try (Connection c = DriverManager.getConnection(config.url(), config.user(), config.password());
                Statement s = c.createStatement()) {
            long before = databaseSize(s);
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                s.execute("VACUUM (FULL, ANALYZE) \"" + table.replace("\"", "\"\"") + "\"");
            }
            return new Result("postgresql", before, databaseSize(s));
        }
    }

    /**
     * H2 compacts into a new file it creates itself (with the process umask, often 0644) and moves
     * it over the old one, so the mode the store had is set again. This is the one file Ringpool
     * cannot create with its mode: it happens offline, inside the 0700 data directory, where no
     * other user can reach the file by its name in between.
     */
    private static void keepOwnerOnly(Path file) {
        if (!OwnerOnly.posix()) {
            return;
        }
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot make " + file + " owner-only after compaction", e);
        }
    }

    private static long databaseSize(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT pg_database_size(current_database())")) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
