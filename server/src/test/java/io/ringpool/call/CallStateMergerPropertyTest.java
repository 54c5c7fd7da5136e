package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.call.CallEvent.Kind;
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

/** The merger's promise: the final state depends only on the set of events, not order or repeats. */
class CallStateMergerPropertyTest {

    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @Provide
    Arbitrary<List<CallEvent>> calls() {
        Arbitrary<Integer> seconds = Arbitraries.integers().between(0, 600);
        Arbitrary<Integer> maybeSeconds = seconds.injectNull(0.4);
        Arbitrary<String> maybeFrom = Arbitraries.of("+79161234567", "+79160000000", "anonymous").injectNull(0.4);
        Arbitrary<String> maybeUrl = Arbitraries.of("https://r/1", "https://r/2").injectNull(0.7);
        Arbitrary<CallEvent> event = Combinators.combine(Arbitraries.of(Kind.class), seconds, maybeFrom, maybeFrom,
                        maybeSeconds, maybeSeconds, maybeUrl)
                .as((kind, at, from, to, duration, talk, url) -> new CallEvent("generic", "c1", kind,
                        T0.plusSeconds(at), from, to, duration, talk, url));
        return event.list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 500)
    void anyPermutationWithRepeatsFoldsToTheSameState(@ForAll("calls") List<CallEvent> events, @ForAll long seed) {
        Random random = new Random(seed);
        List<CallEvent> replayed = new ArrayList<>(events);
        int repeats = random.nextInt(events.size() + 1);
        for (int i = 0; i < repeats; i++) {
            replayed.add(events.get(random.nextInt(events.size())));
        }
        Collections.shuffle(replayed, random);
        assertThat(CallStateMerger.fold(replayed)).isEqualTo(CallStateMerger.fold(events));
    }

    @Property(tries = 300)
    void onceTerminalAlwaysTerminalAndTimesAreConsistent(@ForAll("calls") List<CallEvent> events) {
        CallState state = null;
        boolean terminal = false;
        for (CallEvent e : events) {
            state = CallStateMerger.merge(state, e);
            if (terminal) {
                assertThat(state.status().isTerminal()).isTrue();
            }
            terminal = state.status().isTerminal();
            if (state.endedAt() != null) {
                assertThat(state.endedAt()).isAfterOrEqualTo(state.startedAt());
            }
            if (state.answeredAt() != null) {
                assertThat(state.answeredAt()).isAfterOrEqualTo(state.startedAt());
                if (state.endedAt() != null) {
                    assertThat(state.answeredAt()).isBeforeOrEqualTo(state.endedAt());
                }
            }
            assertThat(state.answered() || state.status() != CallState.Status.ANSWERED).isTrue();
        }
    }

    /** A late event never undoes the end (docs/providers.md): an answer timed after the end changes no ended call's status. */
    @Property(tries = 300)
    void anAnswerTimedAfterTheEndLeavesTheStatusAsItWas(@ForAll("calls") List<CallEvent> events, @ForAll("seconds") int after) {
        CallState ended = CallStateMerger.fold(events);
        if (ended.endedAt() == null || ended.events().containsKey(Kind.ANSWERED)) {
            return;
        }
        CallEvent late = new CallEvent("generic", "c1", Kind.ANSWERED, ended.endedAt().plusSeconds(after), null, null, null, null, null);
        CallState withLate = CallStateMerger.merge(ended, late);
        assertThat(withLate.status()).isEqualTo(ended.status());
        assertThat(withLate.answeredAt()).isEqualTo(ended.answeredAt());
        assertThat(withLate.talkSeconds()).isEqualTo(ended.talkSeconds());
    }

    @Provide
    Arbitrary<Integer> seconds() {
        return Arbitraries.integers().between(1, 3_600);
    }
}
