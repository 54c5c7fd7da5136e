package io.ringpool.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    @Property(tries = 2000)
    void everyCanonicalIpv4ParsesToItsFourBytes(@ForAll("octets") int a, @ForAll("octets") int b, @ForAll("octets") int c,
            @ForAll("octets") int d) throws Exception {
        String text = a + "." + b + "." + c + "." + d;
        ClientAddress parsed = ClientAddress.parse(text);
        assertThat(parsed).isNotNull();
        assertThat(parsed.address()).isEqualTo(InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}));
        assertThat(parsed.text()).isEqualTo(text);
        assertThat(parsed.limitKey()).isEqualTo(text);
        assertThat(ClientAddress.parse(text + ":5000")).isEqualTo(parsed);
        assertThat(ClientAddress.parse(" " + text + "\t")).isEqualTo(parsed);
    }

    @Provide
    Arbitrary<Integer> octets() {
        return Arbitraries.integers().between(0, 255).edgeCases(e -> e.includeOnly(0, 1, 9, 10, 99, 100, 255));
    }

    /** Whatever the fast path takes, the general path (regular expressions and the JDK's parser) reads the same. */
    @Property(tries = 5000)
    void theFastPathAgreesWithTheGeneralOne(@ForAll("addressLike") String text) throws Exception {
        byte[] quad = ClientAddress.canonicalDottedQuad(text);
        if (quad != null) {
            assertThat(InetAddress.getByName(text).getAddress()).isEqualTo(quad);
        }
    }

    @Provide
    Arbitrary<String> addressLike() {
        return Arbitraries.strings().withChars("0123456789.").ofMinLength(0).ofMaxLength(17);
    }

    @Test
    void whatIsNotACanonicalQuadIsLeftToTheGeneralPath() {
        for (String t : new String[] {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.1000", "01.2.3.4", "1..2.3", ".1.2.3",
                "1.2.3.", "1.2.3.4a", "a.b.c.d", "1.2.3.-4", "::1", "1234.1.1.1"}) {
            assertThat(ClientAddress.canonicalDottedQuad(t)).as(t).isNull();
        }
        assertThat(ClientAddress.canonicalDottedQuad("0.0.0.0")).containsExactly(0, 0, 0, 0);
        assertThat(ClientAddress.canonicalDottedQuad("255.255.255.255")).containsExactly(-1, -1, -1, -1);
    }

    @Test
    void addressesTheFastPathLeavesAreStillParsedAsBefore() {
        assertThat(ClientAddress.parse("2001:db8::1").isIpv6()).isTrue();
        assertThat(ClientAddress.parse("[2001:db8:1:2::7]:443").limitKey()).isEqualTo("2001:db8:1:2::/64");
        assertThat(ClientAddress.parse("::ffff:192.0.2.1").text()).isEqualTo("192.0.2.1");
        assertThat(ClientAddress.parse("fe80::1%eth0")).isNotNull();
        assertThat(ClientAddress.parse("256.1.1.1")).isNull();
        assertThat(ClientAddress.parse("example.com")).isNull();
        assertThat(ClientAddress.parse("unknown")).isNull();
        assertThat(ClientAddress.parse(null)).isNull();
        assertThat(ClientAddress.limitKeyOf("not an address")).isEqualTo("not an address");
    }
}
