package io.ringpool.upload;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Google Ads' {@code partialFailureError} read row by row. With {@code partialFailure: true} Google
 * keeps the valid conversions and answers 200 with a {@code google.rpc.Status} whose
 * {@code details} hold a {@code GoogleAdsFailure}: each of its {@code errors} has an
 * {@code errorCode} ({@code {"conversionUploadError": "CLICK_NOT_FOUND"}}), a {@code message} and a
 * {@code location.fieldPathElements} whose {@code {"fieldName": "conversions", "index": i}} names
 * the refused row. Before session 43 the whole message went to every call of the upload and each
 * was shown delivered (audit AI2 #1); now each refused row's call gets its own message.
 */
final class GoogleRowErrors {
    // Rows Google may take later: the click, call or conversion action is under six hours old
    // (GoogleTooRecent's codes: "retry after 6 hours"), or Google failed for its own part (the
    // TRANSIENT sets). Every other code refuses the row for good (a click not found or outside the
    // window, an unparseable id, a duplicate): resending it only earns the same answer.

    /** How long Google asks to wait for a {@link GoogleTooRecent#retryable} code. */
    static final Duration TOO_RECENT_WAIT = Duration.ofHours(6);
    /**
     * Google's own passing trouble, retried with the usual backoff: an error of these kinds (the
     * key of {@code errorCode}), or {@link #TRANSIENT_CODES}.
     */
    static final Set<String> TRANSIENT_KINDS = Set.of("internalError", "quotaError");
    static final Set<String> TRANSIENT_CODES = Set.of("CONCURRENT_MODIFICATION");

    private GoogleRowErrors() {}

    /**
     * The rows {@code partialFailureError} refuses, by the index of their call: {@code rowCalls.get(i)}
     * is the call of {@code conversions[i]}. Errors without a row index (none in Google's examples)
     * are left to the upload's message.
     */
    static Map<Integer, RowResult> byCall(JsonNode partialFailureError, List<Integer> rowCalls) {
        Map<Integer, StringBuilder> messages = new LinkedHashMap<>();
        java.util.Set<Integer> refusedForGood = new java.util.HashSet<>();
        Map<Integer, Duration> waits = new LinkedHashMap<>();
        for (JsonNode detail : partialFailureError.path("details")) {
            for (JsonNode error : detail.path("errors")) {
                Integer row = rowIndex(error);
                if (row == null || row < 0 || row >= rowCalls.size()) {
                    continue;
                }
                int call = rowCalls.get(row);
                String kind = error.path("errorCode").fieldNames().hasNext() ? error.path("errorCode").fieldNames().next() : "";
                String code = error.path("errorCode").path(kind).asText("");
                String text = (code.isEmpty() ? "" : code + ": ") + error.path("message").asText("refused");
                StringBuilder m = messages.computeIfAbsent(call, k -> new StringBuilder("Google refused this conversion: "));
                if (m.length() > "Google refused this conversion: ".length()) {
                    m.append("; ");
                }
                m.append(text);
                if (GoogleTooRecent.retryable(code)) {
                    waits.merge(call, TOO_RECENT_WAIT, (a, b) -> a.compareTo(b) >= 0 ? a : b);
                } else if (TRANSIENT_KINDS.contains(kind) || TRANSIENT_CODES.contains(code)) {
                    waits.putIfAbsent(call, Duration.ZERO);
                } else {
                    refusedForGood.add(call); // one final reason is enough: the row is not taken on a retry either
                }
            }
        }
        Map<Integer, RowResult> out = new LinkedHashMap<>();
        messages.forEach((call, m) -> out.put(call, refusedForGood.contains(call) ? RowResult.refused(m.toString())
                : RowResult.later(m.toString(), waits.getOrDefault(call, Duration.ZERO))));
        return out;
    }

    /** The {@code i} of {@code conversions[i]} in the error's field path, or null. */
    private static Integer rowIndex(JsonNode error) {
        for (JsonNode element : error.path("location").path("fieldPathElements")) {
            if ("conversions".equals(element.path("fieldName").asText()) && element.path("index").canConvertToInt()) {
                return element.path("index").asInt();
            }
        }
        return null;
    }
}
