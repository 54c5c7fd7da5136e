package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Events of different calls in flight together rarely share a lock stripe: a shared stripe makes
 * an event wait for an unrelated call's commit.
 */
class CallStripesTest {
    @Test
    void sixtyFourCallsInFlightWithRandomProviderIdsMostlyHaveStripesOfTheirOwn() {
        Random random = new Random(17);
        int rounds = 200;
        int waiting = 0;
        for (int r = 0; r < rounds; r++) {
            Map<Integer, Integer> perStripe = new HashMap<>();
            for (int i = 0; i < 64; i++) {
                String callSid = "CA" + new UUID(random.nextLong(), random.nextLong()).toString().replace("-", "");
                perStripe.merge(CallStripes.stripeOf("site_1", "twilio", callSid), 1, Integer::sum);
            }
            // every call beyond the first on a stripe waits for another's commit
            waiting += perStripe.values().stream().mapToInt(n -> n - 1).sum();
        }
        double perRound = (double) waiting / rounds;
        // 64 stripes: ~24 of 64 calls wait in a round; 1,024: ~2
        assertThat(perRound).isLessThan(4);
    }
}
