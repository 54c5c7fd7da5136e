package io.ringpool.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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

/**
 * Enforces the body limit of each route kind before the body is buffered: a declared length over
 * the limit is refused at once, a chunked body as soon as it crosses it. The rest of an oversized
 * body is read and dropped before the connection closes, so the client sees the 413 rather than a
 * reset while it is still sending. Not sharable: one per connection.
 */
final class BodyLimitHandler extends ChannelInboundHandlerAdapter {

    /** Past this many discarded bytes we stop being polite and close. */
    private static final long MAX_DISCARD = 16L * 1024 * 1024;

    private final int scriptLimit;
    private final int webhookLimit;
    private final int adminLimit;
    private long limit;
    private long received;
    private boolean discarding;

    BodyLimitHandler(int scriptLimit, int webhookLimit, int adminLimit) {
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

    private void reject(ChannelHandlerContext ctx) {
        discarding = true;
        Response error = Response.error(413, "body_too_large",
                "the request body is larger than this endpoint accepts (" + limit + " bytes)");
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(error.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, Response.JSON);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, error.body().length);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
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
