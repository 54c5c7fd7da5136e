package io.ringpool.telephony.asterisk;

import io.ringpool.app.TestServer;

import static io.ringpool.telephony.asterisk.ScriptedAmiServer.packet;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.HotSpotDiagnosticMXBean;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Ringpool never drops a call", on the one boundary where Ringpool is the client: the real server
 * connected to a PBX's AMI that is hostile. Three connections in a row (each reconnect costs the
 * server's real backoff, 1 s then 2 s; a login never answered at all is in
 * {@code AmiConnectionHostileInputTest}, with a short backoff):
 * <ol>
 * <li>logged in, then: an answered call written one byte per TCP write; malformed lines (no colon,
 * a leading colon, no value, control characters, NUL); unknown events; values with NUL and a lone
 * CR; an event with empty ids; a 450-line event carrying a 200 KB line; impossible timestamps;
 * duplicate Newchannels and Hangups; a burst of thousands of events (tracked calls among
 * internal calls and noise); and finally half a Hangup, then the line is cut;</li>
 * <li>the login answered {@code Response: Error};</li>
 * <li>logged in: the rest of the cut Hangup, and one more call.</li>
 * </ol>
 * Then: every genuine call (a Newchannel to the tracking number with an id) is stored exactly once
 * with the status its events mean, nothing else is stored, there was one connection at a time and
 * exactly these three, the server answers, and removing the settings ends the connection's thread.
 */
class AsteriskHostilePbxSweepTest {
    static final int BURST_CALLS = 100;
    static final int NOISE_PER_CALL = 20;

    @TempDir
    static Path dir;

    final String tracked = ProviderTestKit.NUMBER.substring(1);
    /** Genuine calls by Linkedid, with the status their events mean. */
    final Map<String, String> genuine = new LinkedHashMap<>();
    int eventsSent;

    String newchannel(String id, String channel, String exten, String... extra) {
        List<String> lines = new ArrayList<>(List.of("Event: Newchannel", "Privilege: call,all", "Channel: " + channel, "ChannelState: 4",
                "ChannelStateDesc: Ring", "CallerIDNum: 79161234567", "CallerIDName: <unknown>", "Context: from-pstn", "Exten: " + exten,
                "Priority: 1", "Uniqueid: " + id, "Linkedid: " + id));
        lines.addAll(List.of(extra));
        eventsSent++;
        return packet(lines.toArray(String[]::new));
    }

    String event(String... lines) {
        eventsSent++;
        return packet(lines);
    }

    String hangup(String id, String cause) {
        return event("Event: Hangup", "Privilege: call,all", "Channel: PJSIP/trunk-" + id, "Uniqueid: " + id, "Linkedid: " + id,
                "Cause: " + cause, "Cause-txt: x");
    }

