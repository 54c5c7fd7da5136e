package io.ringpool.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrafficModelTest {

    private static TrafficModel model(long seed) {
        return new TrafficModel(TrafficModel.Params.defaults(seed));
    }

    @Test
    void theSameSeedPlaysTheSameTraffic() {
        List<TrafficModel.Visit> a = model(7).plan();
        List<TrafficModel.Visit> b = model(7).plan();
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).arrival()).isEqualTo(b.get(i).arrival());
            assertThat(a.get(i).leave()).isEqualTo(b.get(i).leave());
            assertThat(a.get(i).visitor()).isEqualTo(b.get(i).visitor());
            assertThat(a.get(i).call()).isEqualTo(b.get(i).call());
        }
        assertThat(model(8).plan().get(0).arrival()).isNotEqualTo(a.get(0).arrival());
    }

    @Test
    void arrivalsMatchTheDailyVolumeAndFollowTheHourlyCurve() {
        double[] t = model(1).arrivals();
        // 2 days × 4000 visits; Poisson sd ≈ 90
        assertThat(t.length).isBetween(7600, 8400);
        assertThat(t).isSorted();
        long night = Arrays.stream(t).filter(x -> (x % 86_400) / 3600 >= 2 && (x % 86_400) / 3600 < 5).count();
        long noon = Arrays.stream(t).filter(x -> (x % 86_400) / 3600 >= 11 && (x % 86_400) / 3600 < 14).count();
        // the curve's weights are 0.6 (02–05) against 6.8 (11–14)
        assertThat((double) noon / night).isBetween(7.0, 16.0);
    }

    @Test
    void sessionLengthIsLogNormalWithTheConfiguredMedian() {
        SplittableRandom r = new SplittableRandom(3);
        double[] xs = new double[20_001];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = TrafficModel.logNormal(r, 180, 1.0);
        }
        Arrays.sort(xs);
        assertThat(xs[xs.length / 2]).isCloseTo(180, within(10.0));
        // the 84th percentile of a log-normal is median × e^σ
        assertThat(xs[(int) (xs.length * 0.8413)]).isCloseTo(180 * Math.E, within(30.0));
    }

    @Test
    void sharesOfBotsCallersReturningAndMultiTabVisitsAreAsConfigured() {
        List<TrafficModel.Visit> plan = model(11).plan();
        double n = plan.size();
        long bots = plan.stream().filter(TrafficModel.Visit::bot).count();
        List<TrafficModel.Visit> humans = plan.stream().filter(v -> !v.bot()).toList();
        long callers = humans.stream().filter(TrafficModel.Visit::calls).count();
        long during = humans.stream().filter(v -> v.calls() && v.call().timing() == TrafficModel.Timing.DURING).count();
        long returning = humans.stream().filter(TrafficModel.Visit::returning).count();
        long tabs = humans.stream().filter(v -> !Double.isNaN(v.secondTabAt())).count();
        assertThat(bots / n).isCloseTo(0.05, within(0.01));
        assertThat((double) callers / humans.size()).isCloseTo(0.08, within(0.015));
        assertThat((double) during / callers).isCloseTo(0.6, within(0.07));
        assertThat((double) returning / humans.size()).isCloseTo(0.2, within(0.03));
        assertThat((double) tabs / humans.size()).isCloseTo(0.1, within(0.02));
    }

    @Test
    void aVisitIsInternallyConsistent() {
        for (TrafficModel.Visit v : model(5).plan()) {
            assertThat(v.leave()).isGreaterThan(v.arrival());
            for (double p : v.pageviews()) {
                assertThat(p).isBetween(v.arrival(), v.leave());
            }
            if (v.calls()) {
                if (v.call().timing() == TrafficModel.Timing.DURING) {
                    assertThat(v.call().at()).isBetween(v.arrival(), v.leave());
                } else {
                    assertThat(v.call().at()).isGreaterThan(v.leave());
                }
                if (v.repeat() != null) {
                    assertThat(v.repeat().at() - v.call().at()).isBetween(0.5 * 86_400, 1.5 * 86_400);
                }
            }
            if (!Double.isNaN(v.frozenAt())) {
                assertThat(v.hiddenAt()).isLessThan(v.frozenAt());
            }
            if (v.bot()) {
                assertThat(v.calls()).isFalse();
            }
        }
    }

    @Test
    void aReturningVisitReusesAnEarlierHumanVisitor() {
        List<TrafficModel.Visit> plan = model(9).plan();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (TrafficModel.Visit v : plan) {
            if (v.returning()) {
                assertThat(seen).contains(v.visitor());
            }
            if (!v.bot()) {
                seen.add(v.visitor());
            }
        }
    }

    @Test
    void geometricPageviewsHaveTheConfiguredMean() {
        SplittableRandom r = new SplittableRandom(1);
        double sum = 0;
        for (int i = 0; i < 20_000; i++) {
            sum += TrafficModel.geometric(r, 3);
        }
        assertThat(sum / 20_000).isCloseTo(3, within(0.1));
    }
}
