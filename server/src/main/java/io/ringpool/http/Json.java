package io.ringpool.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringpool.failure.DomainFailure;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * The one JSON configuration of the HTTP API: strict reading limits, ISO-8601 times.
 *
 * <p><b>Null fields.</b> A response carries every field its route documents, and a value we do not
 * have is written as {@code null}, never left out: clients see one stable shape (an untracked
 * session's {@code "sessionId": null}, the last page's {@code "nextCursor": null}, an error's
 * {@code "field": null}). Records and maps are treated alike. Storage JSON is the store's own.
 */
public final class Json {

    /** Deeper documents are refused: no request of ours nests more than a few levels. */
    public static final int MAX_NESTING = 16;

    public static final ObjectMapper MAPPER = createMapper();

    private Json() {}

    private static ObjectMapper createMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING)
                        .maxStringLength(1_000_000)
                        .maxNumberLength(40)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        ObjectMapper mapper = new ObjectMapper(factory);
        mapper.registerModule(new JavaTimeModule());
        mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.setSerializationInclusion(JsonInclude.Include.ALWAYS);
        return mapper;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode response", e);
        }
    }

    /** Parses a request body; anything that is not one well-formed JSON object is malformed (400). */
    public static JsonBody parseObject(byte[] body) {
        return new JsonBody(parseObjectNode(body), "");
    }

    /**
     * The same, for a route that reads a body of open-ended names itself (a destination's
     * platform settings): the same limits and the same 400s as {@link #parseObject}.
     */
    public static ObjectNode parseObjectNode(byte[] body) {
        if (body.length == 0) {
            throw malformed("empty_body", "a JSON object body is required");
        }
        if (notUtf8(body)) {
            throw malformed("malformed_json", "the body must be JSON in UTF-8");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (StreamConstraintsException e) {
            throw malformed("too_deep", "the JSON document is nested too deeply or has an over-long value (limit "
                    + MAX_NESTING + " levels)");
        } catch (JsonParseException e) {
            // The parser's words where they help the sender ("Duplicate field 'a'"), its internals never.
            String what = JsonSyntaxMessage.of(e);
            throw malformed("malformed_json", "the body is not valid JSON" + (what == null ? "" : ": " + what) + where(e));
        } catch (JsonProcessingException e) {
            // Data binding's messages name Java types and features (content after the object is one): ours instead.
            throw malformed("malformed_json", "the body is not valid JSON: there is more after the first value" + where(e));
        } catch (IOException e) {
            throw malformed("malformed_json", "the body could not be read as JSON");
        }
        if (node == null || !node.isObject()) {
            throw malformed("malformed_json", "the body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /**
     * Jackson detects UTF-16 and UTF-32 and would read them; API.md says UTF-8. A JSON text begins
     * with an ASCII character, so a zero byte or a UTF-16 byte-order mark among its first four
     * bytes means another encoding (a UTF-8 byte-order mark is harmless and read past).
     */
    private static boolean notUtf8(byte[] body) {
        for (int i = 0; i < Math.min(4, body.length); i++) {
            if (body[i] == 0) {
                return true;
            }
        }
        return body.length >= 2 && ((body[0] & 0xFF) == 0xFE && (body[1] & 0xFF) == 0xFF
                || (body[0] & 0xFF) == 0xFF && (body[1] & 0xFF) == 0xFE);
    }

    private static String where(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    private static DomainFailure malformed(String code, String message) {
        return new DomainFailure(DomainFailure.Kind.MALFORMED, code, message);
    }
}
