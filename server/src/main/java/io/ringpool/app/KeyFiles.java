package io.ringpool.app;

import io.ringpool.datadir.OwnerOnly;
import io.ringpool.site.Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory and the operator secrets kept in it. The directory is owner-only (0700) and
 * every file Ringpool writes there is created owner-only (0600) in the same system call that
 * creates it, so there is no moment when another user could open it; an existing directory that
 * others can read is tightened at start. Secrets not given in configuration are generated once.
 */
final class KeyFiles {
    private static final Logger LOG = LoggerFactory.getLogger(KeyFiles.class);
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private KeyFiles() {}

    /** Creates {@code dataDir} owner-only, or makes an existing one owner-only. */
    static void prepareDataDir(Path dataDir) {
        try {
            if (!Files.isDirectory(dataDir)) {
                OwnerOnly.createDirectories(dataDir);
            }
            if (OwnerOnly.posix() && !Files.getPosixFilePermissions(dataDir).equals(OWNER_DIR)) {
                Files.setPosixFilePermissions(dataDir, OWNER_DIR);
                LOG.info("data_dir_permissions_tightened dir={} mode=0700", dataDir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create or secure the data directory " + dataDir, e);
        }
    }

    /** This node's id among nodes sharing a store: configured, or generated once into {@code dataDir/node.id}. */
    static String resolveNodeId(String configured, Path dataDir) {
        if (!configured.isEmpty()) {
            return configured;
        }
        Path file = dataDir.resolve("node.id");
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            prepareDataDir(dataDir);
            String value = Keys.random("n_", 9);
            writeOwnerOnly(file, value + "\n");
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    /** Returns the configured value, or the one stored in {@code dataDir/name}, creating it if needed. */
    static String resolve(String configured, Path dataDir, String name, boolean hex) {
        if (!configured.isEmpty()) {
            return configured;
        }
        Path file = dataDir.resolve(name);
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            prepareDataDir(dataDir);
            String value;
            if (hex) {
                value = newHexKey();
            } else {
                value = Keys.random("adm_", 24);
            }
            writeOwnerOnly(file, value + "\n");
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    /** The value stored in {@code dataDir/name}, or null when there is no such file (none is created). */
    static String readIfPresent(Path dataDir, String name) {
        Path file = dataDir.resolve(name);
        try {
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** A new random 256-bit key, 64 hex digits. */
    static String newHexKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return HexFormat.of().formatHex(key);
    }

    /** Creates {@code file} (which must not exist) as 0600 and writes {@code text} into it. */
    static void writeOwnerOnly(Path file, String text) throws IOException {
        try (SeekableByteChannel channel = OwnerOnly.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    /** Creates an empty owner-only file unless it exists (so a database opens a file that is already 0600). */
    static void createOwnerOnly(Path file) {
        try {
            OwnerOnly.createFileIfAbsent(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
    }
}
