package io.ringpool.telephony.provider;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Reading providers' JSON bodies: one JSON object, bounded nesting, lenient field access.
 *
 * <p>Read as leniently as costs no correctness, and no more (audit AB1 #7): a UTF-8 byte-order mark
 * in front is read past (as the rest of the API does: a PBX whose HTTP client writes one would
 * otherwise lose every call); a key repeated with the same value is read once (harmless, and a
 * genuine call must not be lost over it). What cannot be told for sure is refused with 400
 * {@code malformed_json}, the API's code for broken JSON: anything after the object (two documents
 * are no call), and a key repeated with another value (which one is the call's cannot be told;
 * {@code field} names it, as the rest of the API's duplicate refusal does).
 */
public final class ProviderJson {

    /** Providers' documents are shallow; deeper ones are not theirs. */
    private static final int MAX_NESTING = 32;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build()).build());

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The UTF-8 byte-order mark as a character. */
    private static final char BOM = '\uFEFF';

    private ProviderJson() {}

    /** The document as an object, or {@link WebhookRefused#brokenJson}. */
    public static JsonNode parseObject(byte[] body) {
        return parseObject(new String(body, java.nio.charset.StandardCharsets.UTF_8));
    }

    public static JsonNode parseObject(String body) {
        String text = !body.isEmpty() && body.charAt(0) == BOM ? body.substring(1) : body;
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw WebhookRefused.brokenJson("the body must be a JSON object", null);
            }
            JsonNode node = value(parser, "");
            if (parser.nextToken() != null) {
                throw WebhookRefused.brokenJson("the body is not valid JSON: there is more after the first value"
                        + where(parser.currentLocation()), null);
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw WebhookRefused.brokenJson("the JSON document is nested too deeply (limit " + MAX_NESTING + " levels)", null);
        } catch (JsonProcessingException e) {
            throw WebhookRefused.brokenJson("the body is not valid JSON" + where(e.getLocation()), null);
        } catch (IOException e) {
            throw WebhookRefused.brokenJson("the body could not be read as JSON", null);
        }
    }

    /** Whether a body of no declared type is JSON: its first character, past a byte-order mark and blanks, opens an object. */
    public static boolean looksLikeObject(byte[] body) {
        int i = body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF ? 3 : 0;
        while (i < body.length && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) {
            i++;
        }
        return i < body.length && body[i] == '{';
    }

    /** The value at the parser's current token, read whole; {@code path} names it for a refusal. */
    private static JsonNode value(JsonParser parser, String path) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            ObjectNode object = NODES.objectNode();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                String at = path.isEmpty() ? name : path + "." + name;
                parser.nextToken();
                JsonNode v = value(parser, at);
                JsonNode before = object.get(name);
                if (before != null && !before.equals(v)) {
                    throw WebhookRefused.brokenJson("'" + at + "' is given twice with different values: which is meant cannot be told", at);
                }
                object.set(name, v);
            }
            return object;
        }
        if (token == JsonToken.START_ARRAY) {
            ArrayNode array = NODES.arrayNode();
            for (int i = 0; parser.nextToken() != JsonToken.END_ARRAY; i++) {
                array.add(value(parser, path + "[" + i + "]"));
            }
            return array;
        }
        JsonNode scalar = MAPPER.readTree(parser);
        return scalar == null ? NODES.nullNode() : scalar;
    }

    private static String where(JsonLocation at) {
        return at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    /** Text at a path of field names, or null when absent, null, or empty. Numbers are given as text. */
    public static String text(JsonNode node, String... path) {
        JsonNode n = node;
        for (String p : path) {
            if (n == null) {
                return null;
            }
            n = n.get(p);
        }
        if (n == null || n.isNull() || n.isContainerNode()) {
            return null;
        }
        String s = n.asText();
        return s.isBlank() ? null : s.strip();
    }

    /**
     * Unix seconds at a path as an instant, or null when absent, not a number, or beyond what an
     * {@link java.time.Instant} holds (a signed provider's garbage must not fail its call; how far
     * a readable time may be from now is the call model's rule, {@code call.CallEventTimes}).
     */
    public static java.time.Instant epochSeconds(JsonNode node, String... path) {
        Long s = number(node, path);
        if (s == null || s < java.time.Instant.MIN.getEpochSecond() || s > java.time.Instant.MAX.getEpochSecond()) {
            return null;
        }
        return java.time.Instant.ofEpochSecond(s);
    }

    /**
     * Whole seconds at a path, or null when absent, not a number, negative, or more than an
     * {@code int} holds: a duration no call has, which {@code (int)} would wrap into a negative one.
     */
    public static Integer seconds(JsonNode node, String... path) {
        Long s = number(node, path);
        return s == null || s < 0 || s > Integer.MAX_VALUE ? null : Integer.valueOf(s.intValue());
    }

    /** A whole number at a path, or null when absent or not a number. */
    public static Long number(JsonNode node, String... path) {
        String s = text(node, path);
        if (s == null) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            try {
                return (long) Double.parseDouble(s);
            } catch (NumberFormatException notANumber) {
                return null;
            }
        }
    }
}
