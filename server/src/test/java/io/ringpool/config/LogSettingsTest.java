package io.ringpool.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Audit P #2, P2 #1: the logging variables are checked like every other setting, before Logback sees them. */
class LogSettingsTest {
    @TempDir
    Path dir;

    private static LogSettings read(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return LogSettings.read(env, null);
    }

    @Test
    void withNothingSetTheDefaultsOfTheReadmeTableGoToLogbackAndStdoutIsChosen() {
        LogSettings settings = read();
        assertThat(settings.configurationFile()).isEqualTo("defaults/logback.xml");
        assertThat(settings.properties()).containsEntry("RINGPOOL_LOG_LEVEL", "INFO").containsEntry("RINGPOOL_HTTP_LOG_LEVEL", "INFO")
                .containsEntry("RINGPOOL_LOG_MAX_FILE_SIZE", "50MB").containsEntry("RINGPOOL_LOG_MAX_FILES", "10");
        assertThat(read("RINGPOOL_LOG_LEVEL", " ", "RINGPOOL_LOG_MAX_FILES", "").properties())
                .as("blank is the default, not Logback's DEBUG").containsEntry("RINGPOOL_LOG_LEVEL", "INFO")
                .containsEntry("RINGPOOL_LOG_MAX_FILES", "10");
    }

    @Test
    void sizesAreAWholeNumberWithKbMbOrGbOrBytesAndAtLeastOneKilobyte() {
        assertThat(read("RINGPOOL_LOG_MAX_FILE_SIZE", "10mb").properties()).containsEntry("RINGPOOL_LOG_MAX_FILE_SIZE", "10MB");
        assertThat(read("RINGPOOL_LOG_MAX_FILE_SIZE", "500 KB").properties()).containsEntry("RINGPOOL_LOG_MAX_FILE_SIZE", "500KB");
        assertThat(read("RINGPOOL_LOG_MAX_FILE_SIZE", "1GB").properties()).containsEntry("RINGPOOL_LOG_MAX_FILE_SIZE", "1GB");
        assertThat(read("RINGPOOL_LOG_MAX_FILE_SIZE", "1048576").properties()).containsEntry("RINGPOOL_LOG_MAX_FILE_SIZE", "1048576");
        for (String bad : new String[] {"huge", "-1MB", "10 TB", "1.5MB", "100"}) {
            assertThatThrownBy(() -> read("RINGPOOL_LOG_MAX_FILE_SIZE", bad)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("RINGPOOL_LOG_MAX_FILE_SIZE").hasMessageContaining(bad);
        }
    }

    /** Audit R #5: 999999999999GB overflowed a long into a negative size, refused as "at least 1KB". */
    @Test
    void aSizeAbove1024GbIsRefusedAsTooLargeWithTheBound() {
        assertThat(read("RINGPOOL_LOG_MAX_FILE_SIZE", "1024GB").properties()).containsEntry("RINGPOOL_LOG_MAX_FILE_SIZE", "1024GB");
        for (String huge : new String[] {"1025GB", "999999999999GB", "99999999999999999999GB", "99999999999999999999"}) {
            assertThatThrownBy(() -> read("RINGPOOL_LOG_MAX_FILE_SIZE", huge)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("too large").hasMessageContaining("at most 1024GB").hasMessageContaining(huge)
                    .hasMessageNotContaining("at least");
        }
    }

    @Test
    void theNumberOfFilesIsFromOneToTwenty() {
        assertThat(read("RINGPOOL_LOG_MAX_FILES", "20").properties()).containsEntry("RINGPOOL_LOG_MAX_FILES", "20");
        for (String bad : new String[] {"-3", "0", "abc", "21"}) {
            assertThatThrownBy(() -> read("RINGPOOL_LOG_MAX_FILES", bad)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("RINGPOOL_LOG_MAX_FILES").hasMessageContaining("1 to 20").hasMessageContaining(bad);
        }
    }

    @Test
    void theHttpLogLevelIsALevelLikeTheOther() {
        assertThat(read("RINGPOOL_HTTP_LOG_LEVEL", "debug").properties()).containsEntry("RINGPOOL_HTTP_LOG_LEVEL", "DEBUG");
        assertThatThrownBy(() -> read("RINGPOOL_HTTP_LOG_LEVEL", "LOUD")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("RINGPOOL_HTTP_LOG_LEVEL").hasMessageContaining("TRACE, DEBUG, INFO, WARN, ERROR, OFF");
    }

    @Test
    void anOwnLogbackFileMustExist() throws Exception {
        assertThatThrownBy(() -> read("RINGPOOL_LOG_CONFIG", dir.resolve("nonexistent.xml").toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("RINGPOOL_LOG_CONFIG").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> read("RINGPOOL_LOG_CONFIG", dir.toString())).hasMessageContaining("not a readable file");
        Path own = Files.writeString(dir.resolve("logback.xml"), "<configuration/>");
        assertThat(read("RINGPOOL_LOG_CONFIG", own.toString(), "RINGPOOL_LOG_FILE", "/proc/nope/ringpool.log").configurationFile())
                .as("the operator's file decides where logs go").isEqualTo(own.toString());
    }

    @Test
    void aLogFileThatCannotBeOpenedIsRefusedAndOneThatCanIsCreatedWithItsDirectory() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        assertThatThrownBy(() -> read("RINGPOOL_LOG_FILE", notADirectory.resolve("ringpool.log").toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("RINGPOOL_LOG_FILE").hasMessageContaining("cannot be created");
        assertThatThrownBy(() -> read("RINGPOOL_LOG_FILE", "/proc/nope/ringpool.log")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("RINGPOOL_LOG_FILE");
        assertThatThrownBy(() -> read("RINGPOOL_LOG_FILE", dir.toString())).hasMessageContaining("is a directory");

        Path file = dir.resolve("logs/ringpool/ringpool.log");
        LogSettings settings = read("RINGPOOL_LOG_FILE", file.toString());
        assertThat(settings.configurationFile()).isEqualTo("defaults/logback-file.xml");
        assertThat(settings.properties()).containsEntry("RINGPOOL_LOG_FILE", file.toString());
        assertThat(file).exists();
    }

    @Test
    void theLoaderRefusesABadLoggingValueAsItRefusesAnyOther() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("RINGPOOL_LOG_MAX_FILES", "-3")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("RINGPOOL_LOG_MAX_FILES");
    }
}
