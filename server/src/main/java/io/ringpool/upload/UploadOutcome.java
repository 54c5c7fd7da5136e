package io.ringpool.upload;

import io.ringpool.outbound.NetworkFailure;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What one upload did.
 *
 * @param rows     the rows as the platform received them (or would have, in dry-run mode)
 * @param skipped  calls left out for lack of the id the platform matches on
 * @param success  the platform took it (a dry run and an upload with no rows count as success)
 * @param status   the platform's HTTP status of the last request, or null when nothing was sent
 * @param response the platform's answer (first 64 KB)
 * @param error    why it failed, or a partial failure the platform reported
 * @param byCall   what the platform said of single rows, by the index of their call in the calls
 *                 given to {@link Platform#upload}; a call not here shares the upload's outcome
 */
record UploadOutcome(List<Map<String, Object>> rows, int skipped, boolean success, Integer status, String response, String error,
        Map<Integer, RowResult> byCall) {

    UploadOutcome {
        byCall = byCall == null ? Map.of() : Map.copyOf(byCall);
    }

    UploadOutcome(List<Map<String, Object>> rows, int skipped, boolean success, Integer status, String response, String error) {
        this(rows, skipped, success, status, response, error, Map.of());
    }

    /**
     * The platform could not be reached while {@code rows} were being sent (connection refused,
     * timeout, reset): a failed upload that still shows what it carried, as one the platform
     * refused does (audit: the upload log showed {@code "rowCount": 0} after a network failure).
     */
    static UploadOutcome unreachable(List<Map<String, Object>> rows, int skipped, IOException e) {
        return new UploadOutcome(rows, skipped, false, null, null, NetworkFailure.describe(e));
    }
}
