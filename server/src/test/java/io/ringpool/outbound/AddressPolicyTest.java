package io.ringpool.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.failure.DomainFailure;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AddressPolicyTest {
    static final AddressPolicy STRICT = new AddressPolicy(List.of());

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
            "100.64.0.1", "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "198.18.0.1",
            "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "fec0::1", "2001:db8::1",
            "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::1",
            "2002:c0a8:101::1", "192.0.2.2", "198.51.100.1", "203.0.113.1", "192.88.99.1", "100::1", "3fff::1", "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:10::1", "64:ff9b:1::a00:1", "5f00::1"})
    void internalAddressesAreRefusedInIpv4AndIpv6AndEmbeddedForms(String literal) throws Exception {
        assertThat(STRICT.isAllowed(InetAddress.getByName(literal))).as(literal).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "77.88.8.8", "172.32.0.1", "100.128.0.1", "2a00:1450:4010::64", "::ffff:8.8.8.8",
            "64:ff9b::808:808", "2002:808:808::1", "192.0.3.1", "198.51.101.1", "203.0.114.1", "192.88.100.1", "2001:200::1",
            "2001:4860:4860::8888", "2600::1"})
    void publicAddressesAreAllowed(String literal) throws Exception {
        assertThat(STRICT.isAllowed(InetAddress.getByName(literal))).as(literal).isTrue();
    }

    @Test
    void theOperatorsAllowListOpensExactlyTheRangesItNames() throws Exception {
        AddressPolicy policy = new AddressPolicy(List.of("10.1.0.0/16", "127.0.0.1", "fd00::/8"));
        assertThat(policy.isAllowed(InetAddress.getByName("10.1.200.3"))).isTrue();
        assertThat(policy.isAllowed(InetAddress.getByName("10.2.0.1"))).isFalse();
        assertThat(policy.isAllowed(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(policy.isAllowed(InetAddress.getByName("127.0.0.2"))).isFalse();
        assertThat(policy.isAllowed(InetAddress.getByName("::ffff:127.0.0.1"))).isTrue();
        assertThat(policy.isAllowed(InetAddress.getByName("fd00::5"))).isTrue();
        assertThat(policy.isAllowed(InetAddress.getByName("fe80::5"))).isFalse();
    }

    @Test
    void anAllowedHostNameAllowsWhatItResolvesTo() throws Exception {
        AddressPolicy policy = new AddressPolicy(List.of("localhost"));
        AddressPolicy.Verdict v = policy.resolve("LOCALHOST");
        assertThat(v.refused()).isEmpty();
        assertThat(v.allowed()).isNotEmpty();
        assertThat(STRICT.resolve("localhost").allowed()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/x", "http://[::ffff:127.0.0.1]/x",
            "https://169.254.169.254/latest/meta-data", "http://10.0.0.5/", "http://0.0.0.0:9/", "http://[fe80::1]/",
            "http://224.0.0.251/", "http://2130706433/"})
    void aWebhookUrlOnAnInternalAddressIsRefusedWhenCreated(String url) {
        assertThatThrownBy(() -> STRICT.requireReachable(url, "url"))
                .isInstanceOfSatisfying(DomainFailure.class, f -> {
                    assertThat(f.kind()).isEqualTo(DomainFailure.Kind.INVALID);
                    assertThat(f.code()).isIn("target_not_allowed", "unknown_host");
                    assertThat(f.field()).isEqualTo("url");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/", "http://user:pw@8.8.8.8/", "/relative", "http://8.8.8.8/#frag", "not a url"})
    void urlsThatAreNotPlainHttpAreRefused(String url) {
        assertThatThrownBy(() -> STRICT.requireReachable(url, "url"))
                .isInstanceOfSatisfying(DomainFailure.class, f -> assertThat(f.code()).isEqualTo("invalid_url"));
    }

    /** Audit AN2 F4: a host in Cyrillic ({@code пример.рф}) was "not an absolute http(s) URL"; DNS knows it as punycode. */
    @Test
    void aHostInAnotherScriptIsTakenInItsPunycodeFormWithPortPathAndQueryKept() {
        assertThat(AddressPolicy.withAsciiHost("https://пример.рф/hook")).isEqualTo("https://xn--e1afmkfd.xn--p1ai/hook");
        assertThat(AddressPolicy.withAsciiHost("https://Пример.РФ:8443/приём?x=ё")).isEqualTo("https://xn--e1afmkfd.xn--p1ai:8443/приём?x=ё");
        assertThat(AddressPolicy.withAsciiHost("https://hooks.example.com/a")).isEqualTo("https://hooks.example.com/a");
        // The .invalid name never resolves (RFC 6761): the check got as far as DNS, with the ASCII name.
        assertThatThrownBy(() -> STRICT.requireReachable("https://пример.invalid/hook", "url"))
                .isInstanceOfSatisfying(DomainFailure.class, f -> {
                    assertThat(f.code()).isEqualTo("unknown_host");
                    assertThat(f.getMessage()).contains("xn--e1afmkfd.invalid");
                });
    }

    @Test
    void allowListEntriesThatAreNeitherHostsNorRangesAreReported() {
        assertThat(AddressPolicy.invalidEntry("10.0.0.0/33")).isNotNull();
        assertThat(AddressPolicy.invalidEntry("hooks.example.com")).isNull();
        assertThat(AddressPolicy.invalidEntry("10.0.0.0/8")).isNull();
        assertThat(AddressPolicy.invalidEntry("bad host!")).isNotNull();
    }
}
