package io.ringpool.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;

/**
 * The server's open connections, and on each whether an exchange is under way: a request whose
 * headers arrived and whose answer is not yet written. A stop drains them: the listener is closed
 * first, an idle connection is closed at once, and a busy one gets its answer (with
 * {@code Connection: close}) and is closed after it, so a request whose body was still arriving
 * when SIGTERM came is read, committed and answered, not cut off. What is still busy at the
 * deadline is closed unanswered, as before.
 */
public final class OpenExchanges {
    /** How long a stop waits for requests under way: a body that was arriving at the stop needs milliseconds; a stalled one is given up after this. */
    public static final Duration DRAIN = Duration.ofSeconds(5);

    private final ChannelGroup open = new DefaultChannelGroup("ringpool-http", GlobalEventExecutor.INSTANCE);

    /** A new handler for one connection; adds the connection to those drained at stop. */
    Tracker track(Channel channel) {
        open.add(channel);
        return new Tracker();
    }

    /** Closes idle connections now and the others after their answers; waits until all are closed or {@code atMost} passed. */
    public void drain(Duration atMost) {
        for (Channel c : open) {
            Tracker t = c.pipeline().get(Tracker.class);
            if (t != null) {
                c.eventLoop().execute(() -> t.drain(c));
            } else {
                c.close();
            }
        }
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        open.close().awaitUninterruptibly(1_000);
    }

    /** Counts a connection's exchanges: requests started minus final answers written. Event loop only. */
    static final class Tracker extends ChannelDuplexHandler {
        private int underWay;
        private boolean draining;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                underWay++;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            boolean informational = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            if (draining && msg instanceof HttpResponse r && !informational) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            if (msg instanceof LastHttpContent && !informational) {
                promise = promise.unvoid();
                promise.addListener(written -> {
                    underWay = Math.max(0, underWay - 1);
                    if (draining && underWay == 0) {
                        ctx.close();
                    }
                });
            }
            ctx.write(msg, promise);
        }

        void drain(Channel channel) {
            draining = true;
            if (underWay == 0) {
                channel.close();
            }
        }
    }
}
