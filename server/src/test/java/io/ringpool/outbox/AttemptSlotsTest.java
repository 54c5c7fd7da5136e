package io.ringpool.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.outbox.AttemptSlots.Lane;
import io.ringpool.outbox.AttemptSlots.Slot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lanes and limits behind the outbox's fairness, on their own: which attempt may start, and when an endpoint is slow. */
class AttemptSlotsTest {
    static final long SLOW = 5_000;

    /** 8 threads, 4 per site, 2 per endpoint, 2 slow threads; half a 10 s timeout is slow (in the test's nanos: 5 000). */
    final AttemptSlots slots = new AttemptSlots(8, 4, 2, 2, SLOW);

    /** An attempt at the endpoint that came back in time. */
    void answeredQuickly(String siteId, String targetId) {
        slots.release(slots.tryTake(siteId, targetId, 0), SLOW / 100);
    }

    @Test
    void anEndpointNotYetHeardFromGetsOneAttemptAtATimeAndTwoOnceItAnsweredInTime() {
        assertThat(slots.tryTake("site_b", "wh_1", 0)).isNotNull();
        assertThat(slots.tryTake("site_b", "wh_1", 0)).as("it may hang: one slot of its site at most").isNull();
        assertThat(slots.fullTargets()).containsExactly("wh_1");
        answeredQuickly("site_b", "wh_2");
        assertThat(slots.tryTake("site_b", "wh_2", 0)).isNotNull();
        assertThat(slots.tryTake("site_b", "wh_2", 0)).isNotNull();
        assertThat(slots.tryTake("site_b", "wh_2", 0)).as("2 per endpoint").isNull();
    }

    @Test
    void oneSiteTakesAtMostItsShareOfTheThreadsAndOneEndpointItsOwn() {
        answeredQuickly("site_b", "wh_1");
        assertThat(slots.tryTake("site_b", "wh_1", 0)).isNotNull();
        assertThat(slots.tryTake("site_b", "wh_1", 0)).isNotNull();
        assertThat(slots.tryTake("site_b", "wh_1", 0)).as("2 per endpoint").isNull();
        assertThat(slots.tryTake("site_b", "wh_2", 0)).isNotNull();
        assertThat(slots.tryTake("site_b", "wh_3", 0)).isNotNull();
        assertThat(slots.tryTake("site_b", "wh_4", 0)).as("4 per site").isNull();
        assertThat(slots.fullSites()).containsExactly("site_b");
        assertThat(slots.fullTargets()).as("wh_2 and wh_3 not heard from yet").containsExactlyInAnyOrder("wh_1", "wh_2", "wh_3");
        for (int i = 0; i < 4; i++) {
            assertThat(slots.tryTake("site_" + i, "wh_a" + i, 0)).isNotNull();
        }
        assertThat(slots.tryTake("site_z", "wh_z", 0)).as("8 threads").isNull();
        assertThat(slots.inFlight(Lane.NORMAL)).isEqualTo(8);
    }

    @Test
    void anAttemptRunningPastHalfTheTimeoutMarksItsEndpointSlowAndMovesToTheSlowLaneWhileThereIsRoom() {
        List<Slot> hanging = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            answeredQuickly("site_b", "wh_" + i); // then it starts hanging
            hanging.add(slots.tryTake("site_b", "wh_" + i, 0));
            hanging.add(slots.tryTake("site_b", "wh_" + i, 0));
        }
        assertThat(slots.tryTake("site_b", "wh_ok", 10)).as("the site's 4 are taken").isNull();
        assertThat(slots.sweep(SLOW - 1)).isZero();

        assertThat(slots.sweep(SLOW)).as("two move: the slow lane has 2 threads").isEqualTo(2);
        assertThat(slots.isSlow("wh_1")).isTrue();
        assertThat(slots.isSlow("wh_2")).isTrue();
        assertThat(slots.slowTargets()).isEqualTo(2);
        assertThat(slots.inFlight(Lane.SLOW)).isEqualTo(2);
        assertThat(slots.inFlight(Lane.NORMAL)).isEqualTo(2);
        assertThat(slots.tryTake("site_b", "wh_ok", SLOW)).as("the site has normal slots again").isNotNull();
        assertThat(slots.tryTake("site_b", "wh_1", SLOW)).as("a slow endpoint: one at a time, and the slow lane is full").isNull();
        assertThat(slots.fullTargets()).contains("wh_1", "wh_2");

        // the attempts time out: the slow lane frees, each slow endpoint gets one attempt there
        hanging.forEach(s -> slots.release(s, 2 * SLOW));
        assertThat(slots.tryTake("site_b", "wh_1", 3 * SLOW)).extracting(Slot::lane).isEqualTo(Lane.SLOW);
        assertThat(slots.tryTake("site_b", "wh_1", 3 * SLOW)).as("one at a time").isNull();
        Slot second = slots.tryTake("site_b", "wh_2", 3 * SLOW);
        assertThat(second.lane()).isEqualTo(Lane.SLOW);

        slots.release(second, SLOW / 10);
        assertThat(slots.isSlow("wh_2")).as("it answered quickly: no longer slow").isFalse();
        assertThat(slots.tryTake("site_b", "wh_2", 4 * SLOW)).extracting(Slot::lane).isEqualTo(Lane.NORMAL);
        assertThat(slots.tryTake("site_b", "wh_2", 4 * SLOW)).as("and two at a time again").isNotNull();
    }

    @Test
    void aReleaseWithoutSendingTellsNothingAboutTheEndpoint() {
        Slot s = slots.tryTake("site_b", "wh_1", 0);
        slots.sweep(SLOW);
        assertThat(slots.isSlow("wh_1")).isTrue();
        slots.release(s, null);
        assertThat(slots.isSlow("wh_1")).isTrue();
        assertThat(slots.inFlight(Lane.SLOW)).isZero();
        assertThat(slots.anyFree()).isTrue();
    }

    @Test
    void turnsGoToWhoeverWasServedLeastRecently() {
        Turns turns = new Turns();
        assertThat(turns.order(List.of("site_b", "site_a"))).as("never served: in the given order").containsExactly("site_b", "site_a");
        turns.served("site_b");
        assertThat(turns.order(List.of("site_b", "site_a"))).containsExactly("site_a", "site_b");
        turns.served("site_a");
        assertThat(turns.order(List.of("site_b", "site_a", "site_c"))).containsExactly("site_c", "site_b", "site_a");
    }
}
