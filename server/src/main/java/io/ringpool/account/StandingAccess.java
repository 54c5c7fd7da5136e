package io.ringpool.account;

import java.util.List;
import java.util.function.Predicate;

/**
 * Access a person set up that works without their session: a feed's username and password reads
 * every caller's number in its window. Removing a person ended their sessions but not that (audit
 * AM2 F10), so what they created is ended when they may no longer manage the site's integrations:
 * removed from the workspace, given a role below manager, or a site list without the site. The
 * account code knows only that such things exist; the integrations say which and end them.
 */
public interface StandingAccess {

    /**
     * One thing ended, for the audit log.
     *
     * @param action the audit action ({@code feed.revoke})
     * @param target its id
     * @param what   a few words on what it was ({@code feed google-ads-calls, username feed_…})
     */
    record Ended(String siteId, String action, String target, String what) {}

    /** Ends what {@code userId} created on every site where {@code mayManage} is now false; what was ended. */
    List<Ended> endWhere(String userId, Predicate<String> mayManage);

    /** Nothing to end. */
    StandingAccess NONE = (userId, mayManage) -> List.of();
}
