package io.ringpool.outbox;

import java.time.Duration;
import java.util.Map;

/**
 * The outcome of one attempt at a target.
 *
 * @param statusCode the target's HTTP status, or null when none came (refused, timeout, network)
 * @param error      why it failed, for the delivery log; null on success
 * @param response   the first bytes of the target's answer, for the delivery log
 * @param permanent  a failure that no retry can fix (target deleted or disabled): no more attempts
 * @param retryAfter how long the target asked to be left alone ({@code Retry-After} of a 429 or
 *                   503), or null; the next attempt waits at least this long (see {@link Backoff#delayMillis(int, Duration)})
 * @param byEvent    the outcome of single events of a batch where it differs from this one, by event id: a
 *                   platform that takes a batch may refuse some of its rows and say which (Google Ads'
 *                   {@code partialFailureError}); each of those deliveries is then logged with its own outcome
 */
public record Attempt(boolean success, Integer statusCode, String error, String response, boolean permanent, Duration retryAfter,
        Map<String, Attempt> byEvent) {

    /** The most of a target's answer kept in the delivery log, characters. */
    static final int RESPONSE_KEPT = 2000;

    public Attempt {
        error = clip(printable(error), 500);
        response = clip(response, RESPONSE_KEPT);
        byEvent = byEvent == null ? Map.of() : Map.copyOf(byEvent);
    }

    public Attempt(boolean success, Integer statusCode, String error, String response, boolean permanent, Duration retryAfter) {
        this(success, statusCode, error, response, permanent, retryAfter, Map.of());
    }

    public Attempt(boolean success, Integer statusCode, String error, String response, boolean permanent) {
        this(success, statusCode, error, response, permanent, null);
    }

    /** This attempt, with the wait the target asked for before the next one. */
    public Attempt withRetryAfter(Duration wait) {
        return new Attempt(success, statusCode, error, response, permanent, wait, byEvent);
    }

    /** This attempt, with the outcomes of the events in {@code outcomes} (by event id) told apart from it. */
    public Attempt withEventOutcomes(Map<String, Attempt> outcomes) {
        return new Attempt(success, statusCode, error, response, permanent, retryAfter, outcomes);
    }

    /** The outcome for event {@code eventId} of the batch: its own when it has one, else this. */
    public Attempt forEvent(String eventId) {
        return byEvent.getOrDefault(eventId, this);
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

    /**
     * {@code text} with its control characters (C0, DEL, C1) replaced by U+FFFD: an error is shown
     * in the delivery log, a webhook's {@code disabledReason} and the upload log, and one built
     * from a garbage answer ("not an HTTP/1.x response: " and its first bytes) must not carry raw
     * bytes, line breaks included, into those or into the server log. Null stays null.
     */
    public static String printable(String text) {
        if (text == null || text.chars().noneMatch(Attempt::isControl)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        text.chars().forEach(ch -> out.append(isControl(ch) ? '\uFFFD' : (char) ch));
        return out.toString();
    }

    private static boolean isControl(int ch) {
        return ch < 0x20 || (ch >= 0x7F && ch <= 0x9F);
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
