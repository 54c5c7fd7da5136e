package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A start that finds no idle number takes the number of a lease past its expiry that the sweep
 * has not ended yet: that lease's end is written once (with the new lease, or by the sweep), never
 * twice, and a failed write leaves it to the sweep.
 */
class ExpiredLeaseTakeoverTest {
    static final long TTL = 180_000;

    /** Records every write asked for; each one's outcome is the next of {@code outcomes}, else success. */
    static final class Writes implements PoolState.Writer {
        final List<String> asked = new ArrayList<>();
        final List<CompletableFuture<Void>> outcomes = new ArrayList<>();

        private CompletableFuture<Void> next() {
            return outcomes.isEmpty() ? CompletableFuture.completedFuture(null) : outcomes.remove(0);
        }

        @Override
        public CompletableFuture<Void> leaseStarted(Lease lease) {
            asked.add("start " + lease.sessionId());
            return next();
        }

        @Override
        public CompletableFuture<Void> leaseEnded(Lease lease, long endedAt) {
            asked.add("end " + lease.sessionId() + " at " + endedAt);
            return next();
        }

        @Override
        public CompletableFuture<Void> leaseReplaced(Lease expired, long endedAt, Lease lease) {
            asked.add("end " + expired.sessionId() + " at " + endedAt + ", start " + lease.sessionId());
            return next();
        }
    }

    final Writes writes = new Writes();
    final PoolState pool = new PoolState(new Pool("pl_1", "st_1", "p", 0, PoolMatch.ANY, Instant.EPOCH));

    ExpiredLeaseTakeoverTest() {
        pool.addNumber("+74950000001", 0, null, false);
        pool.addNumber("+74950000002", 0, null, false);
    }

    PoolState.Granted free(String session, long now, long coolDown) {
        return pool.acquireFree(session, session, "v_" + session, now, TTL, coolDown, writes);
    }

