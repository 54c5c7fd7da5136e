package io.ringpool.app;

import io.ringpool.site.Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Operator secrets not given in configuration are generated once and kept in the data directory. */
final class KeyFiles {
    private KeyFiles() {}

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
            Files.createDirectories(dataDir);
            String value = Keys.random("n_", 9);
            Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
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
            Files.createDirectories(dataDir);
            String value;
            if (hex) {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                value = HexFormat.of().formatHex(key);
            } else {
                value = Keys.random("adm_", 24);
            }
            Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }
}
