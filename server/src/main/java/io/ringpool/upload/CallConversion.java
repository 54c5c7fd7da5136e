package io.ringpool.upload;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What an upload needs of a call, read from the event's {@code data} (the call as the API shows it).
 *
 * @param caller     E.164, or null when the caller is unknown, not a valid number, or erased
 * @param ymClientId the visit's Yandex Metrica ClientID, or null
 * @param gaClientId the visit's GA client id as the {@code _ga} cookie holds it, or null
 */
record CallConversion(String callId, String caller, Instant startedAt, Instant endedAt, boolean answered, Integer talkSeconds,
        Integer durationSeconds, Double value, String currency, List<String> tags, boolean firstTime, boolean staticCall,
        String landingPage, String recordingUrl, String gclid, String yclid, String ymClientId, String gaClientId, String source,
        String medium, String campaign) {

    static CallConversion of(JsonNode call) {
        JsonNode a = call.path("attribution");
        String caller = text(call, "caller");
        List<String> tags = new ArrayList<>();
        call.path("tags").forEach(t -> tags.add(t.asText()));
        String gclid = text(a, "gclid");
        if (gclid == null) {
            gclid = text(a.path("clickIds"), "gclid");
        }
        String yclid = text(a, "yclid");
        if (yclid == null) {
            yclid = text(a.path("clickIds"), "yclid");
        }
        return new CallConversion(text(call, "callId"), caller != null && caller.matches("\\+[1-9][0-9]{6,14}") ? caller : null,
                instant(call, "startedAt"), instant(call, "endedAt"), "completed".equals(text(call, "status"))
                        || call.path("talkSeconds").asInt(0) > 0,
                integer(call, "talkSeconds"), integer(call, "durationSeconds"),
                call.hasNonNull("value") ? call.get("value").asDouble() : null, text(call, "currency"), List.copyOf(tags),
                call.path("firstTime").asBoolean(false), "static".equals(text(a, "method")), text(a, "landingPage"),
                text(call, "recordingUrl"), gclid, yclid, text(a.path("clientIds"), "ym"), text(a.path("clientIds"), "ga"),
                text(a, "source"), text(a, "medium"), text(a, "campaign"));
    }

    /** When the call converted: its end, or its start while the end is unknown. */
    Instant convertedAt() {
        return endedAt != null && !endedAt.isBefore(startedAt) ? endedAt : startedAt;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }

    private static Integer integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asInt();
    }

    private static Instant instant(JsonNode n, String field) {
        String t = text(n, field);
        return t == null ? null : Instant.parse(t);
    }
}
