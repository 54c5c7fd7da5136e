package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The sweep works from a queue of expiries, not a scan of the pool: what it ends, and when, must
 * be what a scan would end — renewed leases kept, soft ends at their grace, failed end writes
 * retried at the next sweep, an overloaded writer resumed where it stopped.
 */
class PoolSweepTest {
    static final long TTL = 180_000;
    static final long GRACE = 30_000;

    /** Records the ends asked for; each end's outcome is decided by {@code outcome}. */
    static final class Ends implements PoolState.Writer {
        final List<String> asked = new ArrayList<>();
        Function<Lease, CompletableFuture<Void>> outcome = lease -> CompletableFuture.completedFuture(null);

        @Override
        public CompletableFuture<Void> leaseStarted(Lease lease) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> leaseEnded(Lease lease, long endedAt) {
            asked.add(lease.sessionId());
            return outcome.apply(lease);
        }

        @Override
        public CompletableFuture<Void> leaseReplaced(Lease expired, long endedAt, Lease lease) {
            asked.add(expired.sessionId());
            return outcome.apply(expired);
        }
    }

    final Ends ends = new Ends();
    final PoolState pool = new PoolState(new Pool("pl_1", "st_1", "p", 0, PoolMatch.ANY, Instant.EPOCH));

    PoolSweepTest() {
        for (int i = 0; i < 10_000; i++) {
            pool.addNumber("+7495" + (1_000_000 + i), 0, null, false);
        }
    }

    Lease lease(String session, long now) {
        return pool.acquireFree("l_" + session, session, "v_" + session, now, TTL, 0, ends).lease();
    }

    @Test
    void endsExactlyTheLeasesWhoseTimeIsUpAtTheirOwnExpiry() {
        Map<String, Lease> leases = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            leases.put("s" + i, lease("s" + i, 1_000 + i));
        }
        // s0..s99 heartbeat at 100 s, s100..s149 end softly at 100 s, the rest do nothing
        for (int i = 0; i < 100; i++) {
            assertThat(pool.heartbeat(leases.get("s" + i), 100_000, TTL)).isTrue();
        }
        for (int i = 100; i < 150; i++) {
            assertThat(pool.softEnd(leases.get("s" + i), 100_000, GRACE)).isTrue();
        }

