package io.ringpool.datadir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Directories (0700) and files (0600) that only the user running Ringpool may open, created with
 * those permissions in the same system call that creates them ({@code mkdir(2)}/{@code open(2)}
 * with a mode): a file created first and chmod-ed after can be opened by anyone in between, and an
 * open descriptor keeps working after the chmod. The process umask can only remove bits, so these
 * modes are what lands on disk.
 *
 * <p>Everything Ringpool writes under its data directory goes through here: the journal, the
 * recordings, the backups, the lock file, the keys, and the H2 files it can name in advance. On a
 * file system without POSIX permissions (Windows) the files are created plainly and the
 * directory's ACL inherited from its parent applies.
 */
public final class OwnerOnly {
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final FileAttribute<?>[] DIRECTORY_ATTRIBUTES = POSIX
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIRECTORY)} : new FileAttribute<?>[0];
    private static final FileAttribute<?>[] FILE_ATTRIBUTES = POSIX
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];

    private OwnerOnly() {}

    /** True where permissions are POSIX modes (and so can be checked and tightened). */
    public static boolean posix() {
        return POSIX;
    }

    /** Creates {@code dir} and any missing parents as 0700; an existing directory is left as it is. */
    public static Path createDirectories(Path dir) throws IOException {
        return Files.createDirectories(dir, DIRECTORY_ATTRIBUTES);
    }

    /** Creates an empty 0600 file; throws {@link FileAlreadyExistsException} when it exists. */
    public static Path createFile(Path file) throws IOException {
        return Files.createFile(file, FILE_ATTRIBUTES);
    }

    /** Creates an empty 0600 file unless one exists (whose permissions are then left as they are). */
    public static void createFileIfAbsent(Path file) throws IOException {
        try {
            createFile(file);
        } catch (FileAlreadyExistsException e) {
            // kept as it is
        }
    }

    /**
     * Opens {@code file} with {@code options}; when the options create it, it is created 0600.
     * An existing file keeps its permissions.
     */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        return FileChannel.open(file, Set.of(options), FILE_ATTRIBUTES);
    }

    /** A stream into a new 0600 file; throws {@link FileAlreadyExistsException} when it exists. */
    public static OutputStream newFile(Path file) throws IOException {
        return Channels.newOutputStream(open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    }

    /** A new 0600 file with a unique name in {@code dir} (what {@link Files#createTempFile} does, said out loud). */
    public static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
        return Files.createTempFile(dir, prefix, suffix, FILE_ATTRIBUTES);
    }
}
