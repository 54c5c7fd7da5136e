package io.ringpool.site;

import io.ringpool.http.ApiException;
import io.ringpool.http.Request;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who may touch what. The admin key may act on every site; a site's API key only on its own site,
 * and another site's resources answer 404 (they do not exist as far as that key can tell).
 * Comparisons are constant-time.
 */
public final class SiteAccess {
    private final SiteRegistry registry;
    private final byte[] adminKeyHash;

    public SiteAccess(SiteRegistry registry, String adminKey) {
        this.registry = registry;
        this.adminKeyHash = Keys.sha256(adminKey);
    }

    public boolean isAdmin(Request request) {
        String token = request.bearerToken();
        return token != null && MessageDigest.isEqual(Keys.sha256(token), adminKeyHash);
    }

    /** The operator alone: creating sites. */
    public void requireAdmin(Request request) {
        String token = request.bearerToken();
        if (token == null) {
            throw ApiException.unauthorized();
        }
        if (isAdmin(request)) {
            return;
        }
        if (registry.byApiKeyHash(Keys.sha256Hex(token)).isPresent()) {
            throw new ApiException(403, "forbidden", "this needs the operator's admin key, not a site key");
        }
        throw ApiException.unauthorized();
    }

    /** The site named in the path, if the caller's key may act on it. */
    public SiteRegistry.Entry requireSite(Request request, String siteId) {
        String token = request.bearerToken();
        if (token == null) {
            throw ApiException.unauthorized();
        }
        byte[] hash = Keys.sha256(token);
        Optional<SiteRegistry.Entry> site = registry.byId(siteId);
        if (MessageDigest.isEqual(hash, adminKeyHash)) {
            return site.orElseThrow(() -> ApiException.notFound("site"));
        }
        if (site.isPresent() && MessageDigest.isEqual(hash, site.get().secrets().apiKeyHash())) {
            return site.get();
        }
        if (registry.byApiKeyHash(java.util.HexFormat.of().formatHex(hash)).isPresent()) {
            throw ApiException.notFound("site");
        }
        throw ApiException.unauthorized();
    }
}
