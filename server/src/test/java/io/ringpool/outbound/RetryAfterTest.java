package io.ringpool.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Audit N #6: the Retry-After of a 429 or 503, in both of RFC 9110's forms. */
class RetryAfterTest {
    static final Instant NOW = Instant.parse("2026-12-04T21:30:00Z");

    static OutboundHttp.Response answer(int status, String retryAfter) {
        return new OutboundHttp.Response(status, retryAfter == null ? Map.of() : Map.of("retry-after", retryAfter), new byte[0], false);
    }

    @Test
    void secondsAndHttpDatesAreRead() {
        assertThat(RetryAfter.of(answer(429, "120"), NOW)).contains(Duration.ofSeconds(120));
        assertThat(RetryAfter.of(answer(503, " 0 "), NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.of(answer(503, "Fri, 04 Dec 2026 21:40:00 GMT"), NOW)).contains(Duration.ofMinutes(10));
        assertThat(RetryAfter.of(answer(429, "99999999999"), NOW)).as("huge: the outbox caps it").contains(Duration.ofSeconds(99999999999L));
    }

    @Test
    void otherStatusesAndUnreadableOrPastValuesAskForNoWait() {
        assertThat(RetryAfter.of(answer(500, "120"), NOW)).isEmpty();
        assertThat(RetryAfter.of(answer(200, "120"), NOW)).isEmpty();
        assertThat(RetryAfter.of(answer(429, null), NOW)).isEmpty();
        assertThat(RetryAfter.of(answer(429, "-5"), NOW)).isEmpty();
        assertThat(RetryAfter.of(answer(429, "soon"), NOW)).isEmpty();
        assertThat(RetryAfter.of(answer(429, "Fri, 04 Dec 2026 21:00:00 GMT"), NOW)).as("already past").isEmpty();
        assertThat(RetryAfter.of(null, NOW)).isEmpty();
    }
}
