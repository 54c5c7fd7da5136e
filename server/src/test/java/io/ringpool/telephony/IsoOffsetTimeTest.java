package io.ringpool.telephony;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link IsoOffsetTime} must read every text exactly as {@code OffsetDateTime.parse} does (the same
 * instant, or a refusal), since it replaces it on the signed events route.
 */
class IsoOffsetTimeTest {

    @Property(tries = 5_000)
    void readsEveryWellShapedTextAsTheJdkDoes(@ForAll("wellShaped") String text) {
        assertSameAsJdk(text);
    }

    @Property(tries = 5_000)
    void readsOrRefusesEveryMutatedTextAsTheJdkDoes(@ForAll("mutated") String text) {
        assertSameAsJdk(text);
    }

    @Test
    void theShapesProvidersSendAreReadDirectly() {
        assertThat(IsoOffsetTime.direct("2026-11-26T03:15:00Z")).isEqualTo(Instant.parse("2026-11-26T03:15:00Z"));
        assertThat(IsoOffsetTime.direct("2026-11-26T03:15:00.25+03:00")).isEqualTo(Instant.parse("2026-11-26T00:15:00.250Z"));
        assertThat(IsoOffsetTime.direct("2026-11-26T03:15:00.123456789-05:30")).isEqualTo(Instant.parse("2026-11-26T08:45:00.123456789Z"));
        // other shapes are left to the JDK
        assertThat(IsoOffsetTime.direct("2026-11-26T03:15Z")).isNull();
        assertThat(IsoOffsetTime.direct("2026-11-26t03:15:00z")).isNull();
        assertThat(IsoOffsetTime.parse("2026-11-26t03:15:00z")).isEqualTo(Instant.parse("2026-11-26T03:15:00Z"));
    }

    @Test
    void impossibleValuesAreRefusedLikeTheJdkRefusesThem() {
        for (String text : new String[] {"2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-26T24:00:00Z",
                "2026-11-26T23:60:00Z", "2026-11-26T23:59:60Z", "2026-13-01T00:00:00Z", "2026-11-26T03:15:00+18:01",
                "2026-11-26T03:15:00+05:60", "2026-11-26T03:15:00", "yesterday", ""}) {
            assertThatThrownBy(() -> IsoOffsetTime.parse(text)).as(text).isInstanceOf(DateTimeException.class);
            assertThatThrownBy(() -> OffsetDateTime.parse(text)).as(text).isInstanceOf(DateTimeException.class);
        }
    }

    private static void assertSameAsJdk(String text) {
        Instant jdk;
        try {
            jdk = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException refused) {
            assertThatThrownBy(() -> IsoOffsetTime.parse(text)).as(text).isInstanceOf(DateTimeException.class);
            return;
        }
        assertThat(IsoOffsetTime.parse(text)).as(text).isEqualTo(jdk);
    }

    @Provide
    Arbitrary<String> wellShaped() {
        Arbitrary<String> date = Combinators.combine(Arbitraries.integers().between(0, 9999), Arbitraries.integers().between(0, 13),
                Arbitraries.integers().between(0, 32)).as((y, m, d) -> String.format("%04d-%02d-%02d", y, m, d));
        Arbitrary<String> time = Combinators.combine(Arbitraries.integers().between(0, 25), Arbitraries.integers().between(0, 61),
                Arbitraries.integers().between(0, 61)).as((h, m, s) -> String.format("%02d:%02d:%02d", h, m, s));
        Arbitrary<String> fraction = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.just("."),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(11).map(f -> "." + f));
        Arbitrary<String> offset = Arbitraries.oneOf(Arbitraries.of("Z", "z", "+00:00", "-00:00", "+18:00", "-18:00", "+18:01",
                "+03:00:00", "+0300", "+03"), Combinators.combine(Arbitraries.of('+', '-'), Arbitraries.integers().between(0, 19),
                Arbitraries.integers().between(0, 61)).as((sign, h, m) -> String.format("%c%02d:%02d", sign, h, m)));
        return Combinators.combine(date, Arbitraries.of("T", "t", " "), time, fraction, offset).as((d, t, tm, f, o) -> d + t + tm + f + o);
    }

    @Provide
    Arbitrary<String> mutated() {
        return Combinators.combine(wellShaped(), Arbitraries.integers().between(0, 40), Arbitraries.chars().with('0', '9', ':', '-', '+',
                'T', 'Z', '.', 'x', '\u0661', ' ')).as((text, at, c) -> {
                    if (text.isEmpty()) {
                        return text;
                    }
                    int i = Math.min(at, text.length() - 1);
                    return at % 3 == 0 ? text.substring(0, i) : text.substring(0, i) + c + text.substring(Math.min(text.length(), i + 1));
                });
    }
}
