package io.ringpool.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Locale;

/**
 * Turns an absolute-form request-target ({@code GET http://calls.example.com/health}) into the
 * origin form every later handler reads ({@code /health}), with the target's authority as the
 * {@code Host}. RFC 9112 §3.2.2 obliges a server to accept the absolute form (a client talking to
 * it through a forward proxy sends it), and to take the host from the target rather than from
 * the {@code Host} header; without this the router saw a path beginning with "http:" and answered
 * 404 for a route that exists.
 */
@ChannelHandler.Sharable
final class AbsoluteFormTarget extends ChannelInboundHandlerAdapter {
    static final AbsoluteFormTarget INSTANCE = new AbsoluteFormTarget();

    private AbsoluteFormTarget() {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
            rewrite(request);
        }
        ctx.fireChannelRead(msg);
    }

    static void rewrite(HttpRequest request) {
        String uri = request.uri();
        int afterScheme = schemeLength(uri);
        if (afterScheme < 0) {
            return;
        }
        int pathStart = afterScheme;
        while (pathStart < uri.length() && "/?#".indexOf(uri.charAt(pathStart)) < 0) {
            pathStart++;
        }
        String authority = uri.substring(afterScheme, pathStart);
        int userInfoEnd = authority.lastIndexOf('@');
        if (userInfoEnd >= 0) {
            authority = authority.substring(userInfoEnd + 1);
        }
        String rest = uri.substring(pathStart);
        request.setUri(rest.startsWith("/") ? rest : "/" + rest);
        if (!authority.isEmpty()) {
            request.headers().set(HttpHeaderNames.HOST, authority);
        }
    }

    /** The length of {@code http://} or {@code https://} (any case) at the start, or -1. */
    private static int schemeLength(String uri) {
        if (uri.startsWith("/")) {
            return -1;
        }
        String start = uri.substring(0, Math.min(uri.length(), 8)).toLowerCase(Locale.ROOT);
        if (start.startsWith("http://")) {
            return 7;
        }
        if (start.startsWith("https://")) {
            return 8;
        }
        return -1;
    }
}