        assertThat(pool.sweep(129_999, ends)).isEmpty();
        assertThat(pool.sweep(130_000, ends)).extracting(Lease::sessionId)
                .containsExactlyInAnyOrderElementsOf(range(100, 150)); // the soft ends, at their grace
        assertThat(pool.sweep(181_149, ends)).isEmpty();
        assertThat(pool.sweep(181_299, ends)).extracting(Lease::sessionId)
                .containsExactlyInAnyOrderElementsOf(range(150, 300)); // the untouched ones, at start + TTL
        assertThat(pool.sweep(279_999, ends)).isEmpty(); // the renewed ones live until 280 s
        assertThat(pool.sweep(280_000, ends)).extracting(Lease::sessionId).containsExactlyInAnyOrderElementsOf(range(0, 100));
        assertThat(pool.sweep(10_000_000, ends)).isEmpty();
        assertThat(ends.asked).hasSize(300).doesNotHaveDuplicates();
        assertThat(pool.snapshot(10_000_000, 0).leased()).isZero();
    }

    @Test
    void anEndWhoseWriteFailedIsTriedAgainAtTheNextSweepNotTheSameOne() {
        Lease a = lease("a", 0);
        ends.outcome = lease -> CompletableFuture.failedFuture(new IllegalStateException("store down"));
        assertThat(pool.sweep(TTL, ends)).extracting(Lease::sessionId).containsExactly("a");
        assertThat(ends.asked).containsExactly("a");
        assertThat(pool.liveHolder(a.number)).isNotNull();

        ends.outcome = lease -> CompletableFuture.completedFuture(null);
        assertThat(pool.sweep(TTL + 1_000, ends)).extracting(Lease::sessionId).containsExactly("a");
        assertThat(ends.asked).containsExactly("a", "a");
        assertThat(pool.liveHolder(a.number)).isNull();
    }

    @Test
    void anOverloadedWriterStopsTheSweepAndTheNextOneGoesOn() {
        for (int i = 0; i < 5; i++) {
            lease("s" + i, i);
        }
        int[] calls = {0};
        ends.outcome = lease -> {
            if (++calls[0] == 3) {
                throw new IllegalStateException("write queue full");
            }
            return CompletableFuture.completedFuture(null);
        };
        assertThat(pool.sweep(TTL + 10, ends)).hasSize(2);
        assertThat(pool.sweep(TTL + 20, ends)).extracting(Lease::sessionId).containsExactly("s2", "s3", "s4");
        assertThat(pool.snapshot(TTL + 20, 0).leased()).isZero();
    }

    @Test
    void aLeaseLostToAnotherNodeLeavesAPlaceholderThatTheSweepFrees() {
        Lease a = lease("a", 0);
        assertThat(pool.lose(a, 1_000, 60_000)).isTrue();
        assertThat(pool.sweep(60_999, ends)).isEmpty();
        assertThat(pool.snapshot(60_999, 0).leased()).isEqualTo(1); // the placeholder holds the number
        pool.sweep(61_000, ends);
        assertThat(pool.snapshot(61_000, 0).leased()).isZero();
        assertThat(pool.sweep(TTL, ends)).isEmpty(); // the lost lease's own expiry ends nothing
        assertThat(ends.asked).isEmpty();
    }

    static List<String> range(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add("s" + i);
        }
        return out;
    }

    /**
     * Audit AE3 #2: while the sweep's end write of an expired lease is in flight, its number is
     * neither free nor takeable by a start. A start in that window on a full pool (cool-down 0,
     * one visitor at a time) got pool_exhausted about once a second. The pool now says when the
     * ends in flight will have freed a number, so the start can wait for them instead.
     */
    @Test
    void aNumberWhoseEndTheSweepIsStoringIsAnnouncedAsFreedSoonAndFreeOnceStored() {
        PoolState small = new PoolState(new Pool("pl_2", "st_1", "p", 0, PoolMatch.ANY, Instant.EPOCH));
        small.addNumber("+74952000001", 0, null, false);
        Lease only = small.acquireFree("l_a", "a", "v_a", 0, TTL, 0, ends).lease();
        assertThat(small.softEnd(only, 1_000, 0)).isTrue();
        assertThat(small.sweepEndsFreeing(1_000, 0)).as("nothing in flight").isNull();

        CompletableFuture<Void> stored = new CompletableFuture<>();
        ends.outcome = lease -> stored;
        assertThat(small.sweep(1_001, ends)).extracting(Lease::sessionId).containsExactly("a");
        assertThat(small.acquireFree("l_b", "b", "v_b", 1_002, TTL, 0, ends)).as("ending: neither free nor takeable").isNull();
        assertThat(small.sweepEndsFreeing(1_002, 60_000)).as("still cooling at 1.002 s with a 60 s cool-down").isNull();
        CompletableFuture<Void> freed = small.sweepEndsFreeing(1_002, 0);
        assertThat(freed).isNotNull().isNotDone();

        stored.complete(null);
        assertThat(freed).isDone();
        assertThat(small.sweepEndsFreeing(1_003, 0)).isNull();
        assertThat(small.acquireFree("l_b", "b", "v_b", 1_003, TTL, 0, ends).lease().number()).isEqualTo("+74952000001");
    }

    @Test
    void anEndWhoseWriteFailsStillSettlesTheWaitAndTheNumberStaysTaken() {
        PoolState small = new PoolState(new Pool("pl_3", "st_1", "p", 0, PoolMatch.ANY, Instant.EPOCH));
        small.addNumber("+74952000002", 0, null, false);
        Lease only = small.acquireFree("l_a", "a", "v_a", 0, TTL, 0, ends).lease();
        small.softEnd(only, 1_000, 0);
        CompletableFuture<Void> stored = new CompletableFuture<>();
        ends.outcome = lease -> stored;
        small.sweep(1_001, ends);
        CompletableFuture<Void> freed = small.sweepEndsFreeing(1_002, 0);
        stored.completeExceptionally(new IllegalStateException("store down"));
        assertThat(freed).isDone().isNotCompletedExceptionally();
        assertThat(small.acquireFree("l_b", "b", "v_b", 1_003, TTL, 0, ends)).as("the end is tried again at the next sweep").isNull();
    }
    /**
     * Audit AF1 #1: one visitor at a time (start, end with no grace) on a 5-number pool without
     * cool-down read "leased 5, free 0" until the sweep, and kept "peak 5 live leases" (so a
     * recommended size of 6) for good, though one lease at most was ever live.
     */
    @Test
    void leasesAlreadyOverCountAsIdleNumbersAndNeverMakeAPeak() {
        PoolState five = new PoolState(new Pool("pl_4", "st_1", "p", 0, PoolMatch.ANY, Instant.EPOCH));
        for (int i = 1; i <= 5; i++) {
            five.addNumber("+7495300000" + i, 0, null, false);
        }
        long now = 0;
        Lease last = null;
        for (int visitor = 0; visitor < 8; visitor++) {
            now += 10;
            last = five.acquireFree("l_" + visitor, "s" + visitor, "v" + visitor, now, TTL, 0, ends).lease();
            assertThat(last).as("visitor %d gets a number", visitor).isNotNull();
            assertThat(five.softEnd(last, now + 1, 0)).isTrue();
        }
        PoolState.Snapshot ended = five.snapshot(now + 2, 0);
        assertThat(ended.leased()).as("every lease is over").isZero();
        assertThat(ended.free()).isEqualTo(5);
        assertThat(ended.peakLeased()).as("one visitor at a time").isEqualTo(1);

        PoolState.Snapshot cooling = five.snapshot(now + 2, 60_000);
        assertThat(cooling.leased()).isZero();
        assertThat(cooling.coolingDown() + cooling.free()).isEqualTo(5);
        assertThat(cooling.coolingDown()).as("the ended leases rest, from their ends").isPositive();
        assertThat(five.sweep(now + 2, ends)).as("the sweep still ends them all").hasSize(5);
        assertThat(five.snapshot(now + 3, 0).leased()).isZero();
    }
}
