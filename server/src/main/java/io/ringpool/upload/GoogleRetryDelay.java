package io.ringpool.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringpool.outbound.OutboundHttp;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The wait a Google API puts in the body of a refusal rather than in a {@code Retry-After} header.
 * Google Ads answers a quota error (HTTP 429, {@code RESOURCE_EXHAUSTED}) in Google's error model:
 * {@code {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "details": [...]}}}, where the wait
 * is either a {@code google.rpc.RetryInfo} detail ({@code {"@type":
 * "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "30s"}}, googleapis
 * {@code google/rpc/error_details.proto}) or, inside the {@code GoogleAdsFailure} detail, an error's
 * {@code details.quotaErrorDetails.retryDelay} (Google Ads API reference, {@code QuotaErrorDetails}:
 * "backoff period that customers should wait before sending next request"). Both are protobuf
 * {@code Duration}s, which JSON writes as seconds with an {@code s}: {@code "30s"}, {@code "1.5s"}.
 * The longest one found counts.
 */
final class GoogleRetryDelay {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo";
    /** A protobuf Duration in JSON: seconds, up to nine decimals, then {@code s}. */
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,12}(?:\\.[0-9]{1,9})?)s");

    private GoogleRetryDelay() {}

    /** The wait {@code r} asks for, or empty: a success, no JSON, or no delay in it. */
    static Optional<Duration> of(OutboundHttp.Response r) {
        if (r == null || r.isSuccess()) {
            return Optional.empty();
        }
        JsonNode details;
        try {
            details = JSON.readTree(r.body()).path("error").path("details");
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not Google's error JSON: nothing to read
        }
        Duration longest = null;
        for (JsonNode detail : details) {
            if (RETRY_INFO.equals(detail.path("@type").asText())) {
                longest = longer(longest, duration(detail.path("retryDelay")));
            }
            for (JsonNode error : detail.path("errors")) { // GoogleAdsFailure
                longest = longer(longest, duration(error.path("details").path("quotaErrorDetails").path("retryDelay")));
            }
        }
        return Optional.ofNullable(longest);
    }

    /** {@code "30s"} → 30 s; anything else (a number, an object, garbage) → null. */
    static Duration duration(JsonNode value) {
        if (!value.isTextual()) {
            return null;
        }
        Matcher m = DURATION.matcher(value.asText().strip());
        if (!m.matches()) {
            return null;
        }
        BigDecimal seconds = new BigDecimal(m.group(1));
        return Duration.ofSeconds(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
    }

    private static Duration longer(Duration a, Duration b) {
        return a == null ? b : b == null ? a : a.compareTo(b) >= 0 ? a : b;
    }
}
