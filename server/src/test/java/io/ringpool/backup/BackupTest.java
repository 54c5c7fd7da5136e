package io.ringpool.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.BackupCommand;
import io.ringpool.app.StartupFailure;
import io.ringpool.app.TestServer;
import io.ringpool.call.Signing;
import io.ringpool.config.ConfigLoader;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.http.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10, item 10: an online backup restored elsewhere holds every call acknowledged before it. */
class BackupTest {
    @TempDir
    Path tmp;

    static final String SECRET_KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";


    static String postCall(TestServer server, Map<String, String> site, String callId, String to) {
        String body = new String(Json.write(Map.of("callId", callId, "event", "completed", "from", "+79161234567", "to", to,
                "durationSeconds", 60, "talkSeconds", 50)));
        long t = server.clock.instant().getEpochSecond();
        TestServer.Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), t, body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.text("callId");
    }

    static Set<String> callIds(TestServer server, Map<String, String> site) {
        Set<String> ids = new HashSet<>();
        String cursor = null;
        do {
            TestServer.Reply r = server.get("/v1/sites/" + site.get("siteId") + "/calls?from=2000-01-01&to=2100-01-01&limit=200"
                    + (cursor == null ? "" : "&cursor=" + cursor), site.get("apiKey"));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            for (JsonNode c : r.json().get("calls")) {
                ids.add(c.get("callId").asText());
            }
            cursor = r.text("nextCursor");
        } while (cursor != null);
        return ids;
    }

    @Test
    void anOnlineBackupTakenWhileCallsArriveRestoresWithEveryCallAcknowledgedBeforeIt() throws Exception {
        Path live = tmp.resolve("live");
        Map<String, Object> settings = Map.of("security.secretKey", SECRET_KEY);
        Map<String, String> site;
        Set<String> beforeBackup = new HashSet<>();
        Path backupFile;
        try (TestServer server = new TestServer(live, settings)) {
            site = server.siteWithPool(List.of("+74950007001", "+74950007002"));
            for (int i = 0; i < 40; i++) {
                beforeBackup.add(postCall(server, site, "before-" + i, "+74950007001"));
            }
            // calls keep arriving during the backup: it must not wait for them nor stop them
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger during = new AtomicInteger();
            Thread traffic = Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    postCall(server, site, "during-" + during.incrementAndGet(), "+74950007002");
                }
            });
            TestServer.Reply siteKey = server.post("/v1/admin/backup", site.get("apiKey"), null);
            assertThat(siteKey.status()).as("valid credentials, not the operator's: 403").isEqualTo(403);
            assertThat(server.post("/v1/admin/backup", null, null).status()).isEqualTo(401);
            TestServer.Reply taken = server.post("/v1/admin/backup", TestServer.ADMIN_KEY, null);
            running.set(false);
            traffic.join();

            assertThat(taken.status()).as(taken.body()).isEqualTo(201);
            backupFile = Path.of(taken.text("file"));
            assertThat(backupFile).isRegularFile().startsWith(live.resolve("backups").toAbsolutePath());
            assertThat(taken.json().get("bytes").asLong()).isEqualTo(Files.size(backupFile));
            assertThat(during.get()).isPositive();
        }

        Path restoredDir = tmp.resolve("restored");
        RingpoolConfig restoredConfig = ConfigLoader.defaultsWith(Map.of("store.dataDir", restoredDir.toString()));
        String result = BackupCommand.restore(restoredConfig, backupFile);
        assertThat(result).contains("restored");

        ch.qos.logback.classic.Logger recovery = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(io.ringpool.store.H2CrashRecovery.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        recovery.addAppender(log);
        try (TestServer restored = new TestServer(restoredDir, settings)) {
            assertThat(callIds(restored, site)).containsAll(beforeBackup);
        } finally {
            recovery.detachAppender(log);
        }
        // Audit P #8: a copy of a live file is never marked closed; its first start said "recovered after unclean stop".
        assertThat(log.list).noneMatch(e -> e.getFormattedMessage().startsWith("h2_recovered_after_unclean_stop"));
    }

    @Test
    void theCommandBacksUpThroughTheRunningServerAndOfflineWhenNoneRuns() throws Exception {
        Path data = tmp.resolve("data");
        RingpoolConfig cli = ConfigLoader.defaultsWith(Map.of("store.dataDir", data.toString(),
                "security.adminKey", TestServer.ADMIN_KEY));
        Map<String, String> site;
        Set<String> calls = new HashSet<>();
        Path online = tmp.resolve("online.zip");
        try (TestServer server = new TestServer(data, Map.of("security.secretKey", SECRET_KEY))) {
            site = server.siteWithPool(List.of("+74950007101"));
            calls.add(postCall(server, site, "one", "+74950007101"));

            assertThat(BackupCommand.backup(cli, online)).contains("online");
            assertThat(online).isRegularFile();
            assertThat(Files.list(data.resolve("backups")).toList()).isEmpty();
            assertThatThrownBy(() -> BackupCommand.restore(cli, online))
                    .isInstanceOf(StartupFailure.class).hasMessageContaining("another Ringpool holds");
        }
        Path offline = tmp.resolve("offline.zip");
        assertThat(BackupCommand.backup(cli, offline)).contains("offline");
        assertThatThrownBy(() -> BackupCommand.backup(cli, offline)).hasMessageContaining("exists");

        for (Path zip : List.of(online, offline)) {
            Path dir = tmp.resolve("from-" + zip.getFileName());
            BackupCommand.restore(ConfigLoader.defaultsWith(Map.of("store.dataDir", dir.toString())), zip);
            try (TestServer restored = new TestServer(dir, Map.of("security.secretKey", SECRET_KEY))) {
                assertThat(callIds(restored, site)).as(zip.toString()).containsAll(calls);
            }
        }
    }

    /**
     * Audit AM3 F7: the lock file named the port but not the host, and the command knocked at its
     * own {@code server.host} (127.0.0.1 by default): a server bound to one interface was not
     * found, and the error ended in "null".
     */
    @Test
    void theCommandFindsAServerBoundToOneInterfaceByItsLockFile() throws Exception {
        Path data = tmp.resolve("data");
        RingpoolConfig cli = ConfigLoader.defaultsWith(Map.of("store.dataDir", data.toString(),
                "security.adminKey", TestServer.ADMIN_KEY));
        Path online = tmp.resolve("online.zip");
        try (TestServer server = new TestServer(data, Map.of("server.host", "127.0.0.2"))) {
            assertThat(Files.readString(data.resolve("ringpool.lock"))).contains("host=127.0.0.2");

            assertThat(BackupCommand.backup(cli, online)).contains("online").contains("127.0.0.2:");
            assertThat(online).isRegularFile();
        }
    }

    @Test
    void aServerThatDoesNotAnswerIsNamedByItsAddressAndTheReasonInWords() throws Exception {
        Path data = tmp.resolve("data");
        int deadPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            deadPort = free.getLocalPort();
        }
        RingpoolConfig cli = ConfigLoader.defaultsWith(Map.of("store.dataDir", data.toString(),
                "security.adminKey", TestServer.ADMIN_KEY));
        try (io.ringpool.app.DataDirLock held = io.ringpool.app.DataDirLock.acquire(data, "127.0.0.1", deadPort)) {
            assertThatThrownBy(() -> BackupCommand.backup(cli, tmp.resolve("b.zip"))).isInstanceOf(StartupFailure.class)
                    .hasMessageStartingWith("cannot reach the server at 127.0.0.1:" + deadPort + " (from its lock file ")
                    .hasMessageEndingWith("nothing answers there (connection refused)")
                    .hasMessageNotContaining("null");
        }
    }

    /**
     * Audit AM3 F6: a backup that did not fit on the disk was answered 503 store_unavailable ("retry
     * later") and logged as a store outage, while the store was fine. Here H2's {@code BACKUP TO}
     * writes to {@code /dev/full}, whose every write fails with the kernel's own ENOSPC.
     */
    @Test
    void aBackupThatDoesNotFitIsAnswered507NoSpaceNamingTheDirectoryAndLoggedAsSuch() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs Linux's /dev/full");
        Path data = tmp.resolve("data");
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        root.addAppender(log);
        try (TestServer server = new TestServer(data, Map.of(), java.time.Clock.systemUTC(), BackupTest::backupsToAFullDisk)) {
            TestServer.Reply refused = server.post("/v1/admin/backup", TestServer.ADMIN_KEY, null);

            assertThat(refused.status()).as(refused.body()).isEqualTo(507);
            assertThat(refused.json().get("error").get("code").asText()).isEqualTo("backup_no_space");
            assertThat(refused.json().get("error").get("message").asText())
                    .startsWith("not enough disk space for the backup at " + data.resolve("backups").toAbsolutePath());
            assertThat(Files.list(data.resolve("backups")).toList()).as("no partial file left").isEmpty();
            assertThat(server.get("/health", null).text("store")).isEqualTo("up");
        } finally {
            root.detachAppender(log);
        }
        assertThat(log.list).anyMatch(e -> e.getFormattedMessage().startsWith("backup_no_space dir="));
        assertThat(log.list).noneMatch(e -> e.getFormattedMessage().startsWith("store_unavailable"));
    }

    /** The store as it is, but every {@code BACKUP TO} goes to {@code /dev/full}. */
    private static javax.sql.DataSource backupsToAFullDisk(javax.sql.DataSource real) {
        return rewriting(javax.sql.DataSource.class, real);
    }

    @SuppressWarnings("unchecked")
    private static <T> T rewriting(Class<T> type, T real) {
        return (T) java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Object[] sent = args;
            if (type == java.sql.Statement.class && method.getName().equals("execute") && args != null && args.length == 1
                    && args[0] instanceof String sql && sql.startsWith("BACKUP TO ")) {
                sent = new Object[] {"BACKUP TO '/dev/full'"};
            }
            Object result;
            try {
                result = method.invoke(real, sent);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
            if (type == javax.sql.DataSource.class && method.getName().equals("getConnection")) {
                return rewriting(java.sql.Connection.class, (java.sql.Connection) result);
            }
            if (type == java.sql.Connection.class && method.getName().equals("createStatement")) {
                return rewriting(java.sql.Statement.class, (java.sql.Statement) result);
            }
            return result;
        });
    }

    @Test
    void aRestoreNeverOverwritesAnExistingStore() throws Exception {
        Path data = tmp.resolve("data");
        try (TestServer server = new TestServer(data)) {
            server.siteWithPool(List.of("+74950007201"));
        }
        Path zip = tmp.resolve("b.zip");
        RingpoolConfig cli = ConfigLoader.defaultsWith(Map.of("store.dataDir", data.toString()));
        BackupCommand.backup(cli, zip);
        long before = Files.size(data.resolve("ringpool.mv.db"));

        assertThatThrownBy(() -> BackupCommand.restore(cli, zip)).hasMessageContaining("move it aside");
        assertThat(Files.size(data.resolve("ringpool.mv.db"))).isEqualTo(before);
    }

    /** Audit Z2 #1: the restored store's reports counted the moved-aside store's calls, from the saved report facts. */
    @Test
    void aRestoreForgetsTheReportFactsOfTheStoreMovedAside() throws Exception {
        Path data = tmp.resolve("data");
        try (TestServer server = new TestServer(data)) {
            server.siteWithPool(List.of("+74950007301"));
        }
        Path zip = tmp.resolve("c.zip");
        RingpoolConfig cli = ConfigLoader.defaultsWith(Map.of("store.dataDir", data.toString()));
        BackupCommand.backup(cli, zip);
        Path facts = data.resolve(io.ringpool.report.ReportService.FACTS_DIRECTORY);
        Files.createDirectories(facts.resolve("site"));
        Files.writeString(facts.resolve("site").resolve("facts.bin"), "the old store's counts");
        Files.move(data.resolve("ringpool.mv.db"), tmp.resolve("aside.mv.db"));

        assertThat(BackupCommand.restore(cli, zip)).contains("restored");
        assertThat(facts).doesNotExist();
        assertThat(data.resolve("ringpool.mv.db")).isRegularFile();
    }

    /** Audit P #8, P2 #4: a zip that is no backup printed H2's internals; a missing file was "not a backup file". */
    @Test
    void aRestoreOfSomethingElseSaysWhatItIsInOneLineAndLeavesNothing() throws Exception {
        Path data = tmp.resolve("fresh");
        RingpoolConfig cli = ConfigLoader.defaultsWith(Map.of("store.dataDir", data.toString()));
        Path junk = tmp.resolve("junk.zip");
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(junk))) {
            out.putNextEntry(new java.util.zip.ZipEntry("holiday.jpg"));
            out.write(new byte[] {1, 2, 3});
        }
        Path text = Files.writeString(tmp.resolve("notes.zip"), "not a zip at all");
        for (Path file : List.of(junk, text)) {
            assertThatThrownBy(() -> BackupCommand.restore(cli, file)).isInstanceOf(StartupFailure.class)
                    .hasMessage(file + " is not a Ringpool backup (a zip made by 'ringpool backup' or POST /v1/admin/backup, "
                            + "holding the store 'ringpool')");
            assertThat(data.resolve("ringpool.mv.db")).doesNotExist();
        }
        assertThatThrownBy(() -> BackupCommand.restore(cli, tmp.resolve("nonexistent.zip")))
                .hasMessage(tmp.resolve("nonexistent.zip") + ": no such file");
    }

    @Test
    void onPostgresqlTheCommandPointsToPgDump() {
        RingpoolConfig pg = ConfigLoader.defaultsWith(Map.of("store.url", "jdbc:postgresql://127.0.0.1:5432/ringpool",
                "store.dataDir", tmp.resolve("pg").toString()));
        assertThatThrownBy(() -> BackupCommand.backup(pg, tmp.resolve("x.zip"))).hasMessageContaining("pg_dump");
    }

    @Test
    void twoBackupsAskedForInTheSameMillisecondAreTwoFilesNotAnOutage() {
        // Found by BadInputSweepTest: the name is the millisecond, and the second request got 503 store_unavailable.
        java.time.Clock frozen = java.time.Clock.fixed(java.time.Instant.parse("2026-11-26T03:15:00Z"), java.time.ZoneOffset.UTC);
        try (TestServer server = new TestServer(tmp.resolve("same-ms"), Map.of(), frozen)) {
            TestServer.Reply first = server.post("/v1/admin/backup", TestServer.ADMIN_KEY, null);
            TestServer.Reply second = server.post("/v1/admin/backup", TestServer.ADMIN_KEY, null);

            assertThat(first.status()).as(first.body()).isEqualTo(201);
            assertThat(second.status()).as(second.body()).isEqualTo(201);
            assertThat(first.text("file")).endsWith("ringpool-20261126-031500-000.zip");
            assertThat(second.text("file")).endsWith("ringpool-20261126-031500-000-2.zip");
            assertThat(Path.of(second.text("file"))).isNotEmptyFile();
        }
    }
}
