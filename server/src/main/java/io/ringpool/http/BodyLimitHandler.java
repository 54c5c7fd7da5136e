package io.ringpool.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Enforces the body limit of each route kind before the body is buffered: a declared length over
 * the limit is refused at once, a chunked body as soon as it crosses it. The rest of an oversized
 * body is read and dropped before the connection closes, so the client sees the 413 rather than a
 * reset while it is still sending. A body must also arrive within {@link #BODY_DEADLINE_SECONDS}
 * of its request's headers: a client that sends one byte every few seconds would otherwise hold its
 * buffered body for as long as it liked (the idle timeout sees a trickle as activity). Not
 * sharable: one per connection.
 */
final class BodyLimitHandler extends ChannelInboundHandlerAdapter {

    /**
     * Seconds a request's body may take to arrive after its headers: a 1 MB admin body at 40 KB/s
     * (a poor mobile link). The headers have their own bound (the idle timeout).
     */
    static final long BODY_DEADLINE_SECONDS = 30;

    /** Past this many discarded bytes we stop being polite and close. */
    private static final long MAX_DISCARD = 16L * 1024 * 1024;

    private final int scriptLimit;
    private final int webhookLimit;
    private final int adminLimit;
    private long limit;
    private long received;
    private boolean discarding;
    private ScheduledFuture<?> bodyDeadline;
    private final long deadlineMillis;

    BodyLimitHandler(int scriptLimit, int webhookLimit, int adminLimit) {
        this(scriptLimit, webhookLimit, adminLimit, TimeUnit.SECONDS.toMillis(BODY_DEADLINE_SECONDS));
    }

    BodyLimitHandler(int scriptLimit, int webhookLimit, int adminLimit, long deadlineMillis) {
        this.deadlineMillis = deadlineMillis;
        this.scriptLimit = scriptLimit;
        this.webhookLimit = webhookLimit;
        this.adminLimit = adminLimit;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            discarding = false;
            received = 0;
            limit = limitFor(pathOf(request.uri()));
            // A request the decoder refused (a Content-Length that is not a number, among others) is
            // passed on as it is, for the dispatcher's 400: its length header must not be read here.
            if (request.decoderResult().isSuccess() && HttpUtil.getContentLength(request, -1L) > limit) {
                reject(ctx);
                ReferenceCountUtil.release(msg);
                if (msg instanceof LastHttpContent) {
                    ctx.close();
                }
                return;
            }
        }
        if (msg instanceof HttpRequest r && !(msg instanceof LastHttpContent) && r.decoderResult().isSuccess()
                && (HttpUtil.getContentLength(r, 0L) > 0 || HttpUtil.isTransferEncodingChunked(r))) {
            cancelDeadline();
            bodyDeadline = ctx.executor().schedule(() -> bodyTooSlow(ctx), deadlineMillis, TimeUnit.MILLISECONDS);
        }
        if (msg instanceof LastHttpContent) {
            cancelDeadline();
        }
        if (msg instanceof HttpContent content) {
            if (discarding) {
                received += content.content().readableBytes();
                boolean last = msg instanceof LastHttpContent;
                ReferenceCountUtil.release(msg);
                if (last || received > MAX_DISCARD) {
                    ctx.close();
                }
                return;
            }
            received += content.content().readableBytes();
            if (received > limit) {
                reject(ctx);
                boolean last = msg instanceof LastHttpContent;
                ReferenceCountUtil.release(msg);
                if (last) {
                    ctx.close();
                }
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelDeadline();
        super.channelInactive(ctx);
    }

    private void cancelDeadline() {
        if (bodyDeadline != null) {
            bodyDeadline.cancel(false);
            bodyDeadline = null;
        }
    }

    /** The body did not arrive in time: 408, and the connection closes (we no longer know where the next request starts). */
    private void bodyTooSlow(ChannelHandlerContext ctx) {
        bodyDeadline = null;
        if (!ctx.channel().config().isAutoRead()) {
            // The dispatcher stopped reading (pipelined requests piled up before this one): the wait is ours, not the client's.
            bodyDeadline = ctx.executor().schedule(() -> bodyTooSlow(ctx), 1, TimeUnit.SECONDS);
            return;
        }
        discarding = true;
        Response error = Response.error(408, "request_timeout",
                "the request body did not arrive within " + deadlineMillis / 1000 + " s of its headers");
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(error.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, Response.JSON);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, error.body().length);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private void reject(ChannelHandlerContext ctx) {
        discarding = true;
        Response error = Response.error(413, "body_too_large",
                "the request body is larger than this endpoint accepts (" + limit + " bytes)");
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(error.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, Response.JSON);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, error.body().length);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (ctx.channel() instanceof DuplexChannel) {
            // Connection: close is kept at once: end-of-stream follows the 413, while the rest of the body
            // is still read and dropped for a moment (audit AB1 #10: the socket stayed open until the idle timeout).
            GracefulClose.after(written, RequestDispatcher.LINGER_MILLIS);
        } else {
            // A transport that cannot shut its output alone: closed once the declared body has been dropped.
            written.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    private long limitFor(String path) {
        return switch (RouteKind.of(path)) {
            case SCRIPT -> scriptLimit;
            case WEBHOOK -> webhookLimit;
            case ADMIN -> adminLimit;
        };
    }

    private static String pathOf(String uri) {
        int q = uri.indexOf('?');
        return q >= 0 ? uri.substring(0, q) : uri;
    }
}
