package io.ringpool.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.webhook.Receiver;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutboundHttpTest {

    static OutboundHttp.Request post(String url, String body) {
        return new OutboundHttp.Request("POST", URI.create(url), Map.of("Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theAddressIsCheckedWhenConnectingSoALoopbackTargetIsNeverContacted() throws Exception {
        try (Receiver receiver = new Receiver(n -> 200)) {
            OutboundHttp strict = new OutboundHttp(new AddressPolicy(List.of()), Duration.ofSeconds(5));
            assertThatThrownBy(() -> strict.send(post(receiver.url("/x"), "{}"), 1024)).isInstanceOf(OutboundHttp.AddressRefused.class)
                    .hasMessageContaining("127.0.0.1");
            assertThatThrownBy(() -> strict.send(post("http://localhost:" + receiver.port() + "/x", "{}"), 1024))
                    .isInstanceOf(OutboundHttp.AddressRefused.class);
            assertThat(receiver.received()).isEmpty();
        }
    }

    @Test
    void anAllowedTargetGetsTheBodyAndHeadersAndOnlySixtyFourKilobytesOfTheAnswerAreRead() throws Exception {
        try (Receiver receiver = new Receiver(n -> 200)) {
            byte[] big = new byte[1024 * 1024];
            java.util.Arrays.fill(big, (byte) 'a');
            receiver.answerWith(big, Map.of());
            OutboundHttp http = new OutboundHttp(new AddressPolicy(List.of("127.0.0.1")), Duration.ofSeconds(5));
            OutboundHttp.Response r = http.send(post(receiver.url("/hook?x=1"), "{\"a\":1}"), 64 * 1024);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(64 * 1024);
            assertThat(r.truncated()).isTrue();
            Receiver.Received got = receiver.received().get(0);
            assertThat(got.path()).isEqualTo("/hook?x=1");
            assertThat(got.body()).isEqualTo("{\"a\":1}");
            assertThat(got.header("content-type")).isEqualTo("application/json");
            assertThat(got.header("host")).isEqualTo("127.0.0.1:" + receiver.port());
        }
    }

    @Test
    void aChunkedAnswerIsDecoded() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream().write(("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                    // the client's assertion reports it
                }
            });
            OutboundHttp http = new OutboundHttp(new AddressPolicy(List.of("127.0.0.1")), Duration.ofSeconds(5));
            OutboundHttp.Response r = http.send(post("http://127.0.0.1:" + server.getLocalPort() + "/", "{}"), 1024);
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.bodyText()).isEqualTo("hello world");
        }
    }

    @Test
    void aReceiverThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            OutboundHttp http = new OutboundHttp(new AddressPolicy(List.of("127.0.0.1")), Duration.ofMillis(300));
            long start = System.nanoTime();
            assertThatThrownBy(() -> http.send(post("http://127.0.0.1:" + silent.getLocalPort() + "/", "{}"), 1024))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }
}
