package io.ringpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Audit R #7: {@code java -jar} on JDK 17 gave the JVM's UnsupportedClassVersionError. The jar's
 * Main-Class is {@link Launcher}, compiled for Java 8; here it is run on a real JDK 17 when the
 * machine has one (the build's own JDK runs everything else).
 */
class LauncherTest {
    private static final Path CLASSES = Path.of("target", "classes").toAbsolutePath();
    private static final Path JAR = Path.of("target", "ringpool-server.jar").toAbsolutePath();

    @Test
    void anOlderJavaIsRefusedInOneLineWithExitTwo() throws Exception {
        Optional<Path> java17 = olderJava();
        assumeTrue(java17.isPresent(), "no JDK older than 21 under /usr/lib/jvm (the machine default is JDK 17 here): not run");
        Result run = run(List.of(java17.get().toString(), "-cp", CLASSES.toString(), "io.ringpool.Launcher", "--demo"));
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.output.strip()).matches("ringpool: Ringpool needs Java 21 or newer; this is Java (1[0-9]|1\\.8) \\(.*\\)")
                .contains(java17.get().getParent().getParent().toString()).doesNotContain("Exception").doesNotContain("Error");
        if (Files.isRegularFile(JAR)) { // the packaged jar, when this run has one: its Main-Class is the launcher
            Result jar = run(List.of(java17.get().toString(), "-jar", JAR.toString()));
            assertThat(jar.exit).as(jar.output).isEqualTo(2);
            assertThat(jar.output).startsWith("ringpool: Ringpool needs Java 21 or newer").doesNotContain("UnsupportedClassVersionError");
        }
    }

    @Test
    void onJava21OrNewerTheLauncherRunsMainWithTheArguments() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Result run = run(List.of(java, "-cp", CLASSES.toString(), "io.ringpool.Launcher", "--no-such-option"));
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.output).startsWith("usage: java -jar ringpool-server.jar");
    }

    @Test
    void versionsAreReadInBothOfJavasSchemes() {
        assertThat(Launcher.major("1.8")).isEqualTo(8);
        assertThat(Launcher.major("17")).isEqualTo(17);
        assertThat(Launcher.major("21.0")).isEqualTo(21);
        assertThat(Launcher.major("odd")).isZero();
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), output);
    }

    private static Optional<Path> olderJava() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(jvms)) {
            return dirs.filter(d -> d.getFileName().toString().matches(".*-(1[1-9]|1\\.8|8)(\\.[0-9.]*)?-.*|.*jdk-?(1[1-9])\\b.*"))
                    .map(d -> d.resolve("bin/java")).filter(Files::isExecutable).sorted().findFirst();
        }
    }
}
