package io.ringpool.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

    static InetAddress ip(String literal) {
        return ClientAddress.parse(literal).address();
    }

    @Test
    void ipv6LoopbackMatchesInEitherSpelling() {
        assertThat(TrustedProxies.parse(List.of("::1")).trusts(ip("0:0:0:0:0:0:0:1"))).isTrue();
        assertThat(TrustedProxies.parse(List.of("0:0:0:0:0:0:0:1")).trusts(ip("::1"))).isTrue();
        assertThat(TrustedProxies.parse(List.of("::1")).trusts(ip("::2"))).isFalse();
    }

    @Test
    void cidrBlocksOfBothFamiliesContainTheirAddressesAndNoOthers() {
        TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8", "2001:db8:aa::/48", "192.0.2.7"));
        assertThat(proxies.trusts(ip("10.255.3.4"))).isTrue();
        assertThat(proxies.trusts(ip("11.0.0.1"))).isFalse();
        assertThat(proxies.trusts(ip("2001:db8:aa:ffff::1"))).isTrue();
        assertThat(proxies.trusts(ip("2001:db8:ab::1"))).isFalse();
        assertThat(proxies.trusts(ip("192.0.2.7"))).isTrue();
        assertThat(proxies.trusts(ip("192.0.2.8"))).isFalse();
        assertThat(proxies.trusts(ip("::ffff:10.1.1.1"))).as("IPv4-mapped IPv6 is the IPv4 address").isTrue();
    }

    @Test
    void anEntryThatIsNeitherAnAddressNorABlockIsRefusedByName() {
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("localhost"))).hasMessageContaining("localhost");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33"))).hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("300.1.1.1"))).hasMessageContaining("300.1.1.1");
    }

    @Test
    void allForwardedForLinesAreOneListReadFromTheRightSkippingTrustedHops() {
        TrustedProxies proxies = TrustedProxies.parse(List.of("127.0.0.1", "::1", "10.0.0.0/8"));
        // The client wrote its own line first; our proxies appended the real peer after it.
        List<String> lines = List.of("203.0.113.66", "198.51.100.9, 10.1.2.3");
        assertThat(proxies.client(ip("127.0.0.1"), lines).text()).isEqualTo("198.51.100.9");
        assertThat(proxies.client(ip("::1"), List.of("1.1.1.1, 2001:db8::5")).text()).isEqualTo("2001:db8:0:0:0:0:0:5");
        assertThat(proxies.client(ip("0:0:0:0:0:0:0:1"), List.of("[2001:db8::5]:4711")).limitKey()).isEqualTo("2001:db8:0:0::/64");
    }

    @Test
    void theHeaderOfAnUntrustedPeerIsIgnored() {
        TrustedProxies proxies = TrustedProxies.parse(List.of("127.0.0.1"));
        assertThat(proxies.client(ip("198.51.100.1"), List.of("127.0.0.1")).text()).isEqualTo("198.51.100.1");
        assertThat(TrustedProxies.none().client(ip("127.0.0.1"), List.of("198.51.100.2")).text()).isEqualTo("127.0.0.1");
    }

    @Test
    void junkAppendedByAProxyStopsTheWalkAtTheLastPartyKnown() {
        TrustedProxies proxies = TrustedProxies.parse(List.of("127.0.0.1"));
        assertThat(proxies.client(ip("127.0.0.1"), List.of("198.51.100.3, unknown")).text()).isEqualTo("127.0.0.1");
    }

    @Test
    void ipv6ClientsAreKeyedByTheirSlash64AndIpv4ByTheWholeAddress() {
        assertThat(ClientAddress.parse("2001:db8:1:2:aaaa::1").limitKey())
                .isEqualTo(ClientAddress.parse("2001:db8:1:2:ffff:ffff:ffff:ffff").limitKey());
        assertThat(ClientAddress.parse("2001:db8:1:3::1").limitKey()).isNotEqualTo(ClientAddress.parse("2001:db8:1:2::1").limitKey());
        assertThat(ClientAddress.parse("198.51.100.7").limitKey()).isEqualTo("198.51.100.7");
        assertThat(ClientAddress.parse("198.51.100.7:8080").text()).isEqualTo("198.51.100.7");
        assertThat(ClientAddress.parse("example.com")).as("never a DNS lookup").isNull();
    }
}
