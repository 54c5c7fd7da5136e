package io.ringpool.site;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Who may touch what, given the bearer token a caller presented (null when none). The admin key
 * may act on every site; a site's API key only on its own site, and another site's resources are
 * {@link UnknownSite} (they do not exist as far as that key can tell). Comparisons are constant-time.
 */
public final class SiteAccess {
    private final SiteRegistry registry;
    private final byte[] adminKeyHash;
    private final java.time.Clock clock;

    public SiteAccess(SiteRegistry registry, String adminKey) {
        this(registry, adminKey, java.time.Clock.systemUTC());
    }

    /** @param clock decides whether a rotated key's overlap window is still open */
    public SiteAccess(SiteRegistry registry, String adminKey, java.time.Clock clock) {
        this.registry = registry;
        this.adminKeyHash = Keys.sha256(adminKey);
        this.clock = clock;
    }

    public boolean isAdmin(String token) {
        return token != null && MessageDigest.isEqual(Keys.sha256(token), adminKeyHash);
    }

    /**
     * The operator alone: creating sites.
     *
     * @throws Unauthenticated without a token or with one nobody holds
     * @throws AdminKeyRequired with a valid site key
     */
    public void requireAdmin(String token) {
        if (token == null) {
            throw new Unauthenticated();
        }
        if (isAdmin(token)) {
            return;
        }
        if (registry.byApiKeyHash(Keys.sha256Hex(token)).isPresent()) {
            throw new AdminKeyRequired();
        }
        throw new Unauthenticated();
    }

    /**
     * The site {@code siteId}, if the holder of {@code token} may act on it.
     *
     * @throws Unauthenticated without a token or with one nobody holds
     * @throws UnknownSite when the site does not exist or belongs to another key
     */
    public SiteRegistry.Entry requireSite(String token, String siteId) {
        if (token == null) {
            throw new Unauthenticated();
        }
        byte[] hash = Keys.sha256(token);
        SiteRegistry.Entry entry = granted(hash, siteId);
        // A site, or a key, made through another node a moment ago: look once more after catching
        // up with that node's changes (several nodes only; shared and bounded, see SiteCatchUp).
        if (entry == null && registry.awaitCatchUp()) {
            entry = granted(hash, siteId);
        }
        if (entry != null) {
            return entry;
        }
        if (MessageDigest.isEqual(hash, adminKeyHash) || registry.byApiKeyHash(HexFormat.of().formatHex(hash)).isPresent()) {
            throw new UnknownSite();
        }
        throw new Unauthenticated();
    }

    /** The site, if the key with this hash may act on it now; null otherwise. */
    private SiteRegistry.Entry granted(byte[] hash, String siteId) {
        Optional<SiteRegistry.Entry> site = registry.byId(siteId);
        if (site.isEmpty()) {
            return null;
        }
        if (MessageDigest.isEqual(hash, adminKeyHash) || site.get().secrets().acceptsApiKeyHash(hash, clock.instant())) {
            return site.get();
        }
        return null;
    }
}
