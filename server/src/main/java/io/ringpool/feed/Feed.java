package io.ringpool.feed;

import java.time.Instant;

/**
 * A feed: one export format of one site over a rolling window, fetched with HTTP Basic
 * credentials. The password is never part of it (shown once at creation).
 *
 * @param format         the export format's URL name ({@code google-ads-clicks}, {@code yandex-calls}, …)
 * @param windowDays     the feed answers calls started in the last this many days
 * @param conversionName the conversion (Google) or goal (Yandex) name written in each row; null = the export's default
 * @param layout         the export's own layout, or Data Manager's (Google formats only)
 */
public record Feed(String feedId, String siteId, String format, int windowDays, String conversionName, FeedLayout layout, String username,
        Instant createdAt, Instant revokedAt, Instant lastFetchAt, long fetchCount) {

    public boolean active() {
        return revokedAt == null;
    }
}
