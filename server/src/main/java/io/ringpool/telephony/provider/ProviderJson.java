package io.ringpool.telephony.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** Reading providers' JSON bodies: strict parsing with bounded nesting, lenient field access. */
public final class ProviderJson {

    /** Providers' documents are shallow; deeper ones are not theirs. */
    private static final int MAX_NESTING = 32;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build()).build());

    private ProviderJson() {}

    /** The document as an object, or {@link WebhookRefused#unreadable}. */
    public static JsonNode parseObject(byte[] body) {
        return parseObject(new String(body, java.nio.charset.StandardCharsets.UTF_8));
    }

    public static JsonNode parseObject(String body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw WebhookRefused.unreadable("the body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw WebhookRefused.unreadable("the body is not valid JSON");
        } catch (IOException e) {
            throw WebhookRefused.unreadable("the body could not be read");
        }
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
