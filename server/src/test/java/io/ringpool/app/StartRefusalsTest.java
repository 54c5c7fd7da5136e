package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings that used to start a server that could not do what it promised (audit P #1, #2; P2 #1):
 * each is refused at start with one line naming the setting, exit 2, no stack trace, no Logback
 * status dump, and nothing created in the data directory.
 */
class StartRefusalsTest {
    @TempDir
    Path tmp;

    private void refusedWithOneLine(Map<String, String> env, String... expected) throws Exception {
        Path dataDir = tmp.resolve("data");
        try (ChildServer child = ChildServer.start(dataDir, 0, env)) {
            assertThat(child.awaitExit()).as(String.join("\n", child.output)).isEqualTo(2);
            assertThat(child.output).as("one line, no Logback status dump").hasSize(1);
            assertThat(child.output.get(0)).startsWith("ringpool: configuration key '").contains(expected)
                    .doesNotContain("Exception");
            assertThat(dataDir).doesNotExist();
        }
    }

    @Test
    void anInMemoryStoreIsRefusedNamingTheVariable() throws Exception {
        refusedWithOneLine(Map.of("RINGPOOL_DB_URL", "jdbc:h2:mem:calls"), "'store.url' (RINGPOOL_DB_URL)", "in-memory");
    }

    @Test
    void aLogFileThatCannotBeWrittenIsRefusedRatherThanRunningWithNoLog() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("plain-file"), "x");
        refusedWithOneLine(Map.of("RINGPOOL_LOG_FILE", notADirectory.resolve("ringpool.log").toString()), "RINGPOOL_LOG_FILE");
    }

    @Test
    void aMissingLogbackFileIsRefusedRatherThanLoggingEveryLibraryAtDebug() throws Exception {
        refusedWithOneLine(Map.of("RINGPOOL_LOG_CONFIG", tmp.resolve("nonexistent.xml").toString()), "RINGPOOL_LOG_CONFIG");
    }

    /** Audit R #2: a readable file Logback cannot parse gave a stack trace and then no log at all. */
    @Test
    void aBrokenOrEmptyLogbackFileIsRefused() throws Exception {
        Path broken = Files.writeString(tmp.resolve("broken.xml"), "<configuration><appender name=\"x\">");
        refusedWithOneLine(Map.of("RINGPOOL_LOG_CONFIG", broken.toString()), "RINGPOOL_LOG_CONFIG", "well-formed");
        Path empty = Files.writeString(tmp.resolve("empty.xml"), "");
        refusedWithOneLine(Map.of("RINGPOOL_LOG_CONFIG", empty.toString()), "RINGPOOL_LOG_CONFIG", "well-formed");
    }

    /** Audit R #3: the password of a //user:password@host URL was printed in the start-failure line. */
    @Test
    void aStoreUrlsPasswordIsNeverPrinted() throws Exception {
        Path dataDir = tmp.resolve("data-pg");
        try (ChildServer child = ChildServer.start(dataDir, 0,
                Map.of("RINGPOOL_DB_URL", "jdbc:postgresql://ringpool:hunter2secret@127.0.0.1:1/ringpool"))) {
            assertThat(child.awaitExit()).as(String.join("\n", child.output)).isNotZero();
            assertThat(String.join("\n", child.output)).doesNotContain("hunter2secret");
        }
    }

    @Test
    void badRollingValuesAreRefused() throws Exception {
        String file = tmp.resolve("logs/ringpool.log").toString();
        refusedWithOneLine(Map.of("RINGPOOL_LOG_FILE", file, "RINGPOOL_LOG_MAX_FILE_SIZE", "huge"), "RINGPOOL_LOG_MAX_FILE_SIZE");
        refusedWithOneLine(Map.of("RINGPOOL_LOG_FILE", file, "RINGPOOL_LOG_MAX_FILES", "-3"), "RINGPOOL_LOG_MAX_FILES");
        refusedWithOneLine(Map.of("RINGPOOL_HTTP_LOG_LEVEL", "LOUD"), "RINGPOOL_HTTP_LOG_LEVEL");
    }

    @Test
    void aGoodLogFileGetsTheLogAndTheListeningLineSaysThePublicUrl() throws Exception {
        Path file = tmp.resolve("logs/ringpool.log");
        try (ChildServer child = ChildServer.start(tmp.resolve("data"), 0,
                Map.of("RINGPOOL_LOG_FILE", file.toString(), "RINGPOOL_LOG_MAX_FILE_SIZE", "10mb", "RINGPOOL_LOG_MAX_FILES", "3"))) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!(Files.exists(file) && Files.readString(file).contains("listening port="))) {
                assertThat(child.process.isAlive()).as(String.join("\n", child.output)).isTrue();
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(50);
            }
            String listening = Files.readAllLines(file).stream().filter(l -> l.contains("listening port=")).findFirst().orElseThrow();
            String port = listening.substring(listening.indexOf("listening port=") + 15).split("\\s")[0];
            assertThat(listening).contains("public_url=http://localhost:" + port + " (server.publicUrl not set)");
            assertThat(child.output).as("the log goes to the file, no status dump to stdout").noneMatch(l -> l.contains("|-"));
        }
    }

    /** Audit P #8, P2 #4: "cannot listen on 999.1.1.1:19031: null". */
    @Test
    void aHostThatIsNoAddressIsNamedAsSuch() throws Exception {
        try (ChildServer child = ChildServer.start(tmp.resolve("data"), 0, Map.of("RINGPOOL_HOST", "999.1.1.1"))) {
            assertThat(child.awaitExit()).isEqualTo(1);
            assertThat(child.output).hasSize(1);
            assertThat(child.output.get(0)).startsWith("ringpool: cannot start: cannot listen on 999.1.1.1:0: server.host is neither")
                    .doesNotContain("null").doesNotContain("Exception");
        }
    }

    /** Audit P #7: an older jar ran without a word on a store migrated by a newer one. */
    @Test
    void aStoreWrittenByANewerRingpoolIsRefused() throws Exception {
        Path dataDir = tmp.resolve("data");
        new TestServer(dataDir).close();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(io.ringpool.config.ConfigLoader.defaultH2Url(dataDir), "", "");
                java.sql.Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO schema_version(version, script, applied_at) VALUES (99999, 'V99999__from_the_future.sql', 0)");
        }
        try (ChildServer child = ChildServer.start(dataDir, 0, Map.of())) {
            assertThat(child.awaitExit()).as(String.join("\n", child.output)).isEqualTo(2);
            assertThat(child.output.stream().filter(l -> l.startsWith("ringpool:")).toList()).singleElement().asString()
                    .startsWith("ringpool: cannot start: the store holds data written by a newer Ringpool (schema 99999, this jar knows ")
                    .doesNotContain("Exception");
            assertThat(child.output).noneMatch(l -> l.contains("listening") || l.contains("Exception"));
            // Audit R #4: no stop is logged for a server that never started.
            assertThat(child.output).noneMatch(l -> l.contains("stopped"));
        }
    }

    /**
     * Audit R #8: a second server given a running server's H2 file (RINGPOOL_DB_URL) failed inside
     * H2, which wrote a stack trace into the running server's ringpool.trace.db.
     */
    @Test
    void aStoreInARunningServersDataDirectoryIsRefusedBeforeH2OpensIt() throws Exception {
        Path first = tmp.resolve("first");
        try (TestServer running = new TestServer(first)) {
            Path trace = first.resolve("ringpool.trace.db");
            long traceBefore = Files.exists(trace) ? Files.size(trace) : 0;
            String url = io.ringpool.config.ConfigLoader.defaultH2Url(first);
            try (ChildServer child = ChildServer.start(tmp.resolve("second"), 0, Map.of("RINGPOOL_DB_URL", url))) {
                assertThat(child.awaitExit()).as(String.join("\n", child.output)).isEqualTo(1);
                assertThat(child.output.stream().filter(l -> l.startsWith("ringpool:")).toList()).singleElement().asString()
                        .startsWith("ringpool: cannot start: the H2 store file:" + first.toAbsolutePath().resolve("ringpool")
                                + " is in use: another Ringpool (pid " + ProcessHandle.current().pid() + ", port " + running.app.port() + ")");
                assertThat(child.output).noneMatch(l -> l.contains("Exception") || l.contains("stopped"));
            }
            assertThat(Files.exists(trace) ? Files.size(trace) : 0).as("the running server's trace file").isEqualTo(traceBefore);
            assertThat(running.get("/v1/workspaces", TestServer.ADMIN_KEY).status()).isEqualTo(200);
        }
    }
}
