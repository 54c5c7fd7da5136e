package io.ringpool.visit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where a visit came from: what {@link TrafficSourceParser} learnt from the landing URL and the
 * referrer. Immutable; every string is already trimmed and capped, so it can be stored as is.
 *
 * @param source       UTM source, or derived from the click id or referrer; never null
 *                     (e.g. {@code "google"}, {@code "news.example.org"}, {@code "(direct)"})
 * @param medium       UTM medium, or derived; never null (e.g. {@code "cpc"}, {@code "organic"},
 *                     {@code "referral"}, {@code "(none)"})
 * @param campaign     {@code utm_campaign}, null if absent
 * @param term         {@code utm_term}, null if absent
 * @param content      {@code utm_content}, null if absent
 * @param channel      the channel decided by the first rule that fits; never null
 * @param clickIds     click ids by parameter name (lowercase), in the order they appeared in the
 *                     URL; unmodifiable, never null
 * @param landingPage  the page URL without its fragment (the query is kept); null if none was sent
 * @param referrer     the referrer as sent (capped), null if none; kept even when it is one of the
 *                     site's own pages, as evidence
 * @param referrerHost lowercase host of an <em>external</em> referrer; null when there is no
 *                     referrer, it has no host, or it is one of the site's own domains (an internal
 *                     referrer is not a source, so reports grouping by host must not see it)
 */
public record TrafficSource(
        String source,
        String medium,
        String campaign,
        String term,
        String content,
        Channel channel,
        Map<String, String> clickIds,
        String landingPage,
        String referrer,
        String referrerHost) {

    public TrafficSource {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(medium, "medium");
        Objects.requireNonNull(channel, "channel");
        // Map.copyOf would lose the URL order, which we keep so a stored visit reads like its URL.
        clickIds = clickIds == null || clickIds.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(clickIds));
    }

    /** The value of one click id such as {@code "gclid"} (name matched ignoring case), or null if absent. */
    public String clickId(String name) {
        if (name == null) {
            return null;
        }
        String value = clickIds.get(name);
        return value != null ? value : clickIds.get(name.toLowerCase(Locale.ROOT));
    }
}
