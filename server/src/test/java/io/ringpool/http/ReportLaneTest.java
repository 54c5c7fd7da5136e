package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class ReportLaneTest {

    static Request request(String token, String ip) {
        return new Request("GET", "/v1/sites/st_1/reports/sources", "/v1/sites/{siteId}/reports/sources", Map.of(), Map.of(),
                token == null ? Map.of() : Map.of("authorization", "Bearer " + token), new byte[0], ip);
    }

    @Test
    void eachKeyGetsItsShareOfTheLaneAndGetsItBackWhenARequestEnds() {
        ReportLane lane = new ReportLane(r -> true, Runnable::run, 2);
        String a = ReportLane.keyOf(request("sk_a", "198.51.100.1"));
        String b = ReportLane.keyOf(request("sk_b", "198.51.100.1"));
        assertThat(lane.tryEnter(a)).isTrue();
        assertThat(lane.tryEnter(a)).isTrue();
        assertThat(lane.tryEnter(a)).isFalse();
        assertThat(lane.tryEnter(b)).as("another key").isTrue();
        lane.leave(a);
        assertThat(lane.tryEnter(a)).isTrue();
    }

    @Test
    void theKeyIsADigestOfTheTokenNeverTheTokenAndWithoutOneTheAddress() {
        assertThat(ReportLane.keyOf(request("sk_secret_token", "198.51.100.1"))).doesNotContain("sk_secret_token").startsWith("key:");
        assertThat(ReportLane.keyOf(request(null, "2001:db8:1:1::5"))).isEqualTo("ip:2001:db8:1:1::/64");
    }

    @Test
    void aReportWaitsToStartWhileAVisitorsRequestIsInFlightAndStartsWhenItEnds() throws Exception {
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try {
            ReportLane lane = new ReportLane(r -> true, threads, 8, 60_000, 1);
            CountDownLatch ran = new CountDownLatch(1);
            lane.otherStarted();
            lane.executor().execute(ran::countDown);
            await(() -> lane.yielding() == 1, "the report waiting for a gap");
            assertThat(ran.getCount()).as("not started while the visitor's request is in flight").isEqualTo(1);
            lane.otherFinished();
            assertThat(ran.await(5, TimeUnit.SECONDS)).as("started once the request ended").isTrue();
            assertThat(lane.yielding()).isZero();
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aReportStartsAnywayOnceItHasWaitedItsBoundUnderConstantTraffic() throws Exception {
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try {
            ReportLane lane = new ReportLane(r -> true, threads, 8, 50, 1);
            CountDownLatch ran = new CountDownLatch(1);
            lane.otherStarted(); // never finishes
            long start = System.nanoTime();
            lane.executor().execute(ran::countDown);
            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void onAQuietNodeAReportStartsAtOnce() throws Exception {
        ReportLane lane = new ReportLane(r -> true, Runnable::run, 8, 60_000, 0.5);
        boolean[] ran = {false};
        lane.otherStarted();
        lane.otherFinished();
        lane.executor().execute(() -> ran[0] = true);
        assertThat(ran[0]).as("ran on the caller's thread without waiting").isTrue();
    }

    @Test
    void whileOtherRequestsAreAboutAReportThreadRestsAsLongAsItsReportRanAtAShareOfOneHalf() throws Exception {
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try {
            ReportLane lane = new ReportLane(r -> true, threads, 8, 0, 0.5);
            lane.otherStarted(); // a visitor's request in flight all along
            long[] firstEnded = new long[1];
            long[] secondStarted = new long[1];
            CountDownLatch done = new CountDownLatch(1);
            lane.executor().execute(() -> {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait(); // a report's CPU work
                }
                firstEnded[0] = System.nanoTime();
            });
            lane.executor().execute(() -> {
                secondStarted[0] = System.nanoTime();
                done.countDown();
            });
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(secondStarted[0] - firstEnded[0])).as("the rest after a 30 ms report")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(30));
        } finally {
            threads.shutdownNow();
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
