package io.ringpool.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import io.ringpool.journal.SwitchableStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, item 6: on a fresh data directory every directory Ringpool makes is 0700 and every
 * file 0600, whatever the process umask (the test JVM's is usually 022, so a file created plainly
 * shows up as 0644 here). The directory is walked after each thing that writes to disk: the start
 * (lock, keys, H2 files), a call journaled while the store is down, a recording fetched and
 * stored, an online backup, and the stop.
 */
class DataDirectoryPermissionsTest {
    static final String PUBLIC_URL = "https://ringpool.example.com";
    static final String TOKEN = "twilio-auth-token-for-permissions";
    static final String ACCOUNT = "AC0123456789abcdef0123456789abcdef";
    static final String NUMBER = "+74950007001";

    @TempDir
    Path dir;

    final SwitchableStore store = new SwitchableStore();

    @Test
    void everyDirectoryAndFileRingpoolCreatesInAFreshDataDirectoryIsOwnerOnlyFromTheStart() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions only");
        Path data = dir.resolve("fresh");
        byte[] audio = new byte[4096];
        HttpServer provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        provider.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "audio/wav");
            exchange.sendResponseHeaders(200, audio.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(audio);
            }
        });
        provider.start();
        List<String> seen = new ArrayList<>();
        try (TestServer server = new TestServer(data, Map.of("server.publicUrl", PUBLIC_URL,
                "recordings.fetchAllow", List.of("127.0.0.1"), "recordings.pollIntervalMillis", 100), store)) {
            assertOwnerOnly(data, seen);

            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            Reply patched = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"),
                    new String(Json.write(Map.of("twilioAuthToken", TOKEN, "recordCalls", true)), StandardCharsets.UTF_8),
                    "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);

            store.set(SwitchableStore.Mode.DOWN);
            Reply ringing = twilio(server, site.get("siteId"), "voice", voice("CA00000000000000000000000000007001", "ringing"));
            assertThat(ringing.status()).as(ringing.body()).isEqualTo(200);
            assertThat(server.get("/health", null).json().get("journalDepth").asInt()).as("the call is in the journal").isPositive();
            assertOwnerOnly(data, seen);
            store.set(SwitchableStore.Mode.UP);
            server.awaitCallsStored();

            Map<String, String> done = voice("CA00000000000000000000000000007001", "completed");
            done.put("CallDuration", "40");
            assertThat(twilio(server, site.get("siteId"), "status", done).status()).isEqualTo(204);
            String url = "http://127.0.0.1:" + provider.getAddress().getPort() + "/Recordings/RE7001";
            assertThat(twilio(server, site.get("siteId"), "recording", recording("CA00000000000000000000000000007001", url)).status())
                    .isEqualTo(204);
            await("the recording to be stored", () -> {
                Reply calls = server.get("/v1/sites/" + site.get("siteId") + "/calls", site.get("apiKey"));
                JsonNode list = calls.json() == null ? null : calls.json().get("calls");
                return list != null && !list.isEmpty() && "stored".equals(list.get(0).path("recordingStatus").asText());
            });
            assertOwnerOnly(data, seen);

            Reply backup = server.post("/v1/admin/backup", TestServer.ADMIN_KEY, null);
            assertThat(backup.status()).as(backup.body()).isEqualTo(201);
            assertOwnerOnly(data, seen);
        } finally {
            provider.stop(0);
        }
        assertOwnerOnly(data, seen);
        assertThat(seen).as("what the walk covered")
                .contains("ringpool.lock", "secret.key", "ringpool.mv.db", "journal", "recordings", "recordings/tmp", "backups")
                .anyMatch(p -> p.startsWith("journal/") && p.endsWith(".journal"))
                .anyMatch(p -> p.matches("recordings/[0-9a-f]{2}/[0-9a-f]{64}"))
                .anyMatch(p -> p.matches("backups/ringpool-.*\\.zip"));
    }

    /** Walks {@code data}: the directories must be rwx------ and everything else rw-------. */
    static void assertOwnerOnly(Path data, List<String> seen) throws IOException {
        try (Stream<Path> all = Files.walk(data)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                String name = data.relativize(p).toString().replace('\\', '/');
                if (!name.isEmpty() && !seen.contains(name)) {
                    seen.add(name);
                }
                assertThat(mode).as(name.isEmpty() ? "the data directory" : name)
                        .isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
            }
        }
    }

    static Map<String, String> voice(String sid, String status) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("AccountSid", ACCOUNT);
        p.put("CallSid", sid);
        p.put("From", "+79161237001");
        p.put("To", NUMBER);
        p.put("CallStatus", status);
        p.put("Direction", "inbound");
        return p;
    }

    static Map<String, String> recording(String sid, String url) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("AccountSid", ACCOUNT);
        p.put("CallSid", sid);
        p.put("RecordingSid", "RE" + sid.substring(2));
        p.put("RecordingUrl", url);
        p.put("RecordingStatus", "completed");
        p.put("RecordingDuration", "3");
        p.put("RecordingChannels", "2");
        return p;
    }

    static Reply twilio(TestServer server, String siteId, String endpoint, Map<String, String> params) {
        return server.twilioForm(PUBLIC_URL, TOKEN, siteId, endpoint, params);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
