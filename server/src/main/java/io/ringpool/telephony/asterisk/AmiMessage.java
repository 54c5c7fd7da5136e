package io.ringpool.telephony.asterisk;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One AMI packet: {@code Key: Value} lines ended by an empty line. Keys are compared without case,
 * as Asterisk's own parser does.
 */
record AmiMessage(Map<String, String> fields) {

    static AmiMessage of(Map<String, String> raw) {
        Map<String, String> lower = new LinkedHashMap<>();
        raw.forEach((k, v) -> lower.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
        return new AmiMessage(lower);
    }

    /** The field's value, or null when it was not sent or sent without a value. */
    String get(String key) {
        String value = fields.get(key.toLowerCase(Locale.ROOT));
        return value == null || value.isEmpty() ? null : value;
    }

    /** Whether the field was sent without a value ({@code "DestinationChannel: "}). */
    boolean sentEmpty(String key) {
        String value = fields.get(key.toLowerCase(Locale.ROOT));
        return value != null && value.isBlank();
    }

    boolean isEvent(String name) {
        return name.equalsIgnoreCase(get("Event"));
    }
}
