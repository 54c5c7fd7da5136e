package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringpool.app.TestDomain;
import io.ringpool.pool.Leasing;
import io.ringpool.pool.NewPool;
import io.ringpool.security.ScriptLimits;
import io.ringpool.site.SiteService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The asynchronous session methods the HTTP event loop calls never block their caller: a start
 * returns before its commit and completes with it; a heartbeat of a live session is answered in
 * memory while the store is busy; a session id not in memory is looked up on the executor given
 * for blocking reads, not on the caller's thread.
 */
class SessionsWithoutBlockingTest {
    @TempDir
    Path dir;
    TestDomain domain;
    SiteService.CreatedSite site;
    /** Tasks handed to the blocking-reads executor; the test runs them. */
    final LinkedBlockingQueue<Runnable> blockingReads = new LinkedBlockingQueue<>();
    SessionService sessions;
    /** Whether this node's beats reach the cluster (ClusterMembership.mayRenew); the test turns it off. */
    final java.util.concurrent.atomic.AtomicBoolean inContact = new java.util.concurrent.atomic.AtomicBoolean(true);

    @BeforeEach
    void open() {
        domain = new TestDomain(dir);
        site = domain.createShop();
        domain.pools.create(site.site().siteId(), new NewPool("main", null, null, List.of("+74950000101", "+74950000102")));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ScriptLimits limits = new ScriptLimits(Map.of(), true, domain.clock);
        sessions = new SessionService(domain.siteRegistry, domain.poolRegistry, new Leasing(domain.poolRegistry, domain.writer(), registry),
                domain.writer(), domain.db(), domain.clock, limits, SessionCaps.DEFAULTS, 0, registry,
                new LeaseRenewals(domain.writer(), SessionService.DEFAULT_RENEWAL_FLUSH_MILLIS), null, inContact::get, blockingReads::add);
    }

    @AfterEach
    void close() {
        domain.close();
    }

    private SessionService.StartRequest visit(String visitorId) {
        return new SessionService.StartRequest(site.site().publicKey(), visitorId, "https://example.com/?utm_source=google", null,
                "Home", Map.of(), false, SessionServiceTest.CHROME, "127.0.0.1", "https://example.com");
    }

    /** A write that keeps the commit thread busy until {@code release}: nothing after it commits. */
    private CompletableFuture<Void> holdWriter(CountDownLatch release) {
        return domain.writer().submit(c -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test
    void aStartReturnsBeforeItsCommitAndCompletesWithIt() throws Exception {
        SessionService.Started first = sessions.start(visit("v_first"));
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holding = holdWriter(release);
        CompletableFuture<SessionService.Started> started;
        try {
            long before = System.nanoTime();
            started = sessions.startAsync(visit("v_second"));
            assertThat(Duration.ofNanos(System.nanoTime() - before)).as("the call did not wait for the store").isLessThan(Duration.ofSeconds(2));
            assertThat(started).as("not answered before it is committed").isNotDone();

            // While the writer is held: a live session's heartbeat is answered from memory, at once.
            CompletableFuture<SessionService.Renewed> renewed = sessions.heartbeatAsync(first.sessionId(), "127.0.0.1");
            assertThat(renewed).isDone();
            assertThat(renewed.get().number()).isEqualTo(first.number());
            assertThat(started).isNotDone();
        } finally {
            release.countDown();
        }
        holding.get(10, TimeUnit.SECONDS);
        SessionService.Started second = started.get(10, TimeUnit.SECONDS);
        assertThat(second.tracked()).as(second.toString()).isTrue();
        assertThat(second.number()).isNotEqualTo(first.number());
        SessionService.Started resumed = sessions.startAsync(visit("v_second")).get(10, TimeUnit.SECONDS);
        assertThat(resumed.created()).isFalse();
        assertThat(resumed.sessionId()).isEqualTo(second.sessionId());
        assertThat(blockingReads).as("nothing needed a blocking read").isEmpty();
    }

    @Test
    void aStartIsAnsweredOnlyOnceCommittedAndItsSessionIsThenLive() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        holdWriter(release);
        CompletableFuture<SessionService.Started> started = sessions.startAsync(visit("v_one"));
        release.countDown();
        SessionService.Started s = started.get(10, TimeUnit.SECONDS);
        assertThat(s.tracked()).isTrue();
        assertThat(sessions.heartbeatAsync(s.sessionId(), null).get(10, TimeUnit.SECONDS).number()).isEqualTo(s.number());
    }

    /**
     * Audit E #6: a node whose beats did not reach the store (the store down, or the node paused)
     * refuses renewals, as the fencing rule says; the refusal said {@code overloaded}, pointing an
     * operator at load. It is the store's failure now, answered 503 {@code store_unavailable}
     * (RingpoolApi.storeFailure), as starts and events say in the same outage.
     */
    @Test
    void aHeartbeatOnANodeOutOfContactWithTheClusterIsRefusedAsTheStoresFailureNotAsOverload() {
        SessionService.Started started = sessions.start(visit("v_one"));
        inContact.set(false);
        assertThatThrownBy(() -> sessions.heartbeatAsync(started.sessionId(), null))
                .isInstanceOf(io.ringpool.store.StoreException.class)
                .isNotInstanceOf(io.ringpool.store.StoreOverloadedException.class)
                .hasMessageContaining("not in contact with the cluster");
        inContact.set(true);
        assertThat(sessions.heartbeat(started.sessionId()).number()).isEqualTo(started.number());
    }

    @Test
    void aSessionIdNotInMemoryIsLookedUpOnTheBlockingReadsExecutorNotTheCallersThread() throws Exception {
        SessionService.Started started = sessions.start(visit("v_one"));
        domain.clock.advance(Duration.ofHours(1));
        sessions.sweep();

        CompletableFuture<SessionService.Renewed> ended = sessions.heartbeatAsync(started.sessionId(), null);
        CompletableFuture<SessionService.Renewed> unknown = sessions.heartbeatAsync("s_neverseenbefore0000", null);
        CompletableFuture<Void> endOfUnknown = sessions.endAsync("s_neverseenbefore0001");
        assertThat(List.of(ended, unknown)).allMatch(f -> !f.isDone());
        assertThat(endOfUnknown).isNotDone();
        assertThat(blockingReads).hasSize(3);
        Thread reader = Thread.ofPlatform().start(() -> blockingReads.forEach(Runnable::run));
        reader.join();

        assertThatThrownBy(() -> ended.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SessionEnded.class);
        assertThatThrownBy(() -> unknown.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(UnknownSession.class);
        assertThatThrownBy(() -> endOfUnknown.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(UnknownSession.class);
        // A malformed id needs no look-up.
        assertThatThrownBy(() -> sessions.heartbeatAsync("?", null).get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(UnknownSession.class);
        assertThat(blockingReads).hasSize(3);
    }
}
