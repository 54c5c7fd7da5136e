package io.ringpool.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ringpool.visit.LandingTags;
import java.time.Duration;

/**
 * The ad tags of visits that ended on this node, kept a while by site and visitor, so that a page
 * that continues a lapsed visit is filed under that visit's source, not as a direct visit. A page
 * that is no landing (the script continues a visit it knew: a tab back from the background, a page
 * opened from the site) but whose visit lapsed meanwhile shows no tags and no outside referrer: a
 * call a minute later lost its Google click (audit J #3).
 *
 * <p>Bounded in number and age, so a crowd of visitors costs a fixed amount of heap. Threading: any
 * thread a session ends or starts on; the cache is concurrent and never blocks on a load.
 */
final class LapsedTags {
    /** How long after a visit with tags ends a continued page of its visitor carries them (see {@link #sourceUrl}). */
    static final Duration LAPSED_TAGS_KEPT = Duration.ofMinutes(30);

    private final Cache<String, LandingTags> byVisitor = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(LAPSED_TAGS_KEPT)
            .build();

    /** Keeps the tags of a session that is over, when it had any. */
    void remember(LiveSession over) {
        if (over.tags != null) {
            byVisitor.put(visitorKey(over.siteId, over.visitorId), over.tags);
        }
    }

    /**
     * The URL a new visit's source is read from: the page's own, unless the page is no landing,
     * shows no tags, and the visitor's last visit with tags ended on this node within
     * {@link #LAPSED_TAGS_KEPT}; then the page's URL with that visit's tags.
     */
    String sourceUrl(SessionService.StartRequest request, String siteId, String visitorId) {
        String url = request.url();
        if (request.landing() || visitorId == null || LandingTags.of(url) != null) {
            return url;
        }
        LandingTags earlier = byVisitor.getIfPresent(visitorKey(siteId, visitorId));
        if (earlier == null || url == null) {
            return url;
        }
        String query = earlier.asQuery();
        return query.isEmpty() ? url : url + (url.indexOf('?') < 0 ? '?' : '&') + query;
    }

    private static String visitorKey(String siteId, String visitorId) {
        return siteId + '\0' + visitorId;
    }
}
