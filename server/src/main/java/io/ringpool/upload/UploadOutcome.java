package io.ringpool.upload;

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
 */
record UploadOutcome(List<Map<String, Object>> rows, int skipped, boolean success, Integer status, String response, String error) {}
