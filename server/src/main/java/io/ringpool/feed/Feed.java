package io.ringpool.feed;

import io.ringpool.account.CreatedBy;
import io.ringpool.export.ExportFilters;
import java.time.Instant;

/**
 * A feed: one export format of one site over a rolling window, fetched with HTTP Basic
 * credentials. The password is never part of it (shown once at creation).
 *
 * @param format         the export format's URL name ({@code google-ads-clicks}, {@code yandex-calls}, …)
 * @param windowDays     the feed answers calls started in the last this many days
 * @param conversionName the conversion (Google) or goal (Yandex) name written in each row; null = the export's default
 * @param layout         the export's own layout, or Data Manager's (Google formats only)
 * @param filters        which calls (and leads) the feed holds, as the export's query string would name them
 * @param createdBy      who made it; null for the feeds made before it was kept (V156)
 */
public record Feed(String feedId, String siteId, String format, int windowDays, String conversionName, FeedLayout layout,
        ExportFilters filters, String username, Instant createdAt, Instant revokedAt, Instant lastFetchAt, long fetchCount,
        CreatedBy createdBy) {

    public boolean active() {
        return revokedAt == null;
    }
}
