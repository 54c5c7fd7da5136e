package io.ringpool.outbox;

import java.time.Duration;

/**
 * The outcome of one attempt at a target.
 *
 * @param statusCode the target's HTTP status, or null when none came (refused, timeout, network)
 * @param error      why it failed, for the delivery log; null on success
 * @param response   the first bytes of the target's answer, for the delivery log
 * @param permanent  a failure that no retry can fix (target deleted or disabled): no more attempts
 * @param retryAfter how long the target asked to be left alone ({@code Retry-After} of a 429 or
 *                   503), or null; the next attempt waits at least this long (see {@link Backoff#delayMillis(int, Duration)})
 */
public record Attempt(boolean success, Integer statusCode, String error, String response, boolean permanent, Duration retryAfter) {

    /** The most of a target's answer kept in the delivery log, characters. */
    static final int RESPONSE_KEPT = 2000;

    public Attempt {
        error = clip(error, 500);
        response = clip(response, RESPONSE_KEPT);
    }

    public Attempt(boolean success, Integer statusCode, String error, String response, boolean permanent) {
        this(success, statusCode, error, response, permanent, null);
    }

    /** This attempt, with the wait the target asked for before the next one. */
    public Attempt withRetryAfter(Duration wait) {
        return new Attempt(success, statusCode, error, response, permanent, wait);
    }

    public static Attempt succeeded(int status, String response) {
        return new Attempt(true, status, null, response, false);
    }

    public static Attempt failed(Integer status, String error, String response) {
        return new Attempt(false, status, error, response, false);
    }

    public static Attempt abandoned(String error) {
        return new Attempt(false, null, error, null, true);
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
