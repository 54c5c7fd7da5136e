package io.ringpool.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * A disk that a test fills and empties: H2's own file-system hook ({@link FilePathWrapper}, the
 * {@code fulldisk:} prefix in a JDBC URL) around the real files, whose writes fail with the
 * {@code IOException} a full disk gives ("No space left on device") while {@link #fill} holds.
 * What H2 meets on a full disk is that exception from {@code FileChannel.write}; everything
 * else (reads, locks, sizes) is the real file. A small tmpfs would need root in CI.
 */
public final class FullDiskFileSystem extends FilePathWrapper {
    private static volatile boolean full;

    static {
        FilePath.register(new FullDiskFileSystem());
    }

    /** The JDBC URL of an H2 file {@code base} (a path without {@code .mv.db}) on this disk. */
    public static String h2Url(java.nio.file.Path base) {
        return "jdbc:h2:fulldisk:" + base.toAbsolutePath();
    }

    public static void fill() {
        full = true;
    }

    public static void free() {
        full = false;
    }

    @Override
    public String getScheme() {
        return "fulldisk";
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        return new Channel(getBase().open(mode));
    }

    private static void refuseWhileFull() throws IOException {
        if (full) {
            throw new IOException("No space left on device");
        }
    }

    private static final class Channel extends FileBase {
        private final FileChannel file;

        Channel(FileChannel file) {
            this.file = file;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return file.read(dst);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            refuseWhileFull();
            return file.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            refuseWhileFull();
            return file.write(src, position);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            refuseWhileFull();
            file.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            file.force(metaData);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }
    }
}
