package io.ringpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The on-disk JSON format stays what the rows already stored hold. */
class StorageJsonTest {
    record Visit(String sessionId, Instant startedAt, String medium) {}

    @Test
    void recordsLeaveOutNullFieldsAndWriteTimesAsIsoTextMapsKeepNullValues() {
        assertThat(StorageJson.write(new Visit("s_1", Instant.parse("2026-11-26T03:15:00Z"), null)))
                .isEqualTo("{\"sessionId\":\"s_1\",\"startedAt\":\"2026-11-26T03:15:00Z\"}");
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("forwardTo", null);
        assertThat(StorageJson.write(settings)).isEqualTo("{\"forwardTo\":null}");
    }

    @Test
    void whatWasWrittenReadsBackAndAnEmptyColumnIsEmpty() {
        List<Visit> visits = List.of(new Visit("s_1", Instant.parse("2026-11-26T03:15:00Z"), "cpc"));
        assertThat(StorageJson.readList(StorageJson.write(visits), new TypeReference<List<Visit>>() {})).isEqualTo(visits);
        assertThat(StorageJson.readList(null, new TypeReference<List<Visit>>() {})).isEmpty();
        assertThat(StorageJson.readStringMap(null)).isEmpty();
        assertThat(StorageJson.readStrings("[\"lead\",\"vip\"]")).containsExactly("lead", "vip");
        assertThat(StorageJson.fieldOrNull("{\"ym\":\"123\"}", "ym")).isEqualTo("123");
        assertThat(StorageJson.fieldOrNull("not json", "ym")).isNull();
    }

    @Test
    void aFieldAddedByANewerNodeIsIgnoredOnReading() {
        List<Visit> read = StorageJson.readList("[{\"sessionId\":\"s_1\",\"startedAt\":\"2026-11-26T03:15:00Z\",\"score\":3}]",
                new TypeReference<List<Visit>>() {});
        assertThat(read).containsExactly(new Visit("s_1", Instant.parse("2026-11-26T03:15:00Z"), null));
    }
}
