package io.ringpool.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A small keep-alive HTTP/1.1 client on Netty, cheap enough to generate load (PERF-NOTES.md: the
 * JDK HttpClient costs 15–20× more per request). Up to {@code maxConnections} connections, one
 * request in flight on each (no pipelining, like a browser); a request that finds no idle
 * connection waits in FIFO order, so an open-loop caller that counts latency from the intended
 * send time sees that wait too (coordinated omission accounted for).
 *
 * <p>Thread contract: {@link #send} may be called from any thread; the returned future completes on
 * the Netty event loop, so callbacks chained on it must not block.
 */
final class LoadClient implements AutoCloseable {
    /** Largest answer read whole: a pool of 2,000,000 numbers lists ~30 MB. */
    static final int MAX_REPLY_BYTES = 64 << 20;


    /** An answer: status and body bytes (the body is small JSON in every Ringpool answer we read). */
    record Reply(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A request; {@code retried} once it was re-sent after a kept-alive connection died under it. */
    private static final class Pending {
        final HttpMethod method;
        final String path;
        final Map<String, String> headers;
        final byte[] body;
        final CompletableFuture<Reply> result = new CompletableFuture<>();
        boolean retried;

        Pending(HttpMethod method, String path, Map<String, String> headers, byte[] body) {
            this.method = method;
            this.path = path;
            this.headers = headers;
            this.body = body;
        }
    }

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final String host;
    private final int maxConnections;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int open;

    LoadClient(URI base, int maxConnections, int ioThreads) {
        this.host = base.getHost() + ":" + base.getPort();
        this.maxConnections = maxConnections;
        this.group = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .remoteAddress(base.getHost(), base.getPort())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // Room for a pool's creation answer, which lists every number: 4 MiB held
                        // ~550,000 (run.sh --numbers=600000 failed on it).
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_REPLY_BYTES), new ReplyHandler());
                    }
                });
    }

    CompletableFuture<Reply> send(HttpMethod method, String path, Map<String, String> headers, byte[] body) {
        Pending p = new Pending(method, path, headers, body);
        Channel ch;
        synchronized (this) {
            ch = idle.pollLast();
            if (ch == null) {
                waiting.addLast(p);
                if (open < maxConnections) {
                    open++;
                    connect();
                }
                return p.result;
            }
        }
        write(ch, p);
        return p.result;
    }

    CompletableFuture<Reply> get(String path, Map<String, String> headers) {
        return send(HttpMethod.GET, path, headers, null);
    }

    CompletableFuture<Reply> post(String path, Map<String, String> headers, String json) {
        return send(HttpMethod.POST, path, headers, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    private void connect() {
        bootstrap.connect().addListener(f -> {
            if (f.isSuccess()) {
                release(((io.netty.channel.ChannelFuture) f).channel());
            } else {
                Pending p;
                synchronized (this) {
                    open--;
                    p = waiting.pollFirst();
                }
                if (p != null) {
                    p.result.completeExceptionally(f.cause());
                }
            }
        });
    }

    /** A connection is free again: give it to the oldest waiting request, or park it. */
    private void release(Channel ch) {
        Pending next;
        synchronized (this) {
            next = waiting.pollFirst();
            if (next == null) {
                idle.addLast(ch);
                return;
            }
        }
        write(ch, next);
    }

    private void write(Channel ch, Pending p) {
        var content = p.body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(p.body);
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, p.method, p.path, content);
        request.headers().set(HttpHeaderNames.HOST, host);
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (p.body != null && (p.headers == null || !p.headers.containsKey("Content-Type"))) {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        if (p.headers != null) {
            p.headers.forEach((k, v) -> request.headers().set(k, v));
        }
        ch.attr(ReplyHandler.CURRENT).set(p);
        ch.attr(USES).set(ch.attr(USES).get() == null ? 1 : ch.attr(USES).get() + 1);
        ch.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                fail(ch, f.cause());
            }
        });
    }

    private void fail(Channel ch, Throwable cause) {
        if (ch.attr(DEAD).getAndSet(Boolean.TRUE) != null) {
            return; // already counted
        }
        Pending current = ch.attr(ReplyHandler.CURRENT).getAndSet(null);
        // A kept-alive connection the server closed while idle (reset on our next write): the server
        // never saw the request, so it is sent once more on a fresh connection.
        boolean retry = current != null && !current.retried && ch.attr(USES).get() != null && ch.attr(USES).get() > 1
                && cause instanceof IOException;
        synchronized (this) {
            idle.remove(ch);
            open--;
            if (retry) {
                current.retried = true;
                waiting.addFirst(current);
            }
            // Requests that were waiting for a connection get a new one.
            if (!waiting.isEmpty() && open < maxConnections) {
                open++;
                connect();
            }
        }
        ch.close();
        if (current != null && !retry) {
            current.result.completeExceptionally(cause);
        }
    }

    private static final io.netty.util.AttributeKey<Integer> USES = io.netty.util.AttributeKey.valueOf("ringpool.loadtest.uses");
    private static final io.netty.util.AttributeKey<Boolean> DEAD = io.netty.util.AttributeKey.valueOf("ringpool.loadtest.dead");

    private final class ReplyHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        static final io.netty.util.AttributeKey<Pending> CURRENT =
                io.netty.util.AttributeKey.valueOf("ringpool.loadtest.current");

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
            byte[] body = ByteBufUtil.getBytes(msg.content());
            int status = msg.status().code();
            boolean close = msg.headers().contains(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
            Pending current = ctx.channel().attr(CURRENT).getAndSet(null);
            if (close) {
                ctx.channel().attr(CURRENT).set(null);
                fail(ctx.channel(), new IOException("closed"));
            } else {
                release(ctx.channel());
            }
            if (current != null) {
                current.result.complete(new Reply(status, body));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(ctx.channel(), new IOException("connection closed by the server"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx.channel(), cause);
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
