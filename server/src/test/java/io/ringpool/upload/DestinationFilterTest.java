package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Audit N #1: a destination's filter means what a feed's does; leads are judged on what they have. */
class DestinationFilterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static CallConversion call(boolean target, boolean unique, boolean uniqueTarget, List<String> tags) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("callId", "cl_1");
        c.put("startedAt", "2027-03-02T07:00:00Z");
        c.put("status", "completed");
        c.put("talkSeconds", target ? 75 : 5);
        c.put("target", target);
        c.put("unique", unique);
        c.put("uniqueTarget", uniqueTarget);
        c.put("tags", tags);
        c.put("attribution", Map.of());
        return CallConversion.of(JSON.valueToTree(c));
    }

    static CallConversion attributed(String method) {
        return CallConversion.of(JSON.valueToTree(Map.of("callId", "cl_2", "startedAt", "2027-03-02T07:00:00Z", "status", "completed",
                "talkSeconds", 75, "target", true, "attribution", Map.of("method", method))));
    }

    @Test
    void ambiguousFalseKeepsOutOnlyTheCallsChosenAmongSeveralVisitsAndNoLead() {
        DestinationFilter sureOnly = new DestinationFilter(null, null, null, null, null, false);
        assertThat(sureOnly.admits(attributed("ambiguous"))).isFalse();
        for (String method : List.of("active", "cooling", "repeat", "static", "none")) {
            assertThat(sureOnly.admits(attributed(method))).as(method).isTrue();
        }
        assertThat(new DestinationFilter(null, null, null, null, null, true).admits(attributed("active"))).isFalse();
        assertThat(sureOnly.admits(lead(true, List.of()))).as("a lead's visit is its own").isTrue();
        assertThat(DestinationFilter.of(sureOnly.asMap())).isEqualTo(sureOnly);
    }

    static CallConversion lead(boolean unique, List<String> tags) {
        return CallConversion.ofLead(JSON.valueToTree(Map.of("leadId", "ld_1", "at", "2027-03-02T07:00:00Z", "unique", unique,
                "tags", tags, "attribution", Map.of())));
    }

    @Test
    void eachSetFilterMustMatchAndUnsetOnesAreAny() {
        CallConversion shortRepeat = call(false, false, false, List.of());
        CallConversion targetFirst = call(true, true, true, List.of("Sale"));
        assertThat(DestinationFilter.NONE.admits(shortRepeat)).isTrue();
        DestinationFilter target = new DestinationFilter(true, null, null, null, null);
        assertThat(target.admits(shortRepeat)).isFalse();
        assertThat(target.admits(targetFirst)).isTrue();
        assertThat(new DestinationFilter(false, null, null, null, null).admits(shortRepeat)).isTrue();
        assertThat(new DestinationFilter(null, true, null, null, null).admits(shortRepeat)).isFalse();
        assertThat(new DestinationFilter(null, null, true, null, null).admits(call(true, false, false, List.of()))).isFalse();
        assertThat(new DestinationFilter(null, null, null, "sale", null).admits(targetFirst)).as("tags without regard to case").isTrue();
        assertThat(new DestinationFilter(null, null, null, "sale", null).admits(shortRepeat)).isFalse();
        assertThat(new DestinationFilter(true, true, null, "SALE", null).admits(targetFirst)).isTrue();
    }

    @Test
    void leadsHaveNoTalkTimeSoOnlyUniqueTagAndLeadsApplyToThem() {
        CallConversion lead = lead(true, List.of("crm"));
        assertThat(new DestinationFilter(true, null, true, null, null).admits(lead)).isTrue();
        assertThat(new DestinationFilter(null, false, null, null, null).admits(lead)).isFalse();
        assertThat(new DestinationFilter(null, null, null, "CRM", null).admits(lead)).isTrue();
        assertThat(new DestinationFilter(null, null, null, "web", null).admits(lead)).isFalse();
        assertThat(new DestinationFilter(null, null, null, null, false).admits(lead)).isFalse();
        assertThat(new DestinationFilter(null, null, null, null, false).admits(call(true, true, true, List.of()))).isTrue();
    }

    @Test
    void theStoredFormReadsBackAsTheSameFilter() {
        DestinationFilter f = new DestinationFilter(true, null, false, "Sale", false);
        assertThat(DestinationFilter.of(f.asMap())).isEqualTo(f);
        assertThat(DestinationFilter.of(Map.of())).isEqualTo(DestinationFilter.NONE);
    }
}
