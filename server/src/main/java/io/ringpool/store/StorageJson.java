package io.ringpool.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON kept in columns (a site's settings, a pool's match rule, a session's click ids): the
 * store's own format, apart from the HTTP API's so that a change to what clients see never
 * changes what is on disk. Only maps, lists, strings and numbers go in; what was written is
 * what comes back.
 */
public final class StorageJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StorageJson() {}

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

    /** A stored flat object of strings, in its stored order. */
    public static Map<String, String> readStringMap(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        read(json).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
