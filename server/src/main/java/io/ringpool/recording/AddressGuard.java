package io.ringpool.recording;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which addresses a recording download may reach. A recording URL comes from a webhook, and a
 * provider's redirect comes from wherever that URL points: neither may make Ringpool read the
 * operator's own network. Refused: loopback, private (RFC 1918, IPv6 unique-local), carrier-grade
 * NAT, link-local (cloud metadata at 169.254.169.254), multicast, unspecified and reserved
 * addresses, and IPv4-mapped IPv6 forms of them — unless the operator allows the host or range
 * ({@code recordings.fetchAllow}, for a PBX on the LAN, and for tests on loopback).
 *
 * <p>Written here because the outbox's address policy (issue 12) is not on main yet; when it
 * lands this should be replaced by it, together with its connect-to-the-checked-address client.
 */
final class AddressGuard {
    private final List<String> allowedHosts = new ArrayList<>();
    private final List<byte[][]> allowedRanges = new ArrayList<>(); // {network, mask}

    AddressGuard(List<String> allow) {
        for (String raw : allow) {
            String e = raw.strip().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            byte[][] range = range(e);
            if (range != null) {
                allowedRanges.add(range);
            } else {
                allowedHosts.add(e);
            }
        }
    }

    /**
     * The host's addresses, if every one may be reached; null otherwise (a name that resolves to one
     * public and one private address is refused: the connection could land on either).
     */
    List<InetAddress> permitted(String host) throws UnknownHostException {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        h = h.toLowerCase(Locale.ROOT);
        InetAddress[] all = InetAddress.getAllByName(h);
        if (allowedHosts.contains(h)) {
            return List.of(all);
        }
        for (InetAddress a : all) {
            if (!allowed(a)) {
                return null;
            }
        }
        return List.of(all);
    }

    boolean allowed(InetAddress a) {
        for (byte[][] r : allowedRanges) {
            if (inRange(a.getAddress(), r)) {
                return true;
            }
        }
        return isPublic(a);
    }

    static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return false; // fc00::/7 unique-local
            }
            boolean mapped = true; // ::ffff:a.b.c.d
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            if (mapped) {
                try {
                    return isPublic(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException impossible) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0 || first >= 240) {
                return false; // "this network", reserved and broadcast
            }
            if (first == 100 && second >= 64 && second <= 127) {
                return false; // 100.64.0.0/10 carrier-grade NAT
            }
            if (first == 192 && second == 0 && (b[2] & 0xff) == 0) {
                return false; // 192.0.0.0/24 IETF protocol assignments
            }
            if (first == 198 && (second == 18 || second == 19)) {
                return false; // 198.18.0.0/15 benchmarking
            }
        }
        return true;
    }

    /** A CIDR or a single address as {network, mask}; null for a host name. */
    private static byte[][] range(String entry) {
        String address = entry;
        int bits = -1;
        int slash = entry.indexOf('/');
        if (slash >= 0) {
            address = entry.substring(0, slash);
            bits = Integer.parseInt(entry.substring(slash + 1));
        }
        if (!address.matches("[0-9.]+") && !address.contains(":")) {
            return null;
        }
        try {
            byte[] net = InetAddress.getByName(address).getAddress();
            int total = net.length * 8;
            int prefix = bits < 0 ? total : Math.min(bits, total);
            byte[] mask = new byte[net.length];
            for (int i = 0; i < prefix; i++) {
                mask[i / 8] |= (byte) (0x80 >>> (i % 8));
            }
            return new byte[][] {net, mask};
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean inRange(byte[] a, byte[][] range) {
        byte[] net = range[0];
        byte[] mask = range[1];
        if (a.length != net.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if ((a[i] & mask[i]) != (net[i] & mask[i])) {
                return false;
            }
        }
        return true;
    }
}
