package io.ringpool.journal;

import io.ringpool.datadir.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's files: numbered, append-only segments ({@code 0000000000000001.journal}, ...).
 * New records go to the active segment, each appended and forced to disk ({@code fdatasync})
 * before {@link #append} returns. A segment is deleted once every record in it was delivered and
 * a newer segment took over, so the directory holds only what the store has not taken yet.
 *
 * <p>Each frame carries a CRC-32C of its payload. A frame cut short (the process died inside a
 * write, before anyone was told it was kept) or one whose checksum fails ends the replay of its
 * segment; the rest of the segment is reported and skipped, never delivered half-read.
 *
 * <p>Not thread-safe: {@link CallJournal} calls it under its lock.
 */
final class JournalSegments implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JournalSegments.class);

    /** A segment is closed and a new one started past this size, bytes (so delivered ones can be deleted). */
    static final long SEGMENT_BYTES = 1 << 20;

    /** Largest payload accepted on replay; anything longer is a corrupt length field. */
    private static final int MAX_PAYLOAD = 1 << 20;

    private static final String SUFFIX = ".journal";

    /** A record read back, with the segment it lives in. */
    record Replayed(long segment, JournalRecord record) {}

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final TreeMap<Long, Long> sizes = new TreeMap<>();
    private final Map<Long, Integer> undelivered = new TreeMap<>();
    private FileChannel active;
    private long activeId;
    private long totalBytes;

    JournalSegments(Path dir, long maxBytes, long segmentBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
    }

    /** Reads every existing segment in order, then starts a new active segment. */
    List<Replayed> open() {
        List<Replayed> out = new ArrayList<>();
        try {
            OwnerOnly.createDirectories(dir);
            List<Long> ids;
            try (Stream<Path> files = Files.list(dir)) {
                ids = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX) && n.length() == 16 + SUFFIX.length())
                        .map(n -> Long.parseLong(n.substring(0, 16))).sorted().toList();
            }
            for (long id : ids) {
                List<JournalRecord> records = read(id);
                long size = Files.size(file(id));
                if (records.isEmpty()) {
                    Files.delete(file(id));
                    continue;
                }
                sizes.put(id, size);
                totalBytes += size;
                undelivered.put(id, records.size());
                records.forEach(r -> out.add(new Replayed(id, r)));
            }
            startSegment(ids.isEmpty() ? 1 : ids.get(ids.size() - 1) + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the call journal in " + dir, e);
        }
        return out;
    }

    /**
     * Appends one frame and forces it to disk. Returns the segment it went to.
     *
     * @throws JournalFull when the journal would grow past its bound
     */
    long append(byte[] payload) throws IOException {
        int frameBytes = 8 + payload.length;
        if (totalBytes + frameBytes > maxBytes) {
            throw new JournalFull(totalBytes, maxBytes);
        }
        if (sizes.get(activeId) > 0 && sizes.get(activeId) + frameBytes > segmentBytes) {
            rotate();
        }
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer frame = ByteBuffer.allocate(frameBytes);
        frame.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
        long position = sizes.get(activeId);
        try {
            while (frame.hasRemaining()) {
                active.write(frame, position + frame.position());
            }
            active.force(false);
        } catch (IOException e) {
            // A partial frame may be on disk: cut it off so the next append starts clean.
            try {
                active.truncate(position);
            } catch (IOException ignored) {
                // replay stops at the torn frame anyway
            }
            throw e;
        }
        sizes.put(activeId, position + frameBytes);
        totalBytes += frameBytes;
        undelivered.merge(activeId, 1, Integer::sum);
        return activeId;
    }

    /** One record of {@code segment} reached the store; deletes the segment when it was the last and it is not active. */
    void delivered(long segment) {
        int left = undelivered.merge(segment, -1, Integer::sum);
        if (left <= 0) {
            undelivered.remove(segment);
            if (segment != activeId) {
                delete(segment);
            }
        }
    }

    long bytes() {
        return totalBytes;
    }

    Path dir() {
        return dir;
    }

    long maxBytes() {
        return maxBytes;
    }

    private void rotate() throws IOException {
        long old = activeId;
        FileChannel previous = active;
        // The new segment first: a disk too full to create it leaves the old one active and whole, and
        // the append that asked is refused; the next append tries again.
        startSegment(old + 1);
        previous.close();
        if (!undelivered.containsKey(old)) {
            delete(old);
        }
    }

    private void startSegment(long id) throws IOException {
        FileChannel opened = OwnerOnly.open(file(id), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        activeId = id;
        active = opened;
        sizes.put(id, 0L);
        // The new name must survive a crash too, or its records would vanish with the directory entry.
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException | UnsupportedOperationException notOnThisPlatform) {
            // some file systems cannot sync a directory; the file's own fsync still holds its data
        }
    }

    private void delete(long id) {
        Long size = sizes.remove(id);
        if (size != null) {
            totalBytes -= size;
        }
        try {
            Files.deleteIfExists(file(id));
        } catch (IOException e) {
            LOG.warn("journal_segment_not_deleted segment={} reason={}", id, e.toString());
        }
    }

    private List<JournalRecord> read(long id) throws IOException {
        byte[] all = Files.readAllBytes(file(id));
        ByteBuffer in = ByteBuffer.wrap(all);
        List<JournalRecord> out = new ArrayList<>();
        while (in.remaining() > 0) {
            int start = in.position();
            String problem = null;
            if (in.remaining() < 8) {
                problem = "torn frame header";
            } else {
                int length = in.getInt();
                int expected = in.getInt();
                if (length <= 0 || length > MAX_PAYLOAD || length > in.remaining()) {
                    problem = length > in.remaining() && length <= MAX_PAYLOAD ? "torn frame" : "bad frame length " + length;
                } else {
                    byte[] payload = new byte[length];
                    in.get(payload);
                    CRC32C crc = new CRC32C();
                    crc.update(payload);
                    if ((int) crc.getValue() != expected) {
                        problem = "checksum mismatch";
                    } else {
                        try {
                            out.add(JournalRecord.decode(payload));
                        } catch (IOException | RuntimeException e) {
                            problem = "undecodable record: " + e.getMessage();
                        }
                    }
                }
            }
            if (problem != null) {
                LOG.warn("journal_tail_skipped segment={} offset={} bytes={} reason={}", id, start, all.length - start, problem);
                break;
            }
        }
        return out;
    }

    private Path file(long id) {
        return dir.resolve(String.format("%016d%s", id, SUFFIX));
    }

    @Override
    public void close() {
        try {
            if (active != null) {
                active.close();
            }
        } catch (IOException ignored) {
            // every record was already forced
        }
        // An empty active segment is clutter, not data.
        if (sizes.getOrDefault(activeId, 0L) == 0L || !undelivered.containsKey(activeId)) {
            delete(activeId);
        }
    }

    /** The journal reached its bound ({@code journal.maxMegabytes}). */
    static final class JournalFull extends IOException {
        private static final long serialVersionUID = 1L;

        JournalFull(long bytes, long max) {
            super("journal full: " + bytes + " of " + max + " bytes");
        }
    }
}
