package io.ringpool.feed;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How a feed lays out its CSV. By default exactly as the export of the same format (API.md: a
 * feed's format is "one of the export formats"; PRODUCT.md §4 for Google's: a first line
 * {@code Parameters:TimeZone=<IANA id>}, times {@code yyyy-MM-dd HH:mm:ss} in that zone).
 * Google Ads Data Manager's HTTPS source reads the header on the first line and no
 * {@code Parameters} line, so a feed meant for it is created with {@code "layout": "data-manager"}:
 * the header first, times ISO-8601 with the site's offset. Only the Google formats differ; the
 * Yandex ones have one layout.
 */
public enum FeedLayout {
    EXPORT("export"),
    DATA_MANAGER("data-manager");

    private final String wireName;

    FeedLayout(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    static Optional<FeedLayout> byWireName(String name) {
        return Arrays.stream(values()).filter(l -> l.wireName.equals(name)).findFirst();
    }

    static List<String> wireNames() {
        return Arrays.stream(values()).map(FeedLayout::wireName).toList();
    }
}
