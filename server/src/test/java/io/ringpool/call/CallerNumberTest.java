package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class CallerNumberTest {

    /** Readings are remembered by region and text: asking again, or in another region first, changes no answer. */
    @org.junit.jupiter.api.Test
    void aRememberedReadingBelongsToItsRegion() {
        String local = "8 (916) 765-43-21";
        assertThat(CallerNumber.of(local, "US")).isEqualTo(new CallerNumber(local, false));
        assertThat(CallerNumber.of(local, "RU")).isEqualTo(new CallerNumber("+79167654321", true));
        assertThat(CallerNumber.of(local, "us")).isEqualTo(new CallerNumber(local, false));
        assertThat(CallerNumber.of(local, "RU")).isEqualTo(new CallerNumber("+79167654321", true));
        // Longer than any number is kept: read every time, never remembered, same answer.
        String padded = "+7 916 765-43-21" + " ".repeat(60) + "x";
        assertThat(CallerNumber.of(padded, "RU")).isEqualTo(CallerNumber.of(padded, "RU"));
    }

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
        "sip:+79161234567@pbx.local | RU | +79161234567",
        "'\"Anna\" <sips:89161234567@10.0.0.5;user=phone>' | RU | +79161234567",
        "sip:79161234567;isup-oli=0@trunk.example | US | +79161234567",
        "+44 (0)20 7946 0958 | RU | +442079460958",
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
        "'a\nb'       | RU | ab",
    })
    void masksForLogs(String raw, String country, String masked) {
        CallerNumber n = CallerNumber.of(raw, country);
        assertThat(n.masked()).isEqualTo(masked);
        assertThat(n.toString()).isEqualTo(masked);
    }

    @org.junit.jupiter.api.Test
    void aLineBreakThatReachesTheMaskAnywayCannotForgeALogLine() {
        assertThat(new CallerNumber("a\nb", false).masked()).isEqualTo("a?b");
    }

    @org.junit.jupiter.api.Test
    void capsAbsurdlyLongGarbage() {
        assertThat(CallerNumber.of("x".repeat(500), "RU").value()).hasSize(64);
    }

    /** Audit B, F5: what PostgreSQL cannot keep as it is (a NUL, half an emoji) never becomes a caller. */
    @org.junit.jupiter.api.Test
    void aCallerIsKeptWithoutControlCharactersAndNeverCutInsideAnEmoji() {
        assertThat(CallerNumber.of("a\u0000b\u0007", "RU").value()).isEqualTo("ab");
        assertThat(CallerNumber.of("\u0000", "RU").value()).isEqualTo(CallerNumber.ANONYMOUS);
        assertThat(CallerNumber.of("x".repeat(63) + "\uD83D\uDE00", "RU").value()).isEqualTo("x".repeat(63));
        assertThat(CallerNumber.of("x".repeat(62) + "\uD83D\uDE00", "RU").value()).isEqualTo("x".repeat(62) + "\uD83D\uDE00");
        assertThat(CallerNumber.of("+7916\u0000123\u00004567", "RU")).isEqualTo(new CallerNumber("+79161234567", true));
    }
}
