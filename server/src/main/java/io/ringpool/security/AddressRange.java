package io.ringpool.security;

import java.net.InetAddress;

/**
 * An address or a CIDR block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, {@code ::1}), compared as
 * bytes so that every spelling of one address matches ({@code ::1} is {@code 0:0:0:0:0:0:0:1}).
 */
public record AddressRange(byte[] network, int prefixBits) {

    /**
     * Parses {@code address} or {@code address/bits}.
     *
     * @throws IllegalArgumentException naming the text when it is neither
     */
    public static AddressRange parse(String text) {
        String t = text == null ? "" : text.strip();
        int slash = t.indexOf('/');
        String host = slash >= 0 ? t.substring(0, slash) : t;
        ClientAddress address = ClientAddress.parse(host);
        if (address == null || host.contains("[") || (slash < 0 && host.contains("%"))) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block");
        }
        byte[] bytes = address.address().getAddress();
        int max = bytes.length * 8;
        int bits = max;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' has a prefix length that is not a number");
            }
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0-" + max);
            }
        }
        return new AddressRange(mask(bytes, bits), bits);
    }

    public boolean contains(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == network.length && java.util.Arrays.equals(mask(b, prefixBits), network);
    }

    private static byte[] mask(byte[] bytes, int bits) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressRange r && r.prefixBits == prefixBits && java.util.Arrays.equals(r.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefixBits;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixBits;
        } catch (java.net.UnknownHostException e) {
            return "?/" + prefixBits;
        }
    }
}
