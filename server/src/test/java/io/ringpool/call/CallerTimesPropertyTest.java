package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Classification against the caller's times sorted once gives, for every call of a random
 * history, what a scan of the whole history gives (the reference below is that scan): duplicates,
 * calls exactly a window apart, a window of 0 (= ever).
 */
class CallerTimesPropertyTest {

    @Property(tries = 300)
    void sortedTimesClassifyEveryCallAsAScanWould(@ForAll @Size(max = 40) List<@IntRange(min = 0, max = 60) Integer> days,
            @ForAll @IntRange(min = 0, max = 5) int uniquenessDays, @ForAll boolean callerValid, @ForAll @IntRange(min = 0, max = 120) int talk) {
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        List<Instant> times = new ArrayList<>();
        for (int i = 0; i < days.size(); i++) {
            // whole days (exact window edges) and, every third call, a few seconds off them
            times.add(base.plus(Duration.ofDays(days.get(i))).plusSeconds(i % 3 == 0 ? i : 0));
        }
        ClassificationSettings settings = new ClassificationSettings(uniquenessDays, 60);
        CallClassifier.CallerTimes sorted = CallClassifier.CallerTimes.of(times);
        List<Instant> probes = new ArrayList<>(times);
        probes.add(base.minusSeconds(1));
        probes.add(base.plus(Duration.ofDays(61)));
        for (Instant call : probes) {
            CallClass expected = scan(call, talk > 0, talk, callerValid, times, settings);
            assertThat(CallClassifier.classify(call, talk > 0, talk, callerValid, sorted, settings)).isEqualTo(expected);
            assertThat(CallClassifier.classify(call, talk > 0, talk, callerValid, times, settings)).isEqualTo(expected);
        }
    }

    /** The definition, one pass over every time: what the classifier did before it sorted. */
    static CallClass scan(Instant startedAt, boolean answered, Integer talkSeconds, boolean callerValid, List<Instant> times,
            ClassificationSettings settings) {
        boolean anyEarlier = false;
        boolean earlierInWindow = false;
        Instant windowStart = settings.uniquenessDays() == 0 ? Instant.MIN : startedAt.minus(Duration.ofDays(settings.uniquenessDays()));
        for (Instant t : times) {
            if (t.isBefore(startedAt)) {
                anyEarlier = true;
                if (t.isAfter(windowStart)) {
                    earlierInWindow = true;
                }
            }
        }
        boolean firstTime = callerValid && !anyEarlier;
        boolean unique = callerValid && !earlierInWindow;
        boolean target = answered && (talkSeconds == null ? 0 : talkSeconds) >= settings.targetCallSeconds();
        return new CallClass(firstTime, unique, target, unique && target);
    }
}
