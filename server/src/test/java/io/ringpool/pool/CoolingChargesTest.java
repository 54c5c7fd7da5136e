package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A number cooling from an address's lease counts against that address until its cool-down ends,
 * and no longer: the charges leave then, or when the number is leased again, so they never
 * outnumber the pool's numbers (audit AM2 F6).
 */
class CoolingChargesTest {
    static final long TTL = 180_000;
    static final long COOL_DOWN = 900_000;
    static final String ADDRESS = "198.51.100.50";
    /** Past the numbers' own cool-down (they were released at 0). */
    static final long T0 = 10_000_000;

    final PoolSweepTest.Ends writer = new PoolSweepTest.Ends();
    final PoolState pool = new PoolState(new Pool("pl_1", "st_1", "p", 0, PoolMatch.ANY, Instant.EPOCH));

    CoolingChargesTest() {
        for (int i = 0; i < 100; i++) {
            pool.addNumber("+7495" + (1_000_000 + i), 0, null, false);
        }
    }

    /** A lease from {@link #ADDRESS} for a new visitor, ended (expired and swept) at {@code now + TTL}. */
    Lease churn(String visitor, long now) {
        Lease lease = pool.acquireFree(visitor, visitor, visitor, now, TTL, COOL_DOWN, writer).lease();
        pool.assignAddress(lease, ADDRESS);
        pool.sweep(now + TTL, writer);
        return lease;
    }

    @Test
    void anEndedLeasesNumberCountsAgainstItsAddressUntilItsCoolDownEnds() {
        for (int i = 0; i < 50; i++) {
            churn("v" + i, T0 + i * 1_000L);
        }
        long lastEnd = T0 + 49_000 + TTL;

        assertThat(pool.heldBy(ADDRESS, null, lastEnd)).isEqualTo(50);
        pool.endCoolingCharges(T0 + TTL + COOL_DOWN + 24_500, COOL_DOWN); // the first 25 have cooled
        assertThat(pool.heldBy(ADDRESS, null, lastEnd)).isEqualTo(25);
        assertThat(pool.coolingCharges()).isEqualTo(25);
        pool.endCoolingCharges(lastEnd + COOL_DOWN, COOL_DOWN);
        assertThat(pool.heldBy(ADDRESS, null, lastEnd + COOL_DOWN)).isZero();
        assertThat(pool.coolingCharges()).isZero();
    }

    @Test
    void theVisitorsOwnCoolingNumberIsLeftOutForItsReturnAndALeaseOfItEndsTheCharge() {
        Lease first = churn("v0", T0);
        long now = T0 + TTL + 60_000;

        assertThat(pool.heldBy(ADDRESS, null, now)).isEqualTo(1);
        assertThat(pool.heldBy(ADDRESS, "v0", now)).as("v0 taking back its own number takes none more").isZero();
        assertThat(pool.heldBy(ADDRESS, "someone-else", now)).isEqualTo(1);

        PoolState.Granted back = pool.acquireReturning("v0-again", "v0-again", "v0", now, TTL, writer);
        assertThat(back.lease().number()).isEqualTo(first.number());
        assertThat(pool.coolingCharges()).isZero();
        assertThat(pool.heldBy(ADDRESS, null, now)).as("its new lease counts only once it is assigned").isZero();
    }
}
