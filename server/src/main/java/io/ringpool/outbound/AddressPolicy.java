package io.ringpool.outbound;

import io.ringpool.failure.DomainFailure;
import java.net.IDN;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which addresses Ringpool may send webhooks and uploads to (SSRF defence). A URL given by a
 * marketer must not reach the operator's own network: loopback, private (RFC 1918, unique-local
 * IPv6), carrier-grade NAT, link-local (cloud metadata lives at 169.254.169.254), multicast,
 * broadcast, reserved and unspecified addresses are refused, in IPv4 and IPv6 alike, and so are
 * IPv6 forms that embed an IPv4 address (IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible,
 * NAT64 {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}) when the embedded address is refused.
 *
 * <p>The operator may allow hosts or CIDRs anyway ({@code outbound.allow},
 * {@code RINGPOOL_OUTBOUND_ALLOW}): a host name entry allows whatever that name resolves to; an
 * address or CIDR entry allows the addresses inside it.
 *
 * <p>The check runs when a target is created and again for the very address a connection is
 * opened to ({@link OutboundHttp} connects to the checked address itself, never resolving the
 * name a second time), so a name that resolves to a public address at creation and to a private
 * one later (DNS rebinding) is still refused.
 */
public final class AddressPolicy {

    private final List<String> allowedHosts = new ArrayList<>();
    private final List<Cidr> allowedRanges = new ArrayList<>();

    /** @param allow host names, addresses or CIDRs ({@code 10.0.0.0/8}, {@code fd00::/8}) */
    public AddressPolicy(List<String> allow) {
        for (String entry : allow) {
            String e = entry.strip().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            Cidr cidr = Cidr.parse(e);
            if (cidr != null) {
                allowedRanges.add(cidr);
            } else {
                allowedHosts.add(e);
            }
        }
    }

    /** Parses one allow-list entry: null when it is neither a host name, an address nor a CIDR. */
    public static String invalidEntry(String entry) {
        String e = entry.strip();
        if (e.contains("/")) {
            return Cidr.parse(e.toLowerCase(Locale.ROOT)) == null ? e : null;
        }
        return e.matches("[A-Za-z0-9.:_-]+") ? null : e;
    }

    /** The outcome of resolving and checking a host. */
    public record Verdict(List<InetAddress> allowed, List<InetAddress> refused) {
        public boolean anyRefused() {
            return !refused.isEmpty();
        }
    }

    /**
     * Resolves {@code host} and sorts its addresses into allowed and refused.
     *
     * @throws UnknownHostException when the name does not resolve
     */
    public Verdict resolve(String host) throws UnknownHostException {
        String h = stripBrackets(host).toLowerCase(Locale.ROOT);
        boolean hostAllowed = allowedHosts.contains(h);
        List<InetAddress> allowed = new ArrayList<>();
        List<InetAddress> refused = new ArrayList<>();
        for (InetAddress a : InetAddress.getAllByName(h)) {
            if (hostAllowed || isAllowed(a)) {
                allowed.add(a);
            } else {
                refused.add(a);
            }
        }
        return new Verdict(List.copyOf(allowed), List.copyOf(refused));
    }

    /**
     * Checks a URL a marketer gives (a webhook, a destination's base URL): absolute http(s),
     * no credentials in it, and a host whose every address may be reached.
     *
     * <p>A host in another script ({@code https://пример.рф/hook}) is taken in its ASCII form
     * ({@code xn--e1afmkfd.xn--p1ai}, IDNA): {@link URI} reads no other, and it is the name DNS
     * knows (audit AN2 F4). The URL returned, which callers store, carries that form.
     *
     * @return the URL, parsed
     * @throws DomainFailure {@code invalid_url} or {@code target_not_allowed} (kind INVALID) naming {@code field}
     */
    public URI requireReachable(String url, String field) {
        URI uri;
        try {
            uri = new URI(withAsciiHost(url.strip()));
        } catch (URISyntaxException e) {
            throw new DomainFailure(DomainFailure.Kind.INVALID, "invalid_url", "'" + field + "' is not a valid URL", field);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawFragment() != null) {
            throw new DomainFailure(DomainFailure.Kind.INVALID, "invalid_url",
                    "'" + field + "' must be an absolute http:// or https:// URL without credentials or fragment", field);
        }
        Verdict verdict;
        try {
            verdict = resolve(uri.getHost());
        } catch (UnknownHostException e) {
            throw new DomainFailure(DomainFailure.Kind.INVALID, "unknown_host",
                    "'" + field + "': the host " + uri.getHost() + " does not resolve", field);
        }
        if (verdict.anyRefused() || verdict.allowed().isEmpty()) {
            throw new DomainFailure(DomainFailure.Kind.INVALID, "target_not_allowed", "'" + field + "': " + uri.getHost()
                    + " resolves to a loopback, private, link-local or otherwise internal address; the operator may allow it "
                    + "with outbound.allow (RINGPOOL_OUTBOUND_ALLOW)", field);
        }
        return uri;
    }

    /**
     * {@code url} with a host that holds non-ASCII letters written in punycode (java.net.IDN), the
     * rest as given; as given when there is no such host or it is no valid IDN name (then refused
     * as any malformed URL is).
     */
    static String withAsciiHost(String url) {
        int start = url.indexOf("://");
        if (start < 0) {
            return url;
        }
        start += 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        String authority = url.substring(start, end);
        if (authority.chars().allMatch(ch -> ch < 0x80) || authority.contains("@") || authority.contains("[")) {
            return url;
        }
        int colon = authority.lastIndexOf(':');
        String host = colon < 0 ? authority : authority.substring(0, colon);
        String port = colon < 0 ? "" : authority.substring(colon);
        try {
            return url.substring(0, start) + IDN.toASCII(host, IDN.USE_STD3_ASCII_RULES) + port + url.substring(end);
        } catch (IllegalArgumentException e) {
            return url;
        }
    }

