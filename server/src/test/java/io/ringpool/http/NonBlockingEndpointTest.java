package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.config.ConfigLoader;
import io.ringpool.config.RingpoolConfig;
import io.ringpool.failure.DomainFailure;
import io.ringpool.security.TrustedProxies;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Non-blocking endpoints over a real socket: begun on the event loop, never on a worker; answered
 * when their stage completes on another thread (the commit thread in the server), in order with
 * pipelined requests; failures answered like a blocking endpoint's; a stage that never completes
 * answered by the request timeout.
 */
class NonBlockingEndpointTest {
    private static final RingpoolConfig.Server CONFIG = ConfigLoader.defaultsWith(Map.of("server.requestTimeoutMillis", 1_000)).server();

    private final AtomicInteger workerTasks = new AtomicInteger();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final java.util.concurrent.Executor workers = task -> {
        workerTasks.incrementAndGet();
        pool.execute(task);
    };
    private final AtomicReference<String> begunOn = new AtomicReference<>();
    /** Stages of /later requests, completed by the test from its own thread. */
    private final LinkedBlockingQueue<CompletableFuture<Response>> later = new LinkedBlockingQueue<>();
    private HttpServer server;
    private int port;

    @BeforeEach
    void start() throws InterruptedException {
        Router router = new Router()
                .postNonBlocking("/now", request -> {
                    begunOn.set(Thread.currentThread().getName());
                    return CompletableFuture.completedFuture(Response.ok(Map.of("answer", "now")));
                })
                .postNonBlocking("/later", request -> {
                    begunOn.set(Thread.currentThread().getName());
                    CompletableFuture<Response> stage = new CompletableFuture<>();
                    later.add(stage);
                    return stage;
                })
                .postNonBlocking("/throws", request -> {
                    throw DomainFailure.missing("siteKey");
                })
                .postNonBlocking("/never", request -> new CompletableFuture<>())
                .post("/blocking", request -> {
                    begunOn.set(Thread.currentThread().getName());
                    return Response.ok(Map.of("answer", "worker"));
                });
        server = new HttpServer(CONFIG, router, origin -> false, failure -> null, workers, new SimpleMeterRegistry(),
                Protections.proxiesOnly(TrustedProxies.parse(CONFIG.trustedProxies())));
        port = server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        pool.shutdownNow();
    }

    @Test
    void aNonBlockingEndpointRunsOnTheEventLoopAndNoWorkerIsUsed() throws IOException {
        try (Socket socket = connect()) {
            RawResponse r = RawResponse.read(post(socket, "/now"));
            assertThat(r.status).isEqualTo(200);
            assertThat(new String(r.body, StandardCharsets.UTF_8)).contains("\"now\"");
        }
        assertThat(workerTasks).hasValue(0);
        String eventLoop = begunOn.get();
        try (Socket socket = connect()) {
            assertThat(RawResponse.read(post(socket, "/blocking")).status).isEqualTo(200);
        }
        assertThat(workerTasks).hasValue(1);
        assertThat(begunOn.get()).as("a blocking endpoint runs on a worker").isNotEqualTo(eventLoop);
    }

    @Test
    void theAnswerWaitsForTheStageAndPipelinedRequestsKeepTheirOrder() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write((request("/later") + request("/now")).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            CompletableFuture<Response> first = later.poll(10, TimeUnit.SECONDS);
            assertThat(first).as("the first request was begun").isNotNull();
            socket.setSoTimeout(300);
            InputStream in = socket.getInputStream();
            assertThat(readsNothing(in)).as("nothing is answered before the first stage completes").isTrue();
            socket.setSoTimeout(10_000);
            // Completed from a thread that is not the connection's event loop, as the commit thread does.
            Thread completer = Thread.ofPlatform().start(() -> first.complete(Response.ok(Map.of("answer", "later"))));
            completer.join();
            RawResponse a = RawResponse.read(in);
            RawResponse b = RawResponse.read(in);
            assertThat(new String(a.body, StandardCharsets.UTF_8)).contains("\"later\"");
            assertThat(new String(b.body, StandardCharsets.UTF_8)).contains("\"now\"");
        }
        assertThat(workerTasks).hasValue(0);
    }

    @Test
    void failuresThrownOrCompletedAreAnsweredLikeABlockingEndpointsWithTheField() throws Exception {
        try (Socket socket = connect()) {
            RawResponse thrown = RawResponse.read(post(socket, "/throws"));
            assertThat(thrown.status).isEqualTo(422);
            assertThat(new String(thrown.body, StandardCharsets.UTF_8)).contains("\"field\":\"siteKey\"");

            InputStream in = post(socket, "/later");
            CompletableFuture<Response> stage = later.poll(10, TimeUnit.SECONDS);
            Thread.ofPlatform().start(() -> stage.completeExceptionally(
                    new java.util.concurrent.CompletionException(DomainFailure.invalid("url", "'url' is not valid")))).join();
            RawResponse failed = RawResponse.read(in);
            assertThat(failed.status).isEqualTo(422);
            assertThat(new String(failed.body, StandardCharsets.UTF_8)).contains("\"field\":\"url\"").doesNotContain("Exception");
        }
    }

    @Test
    void aStageThatNeverCompletesIsAnsweredByTheTimeoutAndTheConnectionGoesOn() throws IOException {
        try (Socket socket = connect()) {
            RawResponse r = RawResponse.read(post(socket, "/never"));
            assertThat(r.status).isEqualTo(503);
            assertThat(new String(r.body, StandardCharsets.UTF_8)).contains("timeout");
            assertThat(r.headers).containsEntry("retry-after", "1");
            assertThat(RawResponse.read(post(socket, "/now")).status).isEqualTo(200);
        }
    }

    private static boolean readsNothing(InputStream in) throws IOException {
        try {
            in.read();
            return false; // a byte, or the connection closed
        } catch (java.net.SocketTimeoutException e) {
            return true;
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static String request(String path) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    }

    private static InputStream post(Socket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request(path).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket.getInputStream();
    }
}
