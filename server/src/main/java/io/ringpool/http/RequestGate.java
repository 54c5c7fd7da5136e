package io.ringpool.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * While the server starts (the port is taken first, see {@code HttpServer#bind}), every request is
 * answered 503 {@code starting} from its head.
 *
 * <p>A body we cannot decode (a transfer or content coding we do not support) is refused from the
 * headers: 400 or 415 (see {@link #unreadableCoding}).
 *
 * <p>No credentials, no body: a request with a body for a route that needs credentials
 * ({@link Protections#credentialed()}: the composition root's admin-kind routes but the few public
 * ones) that carries neither an {@code Authorization} header nor a cookie is answered 401 from its
 * headers, without its body being read into memory. Wrong credentials can only be told by the
 * endpoint, after the body (the body limit and {@link BodyLimitHandler}'s deadline bound what they
 * cost); the site script and telephony webhooks, whose callers authenticate by the body (a site key,
 * a signature over it), are never refused here. Between the body limits and the aggregator, one per
 * connection.
 *
 * <p>A refusal is not written here: it goes to the dispatcher as a {@link Refused} event, so it is
 * answered in turn after the requests before it on the connection, and the connection then closes.
 * Everything the client still sends is dropped from then on.
 */
final class RequestGate extends ChannelInboundHandlerAdapter {

    /** A request refused from its headers; the dispatcher answers it in turn and closes the connection. */
    record Refused(Response response, String method, List<String> forwardedFor) {}

    private final Router router;
    private final Predicate<Router.Route> credentialed;
    private final BooleanSupplier open;
    /** Set once a request was refused: the connection is closing, and nothing more is passed on. */
    private boolean dropping;

    RequestGate(Router router, Predicate<Router.Route> credentialed, BooleanSupplier open) {
        this.open = open;
        this.router = router;
        this.credentialed = credentialed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (dropping) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest head && head.decoderResult().isSuccess() && !open.getAsBoolean()) {
            refuse(ctx, head, starting(head));
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest head && head.decoderResult().isSuccess() && !(msg instanceof LastHttpContent)) {
            Response unreadable = hasBody(head) ? unreadableCoding(head) : null;
            if (unreadable != null) {
                refuse(ctx, head, unreadable);
                ReferenceCountUtil.release(msg);
                return;
            }
            if (hasBody(head) && lacksNeededCredentials(head)) {
                refuse(ctx, head, Response.error(401, "unauthorized", "missing or invalid credentials: send Authorization: Bearer <key>"));
                ReferenceCountUtil.release(msg);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * A request that came while the server starts: the routes and the store are not ready yet.
     * {@code /health} answers in its own shape (a probe reads {@code status}), anything else in the
     * error shape; both 503 with {@code Retry-After}, as every 503.
     */
    static Response starting(HttpRequest head) {
        String uri = head.uri();
        int q = uri.indexOf('?');
        Response response = (q >= 0 ? uri.substring(0, q) : uri).equals("/health")
                ? Response.json(503, java.util.Map.of("status", "starting"))
                : Response.error(503, "starting", "the server is starting; retry in a moment");
        return response.withHeader("Retry-After", "1");
    }

    /**
     * A body coded in a way we do not decode: its bytes are not the JSON or form they claim to be,
     * and read as such they became a misleading {@code 400 empty_body} or {@code malformed_json}
     * (audit AB1 #11). A transfer coding other than {@code chunked} or a content coding other than
     * {@code identity} (RFC 7694 §3: 415) is refused from the headers. RFC 9112 §6.1 suggests 501
     * for the first, but our contract answers what the client sent wrong with a 4xx, never a 5xx
     * (a 5xx reads as our fault and invites a retry of the same request): 400.
     */
    private static Response unreadableCoding(HttpRequest head) {
        for (String coding : codings(head.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING))) {
            if (!coding.equals("chunked")) {
                return Response.error(400, "unsupported_transfer_encoding", "only the chunked transfer coding is supported (got "
                        + coding + "): send the body as it is, chunked or with a Content-Length");
            }
        }
        for (String coding : codings(head.headers().getAll(HttpHeaderNames.CONTENT_ENCODING))) {
            if (!coding.equals("identity")) {
                return Response.error(415, "unsupported_content_encoding", "send the body uncompressed, without Content-Encoding (got "
                        + coding + ")");
            }
        }
        return null;
    }

    /** The codings a header lists, lower case, without empty items. */
    private static List<String> codings(List<String> values) {
        List<String> out = new java.util.ArrayList<>();
        for (String value : values) {
            for (String item : value.split(",")) {
                String coding = item.strip().toLowerCase(java.util.Locale.ROOT);
                if (!coding.isEmpty()) {
                    out.add(coding);
                }
            }
        }
        return out;
    }

    private static boolean hasBody(HttpRequest head) {
        return HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0;
    }

    private boolean lacksNeededCredentials(HttpRequest head) {
        String uri = head.uri();
        int q = uri.indexOf('?');
        String path = q >= 0 ? uri.substring(0, q) : uri;
        String method = head.method().name();
        if (RouteKind.of(path) != RouteKind.ADMIN || "GET".equals(method) || "HEAD".equals(method)) {
            return false;
        }
        // Only a route we serve and know to need credentials: anything else keeps its 404 or 405 (an unreadable path its 400).
        Router.Match match;
        try {
            match = router.match(method, RequestTarget.of(uri).path());
        } catch (RuntimeException unreadable) {
            return false;
        }
        if (!(match instanceof Router.Found found) || !credentialed.test(found.route())) {
            return false;
        }
        // Any Authorization (a feed's Basic too) or cookie is for the endpoint to judge.
        return !head.headers().contains(HttpHeaderNames.AUTHORIZATION) && !head.headers().contains(HttpHeaderNames.COOKIE);
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest head, Response response) {
        refuse(ctx, head.method().name(), head.headers().getAll("x-forwarded-for"), response);
    }

    private void refuse(ChannelHandlerContext ctx, String method, List<String> forwardedFor, Response response) {
        dropping = true;
        ctx.fireUserEventTriggered(new Refused(response, method, forwardedFor));
    }
}
