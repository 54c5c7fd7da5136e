package io.ringpool.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.failure.DomainFailure;
import io.ringpool.inbound.StorableText;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON object being read field by field by an {@code *Api} class, which turns it into a typed
 * command for its service. Every problem names the field (dotted path): a field the endpoint does
 * not know is malformed (400 {@code unknown_field}); a known field with a value of the wrong type
 * or size, or a required one missing, is invalid (422): the document is valid JSON, a value in it
 * is not.
 */
public final class JsonBody {
    private final JsonNode node;
    private final String prefix;
    /** Text from a page or a PBX: stray control characters are dropped rather than refused (see {@link #cleaned}). */
    private final boolean scrubs;

    JsonBody(JsonNode node, String prefix) {
        this(node, prefix, false);
    }

    private JsonBody(JsonNode node, String prefix, boolean scrubs) {
        this.node = node;
        this.prefix = prefix;
        this.scrubs = scrubs;
    }

    /**
     * {@link #of}, for text that comes from elsewhere and must be kept: what the site script sends
     * from a visitor's page (a title, a URL, a form's fields) and a PBX's call events. A control
     * character or a broken UTF-16 pair there is the page's or the PBX's, not the sender's mistake,
     * and refusing it would lose the visit, the lead or the call; such characters are dropped (a
     * lone surrogate becomes U+FFFD) instead of being refused as they are everywhere else.
     */
    public static JsonBody cleaned(Request request) {
        JsonBody body = of(request);
        return new JsonBody(body.node, body.prefix, true);
    }

    /**
     * The body of {@code request} as a JSON object, under the one media-type rule for JSON bodies:
     * see {@link #requireJsonMediaType}.
     */
    public static JsonBody of(Request request) {
        requireJsonMediaType(request);
        if (request.mediaType().equals("application/x-www-form-urlencoded") && !looksLikeJson(request.body())) {
            // Accepted for curl -d '{...}'; a real form's name=value&... is a body of the other type,
            // and "'kind' is not a JSON value" would send its sender looking in the wrong place (audit AK1 F6).
            throw new DomainFailure(DomainFailure.Kind.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "send the body as JSON (application/json): a form-encoded body (name=value&...) is not read");
        }
        return Json.parseObject(request.body());
    }

