package io.ringpool.lead;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class UniquenessTest {
    private static final Instant T = Instant.parse("2026-11-26T00:00:00Z");

    private static Uniqueness.Occurrence at(Duration after, String phone, String email) {
        return new Uniqueness.Occurrence(T.plus(after), phone, email);
    }

    @Test
    void aPersonIsTheirPhoneOrTheirEmailSoEitherMakesARepeat() {
        List<Boolean> flags = Uniqueness.of(List.of(
                at(Duration.ZERO, "+79160000001", null),
                at(Duration.ofHours(1), "+79160000001", "a@example.com"),
                at(Duration.ofHours(2), null, "a@example.com"),
                at(Duration.ofHours(3), null, "b@example.com")), 0);
        assertThat(flags).containsExactly(true, false, false, true);
    }

    @Test
    void exactlyThePeriodAfterThePreviousOneIsUniqueAgainAndOneMillisecondLessIsNot() {
        List<Boolean> flags = Uniqueness.of(List.of(
                at(Duration.ZERO, "+79160000001", null),
                at(Duration.ofDays(1).minusMillis(1), "+79160000001", null),
                at(Duration.ofDays(2).minusMillis(1), "+79160000001", null)), 1);
        assertThat(flags).containsExactly(true, false, true);
    }

    @Test
    void twoAtTheSameInstantAreBothUniqueAndNoContactIsNeverUnique() {
        List<Boolean> flags = Uniqueness.of(List.of(
                at(Duration.ZERO, "+79160000001", null),
                at(Duration.ZERO, "+79160000001", null),
                at(Duration.ofMinutes(1), "+79160000001", null),
                at(Duration.ofMinutes(2), null, null)), 0);
        assertThat(flags).containsExactly(true, true, false, false);
    }

    /** Audit AC2 #1: an erased lead is its person by the keys it kept, not "no contact". */
    @Test
    void anErasedOneIsItsPersonByItsKeysWhichMatchNoLivePhone() {
        List<Boolean> flags = Uniqueness.of(List.of(
                new Uniqueness.Occurrence(T, null, null, 11, 12),
                new Uniqueness.Occurrence(T.plus(Duration.ofDays(3)), null, null, 0, 12),
                new Uniqueness.Occurrence(T.plus(Duration.ofDays(4)), "+79160000001", null),
                new Uniqueness.Occurrence(T.plus(Duration.ofDays(5)), null, null, 21, 0)), 2);
        assertThat(flags).containsExactly(true, true, true, true);
        assertThat(Uniqueness.of(List.of(
                new Uniqueness.Occurrence(T, null, null, 11, 12),
                new Uniqueness.Occurrence(T.plus(Duration.ofDays(3)), null, null, 0, 12)), 0)).containsExactly(true, false);
    }
}
