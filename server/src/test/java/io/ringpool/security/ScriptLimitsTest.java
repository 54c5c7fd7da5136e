package io.ringpool.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.app.AdjustableClock;
import io.ringpool.security.ScriptLimits.Budget;
import io.ringpool.security.ScriptLimits.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScriptLimitsTest {
    final AdjustableClock clock = new AdjustableClock(Clock.fixed(Instant.parse("2026-11-30T09:00:00Z"), ZoneOffset.UTC));

    ScriptLimits limits(boolean loopbackExempt) {
        return new ScriptLimits(Map.of(Kind.PAGEVIEW, new Budget(3, 5), Kind.START, new Budget(0, 10)), loopbackExempt, clock);
    }

    @Test
    void aSessionGetsItsBudgetPerMinuteThenA429WithTheSecondsToWait() {
        ScriptLimits limits = limits(false);
        for (int i = 0; i < 3; i++) {
            limits.check(Kind.PAGEVIEW, null, "s_1", "198.51.100.1");
        }
        assertThatThrownBy(() -> limits.check(Kind.PAGEVIEW, null, "s_1", "198.51.100.1"))
                .isInstanceOfSatisfying(RateLimited.class, e -> {
                    assertThat(e.retryAfterSeconds()).isEqualTo(20);
                    assertThat(e.code()).isEqualTo("rate_limited");
                });
        clock.advance(Duration.ofSeconds(20));
        limits.check(Kind.PAGEVIEW, null, "s_1", "198.51.100.1");
    }

    @Test
    void anAddressGetsItsBudgetAcrossAllItsSessions() {
        ScriptLimits limits = limits(false);
        for (int i = 0; i < 5; i++) {
            assertThat(limits.tryAcquire(Kind.PAGEVIEW, null, "s_" + i, "198.51.100.2")).isZero();
        }
        assertThat(limits.tryAcquire(Kind.PAGEVIEW, null, "s_new", "198.51.100.2")).isPositive();
        assertThat(limits.tryAcquire(Kind.PAGEVIEW, null, "s_other", "198.51.100.3")).as("another address").isZero();
    }

    @Test
    void aRefusalSaysWhoseBudgetRanOutAndItsSize() {
        ScriptLimits limits = limits(false);
        for (int i = 0; i < 3; i++) {
            assertThat(limits.acquire(Kind.PAGEVIEW, null, "s_1", "198.51.100.4")).isEmpty();
        }
        assertThat(limits.acquire(Kind.PAGEVIEW, null, "s_1", "198.51.100.4"))
                .hasValueSatisfying(r -> assertThat(r).isEqualTo(new ScriptLimits.Refusal(20, ScriptLimits.Scope.SESSION, 3)));
        assertThat(limits.acquire(Kind.PAGEVIEW, null, "s_2", "198.51.100.4")).isEmpty();
        assertThat(limits.acquire(Kind.PAGEVIEW, null, "s_3", "198.51.100.4")).isEmpty();
        assertThat(limits.acquire(Kind.PAGEVIEW, null, "s_4", "198.51.100.4"))
                .hasValueSatisfying(r -> assertThat(r.scope()).isEqualTo(ScriptLimits.Scope.ADDRESS))
                .hasValueSatisfying(r -> assertThat(r.perMinute()).isEqualTo(5));
    }

    @Test
    void theAddressesOfOneIpv6Slash64ShareOneBudget() {
        ScriptLimits limits = limits(false);
        for (int i = 0; i < 5; i++) {
            assertThat(limits.tryAcquire(Kind.PAGEVIEW, null, "s_" + i, "2001:db8:1:2::" + Integer.toHexString(i + 1))).isZero();
        }
        assertThat(limits.tryAcquire(Kind.PAGEVIEW, null, "s_x", "2001:db8:1:2:ffff::9")).isPositive();
    }

    @Test
    void loopbackIsExemptOnlyWhenNoProxyIsConfigured() {
        ScriptLimits exempt = limits(true);
        ScriptLimits limited = limits(false);
        for (int i = 0; i < 50; i++) {
            assertThat(exempt.tryAcquire(Kind.START, "st_1", null, "0:0:0:0:0:0:0:1")).isZero();
        }
        int refused = 0;
        for (int i = 0; i < 50; i++) {
            refused += limited.tryAcquire(Kind.START, "st_1", null, "::1") > 0 ? 1 : 0;
        }
        assertThat(refused).isEqualTo(40);
    }

    @Test
    void startsAreCountedPerSiteForOneAddress() {
        ScriptLimits limits = limits(false);
        for (int i = 0; i < 10; i++) {
            assertThat(limits.tryAcquire(Kind.START, "st_1", null, "198.51.100.4")).isZero();
        }
        assertThat(limits.tryAcquire(Kind.START, "st_1", null, "198.51.100.4")).isPositive();
        assertThat(limits.tryAcquire(Kind.START, "st_2", null, "198.51.100.4")).isZero();
    }

    @Test
    void aZeroBudgetIsUnlimited() {
        ScriptLimits limits = limits(false);
        for (int i = 0; i < 1000; i++) {
            assertThat(limits.tryAcquire(Kind.HEARTBEAT, null, "s_1", "198.51.100.5")).isZero();
        }
    }
}
