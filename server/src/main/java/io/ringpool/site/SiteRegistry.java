package io.ringpool.site;

import java.net.IDN;
import java.net.URI;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every site, in memory: sites are few and read on every request (keys, CORS, settings), so the
 * database is read once at start and written through on change.
 */
public final class SiteRegistry {
    /** Longest a request waits for a catch-up before it is answered from what this node knows. */
    private static final long CATCH_UP_WAIT_MILLIS = 3_000;

    /** A site and the credentials needed to authenticate its callers. */
    public record Entry(Site site, SiteSecrets secrets) {}

    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    private final Map<String, String> idByPublicKey = new ConcurrentHashMap<>();
    private final Map<String, String> idByApiKeyHash = new ConcurrentHashMap<>();
    private final Map<String, Long> firstSeenNanos = new ConcurrentHashMap<>();
    private volatile SiteCatchUp catchUp = SiteCatchUp.NONE;

    /** Set once the node knows whether it shares its store with other nodes (see {@link SiteCatchUp}). */
    public void catchUpWith(SiteCatchUp catchUp) {
        this.catchUp = catchUp;
    }

    public void put(Entry entry) {
        Site site = entry.site();
        firstSeenNanos.putIfAbsent(site.siteId(), System.nanoTime());
        Entry old = byId.put(site.siteId(), entry);
        if (old != null) {
            // a rotated key must stop naming the site here, or a revoked key would be told "not yours" instead of 401
            idByApiKeyHash.remove(java.util.HexFormat.of().formatHex(old.secrets().apiKeyHash()), site.siteId());
            idByPublicKey.remove(old.site().publicKey(), site.siteId());
        }
        idByPublicKey.put(site.publicKey(), site.siteId());
        idByApiKeyHash.put(java.util.HexFormat.of().formatHex(entry.secrets().apiKeyHash()), site.siteId());
    }

    /** Whether this node first heard of the site less than {@code millis} ago (or at its own start). */
    public boolean seenWithin(String siteId, long millis) {
        Long first = firstSeenNanos.get(siteId);
        return first != null && System.nanoTime() - first < TimeUnit.MILLISECONDS.toNanos(millis);
    }

    public Optional<Entry> byId(String siteId) {
        return siteId == null ? Optional.empty() : Optional.ofNullable(byId.get(siteId));
    }

    public Optional<Entry> byPublicKey(String publicKey) {
        String id = publicKey == null ? null : idByPublicKey.get(publicKey);
        return id == null ? Optional.empty() : byId(id);
    }

    /**
     * As {@link #byId}, but a site this node does not know is looked for once more after catching
     * up with the other nodes' changes. Blocks for up to one read of the store, so only for
     * request workers, never the event loop.
     */
    public Optional<Entry> byIdCatchingUp(String siteId) {
        Optional<Entry> known = byId(siteId);
        if (known.isPresent() || siteId == null || !awaitCatchUp()) {
            return known;
        }
        return byId(siteId);
    }

    /**
     * Catches up with the other nodes' changes and waits for it (at most a few seconds); false,
     * at once, when there is nothing to catch up with (one node alone). Blocks for up to one read
     * of the store, so only for request workers, never the event loop.
     */
    public boolean awaitCatchUp() {
        return awaitCatchUp(CATCH_UP_WAIT_MILLIS);
    }

    /** As {@link #awaitCatchUp()}, waiting at most {@code waitMillis}. */
    public boolean awaitCatchUp(long waitMillis) {
        CompletableFuture<Void> caughtUp = catchUp.catchUp();
        if (caughtUp == null) {
            return false;
        }
        try {
            caughtUp.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // answered from what this node knows, as without a catch-up
        }
        return true;
    }

    /**
     * For a public key {@link #byPublicKey} did not find, without blocking: the key looked up again
     * once this node has caught up with the other nodes' changes; null when there is nothing to
     * catch up with (one node alone).
     */
    public CompletableFuture<Optional<Entry>> byPublicKeyAfterCatchUp(String publicKey) {
        CompletableFuture<Void> caughtUp = publicKey == null ? null : catchUp.catchUp();
        // A copy times out, not the catch-up itself: other requests share that one.
        return caughtUp == null ? null : caughtUp.copy().orTimeout(CATCH_UP_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                .handle((done, failure) -> byPublicKey(publicKey));
    }

    /** The site whose API key hashes to {@code hashHex}; lookup by a hash leaks nothing about the key. */
    public Optional<Entry> byApiKeyHash(String hashHex) {
        String id = idByApiKeyHash.get(hashHex);
        return id == null ? Optional.empty() : byId(id);
    }

    public Collection<Entry> all() {
        return byId.values();
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    /**
     * Does {@code origin} belong to any site? Enough to let a CORS preflight proceed; each request
     * is then checked against its own site. Reads memory only, so the event loop may call it.
     */
    public boolean isAnySitesOrigin(String origin) {
        String host = hostOf(origin);
        if (host == null) {
            return false;
        }
        for (Entry e : byId.values()) {
            if (hostAllowed(e.site().settings().domains(), host)) {
                return true;
            }
        }
        return false;
    }

    /** Does {@code origin} (scheme://host[:port]) belong to the site's domains (or their subdomains)? */
    public static boolean originAllowed(Site site, String origin) {
        String host = hostOf(origin);
        return host != null && hostAllowed(site.settings().domains(), host);
    }

    /** A site without domains accepts every origin (set domains to restrict where the script may run). */
    static boolean hostAllowed(Collection<String> domains, String host) {
        if (domains.isEmpty()) {
            return true;
        }
        String h = host.startsWith("www.") ? host.substring(4) : host;
        for (String d : domains) {
            if (h.equals(d) || h.endsWith("." + d)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The host of an origin, lower case and in ASCII, as the site's domains are kept. Browsers send
     * an internationalised host in its ASCII (punycode) form already; one sent in Unicode (a
     * hand-written client) is converted, so both forms name the same site.
     */
    static String hostOf(String origin) {
        if (origin == null || origin.isBlank() || "null".equals(origin)) {
            return null;
        }
        try {
            URI uri = URI.create(origin.trim());
            String host = uri.getHost();
            if (host == null && uri.getAuthority() != null) {
                // java.net.URI parses only ASCII host names; take a Unicode one from the authority.
                String authority = uri.getAuthority();
                host = authority.substring(authority.lastIndexOf('@') + 1);
                int colon = host.lastIndexOf(':');
                host = colon >= 0 && host.indexOf(']') < colon ? host.substring(0, colon) : host;
            }
            return host == null ? null : asciiHost(host);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * {@code host} lower case, with Unicode labels in their ASCII form ({@code пример.рф} →
     * {@code xn--e1afmkfd.xn--p1ai}, {@link IDN#toASCII}); null when a label cannot be converted.
     * An ASCII host is only lower-cased (cheap: origins are checked on the event loop).
     */
    static String asciiHost(String host) {
        for (int i = 0; i < host.length(); i++) {
            if (host.charAt(i) >= 0x80) {
                try {
                    return IDN.toASCII(host).toLowerCase(Locale.ROOT);
                } catch (RuntimeException notAHostName) {
                    return null; // IllegalArgumentException; a plain RuntimeException for input too long to convert
                }
            }
        }
        return host.toLowerCase(Locale.ROOT);
    }
}
