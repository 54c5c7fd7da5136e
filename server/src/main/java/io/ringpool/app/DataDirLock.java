package io.ringpool.app;

import io.ringpool.datadir.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One Ringpool per data directory. The directory holds the H2 files, the generated keys and the
 * call journal; two processes writing them at once would corrupt the journal and, on H2, fail
 * with a confusing "database may be already in use" long after start. The lock is an OS file lock
 * ({@link FileChannel#tryLock()}) on {@code ringpool.lock}: the kernel drops it when the process
 * dies, even by {@code kill -9}, so a crash never leaves a stale lock behind.
 *
 * <p>The file's content ({@code pid=N port=P host=H}) is informational: the error message names the
 * holder, and {@code ringpool backup} finds the running server's address there (the host too: a
 * server bound to one interface is not on 127.0.0.1, audit AM3 F7).
 */
public final class DataDirLock implements AutoCloseable {
    static final String FILE_NAME = "ringpool.lock";

    /** Who holds a data directory, as its lock file says; {@code host} null when it names none (a lock file older than session 46). */
    public record Holder(long pid, int port, String host) {}

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code dataDir} if needed and locks it for this process, which listens on nothing (a
     * backup, a restore, a compaction).
     *
     * @throws StartupFailure when another Ringpool (any process, or this one) holds it
     */
    public static DataDirLock acquire(Path dataDir, int port) {
        return acquire(dataDir, null, port);
    }

    /**
     * Creates {@code dataDir} if needed and locks it for this process, a server listening on
     * {@code host}:{@code port} (the host as bound: a host name or address, never with spaces).
     *
     * @throws StartupFailure when another Ringpool (any process, or this one) holds it
     */
    public static DataDirLock acquire(Path dataDir, String host, int port) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            OwnerOnly.createDirectories(dataDir);
            FileChannel channel = OwnerOnly.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException heldHere) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                String holder = holder(dataDir).map(h -> " (pid " + h.pid() + ", port " + h.port() + ")").orElse("");
                throw new StartupFailure("another Ringpool holds the data directory " + dataDir.toAbsolutePath() + holder
                        + "; stop it first, or give this one its own RINGPOOL_DATA_DIR");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid=" + ProcessHandle.current().pid() + " port=" + port
                    + (host == null || host.isBlank() ? "" : " host=" + host.strip()) + "\n")
                    .getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            throw new StartupFailure("cannot lock the data directory " + dataDir.toAbsolutePath() + ": " + reason(e, dataDir));
        }
    }

    /**
     * Why the file system refused, in words: a {@link FileSystemException}'s message is often just
     * the path again ("cannot lock … /proc/nope: /proc/nope", audit Z2 #7), its kind being in its class.
     */
    static String reason(IOException e, Path dataDir) {
        if (!(e instanceof FileSystemException refused)) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        String why = refused.getReason() != null ? refused.getReason() : switch (refused) {
            case NoSuchFileException missing -> "no such file or directory";
            case AccessDeniedException denied -> "permission denied";
            case FileAlreadyExistsException inTheWay -> "a file is in the way";
            case NotDirectoryException notDirectory -> "not a directory";
            default -> "refused by the file system (" + refused.getClass().getSimpleName() + ")";
        };
        boolean aboutTheDirectory = refused.getFile() == null
                || Path.of(refused.getFile()).toAbsolutePath().equals(dataDir.toAbsolutePath());
        return aboutTheDirectory ? why : refused.getFile() + ": " + why;
    }

    /**
     * Refuses an H2 file store that lies in another Ringpool's data directory, before H2 opens it:
     * H2's own refusal ("database may be already in use") came with a stack trace written into
     * the running server's {@code ringpool.trace.db} (audit R #8).
     *
     * @throws StartupFailure naming the store and the server that holds it
     */
    public static void refuseStoreHeldElsewhere(String url, Path ownDataDir) {
        Optional<Path> storeDir = h2FileDirectory(url);
        if (storeDir.isEmpty() || sameDirectory(storeDir.get(), ownDataDir) || !isHeld(storeDir.get())) {
            return;
        }
        String holder = holder(storeDir.get()).map(h -> " (pid " + h.pid() + ", port " + h.port() + ")").orElse("");
        throw new StartupFailure("the H2 store " + url.split(";", 2)[0].substring("jdbc:h2:".length()) + " is in use: another Ringpool"
                + holder + " holds its directory " + storeDir.get() + "; stop it first, or give this one its own store");
    }

    /** The directory of an H2 file URL's database, or empty for in-memory and server URLs. */
    static Optional<Path> h2FileDirectory(String url) {
        if (!url.startsWith("jdbc:h2:")) {
            return Optional.empty();
        }
        String name = url.substring("jdbc:h2:".length()).split(";", 2)[0];
        if (name.startsWith("file:")) {
            name = name.substring("file:".length());
        } else if (name.matches("^(mem|tcp|ssl|zip|nio\\w*|split|async|memFS|memLZF|rec|retry)?:.*")) {
            return Optional.empty();
        }
        if (name.startsWith("~")) {
            name = System.getProperty("user.home") + name.substring(1);
        }
        try {
            Path parent = Path.of(name).toAbsolutePath().normalize().getParent();
            return Optional.ofNullable(parent);
        } catch (java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    /** True when a live process holds {@code dataDir} (tried without taking it). */
    public static boolean isHeld(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            try {
                FileLock probe = channel.tryLock();
                if (probe == null) {
                    return true;
                }
                probe.release();
                return false;
            } catch (OverlappingFileLockException heldHere) {
                return true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** What the lock file says about its holder; empty when there is none or it cannot be read. */
    public static Optional<Holder> holder(Path dataDir) {
        try {
            String text = Files.readString(dataDir.resolve(FILE_NAME), StandardCharsets.US_ASCII).trim();
            long pid = -1;
            int port = -1;
            String host = null;
            for (String part : text.split("\\s+")) {
                if (part.startsWith("pid=")) {
                    pid = Long.parseLong(part.substring(4));
                } else if (part.startsWith("port=")) {
                    port = Integer.parseInt(part.substring(5));
                } else if (part.startsWith("host=") && part.length() > 5) {
                    host = part.substring(5);
                }
            }
            return pid < 0 || port < 0 ? Optional.empty() : Optional.of(new Holder(pid, port, host));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Releases the lock. The file stays: deleting it would let a process that opened the old file
     * lock a name nobody else sees.
     */
    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the process is stopping; the kernel releases the lock anyway
        }
    }
}
