package io.ringpool.pool;

import io.ringpool.security.ClientAddress;

/**
 * The unit a pool's per-address cap counts in: an IPv4 address as is, an IPv6 address by its /64
 * prefix. One IPv6 subscriber (a home, a phone, a server) gets a whole /64 and picks addresses in
 * it at will, so counting single IPv6 addresses would not limit anyone; a /64 is what one IPv4
 * address is to them.
 */
public final class AddressKey {
    private AddressKey() {}

    /**
     * The key for a client address as the HTTP layer resolved it, or null when it is not one to
     * count: loopback (the operator's own tools and tests, or a proxy that forwards no client
     * address, where every visitor would share one key) and anything that is not an IP literal.
     */
    public static String of(String clientIp) {
        // The same parsing and /64 keying as the request limits, so the cap and the limiter count one client alike.
        ClientAddress address = ClientAddress.parse(clientIp);
        if (address == null || address.isLoopback() || address.address().isAnyLocalAddress()) {
            return null;
        }
        return address.limitKey();
    }

    /**
     * The IPv6 /48 an address key ({@link #of}) lies in, as {@code 2001:db8:abcd::/48}; null for an
     * IPv4 key or null. A /64 is what one home is handed at the least, but a home is often handed a
     * /56 or a /48 (RIPE-690; a free tunnel broker's /48), so one subscriber can present thousands of
     * /64s: a second, looser cap on the /48 bounds what they hold together (audit AM2 F1: eleven
     * /64s of one /48 took a ten-number pool).
     */
    public static String network(String addressKey) {
        if (addressKey == null || !addressKey.endsWith("::/64")) {
            return null;
        }
        String[] groups = addressKey.substring(0, addressKey.length() - "::/64".length()).split(":");
        return groups.length < 3 ? null : groups[0] + ":" + groups[1] + ":" + groups[2] + "::/48";
    }
}
