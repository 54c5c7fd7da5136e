package io.ringpool.upload;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/**
 * One ad platform's upload, in its documented request format. One small class per platform and
 * request kind; each says which settings it needs and builds and sends its own requests.
 */
interface Platform {

    /** The destination type ({@code yandex-metrica-calls}, …). */
    String type();

    /** Settings that must be given (shown in the API). */
    Set<String> required();

    /** Settings that may be given (shown in the API). */
    Set<String> optional();

    /** Credentials: required, stored encrypted, never shown. */
    Set<String> secrets();

    /** The platform's API, used when the destination names no {@code baseUrl}. */
    String defaultBaseUrl();

    /** Whether leads go up too ({@code lead.created}), beside completed calls. */
    default boolean takesLeads() {
        return false;
    }

    /**
     * Whether calls nobody answered go up too. A conversion upload (Google Ads, Metrica's offline
     * conversions) counts every row as a conversion, and a missed call is none: smart bidding
     * would optimise toward it. Metrica's call tracking upload (with {@code CallMissed}) and GA4
     * (with {@code call_answered}) carry the answer, so they take every call.
     */
    default boolean takesUnanswered() {
        return false;
    }

    /**
     * How long the platform asked, in the body of its refusal {@code r}, to be left alone; empty
     * for a platform that says it only in {@code Retry-After} (read for every platform).
     */
    default java.util.Optional<java.time.Duration> retryDelay(io.ringpool.outbound.OutboundHttp.Response r) {
        return java.util.Optional.empty();
    }

    /**
     * What is wrong with {@code d}'s settings by the rules of today, which a destination made
     * before a rule existed may break (GA4's event names before session 31). Such a destination
     * sends nothing until it is fixed; empty for one that is fine.
     */
    default java.util.List<DestinationProblem> problems(Destination d) {
        return java.util.List.of();
    }

    /**
     * How old a call must be before the platform takes it: a call's upload is held this long after
     * its event. Zero but for Google Ads ({@link GoogleTooRecent#HOLD}).
     */
    default java.time.Duration holdAfterCall() {
        return java.time.Duration.ZERO;
    }

    /** Most calls in one upload. */
    int maxBatch();

    /**
     * Uploads {@code calls}: builds the rows (leaving out calls without the platform's id), sends
     * them through {@code sender} and reads the answer.
     *
     * @param zone     the site's time zone (Google's times carry its offset)
     * @param currency the site's currency, for calls valued without one
     */
    UploadOutcome upload(Destination d, List<CallConversion> calls, ZoneId zone, String currency, Instant now, UploadSender sender)
            throws IOException;

    /** The base URL without a trailing slash. */
    static String base(Destination d, Platform p) {
        String b = d.setting("baseUrl") != null ? d.setting("baseUrl") : p.defaultBaseUrl();
        return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    }
}
