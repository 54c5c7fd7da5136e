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
 * JSON kept in columns (a site's settings, a pool's match rule, a session's click ids, a call's
 * candidates, earlier visits and tags): the store's own format, apart from the HTTP API's so that
 * a change to what clients see never changes what is on disk. The format is fixed by the rows
 * already stored: times as ISO-8601 text; a record's null fields left out, a map's null values
 * kept (site settings store "no forwarding number" as null); unknown fields ignored on reading, so
 * a row written by a newer node still reads.
 */
public final class StorageJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS));

    private StorageJson() {}

    /** The column text for {@code value}. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a stored value", e);
        }
    }

    /** A stored document; a broken one is a fault of the store, not of any caller. */
    public static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored JSON value is unreadable", e);
        }
    }

    /** A stored flat object of strings, in its stored order; empty for a null or empty column. */
    public static Map<String, String> readStringMap(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        if (json == null || json.isBlank()) {
            return out;
        }
        read(json).properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** A stored array as a list; empty for a null or empty column. */
    public static <T> List<T> readList(String json, TypeReference<List<T>> type) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored JSON value is unreadable", e);
        }
    }

    /** A stored array of strings; empty for a null or empty column. */
    public static List<String> readStrings(String json) {
        return readList(json, new TypeReference<List<String>>() {});
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
