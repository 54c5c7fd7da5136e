package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Audit H, session 28: a body sent a byte every 10 s was still held after 600 s (the idle timeout
 * sees a trickle as activity). A body must now arrive within the deadline of its headers.
 */
class BodyDeadlineTest {

    static EmbeddedChannel channel() {
        return new EmbeddedChannel(new HttpServerCodec(), new BodyLimitHandler(1_000, 1_000, 1_000_000, 1_000));
    }

    static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aBodyStillArrivingAtTheDeadlineIsAnswered408AndTheConnectionCloses() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes("POST /v1/sites HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
        ch.advanceTimeBy(900, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.writeInbound(bytes("d"));
        assertThat((Object) ch.readOutbound()).as("nothing yet").isNull();

        ch.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ByteBuf answer = ch.readOutbound();
        assertThat(answer).isNotNull();
        String text = answer.toString(StandardCharsets.ISO_8859_1);
        answer.release();
        assertThat(text).startsWith("HTTP/1.1 408 ").contains("\"code\":\"request_timeout\"");
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void aBodyThatArrivesInTimeAndABodilessRequestSetNoDeadline() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes("POST /v1/sites HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab"));
        ch.writeInbound(bytes("cd"));
        ch.writeInbound(bytes("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
        ch.advanceTimeBy(5, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }
}
