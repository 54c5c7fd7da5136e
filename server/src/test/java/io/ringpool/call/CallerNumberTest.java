package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class CallerNumberTest {

    @ParameterizedTest(name = "{0} in {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "8 (916) 123-45-67   | RU | +79161234567",
        "+7 916 123-45-67    | US | +79161234567",
        "89161234567         | RU | +79161234567",
        "79161234567         | RU | +79161234567",
        "79161234567         | US | +79161234567",
        "+1 800 555 0142     | RU | +18005550142",
        "(800) 555-0142      | US | +18005550142",
        "(800) 555-0142      | us | +18005550142",
        "'  +1 (800) 555-0142 ' | | +18005550142",
        "+44 20 7946 0958    | RU | +442079460958",
        "tel:+79161234567    | RU | +79161234567",
    })
    void normalisesValidNumbersToE164(String raw, String country, String e164) {
        CallerNumber n = CallerNumber.of(raw, country);
        assertThat(n.value()).isEqualTo(e164);
        assertThat(n.valid()).isTrue();
    }

    @ParameterizedTest(name = "{0} is kept as {1}")
    @CsvSource(delimiter = '|', value = {
        "anonymous       | anonymous",
        "Anonymous       | Anonymous",
        "Restricted      | Restricted",
        "Unknown         | Unknown",
        "+266696687      | +266696687",
        "'  +266696687 ' | +266696687",
        "garbage#!       | garbage#!",
        "123             | 123",
        "555-0142        | 555-0142",
    })
    void keepsInvalidCallersAsTheirTrimmedTextWithoutThrowing(String raw, String kept) {
        CallerNumber n = CallerNumber.of(raw, "RU");
        assertThat(n.value()).isEqualTo(kept);
        assertThat(n.valid()).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\t"})
    void anEmptyCallerIsAnonymous(String raw) {
        assertThat(CallerNumber.of(raw, "RU")).isEqualTo(new CallerNumber("anonymous", false));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"XX", "russia", "  "})
    void anUnknownCountryStillParsesInternationalNumbers(String country) {
        assertThat(CallerNumber.of("+7 916 123 45 67", country).value()).isEqualTo("+79161234567");
        assertThat(CallerNumber.of("8 916 123 45 67", country).valid()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "+79161234567 | RU | +7916***4567",
        "+18005550142 | US | +1800***0142",
        "anonymous    | RU | anonymous",
        "+266696687   | RU | +*******87",
        "'a\nb'       | RU | a?b",
    })
    void masksForLogs(String raw, String country, String masked) {
        CallerNumber n = CallerNumber.of(raw, country);
        assertThat(n.masked()).isEqualTo(masked);
        assertThat(n.toString()).isEqualTo(masked);
    }

    @org.junit.jupiter.api.Test
    void capsAbsurdlyLongGarbage() {
        assertThat(CallerNumber.of("x".repeat(500), "RU").value()).hasSize(64);
    }
}
