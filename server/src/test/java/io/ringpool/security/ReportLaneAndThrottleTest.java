package io.ringpool.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.AdjustableClock;
import io.ringpool.http.AuthFailureThrottle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ReportLaneAndThrottleTest {
    final AdjustableClock clock = new AdjustableClock(Clock.fixed(Instant.parse("2026-11-30T09:00:00Z"), ZoneOffset.UTC));

    @Test
    void failuresPastTheFirstMarkAreDelayedDoublingUpToFiveSecondsAndPastTheSecondRefused() {
        AuthFailureThrottle throttle = new AuthFailureThrottle(10, 30, clock);
        for (int i = 0; i < 10; i++) {
            assertThat(throttle.recordFailure("198.51.100.1")).isZero();
        }
        assertThat(throttle.recordFailure("198.51.100.1")).isEqualTo(250);
        assertThat(throttle.recordFailure("198.51.100.1")).isEqualTo(500);
        assertThat(throttle.recordFailure("198.51.100.1")).isEqualTo(1000);
        for (int i = 0; i < 16; i++) {
            throttle.recordFailure("198.51.100.1");
        }
        assertThat(throttle.recordFailure("198.51.100.1")).isEqualTo(5000);
        assertThat(throttle.retryAfterSeconds("198.51.100.1")).as("30 failures: refused for a minute").isEqualTo(60);
        assertThat(throttle.retryAfterSeconds("198.51.100.2")).isZero();
        assertThat(throttle.retryAfterSeconds("2001:db8::1")).isZero();
        clock.advance(Duration.ofSeconds(61));
        assertThat(throttle.retryAfterSeconds("198.51.100.1")).isZero();
    }

    @Test
    void oneSlash64IsOneAddressForTheThrottle() {
        AuthFailureThrottle throttle = new AuthFailureThrottle(1, 2, clock);
        throttle.recordFailure("2001:db8:9:9::1");
        throttle.recordFailure("2001:db8:9:9::2");
        assertThat(throttle.retryAfterSeconds("2001:db8:9:9:ffff::3")).isPositive();
    }
}
