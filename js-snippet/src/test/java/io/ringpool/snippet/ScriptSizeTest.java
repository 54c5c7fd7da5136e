package io.ringpool.snippet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The size budget: the script as served ({@code src/ringpool.js}, the file the server ships as /s.js), gzipped. */
class ScriptSizeTest {
    /** Bytes, gzipped: what every visitor of every customer site downloads. */
    static final int BUDGET = 4096;

    @Test
    void theServedScriptFitsTheGzippedBudget() throws Exception {
        byte[] script = Files.readAllBytes(Path.of("src", "ringpool.js"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out) {{ def.setLevel(Deflater.BEST_COMPRESSION); }}) {
            gz.write(script);
        }
        System.out.printf("ringpool.js: %d bytes, %d bytes gzipped (budget %d)%n", script.length, out.size(), BUDGET);
        assertThat(out.size()).as("gzipped size of src/ringpool.js").isLessThanOrEqualTo(BUDGET);
    }
}
