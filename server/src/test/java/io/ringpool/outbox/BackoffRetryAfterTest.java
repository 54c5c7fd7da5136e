package io.ringpool.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Audit N #6: a target's Retry-After holds the next attempt back, never sooner than the backoff, never past an hour. */
class BackoffRetryAfterTest {

    @Test
    void aRetryAfterLongerThanTheBackoffIsWaitedUpToAnHour() {
        Backoff backoff = new Backoff(new Random(7));
        assertThat(backoff.delayMillis(2, Duration.ofSeconds(120))).isEqualTo(120_000);
        assertThat(backoff.delayMillis(2, Duration.ofDays(2))).isEqualTo(Duration.ofHours(1).toMillis());
    }

    @Test
    void aShorterOneOrNoneLeavesTheBackoff() {
        for (int attempts = 1; attempts < 15; attempts++) {
            long plain = new Backoff(new Random(attempts)).delayMillis(attempts);
            assertThat(new Backoff(new Random(attempts)).delayMillis(attempts, Duration.ofSeconds(1))).isEqualTo(plain);
            assertThat(new Backoff(new Random(attempts)).delayMillis(attempts, null)).isEqualTo(plain);
        }
        assertThat(new Backoff(new Random(3)).delayMillis(12, Duration.ofMinutes(30))).as("the backoff is past an hour by then")
                .isGreaterThan(Duration.ofHours(1).toMillis());
    }
}
