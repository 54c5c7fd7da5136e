package io.ringpool.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON in database columns ({@code click_ids_json}, {@code candidates_json}, {@code tags_json},
 * ...). Its own mapper, apart from the API's: what is on disk must stay readable whatever the
 * API's JSON rules become. The format is fixed by the rows already stored: ISO-8601 times, null
 * fields left out, unknown fields ignored on reading (a newer node may have added one).
 */
public final class StoredJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private StoredJson() {}

    /** The column text for {@code value}. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot store as JSON: " + value.getClass().getName(), e);
        }
    }

    /** A stored array as a list; empty for a null or empty column. */
    public static <T> List<T> list(String json, TypeReference<List<T>> type) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new StoreException("unreadable JSON column", e);
        }
    }

    /** A stored array of strings; empty for a null or empty column. */
    public static List<String> strings(String json) {
        return list(json, new TypeReference<List<String>>() {});
    }

    /** A stored object of text values ({@code {"gclid": "..."}}), in stored order; empty for a null or empty column. */
    public static Map<String, String> stringMap(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        if (json == null || json.isBlank()) {
            return out;
        }
        try {
            MAPPER.readTree(json).properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        } catch (JsonProcessingException e) {
            throw new StoreException("unreadable JSON column", e);
        }
    }

    /**
     * One text field of a stored object ({@code clientIds.ym}), or null when the column is empty,
     * lacks the field or cannot be read: for exports, where one bad row must not stop the file.
     */
    public static String fieldOrNull(String json, String field) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            JsonNode v = MAPPER.readTree(json).get(field);
            return v == null || v.isNull() ? null : v.asText();
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
