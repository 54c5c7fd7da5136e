package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AddressCountsTest {

    /** Random increments and decrements over few keys that collide often (small tables) against a plain map. */
    @Test
    void countsAsAMapOfCountsThatDropsZeroesWould() {
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            AddressCounts counts = new AddressCounts();
            Map<Long, Integer> reference = new HashMap<>();
            int keys = 1 + random.nextInt(300);
            for (int i = 0; i < 20_000; i++) {
                // Keys that share low bits, so runs form and removals must shift entries back.
                long key = 1 + (long) random.nextInt(keys) * 1024;
                if (random.nextInt(3) == 0) {
                    counts.decrement(key);
                    reference.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
                } else {
                    counts.increment(key);
                    reference.merge(key, 1, Integer::sum);
                }
                long probe = 1 + (long) random.nextInt(keys) * 1024;
                assertThat(counts.get(probe)).as("round %d step %d key %d", round, i, probe).isEqualTo(reference.getOrDefault(probe, 0));
                assertThat(counts.size()).isEqualTo(reference.size());
            }
        }
    }

    @Test
    void anAddressWhoseLeasesAllEndedIsNoLongerRemembered() {
        AddressCounts counts = new AddressCounts();
        for (long k = 1; k <= 10_000; k++) {
            counts.increment(k);
        }
        for (long k = 1; k <= 10_000; k++) {
            counts.decrement(k);
        }
        assertThat(counts.size()).isZero();
        assertThat(counts.get(5)).isZero();
    }
}
