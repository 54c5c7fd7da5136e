package io.ringpool.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class JvmOptionsFileTest {
    private static final String FILE = """
            # a comment line
            -XX:+UseParallelGC
            -XX:+AlwaysPreTouch   # a comment after an option
            [25+] -XX:+UseCompactObjectHeaders
            [99+] -XX:+SomethingFromTheFuture

            -Xlog:gc:file=${RINGPOOL_DATA_DIR}/gc.log:time
            """;

    @Test
    void readsOptionsDropsCommentsAndKeepsVersionedLinesForThatJdk() {
        assertThat(JvmOptionsFile.options(FILE, 25, Path.of("/srv/data"), List.of())).containsExactly(
                "-XX:+UseParallelGC", "-XX:+AlwaysPreTouch", "-XX:+UseCompactObjectHeaders", "-Xlog:gc:file=/srv/data/gc.log:time");
        assertThat(JvmOptionsFile.options(FILE, 21, Path.of("/srv/data"), List.of()))
                .doesNotContain("-XX:+UseCompactObjectHeaders");
    }

    @Test
    void aCollectorOfTheOperatorsReplacesTheFilesOne() {
        assertThat(JvmOptionsFile.options(FILE, 25, Path.of("/d"), List.of("-XX:+UseZGC")))
                .doesNotContain("-XX:+UseParallelGC").contains("-XX:+AlwaysPreTouch");
    }

    @Test
    void withoutADataDirectoryYetTheGcLogIsLeftOut() {
        // The JVM refuses to start with a log file it cannot open; the directory is the server's to create.
        assertThat(JvmOptionsFile.options(FILE, 25, null, List.of())).noneMatch(o -> o.startsWith("-Xlog"));
    }

    /** The jar's reading of config/jvm.options is bin/jvm-options' reading, line for line. */
    @Test
    @EnabledOnOs(OS.LINUX)
    void readsTheShippedFileAsBinJvmOptionsDoes(@TempDir Path data) throws Exception {
        Path root = repositoryRoot();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (List<String> extra : List.of(List.<String>of(), List.of("-XX:+UseG1GC"))) {
            List<String> command = new ArrayList<>(List.of("bash", root.resolve("bin/jvm-options").toString(), java, data.toString()));
            command.addAll(extra);
            Process script = new ProcessBuilder(command).redirectErrorStream(true).start();
            List<String> expected = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertThat(script.waitFor()).isZero();
            String file = Files.readString(root.resolve("config/jvm.options"));
            assertThat(JvmOptionsFile.options(file, Runtime.version().feature(), data, extra)).isEqualTo(expected);
        }
    }

    @Test
    void theJarCarriesTheShippedFile() throws IOException {
        try (var in = JvmOptionsFile.class.getResourceAsStream("/defaults/jvm.options")) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(Files.readString(repositoryRoot().resolve("config/jvm.options")));
        }
    }

    @Test
    void onlyABareJvmIsRelaunched() {
        assertThat(ServerJvm.wanted(List.of(), Map.of(), null)).isTrue();
        assertThat(ServerJvm.wanted(List.of("-Dlogback.configurationFile=x.xml"), Map.of(), null)).isTrue();
        assertThat(ServerJvm.wanted(List.of("-Xmx2g"), Map.of(), null)).isFalse();
        assertThat(ServerJvm.wanted(List.of("-XX:+UseG1GC"), Map.of(), null)).isFalse();
        assertThat(ServerJvm.wanted(List.of("--enable-native-access=ALL-UNNAMED"), Map.of(), null)).isFalse();
        assertThat(ServerJvm.wanted(List.of(), Map.of("RINGPOOL_RELAUNCH", "false"), null)).isFalse();
        assertThat(ServerJvm.wanted(List.of(), Map.of(), "1234")).as("the server JVM itself").isFalse();
    }

    @Test
    void heapIsTheOperatorsOrBinDefaultHeaps() {
        assertThat(ServerJvm.heap(Map.of("RINGPOOL_HEAP", "2g"))).isEqualTo("2g");
        assertThat(ServerJvm.heap(Map.of())).isIn("512m", "1g", "2g", "4g");
    }

    /** Audit P #8: RINGPOOL_HEAP=16m ended in the JVM's OutOfMemoryError while starting. */
    @Test
    void aHeapBelow64mIsRefusedWithALineNamingTheMinimum() {
        assertThat(ServerJvm.heap(Map.of("RINGPOOL_HEAP", "64m"))).isEqualTo("64m");
        assertThat(ServerJvm.heap(Map.of("RINGPOOL_HEAP", "67108864"))).isEqualTo("67108864");
        for (String small : List.of("16m", "63m", "65535k", "1000000")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerJvm.heap(Map.of("RINGPOOL_HEAP", small)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("RINGPOOL_HEAP must be at least 64m (got " + small
                            + "): a smaller heap runs out of memory while the server starts");
        }
    }

    /** Audit AI3 F3: RINGPOOL_HEAP=999g on a 23 GB box ended in the JVM's crash report and an hs_err file. */
    @Test
    void aHeapAboveTheMachinesMemoryIsRefusedWithALineNamingIt() {
        long gib = 1L << 30;
        assertThat(ServerJvm.heap(Map.of("RINGPOOL_HEAP", "8g"), 8 * gib)).isEqualTo("8g");
        assertThat(ServerJvm.heap(Map.of("RINGPOOL_HEAP", "999g"), 0)).as("memory not known").isEqualTo("999g");
        for (String huge : List.of("9g", "8193m", "999g", "999999999999g", "8589934593")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerJvm.heap(Map.of("RINGPOOL_HEAP", huge), 8 * gib))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("RINGPOOL_HEAP=" + huge + " is more than this machine's memory (8192 MiB)");
        }
    }

    /** Audit AJ3 J1: 23g of a 24 GB box with 20 GB free passed, and the OOM killer ended the JVM without a line. */
    @Test
    void aHeapAboveTheMemoryAvailableNowIsRefusedWithALineNamingIt() {
        long gib = 1L << 30;
        assertThat(ServerJvm.heap(Map.of("RINGPOOL_HEAP", "20g"), 24 * gib, 20 * gib)).isEqualTo("20g");
        assertThat(ServerJvm.heap(Map.of("RINGPOOL_HEAP", "23g"), 24 * gib, 0)).as("available not known").isEqualTo("23g");
        assertThat(ServerJvm.heap(Map.of(), 24 * gib, gib)).as("the default heap is not refused").isEqualTo("4g");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerJvm.heap(Map.of("RINGPOOL_HEAP", "23g"), 24 * gib, 20 * gib))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("RINGPOOL_HEAP=23g is more than the memory available now (20480 MiB of 24576 MiB): "
                        + "the whole heap is taken at start");
    }

    @Test
    void availableMemoryIsMemAvailableOrTheContainersRoomIfLess(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), "MemTotal:       24683772 kB\nMemFree:  1000 kB\n"
                + "MemAvailable:   19185692 kB\n");
        Path noCgroup = dir.resolve("none");
        assertThat(AvailableMemory.bytes(meminfo, noCgroup)).isEqualTo(19185692L * 1024);
        Path cgroup = Files.createDirectories(dir.resolve("cg"));
        Files.writeString(cgroup.resolve("memory.max"), "4294967296\n");
        Files.writeString(cgroup.resolve("memory.current"), "3221225472\n");
        Files.writeString(cgroup.resolve("memory.stat"), "anon 1\ninactive_file 1073741824\nactive_file 5\n");
        assertThat(AvailableMemory.bytes(meminfo, cgroup)).as("4 GiB limit, 3 GiB used of which 1 GiB inactive cache")
                .isEqualTo(2L << 30);
        Files.writeString(cgroup.resolve("memory.max"), "max\n");
        assertThat(AvailableMemory.bytes(meminfo, cgroup)).as("no limit").isEqualTo(19185692L * 1024);
        assertThat(AvailableMemory.bytes(dir.resolve("absent"), noCgroup)).as("not Linux").isZero();
    }

    /**
     * Audit P #8, P2 #2: the shipped options start no GC log on the command line (a JVM given
     * -Xlog:gc:file rotates the file before anything runs, the running server's included); the
     * server starts it once it holds the data directory (GcLog).
     */
    @Test
    void theShippedOptionsLeaveTheGcLogToTheServer() throws Exception {
        String shipped = Files.readString(repositoryRoot().resolve("config/jvm.options"));
        List<String> options = JvmOptionsFile.options(shipped, 25, Path.of("/srv/data"), List.of());
        assertThat(options).contains("-Dringpool.gcLog=true").noneMatch(o -> o.startsWith("-Xlog"));
    }

    @Test
    void theDefaultHeapIsAQuarterOfTheMemoryInStepsUpTo4g() {
        long gib = 1L << 30;
        assertThat(ServerJvm.defaultHeap(2 * gib)).isEqualTo("512m");
        assertThat(ServerJvm.defaultHeap(4 * gib - 1)).isEqualTo("512m");
        assertThat(ServerJvm.defaultHeap(4 * gib)).isEqualTo("1g");
        assertThat(ServerJvm.defaultHeap(8 * gib - 1)).isEqualTo("1g");
        assertThat(ServerJvm.defaultHeap(8 * gib)).isEqualTo("2g");
        assertThat(ServerJvm.defaultHeap(16 * gib)).isEqualTo("4g");
        assertThat(ServerJvm.defaultHeap(256 * gib)).isEqualTo("4g");
    }

    /** The jar's default heap is bin/default-heap's on this machine (memory, or the container's limit). */
    @Test
    @EnabledOnOs(OS.LINUX)
    void defaultHeapIsBinDefaultHeaps() throws Exception {
        Process script = new ProcessBuilder("bash", repositoryRoot().resolve("bin/default-heap").toString())
                .redirectErrorStream(true).start();
        String expected = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(script.waitFor()).isZero();
        assertThat(ServerJvm.heap(Map.of())).isEqualTo(expected);
    }

    private static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("config/jvm.options")) ? here : here.getParent();
    }
}
