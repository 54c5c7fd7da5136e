package io.ringpool.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config/logback-file.xml, as shipped: the log rolls by size and keeps a bounded number of files. */
class LogFileRollingTest {
    @TempDir
    Path dir;

    @Test
    void aLogFileRollsBySizeAndNeverKeepsMoreThanItsCap() throws Exception {
        Path file = dir.resolve("ringpool.log");
        LoggerContext context = new LoggerContext();
        context.putProperty("RINGPOOL_LOG_FILE", file.toString());
        context.putProperty("RINGPOOL_LOG_MAX_FILE_SIZE", "20KB");
        context.putProperty("RINGPOOL_LOG_MAX_FILES", "3");
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(Path.of("../config/logback-file.xml").toFile());
        Logger log = context.getLogger("io.ringpool.pool.ExhaustionTally");

        // ~1 MB of lines: fifty times the size of one file.
        for (int i = 0; i < 10_000; i++) {
            log.info("pool_exhausted site=st_{} pool=pl_{} count={} untracked={} reused_cooling=0 next_pool=0", i, i, i, i);
        }
        context.stop();

        List<Path> files = files();
        assertThat(files).contains(file).hasSizeLessThanOrEqualTo(1 + 3);
        long total = 0;
        for (Path f : files) {
            total += Files.size(f);
        }
        // The live file may pass its size by the lines written before the check (Logback checks
        // periodically); the rolled ones are gzipped.
        assertThat(total).isLessThan(4 * 20 * 1024 + 64 * 1024);
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
