package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Audit Z2 #7: a data directory that cannot be made said only its own path again as the reason. */
class DataDirLockTest {
    @TempDir
    Path tmp;

    @Test
    void aDirectoryTheSystemWillNotCreateIsRefusedWithTheReason() {
        // /proc takes no new directories: mkdir answers ENOENT, which Java reports with no message but the path.
        assertThatThrownBy(() -> DataDirLock.acquire(Path.of("/proc/ringpool-no-such-dir"), 0))
                .isInstanceOf(StartupFailure.class)
                .hasMessage("cannot lock the data directory /proc/ringpool-no-such-dir: no such file or directory");
    }

    @Test
    void aFileInTheWayIsNamedWithTheReason() throws Exception {
        Path plainFile = Files.writeString(tmp.resolve("plain-file"), "x");
        assertThatThrownBy(() -> DataDirLock.acquire(plainFile.resolve("data"), 0))
                .isInstanceOf(StartupFailure.class)
                .hasMessageStartingWith("cannot lock the data directory " + plainFile.resolve("data") + ": ")
                .satisfies(failure -> assertThat(failure.getMessage()).containsIgnoringCase("directory")
                        .doesNotEndWith(": " + plainFile.resolve("data")));
    }
}
