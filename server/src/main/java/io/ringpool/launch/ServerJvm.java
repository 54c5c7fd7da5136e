package io.ringpool.launch;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the server in a JVM with Ringpool's own options when the jar was started without any.
 *
 * <p>{@code java -jar ringpool-server.jar} alone gets the JVM's own choices, which depend on the
 * machine: the Serial collector and a heap of a quarter of the memory when the JVM sees one CPU
 * (a one-core container, or {@code taskset -c 0}), G1 otherwise, and two JIT tiers. Measured on
 * this project's 2-core box (docs/scaling.md, "Session 14"), such a server started 5,433 sessions
 * a second on average once warm, with 10-12 s of collector pauses in a run; relaunched with
 * {@code config/jvm.options} and a fixed heap (what {@code bin/ringpool} gives it), 8,102 a second,
 * with 4-5 s.
 *
 * <p>So a jar started with no JVM option at all (system properties aside) runs the server in a JVM
 * with the options of {@code config/jvm.options} (the copy in the jar), the heap of
 * {@code bin/default-heap} or {@code RINGPOOL_HEAP}, then {@code RINGPOOL_JAVA_OPTS}: the same
 * command line {@code bin/ringpool} builds.
 * <ul>
 *   <li>On JDK 22 or later on Linux this process becomes that JVM ({@link ProcessImage}, execv):
 *       the same process id, so every signal the operator sends (SIGTERM, {@code kill -9},
 *       SIGSTOP) reaches the server itself, and its exit status is the server's.</li>
 *   <li>Elsewhere, or with {@code RINGPOOL_RELAUNCH=process}, the server runs as a child process
 *       and this JVM stays as its launcher: it passes SIGTERM and SIGINT on, waits, and exits with
 *       the server's status. If it is killed outright, the server sees its standard input close
 *       and halts at once ({@link ParentWatch}), as if killed itself, so no orphan keeps the port
 *       or the data directory. SIGSTOP reaches only the launcher there.</li>
 * </ul>
 * Any JVM option given by the operator (-Xmx, a collector, ...), or {@code RINGPOOL_RELAUNCH=false},
 * runs the server in this JVM as started.
 */
public final class ServerJvm {
    static final String PARENT_PID_PROPERTY = "ringpool.parentPid";
    static final String TERMINAL_PROPERTY = "ringpool.terminal";
    private static final long GIB = 1L << 30;
    /** How long a stopping server may take before its launcher kills it; the server's own close waits up to ~40 s. */
    private static final long STOP_WAIT_SECONDS = 60;

    private ServerJvm() {}

    /** Whether this JVM should hand the server to a JVM with Ringpool's options. */
    public static boolean wanted(Map<String, String> env) {
        return wanted(ManagementFactory.getRuntimeMXBean().getInputArguments(), env, System.getProperty(PARENT_PID_PROPERTY));
    }

    static boolean wanted(List<String> jvmArguments, Map<String, String> env, String parentPid) {
        if (parentPid != null || relaunch(env) == Relaunch.NO) {
            return false;
        }
        // System properties are not a choice of collector, heap or compiler; anything else is.
        return jvmArguments.stream().allMatch(a -> a.startsWith("-D"));
    }

    /** {@code RINGPOOL_RELAUNCH}: how a bare JVM runs the server. */
    enum Relaunch {
        /** The default ({@code true} or unset): this process becomes the server's JVM where it can, else a child process. */
        REPLACE,
        /** {@code process}: always a child process. */
        CHILD,
        /** {@code false}: the server runs in this JVM as started. */
        NO
    }

