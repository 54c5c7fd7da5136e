package io.ringpool.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON object being validated field by field. Every problem names the field (dotted path) and
 * is a 422: the document is valid JSON, a value in it is not.
 */
public final class JsonBody {
    private final JsonNode node;
    private final String prefix;

    JsonBody(JsonNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    public String path(String field) {
        return prefix.isEmpty() ? field : prefix + "." + field;
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    /** Rejects fields this endpoint does not know, so a misspelt setting is not silently ignored. */
    public JsonBody rejectUnknown(Set<String> known) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new ApiException(422, "unknown_field", "unknown field '" + path(name) + "'", path(name));
            }
        }
        return this;
    }

    public String requiredString(String field, int maxLength) {
        String value = optionalString(field, maxLength);
        if (value == null || value.isBlank()) {
            throw new ApiException(422, "missing_field", "'" + path(field) + "' is required", path(field));
        }
        return value;
    }

    /** A trimmed string, or null when absent or JSON null. */
    public String optionalString(String field, int maxLength) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.invalid(path(field), "'" + path(field) + "' must be a string");
        }
        String text = v.asText().trim();
        if (text.length() > maxLength) {
            throw ApiException.invalid(path(field), "'" + path(field) + "' is longer than " + maxLength + " characters");
        }
        return text;
    }

    public Integer optionalInt(String field, long min, long max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiException.invalid(path(field), "'" + path(field) + "' must be a whole number");
        }
        long value = v.asLong();
        if (value < min || value > max) {
            throw ApiException.invalid(path(field), "'" + path(field) + "' must be between " + min + " and " + max);
        }
        return (int) value;
    }

    public Double optionalNumber(String field, double min, double max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw ApiException.invalid(path(field), "'" + path(field) + "' must be a number");
        }
        double value = v.asDouble();
        if (!(value >= min && value <= max)) {
            throw ApiException.invalid(path(field), "'" + path(field) + "' must be between " + min + " and " + max);
        }
        return value;
    }

    public Boolean optionalBoolean(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw ApiException.invalid(path(field), "'" + path(field) + "' must be true or false");
        }
        return v.asBoolean();
    }

    /** A list of strings, or null when absent. */
    public List<String> optionalStringList(String field, int maxItems, int maxLength) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw ApiException.invalid(path(field), "'" + path(field) + "' must be an array of strings");
        }
        if (v.size() > maxItems) {
            throw ApiException.invalid(path(field), "'" + path(field) + "' has more than " + maxItems + " items");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            String itemPath = path(field) + "[" + i + "]";
            if (!item.isTextual()) {
                throw ApiException.invalid(itemPath, "'" + itemPath + "' must be a string");
            }
            String text = item.asText().trim();
            if (text.isEmpty() || text.length() > maxLength) {
                throw ApiException.invalid(itemPath, "'" + itemPath + "' must be 1 to " + maxLength + " characters");
            }
            out.add(text);
        }
        return out;
    }

    /** A nested object, or null when absent. */
    public JsonBody optionalObject(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiException.invalid(path(field), "'" + path(field) + "' must be an object");
        }
        return new JsonBody(v, path(field));
    }

    /** A flat object of string values (e.g. a pool's match rule), or null when absent. */
    public Map<String, String> optionalStringMap(String field, int maxEntries, int maxLength) {
        JsonBody object = optionalObject(field);
        if (object == null) {
            return null;
        }
        if (object.node.size() > maxEntries) {
            throw ApiException.invalid(path(field), "'" + path(field) + "' has more than " + maxEntries + " entries");
        }
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<String> names = object.node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            out.put(name, object.requiredString(name, maxLength));
        }
        return out;
    }
}
