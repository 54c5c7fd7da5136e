package io.ringpool.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChangeCatchUpTest {
    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void requestsThatArriveWhileACatchUpWaitsShareItAndTheNextStartsNoSoonerThanTheGap() throws Exception {
        CountDownLatch firstPollRunning = new CountDownLatch(1);
        CountDownLatch releaseFirstPoll = new CountDownLatch(1);
        List<Long> pollStarts = new ArrayList<>();
        AtomicInteger polls = new AtomicInteger();
        ChangeCatchUp catchUp = new ChangeCatchUp(() -> {
            synchronized (pollStarts) {
                pollStarts.add(System.nanoTime());
            }
            if (polls.incrementAndGet() == 1) {
                firstPollRunning.countDown();
                await(releaseFirstPoll);
            }
        }, executor, meters);

        CompletableFuture<Void> first = catchUp.catchUp();
        assertThat(firstPollRunning.await(5, TimeUnit.SECONDS)).isTrue();
        // The first read has begun, so a change committed now may be missed by it: a new request
        // gets a new catch-up, and every request until that one starts shares it.
        List<CompletableFuture<Void>> next = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            next.add(catchUp.catchUp());
        }
        assertThat(next).allSatisfy(f -> assertThat(f).isSameAs(next.get(0)));
        assertThat(next.get(0)).isNotSameAs(first);
        releaseFirstPoll.countDown();
        first.get(5, TimeUnit.SECONDS);
        next.get(0).get(5, TimeUnit.SECONDS);

        assertThat(polls).hasValue(2);
        synchronized (pollStarts) {
            assertThat(TimeUnit.NANOSECONDS.toMillis(pollStarts.get(1) - pollStarts.get(0)))
                    .isGreaterThanOrEqualTo(ChangeCatchUp.MIN_GAP_MILLIS);
        }
        assertThat(meters.get("ringpool_cluster_catch_ups").counter().count()).isEqualTo(2.0);
    }

    @Test
    void aFailedReadStillAnswersTheWaitingRequests() throws Exception {
        ChangeCatchUp catchUp = new ChangeCatchUp(() -> {
            throw new IllegalStateException("store down");
        }, executor, meters);
        catchUp.catchUp().get(5, TimeUnit.SECONDS); // completes normally: the caller answers from what it knows
    }

    @Test
    void aClosingNodeAnswersAtOnce() throws Exception {
        executor.shutdown();
        AtomicInteger polls = new AtomicInteger();
        ChangeCatchUp catchUp = new ChangeCatchUp(polls::incrementAndGet, executor, meters);
        catchUp.catchUp().get(1, TimeUnit.SECONDS);
        assertThat(polls).hasValue(0);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
