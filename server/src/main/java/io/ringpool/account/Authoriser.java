package io.ringpool.account;

import io.ringpool.site.Keys;
import io.ringpool.site.SiteAccess;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.Unauthenticated;
import io.ringpool.site.UnknownSite;
import java.util.Optional;

/**
 * The one place that decides who may do what. Three kinds of credentials reach it:
 * <ul>
 *   <li>the operator's admin key: every site and workspace;
 *   <li>a site's API key (machines): every site permission on its own site, nothing else;
 *   <li>a person's session cookie: what their role allows ({@link Role}) on the sites their
 *       membership covers; a request that changes something must carry the session's CSRF token.
 * </ul>
 * What a caller may not see does not exist for them (404: another workspace's site, a site their
 * membership leaves out); what they see but may not do is 403.
 */
public final class Authoriser {
    private final SiteAccess keys;
    private final SiteRegistry sites;
    private final SignIn signIn;
    private final WorkspaceStore workspaces;

    public Authoriser(SiteAccess keys, SiteRegistry sites, SignIn signIn, WorkspaceStore workspaces) {
        this.keys = keys;
        this.sites = sites;
        this.signIn = signIn;
        this.workspaces = workspaces;
    }

    /**
     * Who is asking.
     *
     * @throws io.ringpool.failure.DomainFailure 401 without credentials or with ones nobody holds (or an ended session);
     *                                           403 {@code csrf_failed} for a cookie request that changes state without its token
     */
    public Caller authenticate(Credentials c) {
        if (c.bearer() != null) {
            if (keys.isAdmin(c.bearer())) {
                return new Caller.Operator();
            }
            return sites.byApiKeyHash(Keys.sha256Hex(c.bearer()))
                    .<Caller>map(e -> new Caller.SiteKey(e.site().siteId()))
                    .orElseThrow(Unauthenticated::new);
        }
        if (c.sessionToken() != null) {
            Caller.Member member = signIn.member(c.sessionToken()).orElseThrow(AccountFailures::signedOut);
            if (c.stateChanging() && !Keys.constantTimeEquals(c.csrfToken(), member.session().csrfToken())) {
                throw AccountFailures.csrf();
            }
            return member;
        }
        throw new Unauthenticated();
    }

    /**
     * What a site key replaced by a rotation may no longer do in its overlap. The overlap lets the
     * integrations that hold it go on reading and sending data; it must not let whoever leaked it
     * rotate again (the owner's new key was revoked at once and the thief held the only key: audit
     * AM2 F4), change the site, its webhooks and provider secrets, its pools, or erase data.
     */
    private static final java.util.Set<Permission> REPLACED_KEY_REFUSED = java.util.EnumSet.of(Permission.KEYS,
            Permission.SITE_SETTINGS, Permission.WEBHOOKS, Permission.POOLS, Permission.ERASE);

    /** May the caller do {@code permission} on {@code siteId}? */
    public SiteGrant site(Credentials c, String siteId, Permission permission) {
        if (c.bearer() != null && !keys.isAdmin(c.bearer())) {
            // A site key: the current one, or the previous one inside its rotation overlap, which
            // only SiteAccess can tell (the registry maps the current key alone).
            SiteRegistry.Entry entry = keys.requireSite(c.bearer(), siteId);
            if (REPLACED_KEY_REFUSED.contains(permission) && !entry.secrets().isCurrentApiKeyHash(Keys.sha256(c.bearer()))) {
                throw AccountFailures.replacedKey(permission);
            }
            return new SiteGrant(entry, new Caller.SiteKey(entry.site().siteId()), false);
        }
        Caller caller = authenticate(c);
        Optional<SiteRegistry.Entry> site = sites.byIdCatchingUp(siteId);
        return switch (caller) {
            case Caller.Operator op -> new SiteGrant(site.orElseThrow(UnknownSite::new), op, false);
            case Caller.SiteKey key -> {
                if (site.isEmpty() || !site.get().site().siteId().equals(key.siteId())) {
                    throw new UnknownSite();
                }
                yield new SiteGrant(site.get(), key, false);
            }
            case Caller.Member member -> {
                Membership m = site.isEmpty() ? null
                        : workspaces.membershipForSite(member.user().userId(), siteId).filter(x -> x.covers(siteId)).orElse(null);
                if (m == null) {
                    throw new UnknownSite();
                }
                if (!m.role().allows(permission)) {
                    throw AccountFailures.roleForbids(permission);
                }
                yield new SiteGrant(site.get(), member, m.role().masksCallers());
            }
        };
    }

    /** May the caller do {@code permission} in the workspace? The operator may do anything; keys nothing. */
    public WorkspaceGrant workspace(Credentials c, String workspaceId, Permission permission) {
        Caller caller = authenticate(c);
        return switch (caller) {
            case Caller.Operator op -> new WorkspaceGrant(workspaces.byId(workspaceId)
                    .orElseThrow(() -> io.ringpool.failure.DomainFailure.notFound("workspace")), op);
            case Caller.SiteKey key -> throw AccountFailures.userRequired();
            case Caller.Member member -> {
                Membership m = workspaces.membership(workspaceId, member.user().userId())
                        .orElseThrow(() -> io.ringpool.failure.DomainFailure.notFound("workspace"));
                if (!m.role().allows(permission)) {
                    throw AccountFailures.roleForbids(permission);
                }
                yield new WorkspaceGrant(workspaces.byId(workspaceId).orElseThrow(), member);
            }
        };
    }

    /** The operator alone. */
    public Caller.Operator admin(Credentials c) {
        Caller caller = authenticate(c);
        if (caller instanceof Caller.Operator op) {
            return op;
        }
        throw AccountFailures.adminRequired();
    }

    /** A signed-in person (not a key). */
    public Caller.Member member(Credentials c) {
        Caller caller = authenticate(c);
        if (caller instanceof Caller.Member m) {
            return m;
        }
        throw AccountFailures.userRequired();
    }
}
