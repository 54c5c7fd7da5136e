package io.ringpool.loadtest;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a scenario's results as pretty JSON (with the run's environment) into the output directory. */
final class Results {
    private Results() {}

    static Map<String, Object> environment(Options o) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("finishedAt", Instant.now().toString());
        env.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("gitCommit", gitCommit());
        env.put("options", o.used());
        return env;
    }

    static Path write(Path dir, String name, Map<String, Object> results) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(name + ".json");
            ServerApi.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), results);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The commit of the working tree we run from, if any (for the README's "measured on"). */
    static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? out : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }
}
