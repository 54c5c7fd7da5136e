package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.call.CallEvent.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallClassifierTest {

    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    static final ClassificationSettings EVER_30S = new ClassificationSettings(0, 30);
    static final ClassificationSettings WEEK_30S = new ClassificationSettings(7, 30);

    static CallClass classify(boolean answered, Integer talk, List<Instant> history, ClassificationSettings s) {
        return CallClassifier.classify(NOW, answered, talk, true, history, s);
    }

    @Test
    void ofTwoCallsStartedAtTheSameInstantTheOneWithTheSmallerIdIsTheFirstWhicheverOrderTheyAreGivenIn() {
        CallerCalls.CallerCall a = new CallerCalls.CallerCall("call_a", NOW, true, 45, null);
        CallerCalls.CallerCall b = new CallerCalls.CallerCall("call_b", NOW, true, 45, null);
        for (List<CallerCalls.CallerCall> order : List.of(List.of(a, b), List.of(b, a))) {
            CallClassifier.CallerTimes times = CallClassifier.CallerTimes.ofCalls(order);
            assertThat(CallClassifier.classify("call_a", NOW, true, 45, true, times, WEEK_30S)).isEqualTo(new CallClass(true, true, true, true));
            assertThat(CallClassifier.classify("call_b", NOW, true, 45, true, times, WEEK_30S)).isEqualTo(new CallClass(false, false, true, false));
        }
    }

    @Test
    void theFirstCallEverIsFirstTimeAndUnique() {
        assertThat(classify(true, 45, List.of(), EVER_30S)).isEqualTo(new CallClass(true, true, true, true));
    }

    @Test
    void aSecondCallIsNeitherFirstTimeNorUniqueWithUnlimitedUniqueness() {
        CallClass c = classify(true, 45, List.of(NOW.minus(Duration.ofDays(400))), EVER_30S);
        assertThat(c).isEqualTo(new CallClass(false, false, true, false));
    }

    @Test
    void aCallOutsideTheUniquenessPeriodIsUniqueAgainButNotFirstTime() {
        CallClass c = classify(false, null, List.of(NOW.minus(Duration.ofDays(8))), WEEK_30S);
        assertThat(c.firstTime()).isFalse();
        assertThat(c.unique()).isTrue();
    }

    @Test
    void theUniquenessPeriodBoundaryIsExclusive() {
        assertThat(classify(false, null, List.of(NOW.minus(Duration.ofDays(7))), WEEK_30S).unique()).isTrue();
        assertThat(classify(false, null, List.of(NOW.minus(Duration.ofDays(7)).plusMillis(1)), WEEK_30S).unique())
                .isFalse();
    }

    @Test
    void thisCallAndLaterCallsInTheHistoryAreIgnored() {
        CallClass c = classify(true, 45, List.of(NOW, NOW.plusSeconds(60)), WEEK_30S);
        assertThat(c).isEqualTo(new CallClass(true, true, true, true));
    }

    @Test
    void targetNeedsAnAnswerAndEnoughTalk() {
        assertThat(classify(true, 30, List.of(), EVER_30S).target()).isTrue();
        assertThat(classify(true, 29, List.of(), EVER_30S).target()).isFalse();
        assertThat(classify(false, 120, List.of(), EVER_30S).target()).isFalse();
        assertThat(classify(true, null, List.of(), EVER_30S).target()).isFalse(); // unknown talk counts as 0
        assertThat(classify(true, null, List.of(), new ClassificationSettings(0, 0)).target()).isTrue();
    }

    @Test
    void anAnonymousCallerIsNeverFirstTimeOrUniqueButCanBeTarget() {
        CallClass c = CallClassifier.classify(NOW, true, 60, false, List.of(), EVER_30S);
        assertThat(c).isEqualTo(new CallClass(false, false, true, false));
    }

    @Test
    void classifiesAMergedCallState() {
        CallState s = CallStateMerger.fold(List.of(
                new CallEvent("generic", "c1", Kind.ANSWERED, NOW.plusSeconds(5), null, null, null, null, null),
                new CallEvent("generic", "c1", Kind.RINGING, NOW, "8 916 123-45-67", "+74950000001", null, null, null),
                new CallEvent("generic", "c1", Kind.COMPLETED, NOW.plusSeconds(60), null, null, null, null, null)));
        CallerNumber caller = CallerNumber.of(s.from(), "RU");
        CallClass c = CallClassifier.classify(s, caller, List.of(NOW.minus(Duration.ofDays(3))), WEEK_30S);
        assertThat(c).isEqualTo(new CallClass(false, false, true, false));
    }

    @Test
    void rejectsNegativeSettingsNamingTheKey() {
        assertThatThrownBy(() -> new ClassificationSettings(-1, 30)).hasMessageContaining("uniquenessDays");
        assertThatThrownBy(() -> new ClassificationSettings(0, -1)).hasMessageContaining("targetCallSeconds");
    }
}
