package io.ringpool.telephony.asterisk;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.call.CallEvent;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Closing an AMI connection while it is storing an event lets the store finish: no interrupt
 * reaches the thread (one inside a file channel operation would close the channel for the whole
 * store), and close waits for it.
 */
class AmiConnectionCloseTest {

    @Test
    void closeWaitsForTheEventBeingStoredAndNeverInterruptsIt() throws Exception {
        CountDownLatch storing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> seenByStore = new AtomicReference<>();
        Consumer<CallEvent> store = event -> {
            storing.countDown();
            try {
                boolean released = release.await(10, TimeUnit.SECONDS);
                seenByStore.set(released ? (Thread.currentThread().isInterrupted() ? "interrupted" : "finished") : "timed out");
            } catch (InterruptedException e) {
                seenByStore.set("interrupted");
            }
        };
        try (FakeAmiServer pbx = new FakeAmiServer("ringpool", "ami-secret-0001")) {
            AmiConnection connection = new AmiConnection("st_close", "127.0.0.1", pbx.port(), "ringpool", "ami-secret-0001",
                    Duration.ofMillis(50), number -> true, store, Clock.systemUTC());
            connection.start();
            Socket session = pbx.nextSession();
            long now = System.currentTimeMillis() / 1000;
            FakeAmiServer.write(session, "Event: Newchannel", "Timestamp: " + now + ".000000", "Channel: PJSIP/trunk-00000001",
                    "ChannelState: 4", "ChannelStateDesc: Ring", "CallerIDNum: 79161234567", "Context: from-pstn",
                    "Exten: 74951234567", "Uniqueid: 1732951200.101", "Linkedid: 1732951200.101");
            assertThat(storing.await(10, TimeUnit.SECONDS)).as("the event reached the store").isTrue();

            Thread closer = Thread.ofPlatform().start(connection::close);
            closer.join(300);
            assertThat(closer.isAlive()).as("close waits while the event is being stored").isTrue();
            release.countDown();
            closer.join(AmiConnection.CLOSE_WAIT.toMillis() + 2_000);
            assertThat(closer.isAlive()).isFalse();
            assertThat(seenByStore.get()).isEqualTo("finished");
            assertThat(connection.state()).isEqualTo(AmiConnection.State.CLOSED);
        }
    }

    @Test
    void closeDuringTheBackOffReturnsAtOnce() throws Exception {
        // Nothing listens on the port: the connection fails and waits a long back-off.
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        AmiConnection connection = new AmiConnection("st_backoff", "127.0.0.1", port, "ringpool", "x", Duration.ofMinutes(1),
                number -> true, event -> {}, Clock.systemUTC());
        java.time.Instant created = connection.since();
        Thread.sleep(5);
        connection.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        // refused at once, then DISCONNECTED (a state change after creation) and waiting out the back-off
        while (!(connection.state() == AmiConnection.State.DISCONNECTED && connection.since().isAfter(created))
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(connection.state()).isEqualTo(AmiConnection.State.DISCONNECTED);
        long started = System.nanoTime();
        connection.close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(connection.state()).isEqualTo(AmiConnection.State.CLOSED);
    }
}