    @Test
    void aWriterThatRefusesTheLeaseLeavesTheNumberIdleForTheNextStart() {
        PoolState.Writer refusing = new PoolState.Writer() {
            @Override
            public CompletableFuture<Void> leaseStarted(Lease lease) {
                throw new IllegalStateException("write queue full");
            }

            @Override
            public CompletableFuture<Void> leaseEnded(Lease lease, long endedAt) {
                throw new IllegalStateException("write queue full");
            }

            @Override
            public CompletableFuture<Void> leaseReplaced(Lease expired, long endedAt, Lease lease) {
                throw new IllegalStateException("write queue full");
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pool.acquireFree("a", "a", "v_a", 0, TTL, 0, refusing))
                .hasMessageContaining("queue full");
        assertThat(pool.snapshot(0, 0).leased()).isZero();
        PoolState.Granted b = free("b", 1, 0);
        PoolState.Granted c = free("c", 2, 0);
        assertThat(List.of(b.lease().number(), c.lease().number())).containsExactlyInAnyOrder("+74950000001", "+74950000002");
    }

    @Test
    void aStartTakesTheNumberOfAnExpiredLeaseAndTheSweepThatFollowsEndsNothingAgain() {
        free("a", 0, 0);
        free("b", 10, 0);
        PoolState.Granted c = free("c", TTL, 0); // a expired at TTL exactly; b is live

        assertThat(c.lease().number()).isEqualTo("+74950000001");
        assertThat(c.replaced().sessionId()).isEqualTo("a");
        assertThat(writes.asked).containsExactly("start a", "start b", "end a at " + TTL + ", start c");
        assertThat(pool.takeEndedByStarts()).extracting(Lease::sessionId).containsExactly("a");
        assertThat(pool.takeEndedByStarts()).isEmpty();

        assertThat(pool.sweep(TTL + 5, writes)).isEmpty();
        assertThat(pool.sweep(TTL + 10, writes)).extracting(Lease::sessionId).containsExactly("b");
        assertThat(writes.asked).containsExactly("start a", "start b", "end a at " + TTL + ", start c", "end b at " + (TTL + 10));
        PoolState.Snapshot s = pool.snapshot(TTL + 10, 0);
        assertThat(s.leased()).isEqualTo(1);
        assertThat(s.endedLeases()).isEqualTo(2);
        assertThat(s.endedLeaseMillis()).isEqualTo(2 * TTL);
        assertThat(pool.holderOf("+74950000001")).isEqualTo("c");
    }

    @Test
    void aLeaseWhoseEndTheSweepIsWritingIsNotTakenAndItsNumberIsIdleOnceThatEndIsStored() {
        free("a", 0, 0);
        free("b", 0, 0);
        CompletableFuture<Void> sweptEnd = new CompletableFuture<>();
        writes.outcomes.add(sweptEnd);
        assertThat(pool.sweep(TTL, writes, 1)).extracting(Lease::sessionId).hasSize(1); // one end in flight

        PoolState.Granted c = free("c", TTL, 0);
        assertThat(c.replaced()).as("the lease the sweep did not reach yet").isNotNull();
        assertThat(free("d", TTL, 0)).as("the one being ended by the sweep").isNull();

        sweptEnd.complete(null);
        assertThat(free("d", TTL, 0)).isNotNull();
        assertThat(writes.asked).filteredOn(w -> w.startsWith("end")).hasSize(2); // each end once
        assertThat(pool.sweep(TTL + 1, writes)).isEmpty();
    }

    @Test
    void aFailedWriteGivesTheExpiredLeaseBackAndTheNextSweepEndsItWithAWriteOfItsOwn() {
        free("a", 0, 0);
        free("b", 0, 0);
        writes.outcomes.add(CompletableFuture.failedFuture(new IllegalStateException("store down")));
        PoolState.Granted c = free("c", TTL, 0);
        assertThat(c.committed()).isCompletedExceptionally();
        pool.rollback(c); // as SessionService does when the commit fails

        assertThat(pool.holderOf(c.lease().number())).isEqualTo(c.replaced().sessionId());
        assertThat(pool.takeEndedByStarts()).isEmpty();
        PoolState.Granted d = free("d", TTL + 1, 0);
        assertThat(d.replaced().sessionId()).as("the other expired lease, not the one whose write just failed")
                .isNotEqualTo(c.replaced().sessionId());
        assertThat(free("e", TTL + 1, 0)).isNull();

        assertThat(pool.sweep(TTL + 2, writes)).extracting(Lease::sessionId).containsExactly(c.replaced().sessionId());
        assertThat(free("e", TTL + 2, 0)).isNotNull();
        assertThat(pool.snapshot(TTL + 2, 0).leased()).isEqualTo(2);
    }

    @Test
    void theExpiredLeaseOfARetiredNumberIsNeverTakenOverAndTheSweepStillEndsIt() {
        Lease a = free("a", 0, 0).lease();
        free("b", 10, 0);
        assertThat(pool.retire(a.number())).isTrue();

        assertThat(free("c", TTL + 5, 0)).as("a expired, but its number is retired; b is live").isNull();
        assertThat(pool.acquireCooling("c", "c", "v_c", TTL + 5, TTL, writes)).as("not even as a cooling reuse").isNull();
        assertThat(pool.hasNumberFor("v_c", TTL + 5, 0)).isFalse();
        PoolState.Granted c = free("c", TTL + 10, 0);
        assertThat(c.lease().number()).as("b's, which expired behind a's").isEqualTo("+74950000002");

        assertThat(pool.sweep(TTL + 20, writes)).extracting(Lease::sessionId).containsExactly("a");
        assertThat(free("d", TTL + 30, 0)).isNull();
        PoolState.Snapshot s = pool.snapshot(TTL + 30, 0);
        assertThat(s.retired()).isEqualTo(1);
        assertThat(s.retiredLeased()).isZero();
    }

    @Test
    void aRenewedLeaseIsNotTakenAndOfTwoExpiredLeasesTheOneThatExpiredFirstIs() {
        Lease a = free("a", 0, 0).lease();
        Lease b = free("b", 1_000, 0).lease();
        assertThat(pool.heartbeat(a, 1_500, TTL)).isTrue(); // a's queue entry still says TTL

        assertThat(pool.acquireCooling("c", "c", "v_c", TTL + 100, TTL, writes)).as("a was renewed, b is live").isNull();
        PoolState.Granted c = pool.acquireCooling("c", "c", "v_c", 1_500 + TTL, TTL, writes);
        assertThat(c.replaced()).as("b expired at 1 s + TTL, a only at 1.5 s + TTL").isSameAs(b);
        assertThat(c.lease().reusedCooling()).isTrue();
        assertThat(c.choice()).isEqualTo(PoolState.Choice.REUSED_COOLING);
    }

    @Test
    void idleNumbersAndExpiredLeasesAreOneQueueReleasedLongestAgoFirst() {
        Lease a = free("a", 0, 0).lease();
        Lease b = free("b", 0, 0).lease();
        pool.addNumber("+74950000003", TTL + 10, "v_x", false); // idle, released after a and b expired
        long coolDown = 60_000;

        assertThat(free("c", TTL + 20, coolDown)).as("everything is cooling").isNull();
        PoolState.Granted c = pool.acquireCooling("c", "c", "v_c", TTL + 20, TTL, writes);
        assertThat(c.replaced()).as("expired at TTL: longer ago than TTL + 10").isIn(a, b);

        pool.addNumber("+74950000004", TTL - 10, "v_y", false); // released before the other lease expired
        PoolState.Granted d = pool.acquireCooling("d", "d", "v_d", TTL + 20, TTL, writes);
        assertThat(d.replaced()).isNull();
        assertThat(d.lease().number()).isEqualTo("+74950000004");

        PoolState.Granted e = free("e", TTL + coolDown, coolDown);
        assertThat(e.replaced()).as("its cool-down is over; the number released at TTL + 10 is still cooling").isIn(a, b)
                .isNotSameAs(c.replaced());
        assertThat(writes.asked).filteredOn(w -> w.startsWith("end")).hasSize(2);
    }
}
