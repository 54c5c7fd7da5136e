package io.ringpool.upload;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Google's reason for refusing a whole request, read off its answer for the delivery's
 * {@code lastError}: the marketer learns there that the refresh token was revoked
 * ({@code invalid_grant}) or the developer token is not approved for production accounts
 * ({@code DEVELOPER_TOKEN_NOT_APPROVED}), not from the raw answer in the upload log (audit AN2 F1:
 * {@code lastError} was a bare "HTTP 403").
 *
 * <p>Two shapes: the OAuth token endpoint's {@code {"error": "invalid_grant", "error_description": …}}
 * (RFC 6749 §5.2), and the APIs' {@code google.rpc.Status} {@code {"error": {"code", "message",
 * "status", "details"}}}, where Google Ads puts a {@code GoogleAdsFailure} whose {@code errors}
 * carry {@code errorCode} ({@code {"authorizationError": "DEVELOPER_TOKEN_NOT_APPROVED"}}) and a
 * {@code message} each. Anything else gives the body itself, shortened.
 */
final class GoogleErrorText {
    static final int MAX_CHARS = 300;

    private GoogleErrorText() {}

    /** {@code "HTTP 403: DEVELOPER_TOKEN_NOT_APPROVED: The developer token …"}; {@code "HTTP 403"} when the body says nothing. */
    static String of(int status, String body) {
        String reason = reason(body);
        return reason.isEmpty() ? "HTTP " + status : "HTTP " + status + ": " + reason;
    }

    /** Google's reason in {@code body}, or empty. */
    static String reason(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        JsonNode answer;
        try {
            answer = UploadStore.JSON.readTree(body);
        } catch (IOException e) {
            return shortened(body.strip());
        }
        JsonNode error = answer == null ? null : answer.path("error");
        if (error == null || error.isMissingNode() || error.isNull()) {
            return shortened(body.strip());
        }
        if (error.isTextual()) {
            String description = answer.path("error_description").asText("");
            return shortened(description.isBlank() ? error.asText() : error.asText() + ": " + description);
        }
        Set<String> failures = new LinkedHashSet<>();
        for (JsonNode detail : error.path("details")) {
            for (JsonNode e : detail.path("errors")) {
                String code = code(e.path("errorCode"));
                String message = e.path("message").asText("");
                failures.add(code.isEmpty() ? message : message.isEmpty() ? code : code + ": " + message);
            }
        }
        failures.remove("");
        if (!failures.isEmpty()) {
            return shortened(String.join("; ", failures));
        }
        String status = error.path("status").asText("");
        String message = error.path("message").asText("");
        return shortened(status.isEmpty() ? message : message.isEmpty() ? status : status + ": " + message);
    }

    /** {@code {"authorizationError": "DEVELOPER_TOKEN_NOT_APPROVED"}} → the code. */
    private static String code(JsonNode errorCode) {
        for (Map.Entry<String, JsonNode> kind : errorCode.properties()) {
            if (kind.getValue().isTextual()) {
                return kind.getValue().asText();
            }
        }
        return "";
    }

    private static String shortened(String text) {
        return text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "…" : text;
    }
}
