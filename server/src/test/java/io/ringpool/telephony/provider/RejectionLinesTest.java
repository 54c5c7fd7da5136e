package io.ringpool.telephony.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Audit AI1 #5: 300 forged webhooks wrote 300 log lines; now one a minute per provider, site and reason, with the count left out. */
class RejectionLinesTest {
    @Test
    void aFloodOfRefusalsWritesOneLineAMinuteAndThenSaysHowManyItLeftOut() {
        AtomicLong now = new AtomicLong(1_000_000);
        RejectionLines lines = new RejectionLines(now::get);
        assertThat(lines.admit("uis", "st_a", "mismatch")).isZero();
        int written = 0;
        for (int i = 0; i < 300; i++) {
            now.addAndGet(10);
            if (lines.admit("uis", "st_a", "mismatch") >= 0) {
                written++;
            }
        }
        assertThat(written).as("3 s of refusals after the first line").isZero();
        assertThat(lines.admit("uis", "st_b", "mismatch")).as("another site has its own line").isZero();
        assertThat(lines.admit("zadarma", "st_a", "mismatch")).as("another provider too").isZero();
        now.addAndGet(RejectionLines.WINDOW_MILLIS);
        assertThat(lines.admit("uis", "st_a", "mismatch")).as("the next line counts the ones left out").isEqualTo(300);
        assertThat(lines.admit("uis", "st_a", "mismatch")).isEqualTo(-1);
    }

    @Test
    void madeUpSiteIdsDoNotGrowTheMapWithoutBound() {
        AtomicLong now = new AtomicLong(0);
        RejectionLines lines = new RejectionLines(now::get);
        for (int i = 0; i < RejectionLines.MAX_KEYS * 3; i++) {
            lines.admit("uis", "st_" + i, "not_configured");
            assertThat(lines.keys()).isLessThanOrEqualTo(RejectionLines.MAX_KEYS);
        }
        assertThat(lines.admit("uis", null, "unknown_site")).isZero();
    }
}