    /** Whether a body's first non-blank byte opens a JSON document or an empty body: what curl -d '{...}' sends. */
    private static boolean looksLikeJson(byte[] body) {
        for (byte b : body) {
            if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                continue;
            }
            return b == '{' || b == '[' || b == '"' || b == '-' || (b >= '0' && b <= '9') || b == 't' || b == 'f' || b == 'n'
                    || b == (byte) 0xEF;
        }
        return true;
    }

    /**
     * The one media-type rule for JSON bodies, on every route that takes one: besides
     * {@code application/json} (and {@code +json} types) we accept no type, {@code text/plain}
     * (the site script posts JSON as text/plain so the browser sends no CORS preflight, and
     * {@code sendBeacon} can send nothing else) and {@code application/x-www-form-urlencoded}
     * (what {@code curl -d '{...}'} sends without {@code -H}). The body must be JSON whatever the
     * declared type; any other type is a 415.
     */
    public static void requireJsonMediaType(Request request) {
        String type = request.mediaType();
        String declared = request.header("content-type");
        if (type.isEmpty() && declared != null && !declared.isBlank()) {
            // A Content-Type with no type in it (";;;==") is a broken header, not an absent one (audit AB1 #11).
            throw new DomainFailure(DomainFailure.Kind.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "send the body as application/json (the Content-Type header names no media type)");
        }
        boolean accepted = type.isEmpty() || type.equals("application/json") || type.endsWith("+json")
                || type.equals("text/plain") || type.equals("application/x-www-form-urlencoded");
        if (!accepted) {
            throw new DomainFailure(DomainFailure.Kind.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "send the body as application/json (got " + type + ")");
        }
        String charset = charsetOf(request.header("content-type"));
        if (charset != null && !charset.equals("utf-8") && !charset.equals("utf8")) {
            // The body would be read as UTF-8 whatever the header says: a declared other charset is refused, not misread.
            throw new DomainFailure(DomainFailure.Kind.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "send the body in UTF-8 (got charset=" + charset + ")");
        }
    }

    /** The {@code charset} parameter of a Content-Type header, lower case and unquoted, or null. */
    static String charsetOf(String contentType) {
        if (contentType == null) {
            return null;
        }
        for (String parameter : contentType.split(";")) {
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).strip().equalsIgnoreCase("charset")) {
                String value = parameter.substring(equals + 1).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.toLowerCase(java.util.Locale.ROOT);
            }
        }
        return null;
    }

    public String path(String field) {
        return prefix.isEmpty() ? field : prefix + "." + field;
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    /** Whether the field is given as JSON {@code null} (not absent): "set to nothing", where absent means "leave as is". */
    public boolean isExplicitNull(String field) {
        JsonNode v = node.get(field);
        return v != null && v.isNull();
    }

    /** Rejects fields this endpoint does not know, so a misspelt setting is not silently ignored. */
    public JsonBody rejectUnknown(Set<String> known) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw DomainFailure.unknownField(path(name));
            }
        }
        return this;
    }

    /**
     * Refuses a field sent as {@code null} unless it is one of {@code mayBeNull} (a field where
     * null has a documented meaning, such as "remove"). Elsewhere a change to null was answered 200
     * and changed nothing (audit L #6): a 2xx must mean the change asked for was made.
     */
    public JsonBody rejectNulls(Set<String> mayBeNull) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (node.get(name).isNull() && !mayBeNull.contains(name)) {
                throw DomainFailure.invalid(path(name), "'" + path(name) + "' cannot be null: give a value, or leave the field out to keep it");
            }
        }
        return this;
    }

    public String requiredString(String field, int maxLength) {
        String value = optionalString(field, maxLength);
        if (value == null || value.isBlank()) {
            throw DomainFailure.missing(path(field));
        }
        return value;
    }

    /**
     * A string exactly as sent, not trimmed: a password, every character of which is the person's
     * (two passwords that differ by a space are two passwords). Missing only when absent or JSON
     * null; an empty or blank string is returned for the caller's own rule to judge. Its length
     * is counted in characters (code points), as people count them: an emoji is one.
     */
    public String requiredExactString(String field, int maxCharacters) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw DomainFailure.missing(path(field));
        }
        if (!v.isTextual()) {
            throw DomainFailure.invalid(path(field), "'" + path(field) + "' must be a string");
        }
        String text = v.asText();
        if (text.codePointCount(0, text.length()) > maxCharacters) {
            throw DomainFailure.invalid(path(field), "'" + path(field) + "' is longer than " + maxCharacters + " characters");
        }
        return text;
    }

    /** A trimmed string, or null when absent or JSON null. */
    public String optionalString(String field, int maxLength) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw DomainFailure.invalid(path(field), "'" + path(field) + "' must be a string");
        }
        String text = v.asText().strip(); // not trim(): that drops NUL and other control characters the rule must see
        if (text.length() > maxLength) {
            throw DomainFailure.invalid(path(field), "'" + path(field) + "' is longer than " + maxLength + " characters");
        }
        return scrubs ? PlainText.scrubbed(text) : PlainText.requireClean(text, path(field));
    }

    public Integer optionalInt(String field, long min, long max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw DomainFailure.invalid(path(field), "'" + path(field) + "' must be a whole number");
        }
        long value = v.asLong();
        if (value < min || value > max) {
            throw DomainFailure.invalid(path(field), "'" + path(field) + "' must be between " + min + " and " + max);
        }
        return (int) value;
    }

    public Double optionalNumber(String field, double min, double max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw DomainFailure.invalid(path(field), "'" + path(field) + "' must be a number");
        }
        double value = v.asDouble();
        if (!(value >= min && value <= max)) {
            throw DomainFailure.invalid(path(field), "'" + path(field) + "' must be between " + min + " and " + max);
        }
        return value;
    }

    public Boolean optionalBoolean(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw DomainFailure.invalid(path(field), "'" + path(field) + "' must be true or false");
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
            throw DomainFailure.invalid(path(field), "'" + path(field) + "' must be an array of strings");
        }
        if (v.size() > maxItems) {
            throw DomainFailure.invalid(path(field), "'" + path(field) + "' has more than " + maxItems + " items");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            String itemPath = path(field) + "[" + i + "]";
            if (!item.isTextual()) {
                throw DomainFailure.invalid(itemPath, "'" + itemPath + "' must be a string");
            }
            String text = item.asText().strip();
            // Characters as people count them: code points, so an emoji is one, not two UTF-16 units.
            if (text.isEmpty() || text.codePointCount(0, text.length()) > maxLength) {
                throw DomainFailure.invalid(itemPath, "'" + itemPath + "' must be 1 to " + maxLength + " characters");
            }
            if (!StorableText.isStorable(text)) {
                // No item of any list (tags, domains, numbers, names) has one, and PostgreSQL cannot store a NUL.
                throw DomainFailure.invalid(itemPath, "'" + itemPath + "' must not contain control characters");
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
            throw DomainFailure.invalid(path(field), "'" + path(field) + "' must be an object");
        }
        return new JsonBody(v, path(field), scrubs);
    }

    /**
     * A flat object of ids (analytics client ids), or null when absent. Unlike a rule's values, an
     * empty or null id is left out rather than refused: a CRM sends "" for a visitor it has no
     * ClientID of, as it does for a gclid.
     */
    public Map<String, String> optionalIdMap(String field, int maxEntries, int maxLength) {
        return optionalStringMap(field, maxEntries, maxLength, true);
    }

    /** A flat object of string values (e.g. a pool's match rule), or null when absent. */
    public Map<String, String> optionalStringMap(String field, int maxEntries, int maxLength) {
        return optionalStringMap(field, maxEntries, maxLength, false);
    }

    private static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private Map<String, String> optionalStringMap(String field, int maxEntries, int maxLength, boolean skipEmpty) {
        JsonBody object = optionalObject(field);
        if (object == null) {
            return null;
        }
        if (object.node.size() > maxEntries) {
            throw DomainFailure.invalid(path(field), "'" + path(field) + "' has more than " + maxEntries + " entries");
        }
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<String> names = object.node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            com.fasterxml.jackson.databind.JsonNode value = object.node.get(name);
            if (skipEmpty && (value.isNull() || (value.isTextual() && (value.asText().isBlank() || hasControlCharacter(value.asText()))))) {
                // An id with a line break or another control character is no analytics id (Metrica's are
                // digits, GA's digits and dots): kept, it could only make an upload fail (audit T #3).
                continue;
            }
            out.put(name, object.requiredString(name, maxLength));
        }
        return out;
    }
}
