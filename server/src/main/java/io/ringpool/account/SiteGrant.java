package io.ringpool.account;

import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;

/**
 * Permission to act on one site, as granted by {@link Authoriser#site}.
 *
 * @param masksCallers whether caller numbers must be shown masked (viewers)
 */
public record SiteGrant(SiteRegistry.Entry entry, Caller caller, boolean masksCallers) {

    public Site site() {
        return entry.site();
    }

    public String siteId() {
        return entry.site().siteId();
    }
}
