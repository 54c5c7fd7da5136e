package io.ringpool.telephony.asterisk;

import static io.ringpool.telephony.asterisk.ScriptedAmiServer.packet;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.ringpool.call.CallEvent;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AMI client against a PBX that writes what no well-behaved Asterisk writes. */
class AmiConnectionHostileInputTest {
    static final String TRACKED = "74951234567";

    @TempDir
    Path dir;

    final List<CallEvent> stored = new CopyOnWriteArrayList<>();

    AmiConnection connect(String site, ScriptedAmiServer pbx, Duration backoff) {
        AmiConnection c = new AmiConnection(site, "127.0.0.1", pbx.port(), "ringpool", "secret", backoff, TRACKED::equals, stored::add,
                Clock.systemUTC());
        c.start();
        return c;
    }

    static String newchannel(String id, String... extra) {
        List<String> lines = new ArrayList<>(List.of("Event: Newchannel", "Channel: PJSIP/trunk-" + id, "ChannelState: 4",
                "CallerIDNum: 79161234567", "Exten: " + TRACKED, "Uniqueid: " + id, "Linkedid: " + id));
        lines.addAll(2, List.of(extra));
        return packet(lines.toArray(String[]::new));
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    boolean rang(String id) {
        return stored.stream().anyMatch(e -> e.providerCallId().equals(id) && e.kind() == CallEvent.Kind.RINGING);
    }

    /**
     * Found by the AMI sweep: {@code BufferedReader.readLine} ends a line at a lone '\r', so a value
     * ending in '\r' (a caller name taken from a SIP header) made "\r\r\n" read as the empty line
     * that ends a packet: the Newchannel lost its Exten and ids, and the call was never followed.
     */
    @Test
    void aCarriageReturnInsideAValueDoesNotEndThePacket() throws Exception {
        try (ScriptedAmiServer pbx = new ScriptedAmiServer()) {
            AmiConnection c = connect("st_cr", pbx, Duration.ofMillis(20));
            try {
                ScriptedAmiServer.Session s = pbx.nextHeld();
                s.raw(newchannel("1700000000.1", "CallerIDName: Office\r"));
                await("the call rang", () -> rang("1700000000.1"));
            } finally {
                c.close();
            }
        }
    }

    /**
     * Found by the AMI sweep: an event whose Uniqueid and Linkedid were present but empty made a
     * call event with a blank id, whose exception ended the connection; the events the PBX wrote
     * after it, before the reconnect, were lost.
     */
    @Test
    void anEventWithEmptyIdsIsSkippedAndTheConnectionKeepsFollowingCalls() throws Exception {
        try (ScriptedAmiServer pbx = new ScriptedAmiServer()) {
            AmiConnection c = connect("st_blank", pbx, Duration.ofMillis(20));
            try {
                ScriptedAmiServer.Session s = pbx.nextHeld();
                s.raw(packet("Event: Newchannel", "Channel: PJSIP/trunk-x", "CallerIDNum: 79161234567", "Exten: " + TRACKED,
                        "Uniqueid: ", "Linkedid:"));
                s.raw(newchannel("1700000000.2"));
                await("the call after it rang", () -> rang("1700000000.2"));
                assertThat(pbx.connections()).as("never reconnected").isEqualTo(1);
                assertThat(stored).extracting(CallEvent::providerCallId).containsExactly("1700000000.2");
            } finally {
                c.close();
            }
        }
    }

    /** A line of megabytes is skipped (never held whole in memory) and the rest of its packet still counts. */
    @Test
    void anOverlongLineIsSkippedAndItsPacketStillCounts() throws Exception {
        try (ScriptedAmiServer pbx = new ScriptedAmiServer()) {
            AmiConnection c = connect("st_long", pbx, Duration.ofMillis(20));
            try {
                ScriptedAmiServer.Session s = pbx.nextHeld();
                s.raw(newchannel("1700000000.3", "Variable: " + "x".repeat(3 * 1024 * 1024)));
                await("the call rang", () -> rang("1700000000.3"));
                assertThat(pbx.connections()).isEqualTo(1);
            } finally {
                c.close();
            }
        }
    }

    /**
     * Found by the AMI sweep: every successful login reset the backoff, so a PBX that accepts the
     * login and drops the line at once was reconnected to once per initial delay, forever.
     */
    @Test
    void aPbxThatDropsEveryLoginAtOnceIsRetriedEverMoreSlowlyByOneLoopThatEndsOnClose() throws Exception {
        try (ScriptedAmiServer pbx = new ScriptedAmiServer()) {
            for (int i = 0; i < 7; i++) {
                pbx.then(s -> {
                    s.logIn();
                    s.close();
                });
            }
            AmiConnection c = connect("st_flap", pbx, Duration.ofMillis(20));
            try {
                await("seven connections", () -> pbx.connections() >= 7);
            } finally {
                c.close();
            }
            List<Long> at = pbx.connectedAtNanos;
            List<Long> gapsMillis = new ArrayList<>();
            for (int i = 1; i < 7; i++) {
                gapsMillis.add((at.get(i) - at.get(i - 1)) / 1_000_000);
            }
            // 20, 40, 80, 160, 320, 640 ms: the sixth gap is far beyond the initial delay.
            assertThat(gapsMillis.get(5)).as("gaps %s", gapsMillis).isGreaterThanOrEqualTo(300);
            assertThat(pbx.mostOpenAtOnce.get()).as("one connection at a time").isEqualTo(1);
            assertThat(c.state()).isEqualTo(AmiConnection.State.CLOSED);
            assertThat(threadDump()).as("the connection's thread ended").doesNotContain("ringpool-ami-st_flap");
        }
    }

    /**
     * A login answered by anything but a Response (events only), a garbage greeting, and a
     * Success written one byte per TCP write: the first two are retried, the third logs in.
     */
    @Test
    void aLoginNeverAnsweredOrABadGreetingIsRetriedUntilASuccessSplitAtEveryByte() throws Exception {
        try (ScriptedAmiServer pbx = new ScriptedAmiServer()) {
            pbx.then(s -> {
                s.greet();
                s.readAction();
                for (int i = 0; i < 120; i++) {
                    s.raw(packet("Event: FullyBooted", "Status: Fully Booted"));
                }
                s.close();
            });
            pbx.then(s -> {
                s.raw("\u0000\u0001 not an AMI " + "x".repeat(100_000) + "\r\n");
                s.close();
            });
            pbx.then(s -> {
                s.byteByByte("Asterisk Call Manager/5.0.4\r\n");
                String id = s.readAction();
                s.byteByByte(packet("Response: Success", "ActionID: " + id, "Message: Authentication accepted"));
            });
            AmiConnection c = connect("st_login", pbx, Duration.ofMillis(20));
            try {
                ScriptedAmiServer.Session s = pbx.nextHeld();
                await("connected", () -> c.state() == AmiConnection.State.CONNECTED);
                s.byteByByte(newchannel("1700000000.4"));
                await("the call rang", () -> rang("1700000000.4"));
                assertThat(pbx.connections()).isEqualTo(3);
            } finally {
                c.close();
            }
        }
    }

    /** Every thread of the JVM, virtual ones included (which {@code Thread.getAllStackTraces} leaves out). */
    String threadDump() throws Exception {
        Path file = dir.resolve("threads-" + System.nanoTime() + ".json");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpThreads(file.toString(),
                HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        return Files.readString(file);
    }
}
