package io.ringpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a static number stood for at an instant (audit AM1 F5), without a server. */
class StaticNumberHistoryTest {
    static StaticNumber standingFor(String source) {
        return new StaticNumber("st_1", "+74957739201", source, null, null, null, Instant.EPOCH);
    }

    @Test
    void aCallIsCreditedToTheEntryThatBeganAtOrBeforeItsTimeAndToNoneWhileRetired() {
        StaticNumberHistory h = StaticNumberHistory.of(List.of(new StaticNumberHistory.Entry(1_000, standingFor("billboard"))))
                .with(2_000, standingFor("radio")).with(3_000, null).with(4_000, standingFor("metro"));
        assertThat(h.at(500).orElseThrow().source()).as("before the number was added: its first source").isEqualTo("billboard");
        assertThat(h.at(1_999).orElseThrow().source()).isEqualTo("billboard");
        assertThat(h.at(2_000).orElseThrow().source()).as("a change's own millisecond is the new source's").isEqualTo("radio");
        assertThat(h.at(3_000)).as("retired").isEmpty();
        assertThat(h.at(3_999)).isEmpty();
        assertThat(h.at(4_000).orElseThrow().source()).isEqualTo("metro");
    }

    @Test
    void twoChangesInOneMillisecondLeaveTheLater() {
        StaticNumberHistory h = StaticNumberHistory.of(List.of(new StaticNumberHistory.Entry(1_000, standingFor("billboard"))))
                .with(2_000, standingFor("radio")).with(2_000, standingFor("tv"));
        assertThat(h.at(2_000).orElseThrow().source()).isEqualTo("tv");
        assertThat(h.at(1_500).orElseThrow().source()).isEqualTo("billboard");
    }
}
