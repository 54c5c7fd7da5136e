package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.AdjustableClock;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientRateLimiterTest {
    final AdjustableClock clock = new AdjustableClock(Clock.systemUTC());

    @Test
    void oneIpMayStartTheConfiguredNumberOfSessionsPerMinuteThenWaitsForTheBucketToRefill() {
        ClientRateLimiter limiter = new ClientRateLimiter(10, clock);
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.tryAcquire("st_1", "203.0.113.7")).isTrue();
        }
        assertThat(limiter.tryAcquire("st_1", "203.0.113.7")).isFalse();
        assertThat(limiter.tryAcquire("st_1", "203.0.113.8")).as("another IP has its own bucket").isTrue();
        assertThat(limiter.tryAcquire("st_2", "203.0.113.7")).as("another site has its own bucket").isTrue();
        clock.advance(Duration.ofSeconds(6));
        assertThat(limiter.tryAcquire("st_1", "203.0.113.7")).as("one token per 6 s at 10/min").isTrue();
        assertThat(limiter.tryAcquire("st_1", "203.0.113.7")).isFalse();
    }

    @Test
    void loopbackIsNotLimitedBecauseBrowsersNeverComeFromIt() {
        ClientRateLimiter limiter = new ClientRateLimiter(1, clock);
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.tryAcquire("st_1", "127.0.0.1")).isTrue();
        }
    }

    @Test
    void zeroMeansUnlimited() {
        ClientRateLimiter limiter = new ClientRateLimiter(0, clock);
        for (int i = 0; i < 1000; i++) {
            assertThat(limiter.tryAcquire("st_1", "198.51.100.1")).isTrue();
        }
    }
}
