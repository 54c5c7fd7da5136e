package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ringpool.config.ConfigLoader;
import io.ringpool.config.RingpoolConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connection pipeline in an {@link EmbeddedChannel}: bytes in, bytes out, no socket and no
 * threads. Endpoints run on a worker executor the test drives by hand, so "not answered yet" is a
 * state the test holds, not a moment it sleeps through. After every test each buffer fed in must
 * have been released.
 */
class RingpoolChannelInitializerTest {
    /** The defaults of config/ringpool.yaml: 4 KiB request line, 8 KiB headers, 16 KiB script bodies. */
    private static final RingpoolConfig.Server CONFIG = ConfigLoader.defaultsWith(Map.of()).server();

    /** A worker pool that runs nothing until the test says so. */
    private static final class HeldWorkers implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }
    }

    private final HeldWorkers workers = new HeldWorkers();
    private final AtomicInteger echoCalls = new AtomicInteger();
    private final Router router = new Router()
            .get("/health", request -> Response.ok(Map.of("status", "up")))
            .get("/work/{n}", request -> Response.text(200, "text/plain", "work " + request.pathParam("n")))
            .post("/v1/sessions", this::echo)
            .post("/v1/echo", this::echo);
    private final List<ByteBuf> fedIn = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new RingpoolChannelInitializer(CONFIG, router,
            origin -> false, failure -> null, workers,
            new SimpleMeterRegistry()));

    private Response echo(Request request) {
        echoCalls.incrementAndGet();
        return Response.text(200, "text/plain", "got " + request.body().length + " bytes");
    }

    /** One answer as the client reads it. */
    record Answer(int status, Map<String, String> headers, String body) {
        String errorCode() {
            int at = body.indexOf("\"code\":\"");
            return at < 0 ? null : body.substring(at + 8, body.indexOf('"', at + 8));
        }
    }

    private void feed(String bytes) {
        ByteBuf buf = Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1);
        fedIn.add(buf);
        channel.writeInbound(buf);
        channel.runPendingTasks();
    }

    private void runWorkers() {
        while (!workers.tasks.isEmpty()) {
            workers.tasks.poll().run();
            channel.runPendingTasks();
        }
    }

    /** Everything written so far, parsed into answers (and the written buffers released). */
    private List<Answer> answers() {
        StringBuilder out = new StringBuilder();
        for (Object written; (written = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) written;
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        List<Answer> answers = new ArrayList<>();
        String rest = out.toString();
        while (!rest.isEmpty()) {
            int headEnd = rest.indexOf("\r\n\r\n");
            String[] lines = rest.substring(0, headEnd).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            int bodyStart = headEnd + 4;
            answers.add(new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers,
                    rest.substring(bodyStart, bodyStart + length)));
            rest = rest.substring(bodyStart + length);
        }
        return answers;
    }

    private static void assertJsonError(Answer answer, int status, String code) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.headers().get("content-type")).startsWith("application/json");
        assertThat(answer.body()).startsWith("{\"error\":{").contains("\"message\":");
        assertThat(answer.errorCode()).isEqualTo(code);
    }

    @AfterEach
    void everyBufferFedInIsReleased() {
        channel.finishAndReleaseAll();
        assertThat(fedIn).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }

    @Test
    void aRequestHeadFedOneByteAtATimeIsAnsweredOnlyOnceItIsComplete() {
        String request = "GET /health HTTP/1.1\r\nHost: example.com\r\nUser-Agent: slow-client\r\n\r\n";
        for (int i = 0; i < request.length() - 1; i++) {
            feed(request.substring(i, i + 1));
            runWorkers();
        }
        assertThat(answers()).isEmpty();

        feed(request.substring(request.length() - 1));
        runWorkers();

        List<Answer> answers = answers();
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).status()).isEqualTo(200);
        assertThat(answers.get(0).body()).isEqualTo("{\"status\":\"up\"}");
        assertThat(channel.isOpen()).as("keep-alive").isTrue();
    }

    @Test
    void pipelinedRequestsAreAnsweredInTheOrderTheyArrivedEvenWhenALaterOneNeedsNoWorker() {
        feed("GET /work/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\n\r\nGET /work/3 HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(workers.tasks).as("one request of a connection at a time").hasSize(1);
        assertThat(answers()).as("the 404 waits for the request before it").isEmpty();

        runWorkers();

        assertThat(answers()).extracting(Answer::status, Answer::body).containsExactly(
                tuple(200, "work 1"),
                tuple(404, "{\"error\":{\"code\":\"not_found\",\"message\":\"no such endpoint: /nowhere\",\"field\":null}}"),
                tuple(200, "work 3"));
    }

    @Test
    void aMalformedRequestBehindAPendingOneIsRefusedAfterItIsAnswered() {
        feed("GET /work/1 HTTP/1.1\r\nHost: x\r\n\r\nHELLO\r\n\r\n");
        assertThat(answers()).isEmpty();

        runWorkers();

        List<Answer> answers = answers();
        assertThat(answers).hasSize(2);
        assertThat(answers.get(0).body()).isEqualTo("work 1");
        assertJsonError(answers.get(1), 400, "bad_request");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aClientPipeliningTooManyRequestsIsNotReadFromUntilTheyAreAnswered() {
        StringBuilder many = new StringBuilder();
        int count = RequestDispatcher.MAX_WAITING_REQUESTS + 4;
        for (int i = 1; i <= count; i++) {
            many.append("GET /work/").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        feed(many.toString());
        assertThat(channel.config().isAutoRead()).isFalse();

        runWorkers();

        assertThat(channel.config().isAutoRead()).isTrue();
        List<Answer> answers = answers();
        assertThat(answers).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(answers.get(i).body()).isEqualTo("work " + (i + 1));
        }
    }

    @Test
    void garbageIsA400WithTheJsonErrorShapeAndTheConnectionCloses() {
        feed("HELLO\r\n\r\n");

        List<Answer> answers = answers();
        assertThat(answers).hasSize(1);
        assertJsonError(answers.get(0), 400, "bad_request");
        assertThat(answers.get(0).headers().get("connection")).isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aRequestLineOverTheLimitIs414() {
        feed("GET /" + "a".repeat(CONFIG.maxInitialLineBytes()) + " HTTP/1.1\r\nHost: x\r\n\r\n");

        List<Answer> answers = answers();
        assertThat(answers).hasSize(1);
        assertJsonError(answers.get(0), 414, "uri_too_long");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void headersOverTheLimitAre431() {
        feed("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(CONFIG.maxHeaderBytes()) + "\r\n\r\n");

        List<Answer> answers = answers();
        assertThat(answers).hasSize(1);
        assertJsonError(answers.get(0), 431, "headers_too_large");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aDeclaredBodyOverTheRouteKindsLimitIs413BeforeAnyOfItIsRead() {
        int tooLong = CONFIG.maxScriptBodyBytes() + 1;
        feed("POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + tooLong + "\r\n\r\n");

        List<Answer> answers = answers();
        assertThat(answers).hasSize(1);
        assertJsonError(answers.get(0), 413, "body_too_large");
        assertThat(channel.isOpen()).as("open until the client has sent what it declared").isTrue();

        feed("x".repeat(tooLong));
        assertThat(channel.isOpen()).isFalse();
        assertThat(echoCalls).hasValue(0);
    }

    @Test
    void aChunkedBodyIs413AsSoonAsItCrossesTheLimit() {
        int chunk = CONFIG.maxScriptBodyBytes() / 2 + 1;
        String chunkHead = Integer.toHexString(chunk) + "\r\n";
        feed("POST /v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkHead + "x".repeat(chunk) + "\r\n");
        assertThat(answers()).isEmpty();

        feed(chunkHead + "x".repeat(chunk) + "\r\n");

        List<Answer> answers = answers();
        assertThat(answers).hasSize(1);
        assertJsonError(answers.get(0), 413, "body_too_large");
        feed("0\r\n\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(echoCalls).hasValue(0);
    }

    @Test
    void aBodyWithinTheLimitReachesTheEndpoint() {
        feed("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel");
        feed("lo");
        runWorkers();

        assertThat(answers()).extracting(Answer::body).containsExactly("got 5 bytes");
    }

    @Test
    void twoDifferentContentLengthsAreA400AndTheBodyIsNeverServed() {
        feed("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 11\r\n\r\nhello world");
        runWorkers();

        List<Answer> answers = answers();
        assertThat(answers).hasSize(1);
        assertJsonError(answers.get(0), 400, "bad_request");
        assertThat(channel.isOpen()).isFalse();
        assertThat(echoCalls).hasValue(0);
    }

    @Test
    void contentLengthTogetherWithTransferEncodingIsA400SoNothingCanBeSmuggledBehindTheBody() {
        // A front proxy that frames by Content-Length sees one request with a 30-byte body; framed
        // by Transfer-Encoding, the same bytes end the body at "0" and start a second request.
        String smuggled = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        feed("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + (5 + smuggled.length())
                + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled);
        runWorkers();

        List<Answer> answers = answers();
        assertThat(answers).as("one answer: no second request was read out of the body").hasSize(1);
        assertJsonError(answers.get(0), 400, "bad_request");
        assertThat(channel.isOpen()).isFalse();
        assertThat(echoCalls).hasValue(0);
    }
}
