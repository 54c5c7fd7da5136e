package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LastNumbersTest {

    /** Visitors taking numbers (as PoolState.take does) and takes undone, against a plain map. */
    @Test
    void findsEachVisitorsLastNumberAsAMapWould() {
        Random random = new Random(5);
        for (int round = 0; round < 30; round++) {
            LastNumbers table = new LastNumbers();
            Map<String, NumberSlot> reference = new HashMap<>();
            List<NumberSlot> numbers = new ArrayList<>();
            int pool = 1 + random.nextInt(500);
            for (int n = 0; n < pool; n++) {
                numbers.add(new NumberSlot("+7495" + n, 0, null, false));
            }
            int visitors = 1 + random.nextInt(800);
            for (int i = 0; i < 20_000; i++) {
                NumberSlot slot = numbers.get(random.nextInt(pool));
                String visitor = "v" + random.nextInt(visitors);
                String previous = slot.lastVisitorId;
                if (previous != null) {
                    table.remove(previous, slot);
                    reference.remove(previous, slot);
                }
                slot.lastVisitorId = visitor;
                table.put(slot);
                reference.put(visitor, slot);
                if (random.nextInt(5) == 0) {
                    // The take is undone: the slot goes back to its previous visitor unless they hold another.
                    table.remove(visitor, slot);
                    reference.remove(visitor, slot);
                    slot.lastVisitorId = previous;
                    if (previous != null) {
                        table.putIfAbsent(slot);
                        reference.putIfAbsent(previous, slot);
                    }
                }
                String probe = "v" + random.nextInt(visitors);
                assertThat(table.get(probe)).as("round %d step %d %s", round, i, probe).isSameAs(reference.get(probe));
                assertThat(table.size()).isEqualTo(reference.size());
            }
        }
    }

    /** Sized for the pool as numbers are added, the table never grows while visitors take numbers. */
    @Test
    void aPoolsTableIsSizedAsNumbersAreAddedAndNeverGrowsOnALease() {
        PoolState pool = new PoolState(new Pool("pl_test", "st_test", "main", 0, PoolMatch.ANY, java.time.Instant.EPOCH));
        for (int n = 0; n < 5_000; n++) {
            pool.addNumber("+7495" + (1_000_000 + n), 0, null, false);
        }
        int capacity = pool.lastNumbersCapacity();
        assertThat(capacity * 3L).isGreaterThanOrEqualTo(5_000 * 4L);
        for (int v = 0; v < 5_000; v++) {
            assertThat(pool.acquireFree("s_" + v, "s_" + v, "v_" + v, 1_000 + v, 60_000, 0, PoolStateModelTest.INSTANT)).isNotNull();
        }
        assertThat(pool.lastNumbersCapacity()).isEqualTo(capacity);
    }
}
