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
 *
 * <p>An error Ringpool cannot place by its location (none given, no details at all, or an index
 * past the batch) is placed by Google's other rule: the answer's {@code results} has one entry per
 * conversion, and "Proto will be empty for rows that received an error"
 * ({@code UploadClickConversionsResponse.results}, and the same of {@code UploadCallConversionsResponse}).
 * So a row with an empty result ({@code {}}) that no error names is refused by the errors no row
 * claims. Where the results cannot tell either (missing, or not one per row), no row of the batch
 * is known to have been taken: every row no error names is refused for now and sent again with the
 * usual backoff until its deadline (Google drops a repeat of a conversion it took). Before session
 * 44 all of them were shown delivered (audit AJ2 #3).
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
     * is the call of {@code conversions[i]}, and {@code results} is the answer's {@code results}
     * (missing when Google sent none). Errors that name no row of the batch go to the rows whose
     * result is empty; where the results cannot tell, every row no error names is refused for now
     * (the class comment).
     */
    static Map<Integer, RowResult> byCall(JsonNode partialFailureError, JsonNode results, List<Integer> rowCalls) {
        Map<Integer, StringBuilder> messages = new LinkedHashMap<>();
        java.util.Set<Integer> refusedForGood = new java.util.HashSet<>();
        Map<Integer, Duration> waits = new LinkedHashMap<>();
        List<JsonNode> unplaced = new java.util.ArrayList<>();
        for (JsonNode detail : partialFailureError.path("details")) {
            for (JsonNode error : detail.path("errors")) {
                Integer row = rowIndex(error);
                if (row == null || row < 0 || row >= rowCalls.size()) {
                    unplaced.add(error);
                    continue;
                }
                judge(rowCalls.get(row), error, messages, refusedForGood, waits);
            }
        }
        java.util.Set<Integer> named = java.util.Set.copyOf(messages.keySet());
        boolean resultsTell = results.isArray() && results.size() == rowCalls.size();
        // A partial failure none of whose errors names a row of the batch (no details, no location) explains nothing either.
        boolean unexplained = !unplaced.isEmpty() || named.isEmpty();
        for (int row = 0; row < rowCalls.size(); row++) {
            int call = rowCalls.get(row);
            if (named.contains(call)) {
                continue;
            }
            if (resultsTell) {
                JsonNode result = results.get(row);
                if (result != null && !result.isNull() && !result.isEmpty()) {
                    continue; // Google's result for a row it took
                }
                if (unplaced.isEmpty()) {
                    // Refused, by Google's rule, for a reason no error gives: sent again, never counted delivered.
                    messages.put(call, new StringBuilder(UNPLACED + partialFailureError.path("message").asText("no reason given")));
                    waits.put(call, Duration.ZERO);
                    continue;
                }
                for (JsonNode error : unplaced) {
                    judge(call, error, messages, refusedForGood, waits);
                }
            } else if (unexplained) {
                // Neither the errors nor the results say which rows Google refused: none is known to be taken.
                messages.put(call, new StringBuilder(UNKNOWN_ROW + partialFailureError.path("message").asText("no reason given")));
                waits.put(call, unplaced.stream().anyMatch(e -> GoogleTooRecent.retryable(code(e))) ? TOO_RECENT_WAIT : Duration.ZERO);
            }
        }
        Map<Integer, RowResult> out = new LinkedHashMap<>();
        messages.forEach((call, m) -> out.put(call, refusedForGood.contains(call) ? RowResult.refused(m.toString())
                : RowResult.later(m.toString(), waits.getOrDefault(call, Duration.ZERO))));
        return out;
    }

    /** The start of a refused row's message. */
    private static final String REFUSED = "Google refused this conversion: ";
    /** A row Google's results mark refused (an empty result) that no error names. */
    private static final String UNPLACED = "Google refused this conversion (an empty result) without saying why: ";
    /** A row of a partial failure whose rows neither the errors nor the results name. */
    private static final String UNKNOWN_ROW = "Google refused some conversions of this upload without saying which; sent again: ";

    /** Adds {@code error} to what is said of {@code call}'s row, and how it is retried. */
    private static void judge(int call, JsonNode error, Map<Integer, StringBuilder> messages, java.util.Set<Integer> refusedForGood,
            Map<Integer, Duration> waits) {
        String kind = kind(error);
        String code = code(error);
        String text = (code.isEmpty() ? "" : code + ": ") + error.path("message").asText("refused");
        StringBuilder m = messages.computeIfAbsent(call, k -> new StringBuilder(REFUSED));
        if (m.length() > REFUSED.length()) {
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

    /** The kind of an error's code ({@code conversionUploadError}), or "". */
    private static String kind(JsonNode error) {
        return error.path("errorCode").fieldNames().hasNext() ? error.path("errorCode").fieldNames().next() : "";
    }

    /** An error's code ({@code CLICK_NOT_FOUND}), or "". */
    private static String code(JsonNode error) {
        return error.path("errorCode").path(kind(error)).asText("");
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
