package io.ringpool.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.store.Dialect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link FactsTrim} against the simplest reference: facts built fresh from the visits it keeps. */
class FactsTrimTest {
    static final long DAY = Duration.ofDays(1).toMillis();
    static final String[] CHANNELS = {"direct", "direct", "paid", "organic", "referral"};

    record Visit(long start, String session, String visitor, String channel) {
        String[] dims() {
            String[] d = new String[Dimension.COUNT];
            d[Dimension.CHANNEL.ordinal()] = channel;
            d[Dimension.SOURCE.ordinal()] = channel.equals("direct") ? null : channel + "-source";
            return d;
        }
    }

    static SiteFacts factsOf(List<Visit> visits, long heldFrom) {
        SiteFacts f = new SiteFacts("st_trim", Dialect.H2);
        for (Visit v : visits) {
            if (v.start() >= heldFrom) {
                f.appendVisit(v.start(), v.session(), v.visitor(), v.dims());
            }
        }
        return f;
    }

    /** Random visits of a few visitors over {@code days} days, in start order. */
    static List<Visit> traffic(long seed, int count, int visitors, int days) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Visit> out = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < count; i++) {
            t += random.nextLong((long) days * DAY / count * 2 + 1);
            out.add(new Visit(t, "s" + i, "v" + random.nextInt(visitors), CHANNELS[random.nextInt(CHANNELS.length)]));
        }
        return out;
    }

    @Test
    void trimmedFactsCreditAndChainEveryHeldVisitAsAFreshLoadOfTheHeldWindowDoes() {
        for (long seed = 1; seed <= 40; seed++) {
            // 400 days of traffic: chains both within and beyond the 90-day look-back.
            List<Visit> visits = traffic(seed, 600, 40, 400);
            long heldFrom = visits.get(new SplittableRandom(seed).nextInt(visits.size())).start();
            SiteFacts trimmed = factsOf(visits, Long.MIN_VALUE);
            int dropped = FactsTrim.before(trimmed, heldFrom);
            SiteFacts fresh = factsOf(visits, heldFrom);

            assertThat(dropped).isEqualTo(visits.size() - fresh.visits);
            assertThat(trimmed.visits).as("seed %d", seed).isEqualTo(fresh.visits);
            assertThat(trimmed.heldFrom).isEqualTo(heldFrom);
            for (int i = 0; i < fresh.visits; i++) {
                assertThat(trimmed.vStart[i]).isEqualTo(fresh.vStart[i]);
                assertThat(trimmed.vSid[i]).isEqualTo(fresh.vSid[i]);
                assertThat(trimmed.vPrev[i]).as("vPrev[%d] seed %d", i, seed).isEqualTo(fresh.vPrev[i]);
                assertThat(trimmed.vNext[i]).as("vNext[%d] seed %d", i, seed).isEqualTo(fresh.vNext[i]);
                assertThat(trimmed.vLnd[i]).as("vLnd[%d] seed %d", i, seed).isEqualTo(fresh.vLnd[i]);
                assertThat(trimmed.vFirst[i]).as("vFirst[%d] seed %d", i, seed).isEqualTo(fresh.vFirst[i]);
                int channel = Dimension.CHANNEL.ordinal();
                assertThat(trimmed.dicts[channel].value(trimmed.vDim[channel][i])).isEqualTo(fresh.dicts[channel].value(fresh.vDim[channel][i]));
            }
            for (int v = 0; v < 40; v++) {
                long visitor = SiteFacts.hash("v" + v);
                assertThat(trimmed.lastVisitOfVisitor.get(visitor, -1)).isEqualTo(fresh.lastVisitOfVisitor.get(visitor, -1));
            }
        }
    }

    @Test
    void aDirectVisitWhoseEarlierPaidVisitIsStillHeldKeepsThePaidCreditAfterATrim() {
        List<Visit> visits = List.of(
                new Visit(0, "s_old", "v_other", "organic"),
                new Visit(DAY, "s_paid", "v_a", "paid"),
                new Visit(2 * DAY, "s_direct", "v_a", "direct"));
        SiteFacts f = factsOf(visits, Long.MIN_VALUE);

        FactsTrim.before(f, DAY);

        assertThat(f.visits).isEqualTo(2);
        int direct = 1;
        assertThat(f.isDirect(direct)).isTrue();
        assertThat(f.vLnd[direct]).isEqualTo(0);
        assertThat(f.isDirect(Model.LAST_NON_DIRECT.credited(f, direct))).isFalse();
        assertThat(Model.FIRST_CLICK.credited(f, direct)).isEqualTo(0);
    }

    @Test
    void aDirectVisitWhosePaidVisitWasDroppedIsCreditedAsDirect() {
        List<Visit> visits = List.of(new Visit(0, "s_paid", "v_a", "paid"), new Visit(DAY, "s_direct", "v_a", "direct"));
        SiteFacts f = factsOf(visits, Long.MIN_VALUE);
        assertThat(f.isDirect(Model.LAST_NON_DIRECT.credited(f, 1))).isFalse();

        FactsTrim.before(f, DAY);

        assertThat(f.visits).isEqualTo(1);
        assertThat(Model.LAST_NON_DIRECT.credited(f, 0)).isZero();
        assertThat(f.vPrev[0]).isEqualTo(-1);
    }

    @Test
    void aVisitOlderThanHeldFromThatArrivesLateIsNotHeld() {
        SiteFacts f = factsOf(List.of(new Visit(DAY, "s1", "v1", "paid")), Long.MIN_VALUE);
        FactsTrim.before(f, DAY);

        f.appendVisit(DAY - 1, "s_late", "v2", new Visit(0, "", "", "paid").dims());

        assertThat(f.visits).isEqualTo(1);
    }

    @Test
    void columnsFullAtTheBoundAskForRoomBeforeTheNextVisitAndNeverGrowPastIt() {
        SiteFacts f = new SiteFacts("st_trim", Dialect.H2);
        f.maxVisits = 2_000;
        f.whenFull = full -> FactsTrim.before(full, EvictionCut.of(full, 1_800));
        for (Visit v : traffic(7, 10_000, 500, 100)) {
            f.appendVisit(v.start(), v.session(), v.visitor(), v.dims());
            assertThat(f.visits).isLessThanOrEqualTo(2_000);
        }
        assertThat(f.vStart.length).isLessThanOrEqualTo(2_000);
        assertThat(f.heldFrom).isGreaterThan(Long.MIN_VALUE);
    }
}
