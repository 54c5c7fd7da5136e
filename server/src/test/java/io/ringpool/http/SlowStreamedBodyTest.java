package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.security.TrustedProxies;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Audit AN2 F3: the first {@code calls.csv} of a 20,000-call site after a restart produced rows, but
 * had not filled the first MiB its stream holds before the headers when the 10 s request timeout
 * came: 503, and the writer's next write was logged as {@code ERROR internal_error} with a stack
 * trace. A body that has begun by half the timeout is now sent as it comes; one that had not begun
 * by the timeout is the 503 timeout, logged as a timeout. Timeout 1 s here.
 */
class SlowStreamedBodyTest {
    private static final RingpoolConfig.Server CONFIG = ConfigLoader.defaultsWith(Map.of("server.requestTimeoutMillis", 1_000,
            "server.port", 0, "server.host", "127.0.0.1")).server();

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final ch.qos.logback.classic.Logger failures = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(FailureResponses.class);
    private final ch.qos.logback.classic.Logger dispatcher = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(RequestDispatcher.class);
    private HttpServer server;
    private int port;

    @BeforeEach
    void start() throws InterruptedException {
        log.start();
        failures.addAppender(log);
        dispatcher.addAppender(log);
        Router router = new Router()
                .post("/rows-slowly", request -> Response.streamed(200, "text/csv", Map.of(), List.of(), out -> {
                    for (int i = 0; i < 15; i++) { // 1.5 s of rows, each well under the first MiB
                        out.write(("row " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                        Thread.sleep(100);
                    }
                    return Map.of();
                }))
                .post("/begins-late", request -> Response.streamed(200, "text/csv", Map.of(), List.of(), out -> {
                    Thread.sleep(1_500); // the first row comes after the timeout
                    out.write("late\n".getBytes(StandardCharsets.US_ASCII));
                    out.write("later\n".getBytes(StandardCharsets.US_ASCII));
                    return Map.of();
                }));
        server = new HttpServer(CONFIG, router, origin -> false, failure -> null, pool, new SimpleMeterRegistry(),
                Protections.proxiesOnly(TrustedProxies.parse(CONFIG.trustedProxies())));
        port = server.start();
    }

    @AfterEach
    void stop() {
        failures.detachAppender(log);
        dispatcher.detachAppender(log);
        server.close();
        pool.shutdownNow();
    }

    @Test
    void aBodyThatHasBegunIsSentWholeThoughItTakesLongerThanTheTimeout() throws IOException {
        try (Socket socket = connect()) {
            RawResponse r = RawResponse.read(post(socket, "/rows-slowly"));
            assertThat(r.status).isEqualTo(200);
            String body = new String(r.body, StandardCharsets.US_ASCII);
            assertThat(body).startsWith("row 0\n").endsWith("row 14\n");
        }
    }

    @Test
    void aBodyThatHadNotBegunIsTheTimeoutLoggedWithoutAnInternalError() throws Exception {
        try (Socket socket = connect()) {
            RawResponse r = RawResponse.read(post(socket, "/begins-late"));
            assertThat(r.status).isEqualTo(503);
            assertThat(new String(r.body, StandardCharsets.UTF_8)).contains("timeout");
            assertThat(r.headers).containsEntry("retry-after", "1");
        }
        long until = System.nanoTime() + 5_000_000_000L;
        while (log.list.stream().noneMatch(e -> e.getFormattedMessage().contains("timed")) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(log.list).as("logged as a timeout").anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("streamed_response_timed_out"));
        assertThat(log.list).noneSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.ERROR));
        assertThat(log.list).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static java.io.InputStream post(Socket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket.getInputStream();
    }
}
