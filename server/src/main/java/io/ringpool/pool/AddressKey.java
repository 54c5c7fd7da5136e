package io.ringpool.pool;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The unit a pool's per-address cap counts in: an IPv4 address as is, an IPv6 address by its /64
 * prefix. One IPv6 subscriber (a home, a phone, a server) gets a whole /64 and picks addresses in
 * it at will, so counting single IPv6 addresses would not limit anyone; a /64 is what one IPv4
 * address is to them.
 */
public final class AddressKey {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** Hex digits, colons and an optional dotted tail: a literal, so no DNS lookup can happen. */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]+(\\.\\d{1,3}){0,4}");

    private AddressKey() {}

    /**
     * The key for a client address as the HTTP layer resolved it, or null when it is not one to
     * count: loopback (the operator's own tools and tests, or a proxy that forwards no client
     * address, where every visitor would share one key) and anything that is not an IP literal.
     */
    public static String of(String clientIp) {
        if (clientIp == null) {
            return null;
        }
        String ip = clientIp.strip();
        boolean v4 = IPV4.matcher(ip).matches();
        if (ip.length() > 45 || !(v4 || (ip.contains(":") && IPV6.matcher(ip).matches()))) {
            return null;
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            return null;
        }
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return null;
        }
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                prefix.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
            }
            return prefix.append(":/64").toString();
        }
        return null;
    }
}
