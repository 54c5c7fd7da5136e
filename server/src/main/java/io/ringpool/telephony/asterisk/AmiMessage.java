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

    String get(String key) {
        return fields.get(key.toLowerCase(Locale.ROOT));
    }

    boolean isEvent(String name) {
        return name.equalsIgnoreCase(get("Event"));
    }
}
