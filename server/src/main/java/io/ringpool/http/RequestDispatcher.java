package io.ringpool.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.ringpool.concurrent.BatchHandoff;
import io.ringpool.concurrent.Cancellation;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each aggregated HTTP request into a {@link Request}, routes it, runs the endpoint on the
 * worker executor (a {@link NonBlockingEndpoint} on the event loop itself) and writes the response
 * back. Requests on one connection are answered strictly in order, one at a time, so pipelined
 * requests cannot have their answers swapped. Overload (a full worker queue) is answered with 503 at once; a request
 * that outlives the timeout is answered with 503 and its late result dropped.
 *
 * <p>Not sharable: one instance per connection, all state touched only on its event loop.
 */
final class RequestDispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestDispatcher.class);
    private static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** The {@code method} label of every method not in {@link #KNOWN_METHODS}: a client may not mint label values. */
    static final String OTHER_METHOD = "other";
    /**
     * Longest method token we answer 405 to; a longer one is a 400 at once. The longest registered
     * method (IANA) has 17 characters ({@code BASELINE-CONTROL}, {@code VERSION-CONTROL} and the like).
     */
    static final int MAX_METHOD_LENGTH = 20;
    /**
     * Pipelined requests held per connection before we stop reading from it; reading resumes as
     * they are answered. Browsers never pipeline, so this only bounds what a hostile client can
     * make us hold (each request up to the largest body limit).
     */
    static final int MAX_WAITING_REQUESTS = 16;

    /**
     * A request waiting its turn on this connection; {@code rejection} is set when it could not be
     * decoded, so that its error, too, is answered after the requests before it.
     */
    private record Pending(Request request, boolean keepAlive, boolean head, String origin, Router.Match match, Response rejection,
            boolean delayed) {
        Pending(Request request, boolean keepAlive, boolean head, String origin, Router.Match match, Response rejection) {
            this(request, keepAlive, head, origin, match, rejection, false);
        }

        Pending asDelayed() {
            return new Pending(request, keepAlive, head, origin, match, rejection, true);
        }
    }

    private final Router router;
    private final CorsPolicy cors;
    private final FailureMapper failures;
    private final Executor workers;
    private final long timeoutMillis;
    private final MeterRegistry registry;
    private final Protections protections;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    /** Shared by every connection of one server; bounded by routes × methods × statuses. */
    private final java.util.concurrent.ConcurrentMap<String, Timer> timers;
    private boolean busy;
    /** Set once the last response of this connection is on its way: whatever still arrives is dropped. */
    private boolean closing;

    /**
     * How long a connection whose last response has gone out keeps reading (and dropping) what the
     * client still sends before it is closed anyway; see {@link #closeAfter}.
     */
    static final long LINGER_MILLIS = 2_000;

    RequestDispatcher(Router router, CorsPolicy cors, FailureMapper failures, Executor workers,
            long timeoutMillis, MeterRegistry registry, Protections protections,
            java.util.concurrent.ConcurrentMap<String, Timer> timers) {
        this.timers = timers;
        this.router = router;
        this.cors = cors;
        this.failures = failures;
        this.workers = workers;
        this.timeoutMillis = timeoutMillis;
        this.registry = registry;
        this.protections = protections;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing || !(msg instanceof FullHttpRequest http)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            Pending pending = http.decoderResult().isSuccess() ? decode(ctx, http) : undecodable(http);
            waiting.add(pending);
            if (waiting.size() >= MAX_WAITING_REQUESTS) {
                ctx.channel().config().setAutoRead(false);
            }
        } finally {
            http.release();
        }
        if (!busy) {
            dispatchNext(ctx);
        }
    }

    private Pending decode(ChannelHandlerContext ctx, FullHttpRequest http) {
        String method = http.method().name();
        HttpHeaders h = http.headers();
        if (!KNOWN_METHODS.contains(method) && !plausibleMethod(method)) {
            // Not a method anybody registers: refused before routing as a malformed request, not echoed, and the
            // connection closes (a client sending these is not speaking HTTP to us).
            Request request = new Request(OTHER_METHOD, "", "unmatched", Map.of(), Map.of(), Map.of(), new byte[0],
                    clientIp(ctx, h.getAll("x-forwarded-for")));
            return new Pending(request, false, false, null, new Router.NotFound(),
                    Response.error(400, "bad_request", "the request method is not a valid HTTP method token"));
        }
        if (http.protocolVersion().majorVersion() != 1) {
            // RFC 9110 §15.6.6: 505 for a major version we do not speak. "HTTP/2.0" in a text request
            // line is a broken client (HTTP/2 is not sent as text), and was served as 1.1 (audit AK2 F4).
            // A higher 1.x minor (HTTP/1.7) is served as 1.1, as RFC 9110 §2.5 says a recipient should.
            Request request = new Request(method, "", "unmatched", Map.of(), Map.of(), Map.of(), new byte[0],
                    clientIp(ctx, h.getAll("x-forwarded-for")));
            return new Pending(request, false, "HEAD".equals(method), null, new Router.NotFound(),
                    Response.error(505, "http_version_not_supported", "this server speaks HTTP/1.1 and HTTP/1.0 only"));
        }
        RequestTarget target;
        try {
            target = RequestTarget.of(http.uri());
        } catch (io.ringpool.failure.DomainFailure malformed) {
            // Framing is intact, so the connection stays usable; no route is looked up for a path we cannot read.
            Request request = new Request(method, "", "unmatched", Map.of(), Map.of(), Map.of(), new byte[0],
                    clientIp(ctx, h.getAll("x-forwarded-for")));
            return new Pending(request, HttpUtil.isKeepAlive(http), "HEAD".equals(method), null, new Router.NotFound(),
                    FailureResponses.of(malformed));
        }
        int hosts = h.getAll(HttpHeaderNames.HOST).size();
        if (hosts > 1 || (hosts == 0 && http.protocolVersion().equals(io.netty.handler.codec.http.HttpVersion.HTTP_1_1))) {
            // RFC 9112 §3.2: an HTTP/1.1 request without exactly one Host is answered 400. Two hosts are
            // what a request smuggled past a proxy that reads the other one looks like.
            Request request = new Request(method, "", "unmatched", Map.of(), Map.of(), Map.of(), new byte[0],
                    clientIp(ctx, h.getAll("x-forwarded-for")));
            return new Pending(request, false, "HEAD".equals(method), null, new Router.NotFound(),
                    Response.error(400, "bad_request", hosts > 1 ? "the request has more than one Host header"
                            : "an HTTP/1.1 request must have a Host header"));
        }
        String path = target.path();
        Map<String, List<String>> query = target.query();
        Map<String, String> headers = new HashMap<>(h.size() * 2);
        for (Map.Entry<String, String> e : h) {
            String name = e.getKey().toLowerCase(java.util.Locale.ROOT);
            // Cookies split over several headers are one list (RFC 9113 §8.2.3): a second session cookie must be seen.
            headers.merge(name, e.getValue(), (first, more) -> name.equals("cookie") ? first + "; " + more : first);
        }
        byte[] body = ByteBufUtil.getBytes(http.content());
        String clientIp = clientIp(ctx, h.getAll("x-forwarded-for"));
        Router.Match match = path.isEmpty() ? new Router.NotFound() : router.match(method, path);
        String route = match instanceof Router.Found f ? f.route().template() : "unmatched";
        Map<String, String> params = match instanceof Router.Found f ? f.params() : Map.of();
        Request request = new Request(method, path, route, params, query, headers, body, clientIp, http.uri());
        return new Pending(request, HttpUtil.isKeepAlive(http), "HEAD".equals(method), h.get(HttpHeaderNames.ORIGIN), match, null);
    }

    private void dispatchNext(ChannelHandlerContext ctx) {
        Pending pending = waiting.poll();
        if (waiting.size() < MAX_WAITING_REQUESTS && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
        if (pending == null) {
            busy = false;
            return;
        }
        busy = true;
        long start = System.nanoTime();
        Request request = pending.request();
        if (pending.rejection() != null) {
            finish(ctx, pending, pending.rejection(), start);
            return;
        }
        if (!KNOWN_METHODS.contains(request.method())) {
            Response refused = Response.error(405, "method_not_allowed", "method " + request.method() + " is not supported");
            // A 405 names what the path does take (RFC 9110 §15.5.6), whatever the method was.
            if (pending.match() instanceof Router.MethodNotAllowed na) {
                refused = refused.withHeader("Allow", String.join(", ", na.allowed()));
            }
            finish(ctx, pending, refused, start);
            return;
        }
        if ("OPTIONS".equals(request.method())) {
            finish(ctx, pending, preflight(pending), start);
            return;
        }
        switch (pending.match()) {
            case Router.NotFound nf -> finish(ctx, pending, Response.error(404, "not_found", "no such endpoint: " + request.path()), start);
            case Router.MethodNotAllowed na -> finish(ctx, pending,
                    Response.error(405, "method_not_allowed", "use " + String.join(", ", na.allowed()) + " on this path")
                            .withHeader("Allow", String.join(", ", na.allowed())), start);
            case Router.Found found -> runGuarded(ctx, pending, found.route(), start);
        }
    }

    /**
     * Whether an address blocked for wrong credentials is refused this request before it is read.
     * Not the site script's routes, nor {@code /health}; nor a telephony event that authenticates by
     * a signature over its body or a signed token (Ringpool's own signature, a provider's HMAC or
     * JWT): no one guesses those by trying, and a PBX that shares an office's address with a
     * dashboard tab sending a stale key must not lose its calls to that tab's 401s (audit T #1).
     * A telephony route's HTTP Basic password stays behind the block: a person chose it, so it can
     * be guessed. A wrong signature from a blocked address is still refused, by its endpoint.
     * Nor a read that presents no credential at all (no Authorization, no cookie): the public
     * {@code /metrics} without a token, the dashboard's files, openapi.json. Refusing those locked
     * a Prometheus scraper and a colleague's sign-in page out while someone at the same address
     * guessed keys (audit AM3 F1). A POST without a header (a password sign-in) stays behind it.
     */
    private static boolean blockApplies(Request request) {
        String path = request.path();
        return switch (RouteKind.of(path)) {
            case SCRIPT -> false;
            case WEBHOOK -> {
                String authorization = request.header("authorization");
                yield authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
            }
            case ADMIN -> !"/health".equals(path) && (presentsCredential(request) || !isRead(request.method()));
        };
    }

    private static boolean presentsCredential(Request request) {
        return request.header("authorization") != null || request.header("cookie") != null;
    }

    private static boolean isRead(String method) {
        return "GET".equals(method) || "HEAD".equals(method);
    }

    /** The credential throttle and the report lane, then the endpoint. */
    private void runGuarded(ChannelHandlerContext ctx, Pending pending, Router.Route route, long start) {
        Request request = pending.request();
        AuthFailureThrottle throttle = protections.authFailures();
        if (throttle != null && blockApplies(request)) {
            int wait = throttle.retryAfterSeconds(request.clientIp());
            if (wait > 0) {
                finish(ctx, pending, Response.error(429, "too_many_failures",
                        "too many wrong credentials from this address; retry in " + wait + " s")
                        .withHeader("Retry-After", Integer.toString(wait)), start);
                return;
            }
        }
        ReportLane lane = protections.reports();
        if (lane == null || !lane.appliesTo(route)) {
            // Call-path routes have their own lane, so a slow store holding every worker cannot delay them.
            Runnable done = null;
            if (lane != null) {
                lane.otherStarted(); // reports wait for a gap in these (ReportLane: visitors first)
                done = lane::otherFinished;
            }
            if (route.lane() == null && route.endpoint() instanceof NonBlockingEndpoint here) {
                runHere(ctx, pending, here, start, done);
            } else {
                runOn(route.lane() != null ? route.lane() : workers, ctx, pending, route.endpoint(), start, done);
            }
            return;
        }
        String key = ReportLane.keyOf(request);
        if (!lane.tryEnter(key)) {
            finish(ctx, pending, Response.error(429, "too_many_reports",
                    "this key already has its share of reports and exports running; retry when one is done")
                    .withHeader("Retry-After", "1"), start);
            return;
        }
        runOn(lane.executor(), ctx, pending, route.endpoint(), start, () -> lane.leave(key));
    }

    /**
     * Begins a non-blocking endpoint on this event loop and answers when its stage completes,
     * usually on the commit thread; {@code done} (may be null) runs then. An answer ready at once
     * (a heartbeat, a refusal) is written without scheduling a timeout.
     */
    private void runHere(ChannelHandlerContext ctx, Pending pending, NonBlockingEndpoint endpoint, long start, Runnable done) {
        CompletableFuture<Response> answer;
        try {
            answer = endpoint.begin(pending.request()).toCompletableFuture();
        } catch (Throwable t) {
            answer = CompletableFuture.failedFuture(t);
        }
        if (answer.isDone()) {
            if (done != null) {
                done.run();
            }
            finish(ctx, pending, responseOf(answer), start);
            return;
        }
        AtomicBoolean answered = new AtomicBoolean();
        ScheduledFuture<?> timeout = ctx.executor().schedule(() -> {
            if (answered.compareAndSet(false, true)) {
                finish(ctx, pending, timedOut(), start);
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        answer.whenComplete((response, failure) -> {
            if (done != null) {
                done.run();
            }
            if (answered.compareAndSet(false, true)) {
                timeout.cancel(false);
                Response out = failure == null ? response : FailureResponses.of(NonBlockingEndpoint.cause(failure), failures);
                if (ctx.executor().inEventLoop()) {
                    finish(ctx, pending, out, start);
                } else {
                    // Held to the end of the commit thread's batch when completed there (BatchHandoff).
                    BatchHandoff.execute(ctx.executor(), () -> finish(ctx, pending, out, start));
                }
            }
        });
    }

    /** A request not answered within the timeout: 503 with Retry-After, as for every 503 (docs/api.md). */
    private static Response timedOut() {
        return FailureResponses.timedOut();
    }

    /** The answer of a completed stage: its response, or the failure's. */
    private Response responseOf(CompletableFuture<Response> done) {
        try {
            return done.getNow(null);
        } catch (RuntimeException failure) {
            return FailureResponses.of(NonBlockingEndpoint.cause(failure), failures);
        }
    }

    /** Runs the endpoint on {@code executor}; {@code done} (may be null) runs once the endpoint has returned or was refused. */
    private void runOn(Executor executor, ChannelHandlerContext ctx, Pending pending, Endpoint endpoint, long start, Runnable done) {
        AtomicBoolean answered = new AtomicBoolean();
        // Once the 503 is sent nobody reads the result: the work stops at its next checkpoint (a report's loops).
        Cancellation cancellation = new Cancellation();
        ScheduledFuture<?> timeout = ctx.executor().schedule(() -> {
            if (answered.compareAndSet(false, true)) {
                cancellation.cancel();
                finish(ctx, pending, timedOut(), start);
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            executor.execute(() -> {
                Response response;
                try {
                    response = cancellation.run(() -> invoke(endpoint, pending.request()));
                    if (response.stream() != null) {
                        response = stream(ctx, pending, response, start, answered, timeout);
                    }
                } finally {
                    if (done != null) {
                        done.run();
                    }
                }
                if (response != null && answered.compareAndSet(false, true)) {
                    timeout.cancel(false);
                    Response answer = response;
                    ctx.executor().execute(() -> finish(ctx, pending, answer, start));
                }
            });
        } catch (RejectedExecutionException e) {
            if (done != null) {
                done.run();
            }
            if (answered.compareAndSet(false, true)) {
                timeout.cancel(false);
                finish(ctx, pending, Response.error(503, "overloaded", "the server is overloaded; retry later")
                        .withHeader("Retry-After", "1"), start);
            }
        }
    }

    /**
     * Runs a streamed body's writer on this worker thread (see {@link Response.StreamedBody}).
     * Returns the response for {@link #finish} when the body stayed small or failed before its
     * headers went out; null when it was sent (or abandoned) here.
     */
    private Response stream(ChannelHandlerContext ctx, Pending pending, Response response, long start, AtomicBoolean answered,
            ScheduledFuture<?> timeout) {
        Request request = pending.request();
        boolean keepAlive = keepAlive(pending, response);
        // Half the timeout: a body that has begun by then is committed, so the timeout does not answer a file on its way.
        long commitBy = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) / 2;
        ChunkedBodyOutput out = new ChunkedBodyOutput(ctx, pending.head(), () -> {
            // From here the headers are out: the timeout may no longer answer, and a failure can only cut the body short.
            if (!answered.compareAndSet(false, true)) {
                throw new ChunkedBodyOutput.AnsweredByTimeout();
            }
            timeout.cancel(false);
            HttpResponse http = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()));
            setHeaders(http.headers(), pending, response, keepAlive);
            HttpUtil.setTransferEncodingChunked(http, true);
            ctx.writeAndFlush(http);
        }, commitBy);
        Map<String, String> late;
        try {
            late = response.stream().writeTo(out);
        } catch (Throwable t) {
            if (out.committed() && causedBy(t, ChunkedBodyOutput.HeadersOnly.class)) {
                late = Map.of();
            } else if (!out.committed() && causedBy(t, ChunkedBodyOutput.AnsweredByTimeout.class)) {
                // The client has its 503 timeout; a timeout is no internal error (audit AN2 F3: logged with a stack trace).
                LOG.warn("streamed_response_timed_out route={} bytes={} reason=the body had not begun when the request timed out",
                        request.route(), out.bytes());
                return null;
            } else if (!out.committed()) {
                return FailureResponses.of(t, failures);
            } else {
                LOG.warn("streamed_response_failed route={} bytes={} reason={}", request.route(), out.bytes(), t.toString());
                timer(request.method(), request.route(), response.status()).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                out.abort();
                ctx.executor().execute(() -> {
                    waiting.clear();
                    busy = false;
                });
                return null;
            }
        }
        if (!out.committed()) {
            Map<String, String> headers = new java.util.LinkedHashMap<>(response.headers());
            headers.remove(ChunkedBodyOutput.TRAILER_NAMES);
            headers.putAll(late);
            return new Response(response.status(), response.contentType(), out.heldBytes(), Map.copyOf(headers));
        }
        ChannelFuture end;
        try {
            // HEAD: the codec sent no body after the headers, but still expects the message to end.
            end = pending.head() ? ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT) : out.end(late);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("streamed_response_failed route={} bytes={} reason={}", request.route(), out.bytes(), e.toString());
            out.abort();
            ctx.executor().execute(() -> {
                waiting.clear();
                busy = false;
            });
            return null;
        }
        long took = System.nanoTime() - start;
        timer(request.method(), request.route(), response.status()).record(took, TimeUnit.NANOSECONDS);
        end.addListener(f -> {
            if (!f.isSuccess()) {
                LOG.warn("streamed_response_failed route={} bytes={} reason={}", request.route(), out.bytes(), String.valueOf(f.cause()));
                ctx.close();
            }
        });
        ctx.executor().execute(() -> {
            if (!keepAlive) {
                closeAfter(ctx, end);
                waiting.clear();
                busy = false;
                return;
            }
            dispatchNext(ctx);
        });
        return null;
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private Response invoke(Endpoint endpoint, Request request) {
        try {
            return endpoint.handle(request);
        } catch (Cancellation.Stopped stopped) {
            stopped(request.route()).increment();
            LOG.info("request_work_stopped route={}", request.route());
            return FailureResponses.timedOut();
        } catch (Throwable t) {
            return FailureResponses.of(t, failures);
        }
    }

    /** Requests whose work stopped at a checkpoint after their 503 timeout, by route template (bounded, as {@link #timer}). */
    private Counter stopped(String route) {
        return Counter.builder("ringpool.http.stopped").tag("route", route)
                .description("requests whose work stopped once their 503 timeout was sent").register(registry);
    }

    private Response preflight(Pending pending) {
        String origin = pending.origin();
        if (origin == null) {
            return plainOptions(pending);
        }
        if (!cors.appliesTo(pending.request().path()) || !cors.mayPreflight(origin)) {
            return Response.error(403, "origin_not_allowed", "cross-origin requests are not allowed from this origin");
        }
        return Response.noContent()
                .withHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
                .withHeader("Access-Control-Allow-Headers", "Content-Type")
                .withHeader("Access-Control-Max-Age", "86400");
    }

    /**
     * An OPTIONS without an Origin is no CORS preflight but the plain question of RFC 9110 §9.3.7:
     * which methods the path takes ({@code Allow}), or 404 for a path nobody serves; {@code *}
     * asks about the server as a whole.
     */
    private static Response plainOptions(Pending pending) {
        if ("*".equals(pending.request().path())) {
            return Response.noContent().withHeader("Allow", String.join(", ", KNOWN_METHODS.stream().sorted().toList()));
        }
        if (pending.match() instanceof Router.MethodNotAllowed na) {
            java.util.Set<String> allowed = new java.util.TreeSet<>(na.allowed());
            allowed.add("OPTIONS");
            return Response.noContent().withHeader("Allow", String.join(", ", allowed));
        }
        return Response.error(404, "not_found", "no such resource");
    }

    /**
     * Writes the response (on the event loop), then lets the next request of this connection go. A
     * 401 to a request that presented credentials counts against the client address, and once it
     * has failed often its 401s are written late: the delay holds this connection (whose next
     * request waits its turn anyway), not a thread.
     */
    private void finish(ChannelHandlerContext ctx, Pending pending, Response response, long start) {
        AuthFailureThrottle throttle = protections.authFailures();
        String credential = throttle != null && response.status() == 401 && !pending.delayed()
                ? protections.presentedCredential().apply(pending.request()) : null;
        if (credential != null) {
            long delay = throttle.recordFailure(pending.request().clientIp(), credential);
            if (delay > 0) {
                Pending later = pending.asDelayed();
                ctx.executor().schedule(() -> finish(ctx, later, response, start), delay, TimeUnit.MILLISECONDS);
                return;
            }
        }
        Request request = pending.request();
        boolean streamed = response.file() != null && !pending.head();
        HttpResponse http = streamed
                ? new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()))
                : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()),
                        pending.head() || response.body().length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.body()));
        http.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.contentLength());
        boolean keepAlive = keepAlive(pending, response);
        setHeaders(http.headers(), pending, response, keepAlive);
        long took = System.nanoTime() - start;
        timer(request.method(), request.route(), response.status()).record(took, TimeUnit.NANOSECONDS);
        if (LOG.isDebugEnabled()) {
            // Per-request lines are off by default (config/logback.xml): one per request is what fills disks.
            LOG.debug("request method={} route={} status={} micros={}", request.method(), request.route(), response.status(), took / 1_000);
        }
        ChannelFuture future;
        if (streamed) {
            // Headers, then the file region (sendfile on epoll/NIO: the bytes never enter the heap),
            // then the end of the message. The region opens the file lazily, on this event loop.
            Response.FileSlice file = response.file();
            ctx.write(http);
            ctx.write(new DefaultFileRegion(file.path().toFile(), file.offset(), file.length()));
            future = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            future.addListener(f -> {
                if (!f.isSuccess()) {
                    LOG.debug("file_response_failed reason={}", String.valueOf(f.cause()));
                    ctx.close();
                }
            });
        } else {
            future = ctx.writeAndFlush(http);
        }
        if (!keepAlive) {
            closeAfter(ctx, future);
            waiting.clear();
            busy = false;
            return;
        }
        dispatchNext(ctx);
    }

    /** Closes the connection once {@code lastResponse} is written, without losing it: {@link GracefulClose}. */
    private void closeAfter(ChannelHandlerContext ctx, ChannelFuture lastResponse) {
        closing = true;
        ctx.channel().config().setAutoRead(true);
        GracefulClose.after(lastResponse, LINGER_MILLIS);
    }

    private static boolean keepAlive(Pending pending, Response response) {
        return pending.keepAlive() && !"close".equalsIgnoreCase(response.headers().get("Connection"));
    }

    /** The headers every response carries besides its length: type, the endpoint's own, CORS, nosniff, connection. */
    private void setHeaders(HttpHeaders headers, Pending pending, Response response, boolean keepAlive) {
        if (response.contentType() != null) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        }
        response.headers().forEach(headers::set);
        if (!headers.contains(HttpHeaderNames.CACHE_CONTROL) && presentsCredential(pending.request())) {
            // An answer to a key, a session cookie or a token holds someone's data (callers, e-mails,
            // the audit log): no browser disk cache on a shared PC, no intermediary keeps it (audit AM2 F2).
            headers.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        }
        String origin = pending.origin();
        if (origin != null && cors.appliesTo(pending.request().path())) {
            // Whether the origin is echoed depends on it: a shared cache must key the answer by it.
            headers.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
            if (cors.mayPreflight(origin) && CorsPolicy.invitesToRead(pending.request().path(), response.status())) {
                headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            }
        }
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    }

    /**
     * One timer per method, route template and status; looked up without building tags each time.
     * Every label value is bounded: a method we do not serve is {@value #OTHER_METHOD}, a path no
     * route matches is {@code unmatched}, and statuses are the ones we answer with. (A label taken
     * from the request would let any client add a time series per request until the heap is full.)
     */
    private Timer timer(String method, String route, int status) {
        String label = KNOWN_METHODS.contains(method) ? method : OTHER_METHOD;
        return timers.computeIfAbsent(label + ' ' + route + ' ' + status, key -> Timer.builder("http.server.requests")
                .tag("method", label).tag("route", route).tag("status", Integer.toString(status)).register(registry));
    }

    /** A method token (RFC 9110 §9.1, §5.6.2 tchar) of at most {@link #MAX_METHOD_LENGTH} characters. */
    static boolean plausibleMethod(String method) {
        if (method.isEmpty() || method.length() > MAX_METHOD_LENGTH) {
            return false;
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            boolean tchar = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    /**
     * The decoder gave up on this request (too long a line or header block, or framing we refuse):
     * its error closes the connection, because we no longer know where the next request starts.
     */
    private static Pending undecodable(FullHttpRequest http) {
        Throwable cause = http.decoderResult().cause();
        Response error;
        if (cause instanceof TooLongHttpLineException) {
            error = Response.error(414, "uri_too_long", "the request line is too long");
        } else if (cause instanceof TooLongHttpHeaderException) {
            error = Response.error(431, "headers_too_large", "the request headers are too large");
        } else if (cause instanceof TooLongFrameException) {
            error = Response.error(413, "body_too_large", "the request is too large");
        } else {
            error = Response.error(400, "bad_request", "the request is not valid HTTP");
        }
        Request request = new Request(http.method().name(), "", "unmatched", Map.of(), Map.of(), Map.of(), new byte[0], "unknown");
        return new Pending(request, false, false, null, new Router.NotFound(), error);
    }

    /** The client: the peer, or behind trusted proxies the hop {@link io.ringpool.security.TrustedProxies} finds. */
    private String clientIp(ChannelHandlerContext ctx, List<String> forwardedFor) {
        if (!(ctx.channel().remoteAddress() instanceof InetSocketAddress isa) || isa.getAddress() == null) {
            return "unknown";
        }
        return protections.proxies().client(isa.getAddress(), forwardedFor).text();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof RequestGate.Refused refused) {
            // Answered in turn, after the requests before it; then the connection closes (its body was never read).
            if (closing) {
                return;
            }
            Request request = new Request(refused.method(), "", "unmatched", Map.of(), Map.of(), Map.of(), new byte[0],
                    clientIp(ctx, refused.forwardedFor()));
            waiting.add(new Pending(request, false, false, null, new Router.NotFound(), refused.response()));
            if (!busy) {
                dispatchNext(ctx);
            }
        } else if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection_error {}", cause.toString());
        ctx.close();
    }
}
