package io.ringpool.snippet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The size budget, on the script as served: {@code static/ringpool.js} of the server artifact, the
 * build of {@code src/ringpool.js} by the minifier in server/pom.xml, which /s.js serves.
 */
class ScriptSizeTest {
    /** Bytes, gzipped: what every visitor of every customer site downloads. */
    static final int BUDGET = 4096;

    @Test
    void theServedScriptFitsTheGzippedBudget() throws Exception {
        byte[] built = servedScript();
        int gzipped = gzipped(built);
        System.out.printf("ringpool.js as served: %d bytes, %d bytes gzipped (budget %d); source %d bytes%n",
                built.length, gzipped, BUDGET, Files.size(Path.of("src", "ringpool.js")));
        assertThat(gzipped).as("gzipped size of the built script").isLessThanOrEqualTo(BUDGET);
    }

    @Test
    void theServedScriptIsTheMinifiedBuildOfTheReadableSource() throws Exception {
        String built = new String(servedScript(), StandardCharsets.UTF_8);
        String source = Files.readString(Path.of("src", "ringpool.js"));
        assertThat(built).as("the licence header survives minification").startsWith("/*\n Ringpool */");
        // names of the readable source's locals are gone from the build: it really was minified
        assertThat(source).contains("replaceableRuns", "const swapText = ");
        assertThat(built).doesNotContain("replaceableRuns", "swapText", "// ");
        assertThat(built.length()).isLessThan(source.length() / 2);
    }

    static byte[] servedScript() throws IOException {
        try (InputStream in = ScriptSizeTest.class.getResourceAsStream("/static/ringpool.js")) {
            assertThat(in).as("static/ringpool.js in the server artifact (built by server/pom.xml)").isNotNull();
            return in.readAllBytes();
        }
    }

    static int gzipped(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out) {{ def.setLevel(Deflater.BEST_COMPRESSION); }}) {
            gz.write(bytes);
        }
        return out.size();
    }
}