    /** The first connection's whole stream, up to the half Hangup; fills {@link #genuine}. */
    void firstSession(ScriptedAmiServer.Session s) throws java.io.IOException {
        s.logIn();
        s.raw(event("Event: FullyBooted", "Privilege: system,all", "Status: Fully Booted"));

        // An answered call, every byte its own TCP write.
        String a = "1764590000.1";
        genuine.put(a, "completed");
        s.byteByByte(newchannel(a, "PJSIP/trunk-" + a, tracked)
                + newchannel("1764590000.2", "PJSIP/101-2", "s").replace("Linkedid: 1764590000.2", "Linkedid: " + a)
                + event("Event: Newstate", "Channel: PJSIP/101-2", "ChannelState: 6", "ChannelStateDesc: Up", "Uniqueid: 1764590000.2",
                        "Linkedid: " + a)
                + hangup(a, "16")
                + event("Event: Cdr", "Source: 79161234567", "Destination: " + tracked, "Duration: 95", "BillableSeconds: 75",
                        "Disposition: ANSWERED", "UniqueID: " + a));

        // Malformed lines, alone and inside an event.
        s.raw("this line has no colon\r\n:leading colon\r\nKey:\r\n   \r\n\u0000\u0001\u0002\u001b\r\nEvent\r\n\r\n");
        s.raw("\r\n\r\n\r\n");
        s.raw(event("Event: Newstate", "garbage here", ": x", "Channel: PJSIP/101-2", "ChannelState: six", "Uniqueid: 1764590000.2",
                "Linkedid: " + a));
        // Unknown events, some naming the call.
        s.raw(event("Event: NoSuchEvent", "Linkedid: " + a, "Uniqueid: " + a));
        s.raw(event("Event: \u0000\u0007", "Linkedid: " + a));
        s.raw(event("Response: Follows", "Privilege: Command", "Output: whatever"));

        // NUL and a lone CR inside values.
        String b = "1764590000.3";
        genuine.put(b, "busy");
        s.raw(newchannel(b, "PJSIP/trunk-" + b, tracked, "CallerIDName: Office\r", "AccountCode: a\u0000b"));
        s.raw(hangup(b, "17"));

        // Empty ids: not a call, and not the end of the connection.
        s.raw(event("Event: Newchannel", "Channel: PJSIP/trunk-x", "Exten: " + tracked, "CallerIDNum: 79161234567", "Uniqueid: ",
                "Linkedid:"));

        // A huge event: 450 lines, one of them 200 KB.
        String c = "1764590000.4";
        genuine.put(c, "missed");
        String[] variables = new String[450];
        for (int i = 0; i < variables.length; i++) {
            variables[i] = "ChanVariable: v" + i + "=" + (i == 7 ? "z".repeat(200 * 1024) : "y".repeat(1000));
        }
        s.raw(newchannel(c, "PJSIP/trunk-" + c, tracked, variables));
        s.raw(hangup(c, "19"));

        // Impossible timestamps.
        String d = "1764590000.5";
        genuine.put(d, "failed");
        s.raw(newchannel(d, "PJSIP/trunk-" + d, tracked, "Timestamp: 1e400"));
        s.raw(hangup(d, "1").replace("Cause: 1", "Timestamp: NaN\r\nCause: 1"));
        s.raw(event("Event: Newstate", "Timestamp: -99999999999999999999", "Channel: PJSIP/x", "ChannelState: 5", "Uniqueid: q",
                "Linkedid: " + d));

        // Duplicates.
        s.raw(newchannel(a, "PJSIP/trunk-" + a, tracked));
        for (int i = 0; i < 3; i++) {
            s.raw(hangup(a, "16") + hangup(b, "17") + hangup(c, "19"));
        }

        // A burst: tracked calls among internal calls and noise, thousands of events in a few writes.
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < BURST_CALLS; i++) {
            String g = "1764591000." + i;
            genuine.put(g, "missed");
            burst.append(newchannel(g, "PJSIP/trunk-" + g, tracked));
            burst.append(newchannel("1764592000." + i, "PJSIP/101-" + i, "102"));
            for (int n = 0; n < NOISE_PER_CALL; n++) {
                burst.append(event("Event: VarSet", "Channel: PJSIP/trunk-" + g, "Variable: RINGPOOL" + n, "Value: " + n, "Uniqueid: " + g,
                        "Linkedid: " + g));
            }
            burst.append(hangup(g, "16"));
            if (burst.length() > 256 * 1024) {
                s.raw(burst.toString());
                burst.setLength(0);
            }
        }
        s.raw(burst.toString());

