package io.ringpool.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The memory the kernel can hand out now without swapping: Linux's {@code MemAvailable} (free memory
 * plus the cache it can drop), and inside a cgroup v2 container with a limit, the limit less what the
 * container already uses bar its inactive file cache (which the kernel drops first), whichever is less. 0 where neither can be read (another OS), so nothing is
 * refused on a guess. {@code bin/default-heap --available-kb} reads the same files.
 */
final class AvailableMemory {
    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private static final Path CGROUP = Path.of("/sys/fs/cgroup");

    private AvailableMemory() {}

    static long bytes() {
        return bytes(MEMINFO, CGROUP);
    }

    static long bytes(Path meminfo, Path cgroup) {
        long available = memAvailable(meminfo);
        long limit = number(cgroup.resolve("memory.max"));
        long used = number(cgroup.resolve("memory.current"));
        if (limit > 0 && used >= 0) {
            used = Math.max(0, used - inactiveFileCache(cgroup.resolve("memory.stat")));
            long inContainer = Math.max(0, limit - used);
            available = available > 0 ? Math.min(available, inContainer) : inContainer;
        }
        return available;
    }

    private static long memAvailable(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemAvailable:")) {
                    String[] parts = line.substring("MemAvailable:".length()).strip().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or a kernel without the line (before 3.14): not known.
        }
        return 0;
    }

    private static long inactiveFileCache(Path memoryStat) {
        try {
            for (String line : Files.readAllLines(memoryStat)) {
                if (line.startsWith("inactive_file ")) {
                    return Long.parseLong(line.substring("inactive_file ".length()).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // No statistics: count all of memory.current as used.
        }
        return 0;
    }

    /** A file holding one number; -1 when absent or not a number ("max": no limit). */
    private static long number(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
