package io.ringpool.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.ringpool.config.RingpoolConfig;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Builds the pipeline of every accepted connection. It only speaks HTTP, in this order:
 *
 * <ol>
 *   <li>{@code codec}: HTTP/1.1 parsing with the request-line and header limits (414 and 431),
 *       refusing the framing ambiguities that enable request smuggling (400), and encoding;
 *   <li>{@code target}: an absolute-form request-target read as its path ({@link AbsoluteFormTarget});
 *   <li>{@code exchanges}: whether a request is under way, so that a stop can drain the connection ({@link OpenExchanges});
 *   <li>{@code idle}: closes a connection silent for the idle timeout;
 *   <li>{@code limits}: the body limit of the route kind, before anything is buffered (413);
 *   <li>{@code gate}: 503 {@code starting} while the server starts, and 401 from the headers for a credentialed route
 *       whose request carries no credentials, before its body is buffered ({@link RequestGate});
 *   <li>{@code aggregator}: one full request per message;
 *   <li>{@code dispatcher}: routes, runs the endpoint on the worker pool, answers in order.
 * </ol>
 *
 * <p>Typed on {@link Channel} rather than a socket channel so tests can run the very same pipeline
 * in an {@code EmbeddedChannel}. Sharable (Netty requires it of an initializer); every handler it
 * adds is new per connection, except the request timers, which one server shares.
 */
public final class RingpoolChannelInitializer extends ChannelInitializer<Channel> {
    private final RingpoolConfig.Server config;
    private final Router router;
    private final CorsPolicy cors;
    private final FailureMapper failures;
    private final Executor workers;
    private final MeterRegistry registry;
    /** Bounded by routes × methods × statuses; shared so each connection does not register its own. */
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

    private final Protections protections;
    private final OpenExchanges exchanges;
    private final BooleanSupplier open;

    public RingpoolChannelInitializer(RingpoolConfig.Server config, Router router, CorsPolicy cors, FailureMapper failures,
            Executor workers, MeterRegistry registry) {
        this(config, router, cors, failures, workers, registry,
                Protections.proxiesOnly(io.ringpool.security.TrustedProxies.parse(config.trustedProxies())));
    }

    public RingpoolChannelInitializer(RingpoolConfig.Server config, Router router, CorsPolicy cors, FailureMapper failures,
            Executor workers, MeterRegistry registry, Protections protections) {
        this(config, router, cors, failures, workers, registry, protections, null);
    }

    /** With {@code exchanges}, every connection is tracked so that a stop can drain it (null: not tracked). */
    public RingpoolChannelInitializer(RingpoolConfig.Server config, Router router, CorsPolicy cors, FailureMapper failures,
            Executor workers, MeterRegistry registry, Protections protections, OpenExchanges exchanges) {
        this(config, router, cors, failures, workers, registry, protections, exchanges, () -> true);
    }

    /** With {@code open}: until it says true, every request is answered 503 {@code starting} ({@link RequestGate}). */
    public RingpoolChannelInitializer(RingpoolConfig.Server config, Router router, CorsPolicy cors, FailureMapper failures,
            Executor workers, MeterRegistry registry, Protections protections, OpenExchanges exchanges, BooleanSupplier open) {
        this.open = open;
        this.exchanges = exchanges;
        this.protections = protections;
        this.config = config;
        this.router = router;
        this.cors = cors;
        this.failures = failures;
        this.workers = workers;
        this.registry = registry;
    }

    @Override
    protected void initChannel(Channel channel) {
        int maxBody = Math.max(config.maxAdminBodyBytes(), Math.max(config.maxScriptBodyBytes(), config.maxWebhookBodyBytes()));
        ChannelPipeline p = channel.pipeline();
        p.addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineBytes())
                .setMaxHeaderSize(config.maxHeaderBytes())
                // Both are Netty's defaults today, spelled out because they stop request smuggling: a
                // proxy in front of us may frame a request by the other length header than we do, and
                // then what one side takes for a body the other takes for a second request. So a
                // second, different Content-Length is refused, and so is Content-Length together with
                // Transfer-Encoding (RFC 9112 §6.1 allows refusing; reading by the transfer encoding
                // alone, the other choice, is the one that can be exploited).
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true)));
        p.addLast("target", AbsoluteFormTarget.INSTANCE);
        if (exchanges != null) {
            p.addLast("exchanges", exchanges.track(channel));
        }
        p.addLast("idle", new IdleStateHandler(0, 0, config.idleTimeout().toSeconds(), TimeUnit.SECONDS));
        p.addLast("limits", new BodyLimitHandler(config.maxScriptBodyBytes(), config.maxWebhookBodyBytes(), config.maxAdminBodyBytes()));
        p.addLast("gate", new RequestGate(router, protections.credentialed(), open));
        p.addLast("aggregator", new ExpectationAggregator(maxBody));
        p.addLast("dispatcher", new RequestDispatcher(router, cors, failures, workers,
                config.requestTimeout().toMillis(), registry, protections, timers));
    }
}
