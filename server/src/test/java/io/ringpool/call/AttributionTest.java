package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.call.AttributionResult.Candidate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributionTest {

    static final String NUMBER = "+74950000001";
    static final Duration COOL_DOWN = Duration.ofMinutes(5);

    final FakeClock clock = new FakeClock(Instant.parse("2026-11-26T10:00:00Z"));

    static LeaseInterval lease(String session, String visitor, Instant from, Instant to) {
        return new LeaseInterval(session, visitor, NUMBER, from, to);
    }

    static AttributionResult attribute(Instant callAt, List<LeaseInterval> leases) {
        return Attribution.attribute(callAt, NUMBER, leases, COOL_DOWN, null, null);
    }

    @Test
    void aLiveLeaseAtCallTimeIsActive() {
        Instant from = clock.instant();
        Instant callAt = clock.advanceSeconds(90);
        AttributionResult r = attribute(callAt, List.of(lease("s1", "v1", from, null)));
        assertThat(r.method()).isEqualTo(AttributionMethod.ACTIVE);
        assertThat(r.sessionId()).isEqualTo("s1");
        assertThat(r.visitorId()).isEqualTo("v1");
        assertThat(r.candidates()).containsExactly(new Candidate("s1", "v1", "lease covers the call time", 1.0));
        assertThat(r.method().wireName()).isEqualTo("active");
    }

    @Test
    void aCallAtTheFirstInstantOfALeaseIsActive() {
        Instant from = clock.instant();
        assertThat(attribute(from, List.of(lease("s1", "v1", from, from.plusSeconds(60)))).method())
                .isEqualTo(AttributionMethod.ACTIVE);
    }

    @Test
    void aCallExactlyAtLeaseEndIsCooling() {
        Instant from = clock.instant();
        Instant end = clock.advanceSeconds(600);
        AttributionResult r = attribute(end, List.of(lease("s1", "v1", from, end)));
        assertThat(r.method()).isEqualTo(AttributionMethod.COOLING);
        assertThat(r.sessionId()).isEqualTo("s1");
        assertThat(r.candidates()).singleElement().satisfies(c -> {
            assertThat(c.reason()).isEqualTo("lease ended 0 s before the call, within the 300 s cool-down");
            assertThat(c.score()).isEqualTo(1.0);
        });
    }

    @Test
    void aCallDuringTheCoolDownIsCoolingWithThatVisit() {
        Instant from = clock.instant();
        Instant end = clock.advanceSeconds(600);
        Instant callAt = clock.advanceSeconds(95); // the visitor wrote the number down and dialled later
        AttributionResult r = attribute(callAt, List.of(lease("s1", "v1", from, end)));
        assertThat(r.method()).isEqualTo(AttributionMethod.COOLING);
        assertThat(r.visitorId()).isEqualTo("v1");
        assertThat(r.candidates().get(0).reason()).contains("ended 95 s before the call");
    }

    @Test
    void theCoolDownIncludesItsLastInstantAndNotOneMillisecondMore() {
        Instant from = clock.instant();
        Instant end = clock.advanceSeconds(60);
        List<LeaseInterval> leases = List.of(lease("s1", "v1", from, end));
        assertThat(attribute(end.plus(COOL_DOWN), leases).method()).isEqualTo(AttributionMethod.COOLING);
        assertThat(attribute(end.plus(COOL_DOWN).plusMillis(1), leases).method()).isEqualTo(AttributionMethod.NONE);
    }

    @Test
    void aLeaseThatEndedLongerAgoThanTheCoolDownIsNoCandidateEvenIfTheNumberStayedIdle() {
        Instant from = clock.instant();
        Instant end = clock.advanceSeconds(60);
        Instant callAt = clock.advance(Duration.ofHours(1));
        AttributionResult r = attribute(callAt, List.of(lease("s1", "v1", from, end)));
        assertThat(r).isEqualTo(new AttributionResult(AttributionMethod.NONE, null, null, List.of(), null));
    }

    @Test
    void twoLeasesBackToBackAttributeTheOneHoldingTheNumber() {
        Instant aFrom = clock.instant();
        Instant handover = clock.advanceSeconds(600); // A ends, B starts (reused at once: pool exhausted)
        Instant callAt = clock.advance(COOL_DOWN.plusSeconds(1)); // A's cool-down is over
        List<LeaseInterval> leases = List.of(lease("a", "va", aFrom, handover), lease("b", "vb", handover, null));
        AttributionResult r = attribute(callAt, leases);
        assertThat(r.method()).isEqualTo(AttributionMethod.ACTIVE);
        assertThat(r.sessionId()).isEqualTo("b");
        assertThat(r.candidates()).extracting(Candidate::sessionId).containsExactly("b");
    }

    @Test
    void aCallAtTheHandoverOfBackToBackLeasesIsAmbiguous() {
        Instant aFrom = clock.instant();
        Instant handover = clock.advanceSeconds(600);
        List<LeaseInterval> leases = List.of(lease("a", "va", aFrom, handover), lease("b", "vb", handover, null));
        AttributionResult r = attribute(handover, leases);
        assertThat(r.method()).isEqualTo(AttributionMethod.AMBIGUOUS);
        assertThat(r.sessionId()).isEqualTo("b");
        assertThat(r.candidates()).extracting(Candidate::sessionId).containsExactly("b", "a");
    }

    @Test
    void aNumberReusedFromCoolDownMakesTheCallAmbiguousWithBothCandidatesAndTheHolderChosen() {
        Instant aFrom = clock.instant();
        Instant aEnd = clock.advanceSeconds(600);
        Instant bFrom = clock.advanceSeconds(60); // pool exhausted: the number is reused while A cools down
        Instant callAt = clock.advanceSeconds(60);
        List<LeaseInterval> leases = List.of(lease("a", "va", aFrom, aEnd), lease("b", "vb", bFrom, null));
        AttributionResult r = attribute(callAt, leases);

        assertThat(r.method()).isEqualTo(AttributionMethod.AMBIGUOUS);
        assertThat(r.sessionId()).isEqualTo("b");
        assertThat(r.visitorId()).isEqualTo("vb");
        assertThat(r.candidates()).hasSize(2);
        Candidate holder = r.candidates().get(0);
        Candidate cooling = r.candidates().get(1);
        assertThat(holder.sessionId()).isEqualTo("b");
        assertThat(holder.reason()).isEqualTo("lease covers the call time; chosen as the current holder of the number");
        assertThat(cooling.sessionId()).isEqualTo("a");
        assertThat(cooling.reason()).isEqualTo("lease ended 120 s before the call, within the 300 s cool-down");
        assertThat(holder.score()).isGreaterThan(cooling.score());
        assertThat(holder.score() + cooling.score()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.011));
    }

    @Test
    void theSameVisitorGettingTheNumberBackIsNotAmbiguous() {
        Instant aFrom = clock.instant();
        Instant aEnd = clock.advanceSeconds(600);
        Instant bFrom = clock.advanceSeconds(30); // the visitor came back: "may get it again"
        Instant callAt = clock.advanceSeconds(30);
        AttributionResult r = attribute(callAt, List.of(lease("a", "v1", aFrom, aEnd), lease("b", "v1", bFrom, null)));
        assertThat(r.method()).isEqualTo(AttributionMethod.ACTIVE);
        assertThat(r.sessionId()).isEqualTo("b");
        assertThat(r.candidates()).extracting(Candidate::sessionId).containsExactly("b", "a");
    }

    @Test
    void twoCoolingLeasesOfDifferentVisitorsAreAmbiguousAndTheLaterOneIsChosen() {
        Instant aFrom = clock.instant();
        Instant aEnd = clock.advanceSeconds(600);
        Instant bFrom = clock.advanceSeconds(10);
        Instant bEnd = clock.advanceSeconds(40);
        Instant callAt = clock.advanceSeconds(20);
        AttributionResult r = attribute(callAt, List.of(lease("a", "va", aFrom, aEnd), lease("b", "vb", bFrom, bEnd)));
        assertThat(r.method()).isEqualTo(AttributionMethod.AMBIGUOUS);
        assertThat(r.sessionId()).isEqualTo("b");
        assertThat(r.candidates()).extracting(Candidate::sessionId).containsExactly("b", "a");
    }

    @Test
    void aLeaseThatStartsAfterTheCallDoesNotCountAsReissue() {
        Instant aFrom = clock.instant();
        Instant aEnd = clock.advanceSeconds(600);
        Instant callAt = clock.advanceSeconds(60);
        Instant bFrom = clock.advanceSeconds(5); // reissued, but only after the call
        AttributionResult r = attribute(callAt, List.of(lease("a", "va", aFrom, aEnd), lease("b", "vb", bFrom, null)));
        assertThat(r.method()).isEqualTo(AttributionMethod.COOLING);
        assertThat(r.sessionId()).isEqualTo("a");
    }

    @Test
    void severalLeasesOfOneSessionAreOneCandidate() {
        Instant from = clock.instant();
        Instant gap = clock.advanceSeconds(300);
        Instant again = clock.advanceSeconds(20); // soft release, then the page came back
        Instant callAt = clock.advanceSeconds(20);
        AttributionResult r = attribute(callAt, List.of(lease("s1", "v1", from, gap), lease("s1", "v1", again, null)));
        assertThat(r.method()).isEqualTo(AttributionMethod.ACTIVE);
        assertThat(r.candidates()).singleElement().extracting(Candidate::reason).isEqualTo("lease covers the call time");
    }

    @Test
    void twoLiveLeasesAtOnceAreAmbiguousAndTheLatestStartWins() {
        Instant aFrom = clock.instant();
        Instant bFrom = clock.advanceSeconds(60); // should never happen; a crash may leave a lease open
        Instant callAt = clock.advanceSeconds(60);
        AttributionResult r = attribute(callAt, List.of(lease("b", "vb", bFrom, null), lease("a", "va", aFrom, null)));
        assertThat(r.method()).isEqualTo(AttributionMethod.AMBIGUOUS);
        assertThat(r.sessionId()).isEqualTo("b");
        assertThat(r.candidates()).extracting(Candidate::score).containsExactly(0.5, 0.5);
    }

    @Test
    void aStaticNumberIsAttributedToItsSource() {
        StaticNumberSource billboard = new StaticNumberSource(NUMBER, "billboard", "offline", "winter", "Tverskaya");
        AttributionResult r = Attribution.attribute(clock.instant(), NUMBER, List.of(), COOL_DOWN, billboard,
                new PreviousAttribution("old", "v0", clock.instant()));
        assertThat(r).isEqualTo(new AttributionResult(AttributionMethod.STATIC, null, null, List.of(), billboard));
    }

    @Test
    void aReturningCallerOnAFreeNumberIsRepeat() {
        Instant visitStart = clock.instant();
        AttributionResult r = Attribution.attribute(clock.advanceSeconds(3600), NUMBER, List.of(), COOL_DOWN, null,
                new PreviousAttribution("s-old", "v-old", visitStart));
        assertThat(r.method()).isEqualTo(AttributionMethod.REPEAT);
        assertThat(r.sessionId()).isEqualTo("s-old");
        assertThat(r.visitorId()).isEqualTo("v-old");
        assertThat(r.candidates()).singleElement().extracting(Candidate::sessionId).isEqualTo("s-old");
    }

    @Test
    void aLiveCandidateBeatsTheCallersHistory() {
        Instant from = clock.instant();
        Instant callAt = clock.advanceSeconds(10);
        AttributionResult r = Attribution.attribute(callAt, NUMBER, List.of(lease("s1", "v1", from, null)), COOL_DOWN,
                null, new PreviousAttribution("s-old", "v-old", from.minus(Duration.ofDays(1))));
        assertThat(r.method()).isEqualTo(AttributionMethod.ACTIVE);
        assertThat(r.sessionId()).isEqualTo("s1");
    }

    @Test
    void aLiveCandidateBeatsTheCallersHistoryOfAnotherNumber() {
        Instant from = clock.instant();
        Instant callAt = clock.advanceSeconds(10);
        AttributionResult r = Attribution.attribute(callAt, NUMBER, List.of(lease("s1", "v1", from, null)), COOL_DOWN,
                null, new PreviousAttribution("s-old", "v-old", "+74950000999", from.minus(Duration.ofDays(1)),
                        from.minus(Duration.ofDays(1))));
        assertThat(r.method()).isEqualTo(AttributionMethod.ACTIVE);
        assertThat(r.sessionId()).isEqualTo("s1");
    }

    @Test
    void aCallerRedialingTheNumberTheyCalledBeforeIsTheirOldVisitMarkedAmbiguousWithTheHolderListed() {
        Instant from = clock.instant();
        Instant callAt = clock.advanceSeconds(10);
        AttributionResult r = Attribution.attribute(callAt, NUMBER, List.of(lease("s1", "v1", from, null)), COOL_DOWN,
                null, new PreviousAttribution("s-old", "v-old", NUMBER, callAt.minus(Duration.ofDays(2)),
                        callAt.minus(Duration.ofDays(2)).minusSeconds(60)));
        assertThat(r.method()).isEqualTo(AttributionMethod.AMBIGUOUS);
        assertThat(r.sessionId()).isEqualTo("s-old");
        assertThat(r.candidates()).extracting(Candidate::sessionId).containsExactly("s-old", "s1");
        assertThat(r.candidates().get(0).score()).isGreaterThan(r.candidates().get(1).score());
    }

    @Test
    void aCallerRedialingWhileTheirOwnVisitHoldsTheNumberIsSimplyActive() {
        Instant from = clock.instant();
        Instant callAt = clock.advanceSeconds(10);
        AttributionResult r = Attribution.attribute(callAt, NUMBER, List.of(lease("s2", "v-old", from, null)), COOL_DOWN,
                null, new PreviousAttribution("s-old", "v-old", NUMBER, callAt.minus(Duration.ofDays(2)),
                        callAt.minus(Duration.ofDays(2)).minusSeconds(60)));
        assertThat(r.method()).isEqualTo(AttributionMethod.ACTIVE);
        assertThat(r.sessionId()).isEqualTo("s2");
    }

    /**
     * Audit AG3 #2: the caller phoned while their visit's lease was cooling, the number then went to
     * another visitor, and the caller redialled seconds later. The holder was chosen, so one caller's
     * two calls went to two sources; the same redial after the cool-down went to the caller's visit.
     */
    @Test
    void aCallerRedialingWhileTheirOwnLeaseCoolsAndAnotherVisitorHoldsTheNumberIsTheirOwnVisit() {
        Instant v1From = clock.instant();
        Instant v1To = clock.advanceSeconds(20);
        Instant firstCall = clock.advanceSeconds(5);
        Instant v2From = clock.advanceSeconds(5);
        Instant redial = clock.advanceSeconds(10);
        AttributionResult r = Attribution.attribute(redial, NUMBER, List.of(lease("s1", "v1", v1From, v1To),
                lease("s2", "v2", v2From, null)), COOL_DOWN, null, new PreviousAttribution("s1", "v1", NUMBER, firstCall, v1From));
        assertThat(r.method()).isEqualTo(AttributionMethod.AMBIGUOUS);
        assertThat(r.sessionId()).isEqualTo("s1");
        assertThat(r.candidates()).extracting(Candidate::sessionId).as("the caller's visit once, then the holder")
                .containsExactly("s1", "s2");
        assertThat(r.candidates().get(0).reason()).contains("called this number before").contains("cool-down");
        assertThat(r.candidates().get(0).score()).isGreaterThan(r.candidates().get(1).score());
        assertThat(r.candidates().stream().mapToDouble(Candidate::score).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.011));

        // Another visitor whose lease ended later (the leases alone would choose them) loses to the history too.
        Instant v3To = redial.minusSeconds(1);
        AttributionResult bothCooling = Attribution.attribute(redial, NUMBER, List.of(lease("s1", "v1", v1From, v1To),
                lease("s3", "v3", v2From, v3To)), COOL_DOWN, null, new PreviousAttribution("s1", "v1", NUMBER, firstCall, v1From));
        assertThat(bothCooling.sessionId()).isEqualTo("s1");
        assertThat(bothCooling.method()).isEqualTo(AttributionMethod.AMBIGUOUS);
    }

    /** Audit AM1 F6: when both leases have ended, the one chosen is the latest holder, not "the current" one. */
    @Test
    void aCoolingLeaseChosenAmongCoolingOnesIsCalledTheLatestHolder() {
        Instant aFrom = clock.instant();
        Instant aTo = clock.advanceSeconds(10);
        Instant cFrom = clock.advanceSeconds(5);
        Instant cTo = clock.advanceSeconds(10);
        Instant call = clock.advanceSeconds(5);
        AttributionResult r = Attribution.attribute(call, NUMBER, List.of(lease("sa", "va", aFrom, aTo), lease("sc", "vc", cFrom, cTo)),
                COOL_DOWN, null, null);
        assertThat(r.method()).isEqualTo(AttributionMethod.AMBIGUOUS);
        assertThat(r.sessionId()).isEqualTo("sc");
        assertThat(r.candidates().get(0).reason()).endsWith("chosen as the latest holder of the number");
    }

    @Test
    void aCallerRedialingWhileTheirOwnVisitHoldsTheNumberAndAnotherCoolsIsTheirVisitAsTheLeasesChoose() {
        Instant v2From = clock.instant();
        Instant v2To = clock.advanceSeconds(10);
        Instant v1From = clock.advanceSeconds(5);
        Instant firstCall = clock.advanceSeconds(5);
        Instant redial = clock.advanceSeconds(10);
        AttributionResult r = Attribution.attribute(redial, NUMBER, List.of(lease("s2", "v2", v2From, v2To),
                lease("s1", "v1", v1From, null)), COOL_DOWN, null, new PreviousAttribution("s1", "v1", NUMBER, firstCall, v1From));
        assertThat(r.method()).isEqualTo(AttributionMethod.AMBIGUOUS);
        assertThat(r.sessionId()).isEqualTo("s1");
        assertThat(r.candidates()).extracting(Candidate::reason).first().asString().contains("chosen as the current holder");
    }

    @Test
    void aRedialIsTheEarlierVisitUpToThirtyDaysAfterTheEarlierCallAndTheHoldersAfterThat() {
        Instant from = clock.instant();
        Instant callAt = clock.advanceSeconds(10);
        Instant bound = callAt.minus(Attribution.REDIAL_WINDOW);
        List<LeaseInterval> holder = List.of(lease("s1", "v1", from, null));
        AttributionResult atTheBound = Attribution.attribute(callAt, NUMBER, holder, COOL_DOWN, null,
                new PreviousAttribution("s-old", "v-old", NUMBER, bound, bound));
        assertThat(atTheBound.method()).isEqualTo(AttributionMethod.AMBIGUOUS);
        assertThat(atTheBound.sessionId()).isEqualTo("s-old");

        AttributionResult past = Attribution.attribute(callAt, NUMBER, holder, COOL_DOWN, null,
                new PreviousAttribution("s-old", "v-old", NUMBER, bound.minusMillis(1), bound.minusMillis(1)));
        assertThat(past.method()).isEqualTo(AttributionMethod.ACTIVE);
        assertThat(past.sessionId()).isEqualTo("s1");

        AttributionResult unknownTime = Attribution.attribute(callAt, NUMBER, holder, COOL_DOWN, null,
                new PreviousAttribution("s-old", "v-old", NUMBER, null, bound));
        assertThat(unknownTime.method()).isEqualTo(AttributionMethod.ACTIVE);
    }

    @Test
    void aRedialGoesToTheEarlierVisitOnlyWhileTheVisitItselfIsAtMostThirtyDaysOld() {
        // audit U: a caller phoning every 20 days kept a 100-day-old click chosen over the holder,
        // because each redial (itself attributed to that visit) was the next one's "earlier call".
        Instant from = clock.instant();
        Instant callAt = clock.advanceSeconds(10);
        Instant bound = callAt.minus(Attribution.REDIAL_WINDOW);
        List<LeaseInterval> holder = List.of(lease("s1", "v1", from, null));
        Instant recentCall = callAt.minus(Duration.ofDays(20));

        AttributionResult oldVisit = Attribution.attribute(callAt, NUMBER, holder, COOL_DOWN, null,
                new PreviousAttribution("s-old", "v-old", NUMBER, recentCall, bound.minusMillis(1)));
        assertThat(oldVisit.method()).isEqualTo(AttributionMethod.ACTIVE);
        assertThat(oldVisit.sessionId()).isEqualTo("s1");

        AttributionResult visitAtTheBound = Attribution.attribute(callAt, NUMBER, holder, COOL_DOWN, null,
                new PreviousAttribution("s-old", "v-old", NUMBER, recentCall, bound));
        assertThat(visitAtTheBound.method()).isEqualTo(AttributionMethod.AMBIGUOUS);
        assertThat(visitAtTheBound.sessionId()).isEqualTo("s-old");

        AttributionResult visitPurged = Attribution.attribute(callAt, NUMBER, holder, COOL_DOWN, null,
                new PreviousAttribution("s-old", "v-old", NUMBER, recentCall, null));
        assertThat(visitPurged.method()).isEqualTo(AttributionMethod.ACTIVE);
    }

    @Test
    void aRepeatGoesToAVisitAtMostNinetyDaysOldAndPastThatTheCallIsNone() {
        Instant callAt = clock.instant();
        Instant bound = callAt.minus(Attribution.REPEAT_WINDOW);
        AttributionResult atTheBound = Attribution.attribute(callAt, NUMBER, List.of(), COOL_DOWN, null,
                new PreviousAttribution("s-old", "v-old", NUMBER, callAt.minus(Duration.ofDays(1)), bound));
        assertThat(atTheBound.method()).isEqualTo(AttributionMethod.REPEAT);
        assertThat(atTheBound.sessionId()).isEqualTo("s-old");

        // the earlier call itself may be a day old: a repeat is the next call's earlier call, the click's age decides
        AttributionResult past = Attribution.attribute(callAt, NUMBER, List.of(), COOL_DOWN, null,
                new PreviousAttribution("s-old", "v-old", NUMBER, callAt.minus(Duration.ofDays(1)), bound.minusMillis(1)));
        assertThat(past).isEqualTo(AttributionResult.none());

        AttributionResult visitPurged = Attribution.attribute(callAt, NUMBER, List.of(), COOL_DOWN, null,
                new PreviousAttribution("s-old", "v-old", NUMBER, callAt.minus(Duration.ofDays(1)), null));
        assertThat(visitPurged).isEqualTo(AttributionResult.none());
    }

    @Test
    void aPreviousAttributionWithoutIdsIsNoRepeat() {
        AttributionResult r = Attribution.attribute(clock.instant(), NUMBER, List.of(), COOL_DOWN, null,
                new PreviousAttribution(null, null, clock.instant()));
        assertThat(r.method()).isEqualTo(AttributionMethod.NONE);
    }

    @Test
    void nothingKnownIsNone() {
        AttributionResult r = attribute(clock.instant(), List.of());
        assertThat(r.method()).isEqualTo(AttributionMethod.NONE);
        assertThat(r.sessionId()).isNull();
        assertThat(r.candidates()).isEmpty();
    }

    @Test
    void theResultDoesNotDependOnTheOrderOfLeases() {
        Instant t = clock.instant();
        List<LeaseInterval> leases = new ArrayList<>(List.of(
                lease("a", "va", t, t.plusSeconds(100)),
                lease("b", "vb", t.plusSeconds(100), t.plusSeconds(200)),
                lease("c", "vc", t.plusSeconds(250), null)));
        AttributionResult expected = attribute(t.plusSeconds(260), leases);
        Collections.reverse(leases);
        assertThat(attribute(t.plusSeconds(260), leases)).isEqualTo(expected);
        assertThat(expected.candidates()).extracting(Candidate::sessionId).containsExactly("c", "b", "a");
    }

    @Test
    void rejectsLeasesOfAnotherNumberAndNonsense() {
        Instant t = clock.instant();
        LeaseInterval other = new LeaseInterval("s", "v", "+74959999999", t, null);
        assertThatThrownBy(() -> attribute(t, List.of(other))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Attribution.attribute(t, NUMBER, List.of(), Duration.ofSeconds(-1), null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> lease("s", "v", t, t.minusSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutACoolDownOnlyACallAtTheVeryEndIsCooling() {
        Instant from = clock.instant();
        Instant end = clock.advanceSeconds(60);
        List<LeaseInterval> leases = List.of(lease("s1", "v1", from, end));
        assertThat(Attribution.attribute(end, NUMBER, leases, Duration.ZERO, null, null).method())
                .isEqualTo(AttributionMethod.COOLING);
        assertThat(Attribution.attribute(end.plusSeconds(1), NUMBER, leases, Duration.ZERO, null, null).method())
                .isEqualTo(AttributionMethod.NONE);
    }
}
