package io.ringpool.security;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A client's IP address, parsed from a literal only (never a DNS lookup), with the key the limits
 * count it under. IPv4 addresses are keyed whole; IPv6 addresses by their /64 prefix, because one
 * subscriber usually gets a whole /64 (2^64 addresses to rotate through), so keying by the full
 * address would let one client spread over as many buckets as it likes. IPv4-mapped IPv6
 * ({@code ::ffff:192.0.2.1}) is the IPv4 address.
 */
public record ClientAddress(InetAddress address) {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    /**
     * Parses an address as written in a socket address or an {@code X-Forwarded-For} hop:
     * {@code 192.0.2.1}, {@code 192.0.2.1:5000}, {@code 2001:db8::1}, {@code [2001:db8::1]:5000},
     * {@code fe80::1%eth0}. Returns null for anything else (a host name, {@code unknown}, junk).
     */
    public static ClientAddress parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                return null;
            }
            t = t.substring(1, close);
        } else if (t.indexOf(':') > 0 && t.indexOf(':') == t.lastIndexOf(':') && t.indexOf('.') > 0) {
            t = t.substring(0, t.indexOf(':')); // IPv4 with a port
        }
        int zone = t.indexOf('%');
        if (zone >= 0) {
            t = t.substring(0, zone);
        }
        byte[] quad = canonicalDottedQuad(t);
        if (quad != null) {
            try {
                return new ClientAddress(InetAddress.getByAddress(quad));
            } catch (UnknownHostException impossible) {
                throw new IllegalStateException(impossible); // four bytes are always an address
            }
        }
        boolean v4 = IPV4.matcher(t).matches();
        if (!v4 && !(t.indexOf(':') >= 0 && IPV6.matcher(t).matches())) {
            return null;
        }
        if (v4) {
            for (String part : t.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return null;
                }
            }
        }
        try {
            // A literal: getByName does not consult DNS for it (the patterns above allow nothing else).
            return new ClientAddress(InetAddress.getByName(t));
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The four bytes of {@code t} when it is an IPv4 address written the usual way (four decimal
     * parts of 0-255, no leading zeros), else null, and the general path below decides. Every
     * request parses its client's address three or four times (proxies, limits, pool address), and
     * the general path (two regular expressions, a split, the JDK's literal parser) was ~2 % of a
     * session start's CPU.
     */
    static byte[] canonicalDottedQuad(String t) {
        int length = t.length();
        if (length < 7 || length > 15) {
            return null;
        }
        byte[] out = new byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= length; i++) {
            char ch = i < length ? t.charAt(i) : '.';
            if (ch >= '0' && ch <= '9') {
                if (digits > 0 && value == 0) {
                    return null; // a leading zero: octal to some parsers, left to the general path
                }
                value = value * 10 + (ch - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else if (ch == '.' && digits > 0 && part < 4) {
                out[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null;
            }
        }
        return part == 4 ? out : null;
    }

    public static ClientAddress of(InetAddress address) {
        return new ClientAddress(address);
    }

    public boolean isLoopback() {
        return address.isLoopbackAddress();
    }

    public boolean isIpv6() {
        return address instanceof Inet6Address;
    }

    /** The text form: dotted IPv4, or IPv6 as Java writes it (full, lower case). */
    public String text() {
        return address.getHostAddress();
    }

    /** What the limits count: the IPv4 address, or the IPv6 /64 as {@code 2001:db8:1:2::/64}. */
    public String limitKey() {
        return limitKey(address);
    }

    static String limitKey(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        StringBuilder out = new StringBuilder(24);
        for (int i = 0; i < 8; i += 2) {
            out.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
        }
        return out.append(":/64").toString();
    }

    /**
     * The limit key of an address given as text (what {@code Request.clientIp} holds); text that is
     * not an address is its own key, cut short so it cannot grow memory.
     */
    public static String limitKeyOf(String text) {
        ClientAddress parsed = parse(text);
        if (parsed != null) {
            return parsed.limitKey();
        }
        String t = text == null ? "unknown" : text;
        return t.length() > 64 ? t.substring(0, 64) : t;
    }

    @Override
    public String toString() {
        return text();
    }
}
