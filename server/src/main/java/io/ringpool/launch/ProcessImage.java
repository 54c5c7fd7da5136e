package io.ringpool.launch;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Replaces this process with another program, keeping its process id, its standard streams and
 * its environment: POSIX {@code execv(3)}, called through the JDK's foreign function API.
 *
 * <p>Why in place rather than as a child process: the operator, systemd, docker or a test holds
 * the process id of the {@code java -jar} it started. With the server in the same process, every
 * signal (SIGTERM, SIGINT, {@code kill -9}, SIGSTOP and SIGCONT, SIGQUIT for a thread dump) reaches
 * the server itself, the exit status is the server's own, and no second JVM sits beside it.
 *
 * <p>Why reflection: the build targets release 21, where {@code java.lang.foreign} is still a
 * preview API that javac refuses without {@code --enable-preview}; from JDK 22 it is final. On
 * JDK 21, or on a system other than Linux (the constants below are Linux's), {@link #unavailable}
 * says so and {@link ServerJvm} starts the server as a child process instead.
 *
 * <p>Before the call: every descriptor above standard error is marked close-on-exec (this JVM's
 * jar and module image would otherwise stay open in the server for its whole life), the
 * calling thread's signal mask is emptied (a Java thread blocks SIGQUIT, and a mask survives
 * {@code execv}, so the server would start with it blocked), and the umask becomes 077 (see
 * {@link #ownerOnlyFiles()}).
 */
final class ProcessImage {
    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;
    private static final int SIG_SETMASK = 2;
    /** glibc's sigset_t: 1024 bits. */
    private static final int SIGSET_BYTES = 128;

    private ProcessImage() {}

    /** Why this JVM cannot replace itself, or empty when it can. */
    static Optional<String> unavailable() {
        if (Runtime.version().feature() < 22) {
            return Optional.of("JDK " + Runtime.version().feature() + " has no final foreign function API (22 or later has)");
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Optional.of("not Linux");
        }
        return Optional.empty();
    }

    /**
     * Runs {@code command} (its first element an absolute path) in place of this process. Returns
     * only when that failed, with the reason; on success nothing after the call runs in this JVM
     * (no shutdown hook either), so everything to be printed must be flushed before.
     */
    static String replaceWith(List<String> command) {
        Optional<String> unavailable = unavailable();
        if (unavailable.isPresent()) {
            return unavailable.get();
        }
        try {
            Ffm ffm = new Ffm();
            MethodHandle fcntl = ffm.function("fcntl", 2, ffm.javaInt, ffm.javaInt, ffm.javaInt, ffm.javaInt);
            for (int fd : openDescriptorsAboveStandardError()) {
                fcntl.invokeWithArguments(fd, F_SETFD, FD_CLOEXEC); // one that closed meanwhile only fails
            }
            MethodHandle sigmask = ffm.function("pthread_sigmask", -1, ffm.javaInt, ffm.javaInt, ffm.address, ffm.address);
            int masked = (int) sigmask.invokeWithArguments(SIG_SETMASK, ffm.zeroedBytes(SIGSET_BYTES), ffm.nullAddress);
            if (masked != 0) {
                return "pthread_sigmask returned " + masked;
            }
            ownerOnlyFiles(ffm);
            MethodHandle execv = ffm.function("execv", -1, ffm.javaInt, ffm.address, ffm.address);
            Object argv = ffm.addressArray(command.size() + 1);
            for (int i = 0; i < command.size(); i++) {
                ffm.setAddress(argv, i, ffm.cString(command.get(i)));
            }
            ffm.setAddress(argv, command.size(), ffm.nullAddress);
            int result = (int) execv.invokeWithArguments(ffm.cString(command.get(0)), argv);
            return "execv returned " + result + " for " + command.get(0);
        } catch (Throwable e) {
            return "the foreign function API failed: " + describe(e);
        }
    }

    /**
     * {@code umask 077}, as bin/ringpool sets it: the files the server's JVM creates by itself
     * (gc.log and its rotations, from config/jvm.options) are then owner-only with {@code java -jar}
     * as well; they were 0644 under a shell's usual umask (audit E #7). Ringpool's own files are
     * owner-only either way (datadir.OwnerOnly). For a child server, called in its launcher (the
     * child inherits the mask); does nothing where {@link #unavailable} says why it cannot.
     */
    static void ownerOnlyFiles() {
        if (unavailable().isPresent()) {
            return;
        }
        try {
            ownerOnlyFiles(new Ffm());
        } catch (Throwable e) {
            System.out.println("ringpool: cannot set umask 077 (" + describe(e) + "); gc.log follows the current umask");
        }
    }

    private static void ownerOnlyFiles(Ffm ffm) throws Throwable {
        ffm.function("umask", -1, ffm.javaInt, ffm.javaInt).invokeWithArguments(0077);
    }

    private static List<Integer> openDescriptorsAboveStandardError() throws IOException {
        List<Integer> descriptors = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit) && Integer.parseInt(name) > 2) {
                    descriptors.add(Integer.parseInt(name));
                }
            }
        }
        return descriptors;
    }

    /** The few pieces of {@code java.lang.foreign} used here, looked up by name. */
    private static final class Ffm {
        final Class<?> memoryLayout = Class.forName("java.lang.foreign.MemoryLayout");
        final Class<?> memorySegment = Class.forName("java.lang.foreign.MemorySegment");
        final Class<?> addressLayout = Class.forName("java.lang.foreign.AddressLayout");
        final Class<?> functionDescriptor = Class.forName("java.lang.foreign.FunctionDescriptor");
        final Class<?> linkerOption = Class.forName("java.lang.foreign.Linker$Option");
        final Class<?> segmentAllocator = Class.forName("java.lang.foreign.SegmentAllocator");
        final Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
        final Class<?> symbolLookup = Class.forName("java.lang.foreign.SymbolLookup");
        final Object linker = linkerType.getMethod("nativeLinker").invoke(null);
        final Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
        /** Never freed: this process is about to be replaced, or falls back to a child process once. */
        final Object arena = Class.forName("java.lang.foreign.Arena").getMethod("global").invoke(null);
        final Object javaInt = Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_INT").get(null);
        final Object address = Class.forName("java.lang.foreign.ValueLayout").getField("ADDRESS").get(null);
        final Object nullAddress = memorySegment.getField("NULL").get(null);

        Ffm() throws ReflectiveOperationException {}

        /**
         * A handle on a C function of the default library.
         *
         * @param firstVariadic the index of the first variadic argument, or -1 for none
         */
        MethodHandle function(String name, int firstVariadic, Object returns, Object... arguments) throws ReflectiveOperationException {
            Optional<?> symbol = (Optional<?>) symbolLookup.getMethod("find", String.class).invoke(lookup, name);
            if (symbol.isEmpty()) {
                throw new IllegalStateException("no " + name + " in the C library");
            }
            Object layouts = Array.newInstance(memoryLayout, arguments.length);
            for (int i = 0; i < arguments.length; i++) {
                Array.set(layouts, i, arguments[i]);
            }
            Object descriptor = functionDescriptor.getMethod("of", memoryLayout, layouts.getClass()).invoke(null, returns, layouts);
            Object options = Array.newInstance(linkerOption, firstVariadic < 0 ? 0 : 1);
            if (firstVariadic >= 0) {
                Array.set(options, 0, linkerOption.getMethod("firstVariadicArg", int.class).invoke(null, firstVariadic));
            }
            return (MethodHandle) linkerType.getMethod("downcallHandle", memorySegment, functionDescriptor, options.getClass())
                    .invoke(linker, symbol.get(), descriptor, options);
        }

        Object cString(String value) throws ReflectiveOperationException {
            return segmentAllocator.getMethod("allocateFrom", String.class).invoke(arena, value);
        }

        Object zeroedBytes(long size) throws ReflectiveOperationException {
            return segmentAllocator.getMethod("allocate", long.class).invoke(arena, size); // allocations are zeroed
        }

        Object addressArray(int length) throws ReflectiveOperationException {
            return segmentAllocator.getMethod("allocate", memoryLayout, long.class).invoke(arena, address, (long) length);
        }

        void setAddress(Object array, int index, Object value) throws ReflectiveOperationException {
            memorySegment.getMethod("setAtIndex", addressLayout, long.class, memorySegment).invoke(array, address, (long) index, value);
        }
    }

    static String describe(Throwable e) {
        Throwable cause = e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
        return cause.toString();
    }
}
