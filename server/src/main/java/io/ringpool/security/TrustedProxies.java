package io.ringpool.security;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxies whose {@code X-Forwarded-For} we believe, and the rule that finds the client behind
 * them. Every {@code X-Forwarded-For} line is one list (RFC 9110 §5.3: several lines of a header
 * are one comma-separated value); it is read from the right, because each proxy appends the peer it
 * saw, so the right-most entries are the ones our own proxies wrote and the left ones are whatever
 * the client sent. Trusted hops are skipped; the first hop that is not ours is the client. A client
 * that writes its own header therefore only adds entries to the left of the truth.
 *
 * <p>With no proxy configured the header is ignored and the peer is the client.
 */
public final class TrustedProxies {
    private final List<AddressRange> ranges;

    public TrustedProxies(List<AddressRange> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /**
     * Parses the configured list.
     *
     * @throws IllegalArgumentException naming the entry that is neither an address nor a CIDR block
     */
    public static TrustedProxies parse(List<String> entries) {
        List<AddressRange> out = new ArrayList<>();
        for (String e : entries) {
            out.add(AddressRange.parse(e));
        }
        return new TrustedProxies(out);
    }

    public static TrustedProxies none() {
        return new TrustedProxies(List.of());
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    public boolean trusts(InetAddress address) {
        for (AddressRange r : ranges) {
            if (r.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client of a connection from {@code peer} that carried these {@code X-Forwarded-For} lines
     * (in the order received; empty when none).
     */
    public ClientAddress client(InetAddress peer, List<String> forwardedForLines) {
        ClientAddress current = ClientAddress.of(peer);
        if (!trusts(peer) || forwardedForLines.isEmpty()) {
            return current;
        }
        List<String> hops = new ArrayList<>();
        for (String line : forwardedForLines) {
            for (String hop : line.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop);
                }
            }
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            ClientAddress hop = ClientAddress.parse(hops.get(i));
            if (hop == null) {
                // Our proxy appended something that is not an address: go no further left, the
                // proxy that wrote it is the last party we know.
                return current;
            }
            current = hop;
            if (!trusts(hop.address())) {
                return hop;
            }
        }
        return current;
    }
}