        // A call whose Hangup is cut in the middle by the PBX going away.
        String e = "1764590000.6";
        genuine.put(e, "missed");
        s.raw(newchannel(e, "PJSIP/trunk-" + e, tracked));
        String half = hangup(e, "16");
        s.raw(half.substring(0, half.length() / 2));
        s.close();
    }

    @Test
    void aHostilePbxNeverStopsTheConnectorAndEveryGenuineCallIsStoredExactlyOnce() throws Exception {
        long began = System.nanoTime();
        try (ProviderTestKit kit = new ProviderTestKit(dir, ProviderTestKit.LOOPBACK_PBX); ScriptedAmiServer pbx = new ScriptedAmiServer()) {
            pbx.then(this::firstSession);
            pbx.then(s -> {
                s.greet();
                String id = s.readAction();
                s.raw(packet("Response: Error", "ActionID: " + id, "Message: Authentication failed"));
                s.close();
            });
            // The third connection: the default login; the test writes on it below.
            kit.configure("asterisk", Map.of("host", "127.0.0.1", "port", Integer.toString(pbx.port()), "username", "ringpool",
                    "secret", "ami-secret-0001"));

            ScriptedAmiServer.Session third = pbx.nextHeld();
            String e = "1764590000.6";
            third.raw(hangup(e, "16"));
            String f = "1764590000.7";
            genuine.put(f, "missed");
            third.raw(newchannel(f, "PJSIP/trunk-" + f, tracked, "CallerIDNum: \u0000"));
            third.raw(hangup(f, "16"));

            await(kit, "every genuine call in its final status", () -> {
                Map<String, List<JsonNode>> byId = asteriskCalls(kit);
                return genuine.entrySet().stream().allMatch(g -> byId.getOrDefault(g.getKey(), List.of()).stream()
                        .anyMatch(call -> call.path("status").asText().equals(g.getValue())));
            });
            kit.server.awaitCallsStored();
            Map<String, List<JsonNode>> byId = asteriskCalls(kit);
            List<String> wrong = new ArrayList<>();
            genuine.forEach((id, status) -> {
                List<JsonNode> found = byId.getOrDefault(id, List.of());
                if (found.size() != 1 || !found.get(0).path("status").asText().equals(status)) {
                    wrong.add(id + " expected one " + status + ", found " + found.stream().map(c -> c.path("status").asText()).toList());
                }
            });
            assertThat(wrong).isEmpty();
            assertThat(byId.keySet()).as("nothing but the genuine calls").containsExactlyInAnyOrderElementsOf(genuine.keySet());
            JsonNode answered = byId.get("1764590000.1").get(0);
            assertThat(answered.path("talkSeconds").asInt()).isEqualTo(75);
            assertThat(answered.path("durationSeconds").asInt()).isEqualTo(95);

            assertThat(pbx.connections()).as("one connection per script, no extra loop").isEqualTo(3);
            assertThat(pbx.mostOpenAtOnce.get()).isEqualTo(1);
            Reply health = kit.server.get("/health", TestServer.ADMIN_KEY);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().path("asterisk").path("connected").asInt()).as("public: counts by state").isEqualTo(1);
            assertThat(health.body()).doesNotContain(kit.siteId);

            Map<String, Object> none = new HashMap<>();
            none.put("asterisk", null);
            assertThat(kit.patch(Map.of("providers", none)).status()).isEqualTo(200);
            await(kit, "the connection's thread ended", () -> !threadDump().contains("ringpool-ami-" + kit.siteId));
            System.out.printf("asterisk_hostile_pbx_sweep events=%d genuineCalls=%d connections=%d millis=%d%n", eventsSent, genuine.size(),
                    pbx.connections(), (System.nanoTime() - began) / 1_000_000);
        }
    }

    static Map<String, List<JsonNode>> asteriskCalls(ProviderTestKit kit) {
        Map<String, List<JsonNode>> byId = new HashMap<>();
        String cursor = null;
        do {
            Reply page = kit.server.get("/v1/sites/" + kit.siteId + "/calls?limit=500" + (cursor == null ? "" : "&cursor=" + cursor),
                    kit.apiKey);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            for (JsonNode call : page.json().path("calls")) {
                if (call.path("provider").asText().equals("asterisk")) {
                    byId.computeIfAbsent(call.path("providerCallId").asText(), k -> new ArrayList<>()).add(call);
                }
            }
            JsonNode next = page.json().path("nextCursor");
            cursor = next.isTextual() ? next.asText() : null;
        } while (cursor != null);
        return byId;
    }

    static void await(ProviderTestKit kit, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; calls: " + asteriskCalls(kit).size());
            }
            Thread.sleep(50);
        }
    }

    static String threadDump() {
        try {
            Path file = Files.createTempFile(dir, "threads-", ".json");
            Files.delete(file);
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpThreads(file.toString(),
                    HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            return Files.readString(file);
        } catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
