package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On one node (H2, this process the only writer) the report facts re-read only the visits that
 * could have been committed since the last refresh — the writer says how old the oldest write it
 * still holds is — instead of the last 20 s of visits on every refresh; and a visit whose commit
 * the store held back past that window is still read once it lands.
 */
class RefreshWindowTest {
    @TempDir
    Path dir;

    @Test
    void aRefreshReadsOnlyVisitsThatCouldBeNewSinceTheLastOne() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(IntStream.rangeClosed(10, 70).mapToObj(i -> "+749570000" + i).toList());
            String siteId = site.get("siteId");
            for (int i = 0; i < 50; i++) {
                Reply started = server.startSession(site.get("publicKey"), "early-" + i, "https://example.com/");
                assertThat(started.status()).as(started.body()).isEqualTo(201);
            }
            server.clock.advance(Duration.ofSeconds(10));
            server.app.reports().refreshAll(List.of(siteId));
            SiteFacts facts = server.app.reports().factsOf(siteId);
            assertThat(facts.visits).isEqualTo(50);

            server.clock.advance(Duration.ofSeconds(10));
            assertThat(server.startSession(site.get("publicKey"), "late", "https://example.com/").status()).isEqualTo(201);
            long before = facts.visitRowsRead;
            server.app.reports().refreshAll(List.of(siteId));

            assertThat(facts.visits).isEqualTo(51);
            // 1, or 2 when the background refresh also ran: never the 50 visits stamped 10 s before
            // the previous refresh, which were committed by then (the slack alone would re-read them).
            assertThat(facts.visitRowsRead - before).isBetween(1L, 2L);
        }
    }

    @Test
    void aVisitWhoseCommitWasHeldBackIsReadOnceItLands() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74957000001", "+74957000002"));
            String siteId = site.get("siteId");
            server.app.reports().refreshAll(List.of(siteId));

            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> holding = server.app.writer().submit(c -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            CompletableFuture<Reply> start = CompletableFuture.supplyAsync(
                    () -> server.startSession(site.get("publicKey"), "held", "https://example.com/"));
            // The visit is stamped now; its commit waits behind the held write for longer than
            // the margin allowed between a stamp and its hand-over to the writer, while the clock
            // moves on as much, and a refresh runs meanwhile.
            Thread.sleep(ReportService.STAMP_MARGIN_MILLIS + 1_000);
            server.clock.advance(Duration.ofMillis(ReportService.STAMP_MARGIN_MILLIS + 1_000));
            server.app.reports().refreshAll(List.of(siteId));
            SiteFacts facts = server.app.reports().factsOf(siteId);
            assertThat(facts.visits).as("not committed yet").isZero();

            release.countDown();
            holding.get(10, TimeUnit.SECONDS);
            assertThat(start.get(10, TimeUnit.SECONDS).status()).isEqualTo(201);
            server.clock.advance(Duration.ofSeconds(1));
            server.app.reports().refreshAll(List.of(siteId));

            assertThat(facts.visits).as("the late commit is read by the next refresh").isEqualTo(1);
        }
    }
}
