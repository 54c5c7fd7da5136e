package io.ringpool.session;

import io.ringpool.site.SiteSettings;
import io.ringpool.visit.TrafficSource;
import io.ringpool.visit.UrlMinimiser;

/**
 * What of a page's URL and referrer is stored: only the query parameters Ringpool reads (the
 * site's own among them), cut to the per-session cap. One place, so a start, a resumed page and a
 * page view store the same URL the same way. Pure functions; any thread.
 */
record StoredUrls(SessionCaps caps) {

    /** The landing page and referrer as stored: only the query parameters Ringpool reads, cut to the cap. */
    TrafficSource minimised(TrafficSource s, SiteSettings settings) {
        String referrer = UrlMinimiser.withoutQuery(s.referrer());
        return new TrafficSource(s.source(), s.medium(), s.campaign(), s.term(), s.content(), s.channel(), s.clickIds(),
                stored(s.landingPage(), settings), SessionStore.cap(referrer, caps.maxUrlChars()), s.referrerHost());
    }

    /** A page's URL as stored. */
    String stored(String url, SiteSettings settings) {
        return SessionStore.cap(UrlMinimiser.minimise(url, settings.queryParameters()), caps.maxUrlChars());
    }
}
