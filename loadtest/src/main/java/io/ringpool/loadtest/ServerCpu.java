package io.ringpool.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the server's CPU went during a phase, by thread group, from the kernel's accounting
 * ({@code /proc/PID/task/*}/stat, user + system ticks): the same split as loadtest/thread-cpu.sh.
 * A sampling profiler on one core over-weights threads that wait for the CPU; these are the
 * kernel's figures. Empty when the server's pid is unknown or /proc cannot be read.
 */
final class ServerCpu {
    /** Ticks per thread id, with the thread's name. */
    record Snapshot(Map<String, Long> ticks, Map<String, String> names) {}

    /** The CPU used between two snapshots: seconds in all and each group's share, largest first. */
    record Split(double seconds, Map<String, Double> shares) {
        @Override
        public String toString() {
            if (shares.isEmpty()) {
                return "-";
            }
            StringBuilder s = new StringBuilder(String.format("cpu %.1f s:", seconds));
            shares.forEach((group, share) -> s.append(String.format(" %s %.0f%%", group, share * 100)));
            return s.toString();
        }
    }

    private static final double TICKS_PER_SECOND = 100;

    private ServerCpu() {}

    static Snapshot snapshot(long pid) {
        Map<String, Long> ticks = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        if (pid <= 0) {
            return new Snapshot(ticks, names);
        }
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = Files.readString(task.resolve("comm")).strip();
                    ticks.put(task.getFileName().toString(), ticksOf(stat));
                    names.put(task.getFileName().toString(), name);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return new Snapshot(Map.of(), Map.of());
        }
        return new Snapshot(ticks, names);
    }

    /** utime + stime of one /proc stat line: fields 14 and 15, counted after the ")" that ends the name. */
    static long ticksOf(String stat) {
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(after[11]) + Long.parseLong(after[12]);
    }

    static Split between(Snapshot before, Snapshot after) {
        Map<String, Long> used = new HashMap<>();
        long total = 0;
        for (var e : after.ticks().entrySet()) {
            long delta = e.getValue() - before.ticks().getOrDefault(e.getKey(), 0L);
            if (delta > 0) {
                used.merge(group(after.names().get(e.getKey())), delta, Long::sum);
                total += delta;
            }
        }
        List<Map.Entry<String, Long>> order = new ArrayList<>(used.entrySet());
        order.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        Map<String, Double> shares = new LinkedHashMap<>();
        for (var e : order) {
            shares.put(e.getKey(), (double) e.getValue() / total);
        }
        return new Split(total / TICKS_PER_SECOND, shares);
    }

    /** The group of a thread by its (kernel-truncated, 15-character) name. */
    static String group(String name) {
        if (name == null) {
            return "other";
        }
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
            return "jit";
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
            return "gc";
        }
        if (name.startsWith("multiThreadIoEv") || name.startsWith("epollEventLoop") || name.startsWith("nioEventLoop")) {
            return "netty";
        }
        if (name.startsWith("ringpool-worker")) {
            return "workers";
        }
        if (name.startsWith("ringpool-group-")) {
            return "group-commit";
        }
        if (name.startsWith("ringpool-report")) {
            return "report-refresh";
        }
        if (name.startsWith("ringpool-compac")) {
            return "compactor";
        }
        if (name.startsWith("ringpool-sweepe")) {
            return "sweeper";
        }
        return "other";
    }
}
