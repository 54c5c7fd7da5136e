package io.ringpool.outbound;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The {@code Retry-After} of a 429 (Too Many Requests) or 503 (Service Unavailable) answer, RFC 9110
 * §10.2.3: whole seconds ({@code 120}) or an HTTP-date ({@code Fri, 04 Dec 2026 21:40:00 GMT}).
 * Other statuses, a missing or unreadable header, and a date already past ask for no wait.
 */
public final class RetryAfter {

    private RetryAfter() {}

    /** How long {@code r} asks the client to wait, measured from {@code now}. */
    public static Optional<Duration> of(OutboundHttp.Response r, Instant now) {
        if (r == null || (r.status() != 429 && r.status() != 503)) {
            return Optional.empty();
        }
        String value = r.headers().get("retry-after"); // OutboundHttp lower-cases header names
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        value = value.strip();
        if (value.matches("[0-9]{1,15}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
        }
        try {
            Duration until = Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return until.isNegative() ? Optional.empty() : Optional.of(until);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
