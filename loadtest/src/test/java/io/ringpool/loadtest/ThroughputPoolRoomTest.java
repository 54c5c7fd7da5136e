package io.ringpool.loadtest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThroughputPoolRoomTest {

    @Test
    void theOpenPhaseKeepsTheClockWhenTheNumbersNotLeasedCoverItWithATenthToSpare() {
        long leased = 50_000;
        assertTrue(ThroughputScenario.poolHasRoom(200_000, leased, 20_000));
        assertTrue(ThroughputScenario.poolHasRoom(72_000, leased, 20_000));
        assertFalse(ThroughputScenario.poolHasRoom(71_999, leased, 20_000));
        assertFalse(ThroughputScenario.poolHasRoom(50_000, leased, 1));
    }
}
