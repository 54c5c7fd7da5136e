package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Model tests over random lease histories of one number, checked against the rules stated plainly
 * (not against the engine's own code paths).
 */
class AttributionPropertyTest {

    static final String NUMBER = "+74950000001";
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    /** Random leases: mostly short visits, some live; overlaps allowed, the engine must not assume clean data. */
    @Provide
    Arbitrary<List<LeaseInterval>> histories() {
        Arbitrary<LeaseInterval> lease = Combinators.combine(
                        Arbitraries.integers().between(0, 5),        // session; its visitor is s / 2, so
                                                                     // pairs of sessions share a visitor
                        Arbitraries.integers().between(0, 3600),     // start, s after T0
                        Arbitraries.integers().between(0, 1800).injectNull(0.15)) // length, null = live
                .as((s, from, length) -> new LeaseInterval("s" + s, "v" + (s / 2), NUMBER, T0.plusSeconds(from),
                        length == null ? null : T0.plusSeconds(from + length)));
        return lease.list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<PreviousAttribution> previous() {
        return Arbitraries.of(new PreviousAttribution("old", "v-old", T0)).injectNull(0.5);
    }

    @Property(tries = 2000)
    void oneCoveringLeaseAndNoOtherRecentLeaseIsActiveAndPicksIt(
            @ForAll("histories") List<LeaseInterval> leases,
            @ForAll @IntRange(min = 0, max = 4000) int callSecond,
            @ForAll @IntRange(min = 0, max = 900) int coolDownSeconds,
            @ForAll("previous") PreviousAttribution previous) {
        Instant t = T0.plusSeconds(callSecond);
        Duration coolDown = Duration.ofSeconds(coolDownSeconds);
        List<LeaseInterval> covering = leases.stream().filter(l -> l.covers(t)).toList();
        boolean otherRecent = leases.stream().anyMatch(l -> endedWithinCoolDown(l, t, coolDown));

        AttributionResult r = Attribution.attribute(t, NUMBER, leases, coolDown, null, previous);

        if (covering.size() == 1 && !otherRecent) {
            assertThat(r.method()).isEqualTo(AttributionMethod.ACTIVE);
            assertThat(r.sessionId()).isEqualTo(covering.get(0).sessionId());
            assertThat(r.visitorId()).isEqualTo(covering.get(0).visitorId());
        }
    }

    @Property(tries = 2000)
    void neverChoosesASessionWhoseLeaseEndedMoreThanTheCoolDownAgoUnlessRepeat(
            @ForAll("histories") List<LeaseInterval> leases,
            @ForAll @IntRange(min = 0, max = 4000) int callSecond,
            @ForAll @IntRange(min = 0, max = 900) int coolDownSeconds,
            @ForAll("previous") PreviousAttribution previous) {
        Instant t = T0.plusSeconds(callSecond);
        Duration coolDown = Duration.ofSeconds(coolDownSeconds);

        AttributionResult r = Attribution.attribute(t, NUMBER, leases, coolDown, null, previous);

        if (r.method() == AttributionMethod.REPEAT) {
            assertThat(previous).isNotNull();
            assertThat(r.sessionId()).isEqualTo(previous.sessionId());
            return;
        }
        for (AttributionResult.Candidate c : r.candidates()) {
            assertThat(leases).anySatisfy(l -> {
                assertThat(l.sessionId()).isEqualTo(c.sessionId());
                assertThat(l.covers(t) || endedWithinCoolDown(l, t, coolDown)).isTrue();
            });
        }
        // And the other way round: every plausible session is kept as a candidate.
        long plausible = leases.stream().filter(l -> l.covers(t) || endedWithinCoolDown(l, t, coolDown))
                .map(LeaseInterval::sessionId).distinct().count();
        assertThat(r.candidates()).hasSize((int) plausible);
        if (plausible == 0) {
            assertThat(previous).isNull(); // with a previous attribution it would have been repeat
            assertThat(r.method()).isEqualTo(AttributionMethod.NONE);
        }
    }

    @Property(tries = 1000)
    void theChosenSessionLeadsTheCandidatesWithTheTopScoreAndOrderOfInputDoesNotMatter(
            @ForAll("histories") List<LeaseInterval> leases,
            @ForAll @IntRange(min = 0, max = 4000) int callSecond,
            @ForAll @IntRange(min = 0, max = 900) int coolDownSeconds,
            @ForAll long seed) {
        Instant t = T0.plusSeconds(callSecond);
        Duration coolDown = Duration.ofSeconds(coolDownSeconds);
        AttributionResult r = Attribution.attribute(t, NUMBER, leases, coolDown, null, null);

        if (!r.candidates().isEmpty()) {
            AttributionResult.Candidate first = r.candidates().get(0);
            assertThat(first.sessionId()).isEqualTo(r.sessionId());
            assertThat(r.candidates()).allSatisfy(c -> assertThat(c.score()).isLessThanOrEqualTo(first.score()));
            assertThat(r.candidates().stream().mapToDouble(AttributionResult.Candidate::score).sum())
                    .isBetween(0.95, 1.05);
        }
        List<LeaseInterval> shuffled = new ArrayList<>(leases);
        Collections.shuffle(shuffled, new Random(seed));
        assertThat(Attribution.attribute(t, NUMBER, shuffled, coolDown, null, null)).isEqualTo(r);
    }

    static boolean endedWithinCoolDown(LeaseInterval l, Instant t, Duration coolDown) {
        return l.to() != null && !l.to().isAfter(t) && !l.to().plus(coolDown).isBefore(t);
    }
}
