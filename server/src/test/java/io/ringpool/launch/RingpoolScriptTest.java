package io.ringpool.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/ringpool itself, run by bash in a copy of the project tree: the real script and its helpers
 * (bin/default-heap, bin/jvm-options, config/jvm.options), with a stand-in {@code ./mvnw} that
 * records each build and a stand-in {@code java} that records the server's command line instead of
 * starting it (every other use of java, and javac and jar, are this JDK's own).
 */
@EnabledOnOs(OS.LINUX)
class RingpoolScriptTest {
    private static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    private static final String JAR = "server/target/ringpool-server.jar";

    @TempDir
    Path tree;
    private Path jdk;

    @BeforeEach
    void copyTheScriptIntoAProjectTree() throws IOException {
        for (String file : List.of("bin/ringpool", "bin/default-heap", "bin/jvm-options", "config/jvm.options")) {
            Files.createDirectories(tree.resolve(file).getParent());
            Files.copy(PROJECT.resolve(file), tree.resolve(file));
        }
        Files.createDirectories(tree.resolve("server/src"));
        Files.writeString(tree.resolve("pom.xml"), "<project/>\n");
        // The build writes a whole jar, or with BUILD_WRITES=garbage what an interrupted one leaves.
        script(tree.resolve("mvnw"), """
                echo build >> build.log
                mkdir -p server/target
                if [ "${BUILD_WRITES:-}" = garbage ]; then printf 'PK\\003\\004half' > %1$s
                else cp whole.jar %1$s; fi
                """.formatted(JAR));
        writeJar(tree.resolve("whole.jar"), true);
        String realJdk = System.getProperty("java.home");
        jdk = tree.resolve("jdk");
        Files.createDirectories(jdk.resolve("bin"));
        Files.createSymbolicLink(jdk.resolve("bin/javac"), Path.of(realJdk, "bin/javac"));
        Files.createSymbolicLink(jdk.resolve("bin/jar"), Path.of(realJdk, "bin/jar"));
        script(jdk.resolve("bin/java"), """
                for a in "$@"; do if [ "$a" = -jar ]; then echo "server: $*"; exit 0; fi; done
                exec %s/bin/java "$@"
                """.formatted(realJdk));
        // The sources are an hour old, so any jar written now is newer than them.
        FileTime anHourAgo = FileTime.from(Instant.now().minusSeconds(3600));
        try (Stream<Path> files = Stream.of("server", "config", "pom.xml").map(tree::resolve).flatMap(RingpoolScriptTest::walk)) {
            files.forEach(f -> setTime(f, anHourAgo));
        }
    }

    /** Audit R #1: a jar newer than the sources but cut short by an interrupted build was taken as fresh. */
    @Test
    void aTruncatedJarNewerThanTheSourcesIsRebuilt() throws Exception {
        Files.createDirectories(tree.resolve("server/target"));
        Files.write(tree.resolve(JAR), Files.readAllBytes(tree.resolve("whole.jar")), java.nio.file.StandardOpenOption.CREATE_NEW);
        byte[] whole = Files.readAllBytes(tree.resolve(JAR));
        Files.write(tree.resolve(JAR), java.util.Arrays.copyOf(whole, whole.length / 2));

        Run run = run(Map.of("RINGPOOL_HEAP", "512m"));
        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output).contains("incomplete").contains("server: ");
        assertThat(builds()).isEqualTo(1);
        assertThat(Files.readAllBytes(tree.resolve(JAR))).isEqualTo(whole);
    }

    /** Audit R #1: what a build stopped before the shade step leaves: a whole zip, but no Main-Class. */
    @Test
    void aJarWithoutAMainClassIsRebuilt() throws Exception {
        Files.createDirectories(tree.resolve("server/target"));
        writeJar(tree.resolve(JAR), false);

        Run run = run(Map.of("RINGPOOL_HEAP", "512m"));
        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output).contains("server: ").doesNotContain("no main manifest attribute");
        assertThat(builds()).isEqualTo(1);
    }

    @Test
    void aWholeJarNewerThanTheSourcesIsUsedAsItIs() throws Exception {
        Files.createDirectories(tree.resolve("server/target"));
        writeJar(tree.resolve(JAR), true);

        Run run = run(Map.of("RINGPOOL_HEAP", "512m"));
        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output).contains("server: ").contains("-jar " + JAR);
        assertThat(builds()).isZero();
    }

    @Test
    void aBuildThatLeavesNoWholeJarIsRefusedInOneLine() throws Exception {
        Run run = run(Map.of("RINGPOOL_HEAP", "512m", "BUILD_WRITES", "garbage"));
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.output.lines().filter(l -> l.startsWith("ringpool:")).toList()).singleElement().asString()
                .contains(JAR).contains("not a whole server jar");
        assertThat(run.output).doesNotContain("server: ");
    }

    /** Audit R #2: the jar strips RINGPOOL_HEAP; the script refused " 512m". */
    @Test
    void theHeapMayHaveSpacesAroundItAsTheJarAllows() throws Exception {
        Files.createDirectories(tree.resolve("server/target"));
        writeJar(tree.resolve(JAR), true);

        Run run = run(Map.of("RINGPOOL_HEAP", " 512m "));
        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output).contains(" -Xms512m -Xmx512m ");
        assertThat(run(Map.of("RINGPOOL_HEAP", " 5x12m")).output).contains("RINGPOOL_HEAP must be a size");
    }

    /** Audit AI3 F3: a heap the machine does not have ended in the JVM's crash report; refused as the jar refuses it. */
    @Test
    void aHeapAboveTheMachinesMemoryIsRefusedInOneLine() throws Exception {
        Files.createDirectories(tree.resolve("server/target"));
        writeJar(tree.resolve(JAR), true);

        for (String huge : List.of("999999g", "999999999999g")) {
            Run run = run(Map.of("RINGPOOL_HEAP", huge));
            assertThat(run.exit).as(run.output).isEqualTo(2);
            assertThat(run.output.strip()).matches("ringpool: RINGPOOL_HEAP=" + huge + " is more than this machine's memory \\(\\d+ MiB\\)");
        }
    }

    /** Audit AJ3 J1: under the machine's memory but over what was free, the OOM killer ended the JVM without a line. */
    @Test
    @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
    void aHeapAboveTheMemoryAvailableNowIsRefusedInOneLine() throws Exception {
        Files.createDirectories(tree.resolve("server/target"));
        writeJar(tree.resolve(JAR), true);
        long availableKb = Long.parseLong(defaultHeap("--available-kb"));
        long memoryKb = Long.parseLong(defaultHeap("--memory-kb"));
        org.junit.jupiter.api.Assumptions.assumeTrue(availableKb > 0 && memoryKb - availableKb > (256L << 10),
                "this machine's available memory is known and well under its total");
        String heap = ((availableKb + memoryKb) / 2 >> 10) + "m";

        Run run = run(Map.of("RINGPOOL_HEAP", heap));
        assertThat(run.exit).as(run.output).isEqualTo(2);
        assertThat(run.output.strip()).matches("ringpool: RINGPOOL_HEAP=" + heap
                + " is more than the memory available now \\(\\d+ MiB of \\d+ MiB\\): the whole heap is taken at start");
        assertThat(run(Map.of("RINGPOOL_HEAP", "64m")).exit).as("a heap that fits starts").isZero();
    }

    /** Audit AM3 F5: through the script, the JVM's own two lines and exit 1; the jar alone names the variable. */
    @Test
    void anOptionTheJvmRefusesIsRefusedInOneLineNamingTheVariable() throws Exception {
        Files.createDirectories(tree.resolve("server/target"));
        writeJar(tree.resolve(JAR), true);

        Run run = run(Map.of("RINGPOOL_HEAP", "512m", "RINGPOOL_JAVA_OPTS", "-Xss1m -XX:+Bogus"));
        assertThat(run.exit).as(run.output).isEqualTo(2);
        assertThat(run.output.strip()).isEqualTo("ringpool: RINGPOOL_JAVA_OPTS: the JVM refuses these options: Unrecognized VM option 'Bogus'");
        Run backup = runWith(Map.of("RINGPOOL_JAVA_OPTS", "-XX:+Bogus"), "backup", "b.zip");
        assertThat(backup.exit).as(backup.output).isEqualTo(2);
        assertThat(backup.output).startsWith("ringpool: RINGPOOL_JAVA_OPTS: ");

        Run good = run(Map.of("RINGPOOL_HEAP", "512m", "RINGPOOL_JAVA_OPTS", "-Xss1m -XX:+AlwaysPreTouch -Xms64g"));
        assertThat(good.exit).as("options the JVM takes start the server; their heap is not taken for the question").isZero();
        assertThat(good.output).contains("server: ").contains("-Xss1m");
    }

    /**
     * Audit AM3 F5: the script made the data directory itself, so a file in its way gave mkdir's
     * words instead of the server's line, and a start the server then refused (a bad port) left an
     * empty directory behind. The server creates it, after checking the settings.
     */
    @Test
    void theScriptLeavesTheDataDirectoryToTheServer() throws Exception {
        Files.createDirectories(tree.resolve("server/target"));
        writeJar(tree.resolve(JAR), true);

        Run run = run(Map.of("RINGPOOL_HEAP", "512m"));
        assertThat(run.exit).as(run.output).isZero();
        assertThat(tree.resolve("data")).doesNotExist();
        Files.writeString(tree.resolve("in-the-way"), "");
        Run blocked = run(Map.of("RINGPOOL_HEAP", "512m", "RINGPOOL_DATA_DIR", tree.resolve("in-the-way").toString()));
        assertThat(blocked.output).doesNotContain("mkdir").contains("server: ");
    }

    private String defaultHeap(String option) throws Exception {
        Process p = new ProcessBuilder("bash", tree.resolve("bin/default-heap").toString(), option).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).isZero();
        return out;
    }

    private record Run(int exit, String output) {
    }

    private Run run(Map<String, String> env) throws Exception {
        return runWith(env, "--demo");
    }

    private Run runWith(Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", tree.resolve("bin/ringpool").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(tree.toFile());
        pb.environment().put("JAVA_HOME", jdk.toString());
        pb.environment().put("RINGPOOL_DATA_DIR", tree.resolve("data").toString());
        pb.environment().remove("RINGPOOL_JAVA_OPTS");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), output);
    }

    private int builds() throws IOException {
        Path log = tree.resolve("build.log");
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    private static void writeJar(Path file, boolean withMainClass) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (withMainClass) {
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "io.ringpool.Main");
        }
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.putNextEntry(new java.util.jar.JarEntry("io/ringpool/filler.txt"));
            jar.write("x".repeat(100_000).getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/usr/bin/env bash\nset -eu\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    private static Stream<Path> walk(Path p) {
        try {
            return Files.walk(p).toList().stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void setTime(Path p, FileTime time) {
        try {
            Files.setLastModifiedTime(p, time);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
