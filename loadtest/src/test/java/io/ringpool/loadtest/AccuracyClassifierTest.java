package io.ringpool.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.loadtest.AccuracyClassifier.Outcome;
import io.ringpool.loadtest.AccuracyClassifier.ServerAttribution;
import io.ringpool.loadtest.AccuracyClassifier.Truth;
import io.ringpool.loadtest.TrafficModel.Timing;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccuracyClassifierTest {
    private static final Truth TRUTH = new Truth("ss_a", "vis-a", Timing.DURING, false);

    @Test
    void theSessionThatShowedTheNumberIsCorrect() {
        var j = AccuracyClassifier.judge(TRUTH, new ServerAttribution("active", "ss_a", "vis-a", List.of("ss_a")));
        assertThat(j.outcome()).isEqualTo(Outcome.CORRECT);
    }

    @Test
    void anotherVisitorsSessionIsWrong() {
        var j = AccuracyClassifier.judge(TRUTH, new ServerAttribution("cooling", "ss_b", "vis-b", List.of("ss_b")));
        assertThat(j.outcome()).isEqualTo(Outcome.WRONG);
        assertThat(j.sameVisitor()).isFalse();
    }

    @Test
    void anotherVisitOfTheSameVisitorIsWrongButNoted() {
        var j = AccuracyClassifier.judge(TRUTH, new ServerAttribution("active", "ss_a2", "vis-a", List.of("ss_a2")));
        assertThat(j.outcome()).isEqualTo(Outcome.WRONG);
        assertThat(j.sameVisitor()).isTrue();
    }

    @Test
    void noneAndTheDefaultNumberAreUnknown() {
        assertThat(AccuracyClassifier.judge(TRUTH, new ServerAttribution("none", null, null, List.of())).outcome())
                .isEqualTo(Outcome.UNKNOWN);
        Truth sawDefault = new Truth(null, "vis-a", Timing.AFTER, false);
        assertThat(AccuracyClassifier.judge(sawDefault, ServerAttribution.untracked()).outcome()).isEqualTo(Outcome.UNKNOWN);
    }

    @Test
    void anAmbiguousCallIsJudgedByTheChosenSessionAndRemembersTheCandidates() {
        var wrongChoice = AccuracyClassifier.judge(TRUTH, new ServerAttribution("ambiguous", "ss_b", "vis-b", List.of("ss_b", "ss_a")));
        assertThat(wrongChoice.outcome()).isEqualTo(Outcome.WRONG);
        assertThat(wrongChoice.truthAmongCandidates()).isTrue();
        var rightChoice = AccuracyClassifier.judge(TRUTH, new ServerAttribution("ambiguous", "ss_a", "vis-a", List.of("ss_a", "ss_b")));
        assertThat(rightChoice.outcome()).isEqualTo(Outcome.CORRECT);
    }

    @Test
    void aRepeatCallAttributedToTheOriginalVisitIsCorrect() {
        Truth repeat = new Truth("ss_a", "vis-a", Timing.REPEAT, false);
        assertThat(AccuracyClassifier.judge(repeat, new ServerAttribution("repeat", "ss_a", "vis-a", List.of("ss_a"))).outcome())
                .isEqualTo(Outcome.CORRECT);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theTallyCountsByMethodTimingAndSharedNumbers() {
        var t = new AccuracyClassifier.Tally();
        add(t, TRUTH, new ServerAttribution("active", "ss_a", "vis-a", List.of("ss_a")));
        Truth shared = new Truth("ss_c", "vis-c", Timing.AFTER, true);
        add(t, shared, new ServerAttribution("ambiguous", "ss_d", "vis-d", List.of("ss_d", "ss_c")));
        add(t, new Truth(null, "vis-e", Timing.DURING, false), ServerAttribution.untracked());
        assertThat(t.calls()).isEqualTo(3);
        assertThat(t.count(Outcome.CORRECT)).isEqualTo(1);
        assertThat(t.count(Outcome.WRONG)).isEqualTo(1);
        assertThat(t.count(Outcome.UNKNOWN)).isEqualTo(1);
        assertThat(t.shared()).isEqualTo(1);
        assertThat(t.sharedMarkedAmbiguous()).isEqualTo(1);
        Map<String, Object> json = t.toJson();
        assertThat(((Map<String, Map<String, Long>>) json.get("byTiming")).get("after")).containsEntry("wrong", 1L);
        assertThat(((Map<String, Map<String, Long>>) json.get("byMethod")).get("untracked")).containsEntry("unknown", 1L);
        assertThat(json.get("ambiguousTruthAmongCandidates")).isEqualTo(1L);
        assertThat(t.table()).contains("ambiguous");
    }

    private static void add(AccuracyClassifier.Tally t, Truth truth, ServerAttribution a) {
        t.add(truth, a, AccuracyClassifier.judge(truth, a));
    }
}