    /** Reads {@code RINGPOOL_RELAUNCH}; refuses a value it does not know rather than guessing. */
    static Relaunch relaunch(Map<String, String> env) {
        String value = env.getOrDefault("RINGPOOL_RELAUNCH", "").strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "", "true" -> Relaunch.REPLACE;
            case "process" -> Relaunch.CHILD;
            case "false" -> Relaunch.NO;
            default -> throw new IllegalArgumentException("RINGPOOL_RELAUNCH must be true, process or false (got " + value + ")");
        };
    }

    /**
     * Replaces this process with the server's JVM, or starts that JVM as a child and waits for it.
     *
     * @return the server's exit status, for this JVM to exit with (only as a child's launcher: a
     *     replaced process never returns here)
     */
    public static int runServer(String[] args, Path dataDir, Map<String, String> env, boolean terminal)
            throws IOException, InterruptedException {
        List<String> options = serverOptions(dataDir, env);
        if (!splitOptions(env.get("RINGPOOL_JAVA_OPTS")).isEmpty()) {
            refuseOptionsTheJvmRefuses(options);
        }
        Optional<String> noReplace = relaunch(env) == Relaunch.CHILD
                ? Optional.of("RINGPOOL_RELAUNCH=process") : ProcessImage.unavailable();
        // Printed, not logged: starting Logback in this JVM, which only hands over, cost ~0.7 s of every start.
        System.out.println("ringpool: server_jvm options=\"" + String.join(" ", options) + "\" in="
                + (noReplace.isEmpty() ? "this-process" : "child-process (" + noReplace.get() + ")")
                + " (config/jvm.options and the heap, as bin/ringpool gives them; RINGPOOL_RELAUNCH=false keeps the server in this JVM)");
        if (noReplace.isEmpty()) {
            System.out.flush();
            System.err.flush();
            String failure = ProcessImage.replaceWith(command(options, args, null));
            System.out.println("ringpool: cannot become the server's JVM (" + failure + "); starting it as a child process");
        }
        ProcessImage.ownerOnlyFiles(); // inherited by the child, as bin/ringpool's umask is
        Process server = new ProcessBuilder(command(options, args, terminal))
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start(); // standard input stays a pipe from this JVM: its end closes when this JVM dies
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server), "ringpool-launcher-stop"));
        // SIGTERM: the server's own status once it stopped (0 for its clean stop), not this JVM's 143.
        CleanStop.onSigterm(() -> {
            stop(server);
            try {
                return server.waitFor();
            } catch (InterruptedException e) {
                return 143;
            }
        });
        return server.waitFor();
    }

    /**
     * Asks a JVM with these options for its version first, so that an option the JVM refuses gets
     * Ringpool's one line naming {@code RINGPOOL_JAVA_OPTS} and exit status 2, as every other
     * setting's error does, instead of the JVM's three lines after this process became it (audit
     * AE1 #4). Only when the operator gave options: ~0.1 s more at their start. The heap is not
     * pre-touched for the question.
     */
    static void refuseOptionsTheJvmRefuses(List<String> options) throws IOException, InterruptedException {
        List<String> check = new ArrayList<>();
        check.add(javaExecutable());
        options.stream().filter(o -> !o.equals("-XX:+AlwaysPreTouch") && !o.startsWith("-Xms")).forEach(check::add);
        check.add("-version");
        Process jvm = new ProcessBuilder(check).redirectErrorStream(true).start();
        String output = new String(jvm.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (jvm.waitFor() != 0) {
            String why = output.lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("Error: Could not create the Java Virtual Machine")
                            && !l.startsWith("Error: A fatal exception has occurred"))
                    .findFirst().orElse("exit status " + jvm.exitValue());
            throw new IllegalArgumentException("RINGPOOL_JAVA_OPTS: the JVM refuses these options: " + why);
        }
    }

    private static void stop(Process server) {
        // Through the ProcessHandle: Process.destroy() would also close the server's standard
        // input, which the server reads as this JVM's death and halts instead of closing cleanly.
        ProcessHandle handle = server.toHandle();
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy(); // SIGTERM: the server closes cleanly
        try {
            if (!server.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                handle.destroyForcibly();
            }
        } catch (InterruptedException e) {
            handle.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** bin/ringpool's options: the file's, the heap, RINGPOOL_JAVA_OPTS, then this JVM's own -D properties. */
    static List<String> serverOptions(Path dataDir, Map<String, String> env) throws IOException {
        List<String> operatorOptions = splitOptions(env.get("RINGPOOL_JAVA_OPTS"));
        String heap = heap(env);
        List<String> options = new ArrayList<>(JvmOptionsFile.options(bundledOptions(), Runtime.version().feature(),
                Files.isDirectory(dataDir) ? dataDir.toAbsolutePath().normalize() : null, operatorOptions));
        options.add("-Xms" + heap);
        options.add("-Xmx" + heap);
        options.addAll(operatorOptions);
        options.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        return options;
    }

    /** @param terminal for a child process, whether this JVM's standard input is a terminal; null for a replacement, which keeps it */
    private static List<String> command(List<String> options, String[] args, Boolean terminal) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(options);
        if (terminal != null) {
            command.add("-D" + PARENT_PID_PROPERTY + "=" + ProcessHandle.current().pid());
            command.add("-D" + TERMINAL_PROPERTY + "=" + terminal);
        }
        String classPath = System.getProperty("java.class.path");
        if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)) {
            // As a jar, so that its manifest applies too (Enable-Native-Access, for Netty's native transport).
            command.addAll(List.of("-jar", classPath));
        } else {
            command.addAll(List.of("-cp", classPath, "io.ringpool.Main"));
        }
        command.addAll(Arrays.asList(args));
        return command;
    }

    /**
     * {@code bin/default-heap}: a quarter of the machine's memory (or the container's limit) in steps,
     * 512m below 4 GiB, 1g from 4, 2g from 8, 4g from 16 GiB; RINGPOOL_HEAP wins.
     */
    static String heap(Map<String, String> env) {
        long memory = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getTotalMemorySize() : 0;
        return heap(env, memory, AvailableMemory.bytes());
    }

    /** @param memoryBytes the machine's memory, or the container's limit (the JVM reads either); 0 when not known */
    static String heap(Map<String, String> env, long memoryBytes) {
        return heap(env, memoryBytes, 0);
    }

    /**
     * @param memoryBytes the machine's memory, or the container's limit (the JVM reads either); 0 when not known
     * @param availableBytes what the kernel can give now without swapping ({@link AvailableMemory}); 0 when not known
     */
    static String heap(Map<String, String> env, long memoryBytes, long availableBytes) {
        String chosen = env.getOrDefault("RINGPOOL_HEAP", "").strip();
        if (!chosen.isEmpty()) {
            if (!chosen.matches("\\d{1,12}[kKmMgG]?")) {
                throw new IllegalArgumentException("RINGPOOL_HEAP must be a size such as 512m or 2g (got " + chosen + ")");
            }
            if (bytes(chosen) < MIN_HEAP_BYTES) {
                // 16m ended in the JVM's "Terminating due to java.lang.OutOfMemoryError" while starting (audit P #8).
                throw new IllegalArgumentException("RINGPOOL_HEAP must be at least " + MIN_HEAP + " (got " + chosen
                        + "): a smaller heap runs out of memory while the server starts");
            }
            if (memoryBytes > 0 && bytes(chosen) > memoryBytes) {
                // The JVM cannot commit it (-Xms = -Xmx, pre-touched): a crash report and an hs_err file
                // instead of a line naming the setting (audit AI3 F3). bin/ringpool checks the same.
                throw new IllegalArgumentException("RINGPOOL_HEAP=" + chosen + " is more than this machine's memory ("
                        + (memoryBytes >> 20) + " MiB)");
            }
            if (availableBytes > 0 && bytes(chosen) > availableBytes) {
                // Under the machine's memory but over what is free: the pre-touch takes it all at start
                // and the kernel's OOM killer ends the JVM without a line (exit 137; audit AJ3 J1), or
                // kills another process of the machine instead. The default heap is not checked: a
                // quarter of the memory, and refusing to start on a busy machine would help nobody.
                throw new IllegalArgumentException("RINGPOOL_HEAP=" + chosen + " is more than the memory available now ("
                        + (availableBytes >> 20) + " MiB of " + (memoryBytes >> 20) + " MiB): the whole heap is taken at start");
            }
            return chosen;
        }
        return defaultHeap(memoryBytes);
    }

    /** The smallest RINGPOOL_HEAP accepted; bin/ringpool checks the same. */
    static final String MIN_HEAP = "64m";
    private static final long MIN_HEAP_BYTES = 64L << 20;

    /** A JVM size ({@code -Xmx} syntax: bytes, or k, m, g) in bytes. */
    static long bytes(String size) {
        char unit = Character.toLowerCase(size.charAt(size.length() - 1));
        String digits = Character.isDigit(unit) ? size : size.substring(0, size.length() - 1);
        int shift = switch (unit) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        long value = Long.parseLong(digits);
        // 12 digits of g exceed a long in bytes: such a size is more than any machine has anyway.
        return value > Long.MAX_VALUE >> shift ? Long.MAX_VALUE : value << shift;
    }

    /** The heap for a machine with {@code memoryBytes}: see {@link #heap}. */
    static String defaultHeap(long memoryBytes) {
        if (memoryBytes >= 16 * GIB) {
            return "4g";
        }
        if (memoryBytes >= 8 * GIB) {
            return "2g";
        }
        return memoryBytes >= 4 * GIB ? "1g" : "512m";
    }

    private static String bundledOptions() throws IOException {
        try (InputStream in = ServerJvm.class.getResourceAsStream("/defaults/jvm.options")) {
            if (in == null) {
                throw new IOException("defaults/jvm.options is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static List<String> splitOptions(String options) {
        return options == null || options.isBlank() ? List.of() : List.of(options.strip().split("\\s+"));
    }
}
