package io.ringpool.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.ringpool.config.RingpoolConfig;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The Netty listener: event loops (epoll when available), the listening socket, and
 * {@link RingpoolChannelInitializer} for each accepted connection's pipeline.
 */
public final class HttpServer implements AutoCloseable {
    private final RingpoolConfig.Server config;
    private final Router router;
    private final CorsPolicy cors;
    private final FailureMapper failures;
    private final Executor workers;
    private final MeterRegistry registry;
    private final Protections protections;
    private EventLoopGroup group;
    private Channel channel;
    /** Until {@link #open()}, every request is answered 503 {@code starting} ({@link RequestGate}). */
    private volatile boolean open;
    private final OpenExchanges exchanges = new OpenExchanges();

    public HttpServer(RingpoolConfig.Server config, Router router, CorsPolicy cors, FailureMapper failures,
            Executor workers, MeterRegistry registry, Protections protections) {
        this.protections = protections;
        this.config = config;
        this.router = router;
        this.cors = cors;
        this.failures = failures;
        this.workers = workers;
        this.registry = registry;
    }

    /** Binds and accepts at once; returns the port actually bound (useful with port 0). */
    public int start() throws InterruptedException {
        int bound = bind();
        open();
        return bound;
    }

    /**
     * Takes the port before the server is ready, so the composition root can claim it before it
     * writes anything: a server started on a port in use fails here, with nothing migrated or
     * seeded. Connections are accepted from here on, and each request answered 503 {@code starting}
     * until {@link #open()}: left in the kernel's backlog, a health probe hung for the whole start
     * (6 to 15 s on a loaded box, audit AM3 F4), and a liveness probe with a 1 s timeout would kill
     * the process mid-start. Returns the port bound.
     *
     * @throws PortInUse when another process listens on the port
     */
    public int bind() throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(config.ioThreads(), io);
        Class<? extends ServerSocketChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new RingpoolChannelInitializer(config, router, cors, failures, workers, registry, protections, exchanges,
                        () -> open));
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        if (address.isUnresolved()) {
            // Netty's own words for this were "null" (audit P #8, P2 #4).
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + ": server.host is neither an "
                    + "address nor a name that resolves (RINGPOOL_HOST; 0.0.0.0 listens on every interface)");
        }
        var bound = bootstrap.bind(address).await();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            String reason = String.valueOf(cause.getMessage());
            if (reason.contains("Address already in use")) {
                throw new PortInUse(config.host(), config.port());
            }
            // e.g. "Cannot assign requested address": the host is not one of this machine's
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + ": "
                    + (cause.getMessage() == null ? cause.getClass().getSimpleName() : reason), cause);
        }
        channel = bound.channel();
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** From now on requests are served: every route is declared and every service it needs started. */
    public void open() {
        open = true;
    }

    /** Another process listens on the configured port. */
    public static final class PortInUse extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int port;

        PortInUse(String host, int port) {
            super("port " + port + " is already in use (host " + host + "); stop what listens there or choose another with RINGPOOL_PORT",
                    null, false, false);
            this.port = port;
        }

        public int port() {
            return port;
        }
    }

    /**
     * Stops accepting, then drains: idle connections close at once, and requests under way (a body
     * still arriving included) are answered first, for at most {@link OpenExchanges#DRAIN}.
     */
    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            exchanges.drain(OpenExchanges.DRAIN);
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
