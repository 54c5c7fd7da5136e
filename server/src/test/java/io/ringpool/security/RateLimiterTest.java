package io.ringpool.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.AdjustableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    final AdjustableClock clock = new AdjustableClock(Clock.fixed(Instant.parse("2026-12-01T09:00:00Z"), ZoneOffset.UTC));

    @Test
    void eachKeyGetsItsBurstThenWaitsForTheNextToken() {
        RateLimiter limiter = new RateLimiter(6, clock, 1_000);
        for (int i = 0; i < 6; i++) {
            assertThat(limiter.tryAcquire("a")).isZero();
        }
        assertThat(limiter.tryAcquire("a")).isEqualTo(10);
        assertThat(limiter.tryAcquire("b")).as("another key").isZero();
        clock.advance(Duration.ofSeconds(10));
        assertThat(limiter.tryAcquire("a")).isZero();
        assertThat(limiter.tryAcquire("a")).isPositive();
    }

    @Test
    void anUnlimitedLimiterGrantsEverythingAndRemembersNothing() {
        RateLimiter limiter = new RateLimiter(0, clock, 1_000);
        for (int i = 0; i < 10_000; i++) {
            assertThat(limiter.tryAcquire("k" + (i % 3))).isZero();
        }
        assertThat(limiter.keys()).isZero();
    }

    @Test
    void aFloodOfDistinctKeysNeverGrowsPastTheBound() {
        RateLimiter limiter = new RateLimiter(10, clock, 10_000);
        for (int i = 0; i < 500_000; i++) {
            limiter.tryAcquire("198.51." + i);
            if (i % 1_000 == 0) {
                clock.advance(Duration.ofMillis(1));
            }
        }
        // At least the bound is remembered, and the tables stay within 4/3 of it rounded to powers of two.
        assertThat(limiter.keys()).isBetween(2_500, 16 * 1_024);
        assertThat(limiter.slots()).isLessThanOrEqualTo(16 * 1_024);
    }

    @Test
    void underTheBoundEveryLiveKeyKeepsItsOwnBudget() {
        RateLimiter limiter = new RateLimiter(2, clock, 100_000);
        for (int i = 0; i < 50_000; i++) {
            assertThat(limiter.tryAcquire("k" + i)).isZero();
            assertThat(limiter.tryAcquire("k" + i)).isZero();
        }
        for (int i = 0; i < 50_000; i++) {
            assertThat(limiter.tryAcquire("k" + i)).as("k%d spent its burst", i).isPositive();
        }
        assertThat(limiter.keys()).isEqualTo(50_000);
    }

    @Test
    void idleBucketsMakeRoomForNewKeysInsteadOfGrowingTheTable() {
        RateLimiter limiter = new RateLimiter(1, clock, 1_000_000);
        for (int i = 0; i < 10_000; i++) {
            limiter.tryAcquire("first" + i);
        }
        int slots = limiter.slots();
        for (int round = 0; round < 20; round++) {
            clock.advance(Duration.ofMinutes(1)); // one token a minute: every bucket is full again
            for (int i = 0; i < 10_000; i++) {
                limiter.tryAcquire("round" + round + "-" + i);
            }
        }
        assertThat(limiter.slots()).as("200,000 keys in all, 10,000 at a time").isLessThanOrEqualTo(2 * slots);
        assertThat(limiter.tryAcquire("round19-1")).as("a recent key still has its empty bucket").isPositive();
    }

    @Test
    void tablesHoldTheClientsWhoseBucketsAreStillRefillingNotEveryClientSeen() {
        // 120 a minute: one token back every half second, so only the last half second of clients counts.
        RateLimiter limiter = new RateLimiter(120, clock, 1_000_000);
        for (int i = 0; i < 100_000; i++) {
            assertThat(limiter.tryAcquire("203.0." + i)).isZero();
            clock.advance(Duration.ofMillis(1));
        }
        assertThat(limiter.slots()).as("100,000 clients, ~500 of them still refilling").isLessThanOrEqualTo(4_096);
    }

    /** Random keys, times and budgets against a plain map of buckets, with a bound large enough never to evict. */
    @Test
    void answersAsAPlainMapOfBucketsWould() {
        Random random = new Random(17);
        for (int round = 0; round < 20; round++) {
            int perMinute = 1 + random.nextInt(30);
            RateLimiter limiter = new RateLimiter(perMinute, clock, 1_000_000);
            Map<String, double[]> reference = new HashMap<>();
            for (int i = 0; i < 20_000; i++) {
                clock.advance(Duration.ofMillis(random.nextInt(400)));
                String key = "k" + random.nextInt(2_000);
                long now = clock.millis();
                double[] b = reference.computeIfAbsent(key, k -> new double[] {perMinute, now});
                double perMilli = perMinute / 60_000.0;
                b[0] = Math.min(perMinute, b[0] + (now - b[1]) * perMilli);
                b[1] = now;
                int expected;
                if (b[0] < 1) {
                    expected = (int) Math.max(1, Math.ceil((1 - b[0]) / perMilli / 1000.0));
                } else {
                    b[0] -= 1;
                    expected = 0;
                }
                assertThat(limiter.tryAcquire(key)).as("round %d step %d key %s", round, i, key).isEqualTo(expected);
            }
        }
    }
}
