package io.ringpool.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {

    @Test
    void idsOfOneMillisecondSortInTheOrderOfTheirSequence() {
        // CI at ce0be57c: two audit entries of one PATCH, written in the same millisecond, listed
        // the wrong way round half the time because their ids differed only in random bytes.
        List<String> made = new ArrayList<>();
        for (int seq = 0; seq < 3000; seq += 7) {
            made.add(Keys.timeOrdered("au_", 1_765_000_000_000L, seq, 8));
        }
        assertThat(made).isSorted();
        assertThat(made.getLast().length()).as("fits audit_id VARCHAR(40)").isLessThanOrEqualTo(40);
    }

    @Test
    void aLaterMillisecondSortsAfterAHigherSequence() {
        String earlier = Keys.timeOrdered("au_", 1_765_000_000_000L, Integer.MAX_VALUE, 8);
        String later = Keys.timeOrdered("au_", 1_765_000_000_001L, 0, 8);
        assertThat(later).isGreaterThan(earlier);
    }
}
