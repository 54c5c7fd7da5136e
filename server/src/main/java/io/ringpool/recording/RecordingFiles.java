package io.ringpool.recording;

import io.ringpool.datadir.OwnerOnly;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recordings on local disk, content-addressed: a file is named by the SHA-256 of its bytes
 * ({@code <dataDir>/recordings/ab/abcdef…}), so the same audio is kept once however often it is
 * fetched, a partial download never takes a final name (it is written under {@code tmp/} and
 * moved into place atomically), and a file can be checked against its name. A file is checked
 * when first served after start (and after any change of its size or time); a mismatch is
 * reported, never served.
 */
final class RecordingFiles {
    private static final String SCHEME = "file:";
    private final Path dataDir;
    private final Path root;
    private final Path tmp;
    /** Files checked since start, by location, with the size and modification time they had then. */
    private final Map<String, String> verified = new ConcurrentHashMap<>();

    RecordingFiles(Path dataDir) {
        this.dataDir = dataDir.toAbsolutePath();
        this.root = this.dataDir.resolve("recordings");
        this.tmp = root.resolve("tmp");
        try {
            OwnerOnly.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + tmp, e);
        }
    }

    /** A new temporary file for a download in progress. */
    Path temporary() throws IOException {
        return OwnerOnly.createTempFile(tmp, "fetch-", ".part");
    }

    /** Moves a finished download to its content address; if that content is already kept, drops the copy. */
    StoredFile keep(Path download, String sha256, String contentType, long size) throws IOException {
        Path target = pathOf(sha256);
        OwnerOnly.createDirectories(target.getParent());
        if (Files.exists(target) && Files.size(target) == size) {
            Files.deleteIfExists(download);
        } else {
            try {
                Files.move(download, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                Files.move(download, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return new StoredFile(SCHEME + dataDir.relativize(target).toString().replace('\\', '/'), sha256, contentType, size);
    }

    /** The file of a location, once its bytes are checked against its name; throws {@link Corrupt} otherwise. */
    Path open(String location, String sha256, long size) throws IOException {
        Path file = resolve(location);
        long actualSize = Files.size(file);
        if (actualSize != size) {
            throw new Corrupt("size " + actualSize + " != " + size);
        }
        String stamp = actualSize + ":" + Files.getLastModifiedTime(file).toMillis();
        if (!stamp.equals(verified.get(location))) {
            String actual;
            try (InputStream in = Files.newInputStream(file)) {
                MessageDigest digest = sha256();
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
                actual = HexFormat.of().formatHex(digest.digest());
            }
            if (!actual.equals(sha256)) {
                throw new Corrupt("sha-256 " + actual + " != " + sha256);
            }
            verified.put(location, stamp);
        }
        return file;
    }

    boolean exists(String location) {
        return Files.exists(resolve(location));
    }

    void delete(String location) throws IOException {
        verified.remove(location);
        Files.deleteIfExists(resolve(location));
    }

    Path pathOf(String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a sha-256: " + sha256);
        }
        return root.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    private Path resolve(String location) {
        if (!location.startsWith(SCHEME)) {
            throw new IllegalArgumentException("not a local recording: " + location);
        }
        Path p = dataDir.resolve(location.substring(SCHEME.length())).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("outside the recordings directory: " + location);
        }
        return p;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A kept file whose bytes no longer match its checksum. */
    static final class Corrupt extends IOException {
        private static final long serialVersionUID = 1L;

        Corrupt(String message) {
            super(message);
        }
    }
}
