package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Audit F #7: any text captured as a click id or analytics client id was uploaded as it was, and
 * the platform refused the row ("=2+5" as a Metrica ClientID). An id of the wrong shape now counts
 * as no id for an upload: the row is skipped and counted, as one without the id is.
 */
class ClickIdShapesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static CallConversion call(String gclid, String yclid, String ym, String ga) {
        Map<String, Object> attribution = new java.util.HashMap<>();
        attribution.put("gclid", gclid);
        attribution.put("yclid", yclid);
        Map<String, Object> clientIds = new java.util.HashMap<>();
        clientIds.put("ym", ym);
        clientIds.put("ga", ga);
        attribution.put("clientIds", clientIds);
        JsonNode node = JSON.valueToTree(Map.of("callId", "cl_1", "startedAt", "2027-03-02T07:00:00Z", "status", "completed",
                "attribution", attribution));
        return CallConversion.of(node);
    }

    @Test
    void idsOfThePlatformsShapesAreKept() {
        CallConversion c = call("Cj0KCQiA5rGuBhCnARIsAN11vgQ_a-b", "5712349876543210987", "1700000000123456789",
                "GA1.1.123456789.1700000000");
        assertThat(c.gclid()).isEqualTo("Cj0KCQiA5rGuBhCnARIsAN11vgQ_a-b");
        assertThat(c.yclid()).isEqualTo("5712349876543210987");
        assertThat(c.ymClientId()).isEqualTo("1700000000123456789");
        assertThat(c.gaClientId()).isEqualTo("GA1.1.123456789.1700000000");
        assertThat(call(null, null, null, "123456789.1700000000").gaClientId()).isEqualTo("123456789.1700000000");
    }

    @Test
    void anythingElseIsNoIdForAnUpload() {
        CallConversion c = call("=cmd|' /C calc'!A0", "12a", "=2+5", "GA1.1.<script>");
        assertThat(c.gclid()).isNull();
        assertThat(c.yclid()).isNull();
        assertThat(c.ymClientId()).isNull();
        assertThat(c.gaClientId()).isNull();
        assertThat(call("{gclid}", "", "1,2", "1.2.3.4.5").gclid()).isNull();
        assertThat(call("a,b\"c\nd", null, null, null).gclid()).isNull();
    }
}