    /** True when the address is public, or inside a range the operator allowed. */
    public boolean isAllowed(InetAddress address) {
        for (Cidr c : allowedRanges) {
            if (c.contains(address)) {
                return true;
            }
        }
        return isPublic(address);
    }

    /** Not loopback, private, link-local, multicast, unspecified or reserved (see the class comment). */
    public static boolean isPublic(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return isPublicV4(b);
        }
        if (address instanceof Inet6Address) {
            byte[] embedded = embeddedV4(b);
            if (embedded != null) {
                return isPublicV4(embedded);
            }
            return isPublicV6(b);
        }
        return false;
    }

    private static boolean isPublicV4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        return !(a0 == 0                                   // "this network", incl. 0.0.0.0 (unspecified)
                || a0 == 10                                // private
                || a0 == 127                               // loopback
                || (a0 == 100 && a1 >= 64 && a1 <= 127)    // carrier-grade NAT, shared
                || (a0 == 169 && a1 == 254)                // link-local (cloud metadata)
                || (a0 == 172 && a1 >= 16 && a1 <= 31)     // private
                || (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                || (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 2) // documentation TEST-NET-1
                || (a0 == 192 && a1 == 88 && (b[2] & 0xff) == 99) // 6to4 relay anycast (retired)
                || (a0 == 192 && a1 == 168)                // private
                || (a0 == 198 && (a1 == 18 || a1 == 19))   // benchmarking
                || (a0 == 198 && a1 == 51 && (b[2] & 0xff) == 100) // documentation TEST-NET-2
                || (a0 == 203 && a1 == 0 && (b[2] & 0xff) == 113)  // documentation TEST-NET-3
                || a0 >= 224);                             // multicast, reserved, broadcast
    }

    private static boolean isPublicV6(byte[] b) {
        boolean allZeroButLast = true;
        for (int i = 0; i < 15; i++) {
            if (b[i] != 0) {
                allZeroButLast = false;
                break;
            }
        }
        if (allZeroButLast && (b[15] == 0 || b[15] == 1)) {
            return false;                                  // :: unspecified, ::1 loopback
        }
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        if (b0 == 0xff) {
            return false;                                  // multicast
        }
        if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
            return false;                                  // link-local fe80::/10
        }
        if (b0 == 0xfe && (b1 & 0xc0) == 0xc0) {
            return false;                                  // site-local fec0::/10 (deprecated, still private)
        }
        if ((b0 & 0xfe) == 0xfc) {
            return false;                                  // unique local fc00::/7
        }
        if (b0 == 0x20 && b1 == 0x01 && b[2] == 0x0d && (b[3] & 0xff) == 0xb8) {
            return false;                                  // documentation 2001:db8::/32
        }
        if (b0 == 0x3f && (b1 & 0xf0) == 0xf0) {
            return false;                                  // documentation 3fff::/20
        }
        if (b0 == 0x20 && b1 == 0x01 && (b[2] & 0xfe) == 0) {
            return false;                                  // IETF protocol assignments 2001::/23 (Teredo, ORCHID, ...)
        }
        if (b0 == 0x01 && b1 == 0 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0) {
            return false;                                  // discard-only 100::/64
        }
        if (b0 == 0 && b1 == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && b[4] == 0 && b[5] == 1) {
            return false;                                  // local-use NAT64 64:ff9b:1::/48: translates to anything
        }
        if (b0 == 0x5f && b1 == 0) {
            return false;                                  // SRv6 segment identifiers 5f00::/16
        }
        return true;
    }

    /** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), or null. */
    static byte[] embeddedV4(byte[] b) {
        boolean first10Zero = true;
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                first10Zero = false;
                break;
            }
        }
        if (first10Zero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return new byte[] {b[12], b[13], b[14], b[15]};            // ::ffff:a.b.c.d
        }
        if (first10Zero && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0)) {
            return new byte[] {b[12], b[13], b[14], b[15]};            // ::a.b.c.d (IPv4-compatible)
        }
        if (b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
            boolean zeros = true;
            for (int i = 4; i < 12; i++) {
                zeros &= b[i] == 0;
            }
            if (zeros) {
                return new byte[] {b[12], b[13], b[14], b[15]};        // 64:ff9b::a.b.c.d (NAT64)
            }
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return new byte[] {b[2], b[3], b[4], b[5]};                // 2002:aabb:ccdd:: (6to4)
        }
        return null;
    }

    static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** An address range: the first {@code bits} bits of {@code network}. */
    private record Cidr(byte[] network, int bits) {
        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            String addr = slash >= 0 ? text.substring(0, slash) : text;
            if (!addr.matches("[0-9.]+") && !(addr.contains(":") && addr.matches("[0-9a-f:.\\[\\]]+"))) {
                return null; // a host name, not an address
            }
            try {
                byte[] network = InetAddress.getByName(stripBrackets(addr)).getAddress(); // a literal: no DNS lookup
                int bits = slash >= 0 ? Integer.parseInt(text.substring(slash + 1)) : network.length * 8;
                if (bits < 0 || bits > network.length * 8) {
                    return null;
                }
                return new Cidr(network, bits);
            } catch (UnknownHostException | NumberFormatException e) {
                return null;
            }
        }

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
    }
}
