package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The pool's counts come from its longest-idle-first order and a retired counter, not a walk of
 * every number: checked against the numbers' states as this test keeps them, through leases,
 * ends at expiry, numbers retired while idle and while leased, over many moments and cool-downs.
 */
class PoolSnapshotTest {
    static final long TTL = 180_000;

    /** One number as the test knows it. */
    static final class Known {
        boolean retired;
        boolean leased;
        long releasedAt;
    }

    @Test
    void countsMatchTheNumbersStatesAtEveryMoment() {
        Random random = new Random(15);
        PoolState pool = new PoolState(new Pool("pl_1", "st_1", "p", 0, PoolMatch.ANY, Instant.EPOCH));
        PoolSweepTest.Ends ends = new PoolSweepTest.Ends();
        Map<String, Known> known = new HashMap<>();
        for (int i = 0; i < 2_000; i++) {
            String number = "+7495" + (1_000_000 + i);
            Known k = new Known();
            k.releasedAt = random.nextInt(1_000_000);
            k.retired = i % 40 == 0;
            known.put(number, k);
            pool.addNumber(number, k.releasedAt, null, k.retired);
        }
        List<Lease> live = new ArrayList<>();
        long now = 1_000_000;
        for (int step = 0; step < 300; step++) {
            now += random.nextInt(20_000);
            for (int n = random.nextInt(12); n > 0; n--) {
                PoolState.Granted granted = pool.acquireCooling("l_" + step + "_" + n, "s_" + step + "_" + n, "v_" + step + "_" + n, now,
                        TTL, ends);
                if (granted != null) {
                    known.get(granted.lease().number()).leased = true;
                    live.add(granted.lease());
                }
            }
            if (random.nextInt(10) == 0) { // retire a number, leased or not
                String number = "+7495" + (1_000_000 + random.nextInt(2_000));
                if (pool.retire(number)) {
                    known.get(number).retired = true;
                }
            }
            Set<Lease> ended = new HashSet<>(pool.sweep(now, ends));
            for (Lease lease : ended) {
                Known k = known.get(lease.number());
                k.leased = false;
                k.releasedAt = lease.expiresAt; // an end is recorded at the lease's expiry
            }
            live.removeAll(ended);
            for (long coolDown : new long[] {0, 60_000, 900_000, 5_000_000}) {
                assertThat(pool.snapshot(now, coolDown)).as("step %d, cool-down %d", step, coolDown)
                        .usingRecursiveComparison().comparingOnlyFields("size", "leased", "coolingDown", "free", "retired", "retiredLeased")
                        .isEqualTo(expected(known, now, coolDown));
            }
        }
        assertThat(live).as("the run left leases live and ended some").isNotEmpty();
    }

    private static PoolState.Snapshot expected(Map<String, Known> known, long now, long coolDown) {
        int size = 0;
        int leased = 0;
        int cooling = 0;
        int free = 0;
        int retired = 0;
        int retiredLeased = 0;
        for (Known k : known.values()) {
            if (k.retired) {
                retired++;
                if (k.leased) {
                    retiredLeased++;
                }
                continue;
            }
            if (k.leased) {
                leased++;
            }
            size++;
            if (!k.leased) {
                if (k.releasedAt + coolDown > now) {
                    cooling++;
                } else {
                    free++;
                }
            }
        }
        return new PoolState.Snapshot(size, leased, cooling, free, retired, 0, 0, 0, 0, 0, 0, retiredLeased);
    }
}
