package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.config.ConfigLoader;
import io.ringpool.journal.GatedDataSource;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AM3 F4: the port is taken first thing in the start (so a port in use refuses the start
 * with nothing written), but a request that came before the server was ready used to wait in the
 * kernel's backlog, unanswered, for the whole start: a health probe with a 1 s timeout saw a hang,
 * not a 503. Here the store is held shut, so the start stops at it with the port already bound.
 */
class StartingAnswersTest {
    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void whileTheStartWaitsForTheStoreEveryRequestIsAnswered503StartingAtOnce() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        CountDownLatch storeOpens = new CountDownLatch(1);
        Ringpool app = new Ringpool(ConfigLoader.defaultsWith(Map.of("server.port", port, "server.host", "127.0.0.1",
                "store.dataDir", dir.resolve("data").toString(), "security.adminKey", TestServer.ADMIN_KEY, "demo.enabled", false)),
                Clock.systemUTC(), real -> new GatedDataSource(real, () -> {
                    try {
                        storeOpens.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
        CompletableFuture<Void> started = CompletableFuture.runAsync(app::startOrClose);
        try {
            awaitPortTaken(port);

            HttpResponse<String> health = get(port, "/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).isEqualTo("{\"status\":\"starting\"}");
            assertThat(health.headers().firstValue("Retry-After")).hasValue("1");
            HttpResponse<String> sites = get(port, "/v1/sites");
            assertThat(sites.statusCode()).isEqualTo(503);
            assertThat(sites.body()).contains("\"code\":\"starting\"");
            assertThat(started).isNotDone();

            storeOpens.countDown();
            started.get(60, TimeUnit.SECONDS);
            HttpResponse<String> up = get(port, "/health");
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.body()).contains("\"status\":\"up\"");
        } finally {
            storeOpens.countDown();
            started.handle((ok, failed) -> null).get(60, TimeUnit.SECONDS);
            app.close();
        }
    }

    /** An answer within 10 s (a loaded CI box is slow to answer its very first request): the old start left the probe hanging until the store opened, i.e. forever here. */
    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitPortTaken(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the start never took port " + port);
    }
}
