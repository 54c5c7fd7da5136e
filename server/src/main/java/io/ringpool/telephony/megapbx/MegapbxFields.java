package io.ringpool.telephony.megapbx;

import io.ringpool.telephony.provider.OddValues;
import io.ringpool.telephony.provider.WebhookCall;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The fields of one request of the PBX's «API для CRM»: a form POST as the PBX sends it (its
 * documentation's examples are JSON, which some of its versions post, so a JSON object is read
 * too), or the query of a GET (the history may come as one). Blank counts as absent.
 */
final class MegapbxFields {
    /** {@code start} as the PBX writes it: UTC, {@code 20261206T110403Z}. */
    private static final DateTimeFormatter COMPACT_UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final Map<String, String> values;
    private final WebhookCall call;

    private MegapbxFields(Map<String, String> values, WebhookCall call) {
        this.values = values;
        this.call = call;
    }

    static MegapbxFields of(WebhookCall call) {
        return new MegapbxFields(call.request().flatFields(), call);
    }

    /** The field stripped, or null when absent or blank. */
    String get(String name) {
        String v = values.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** Whether the field equals {@code expected}, ignoring case (the PBX writes {@code Success}, {@code missed}). */
    boolean is(String name, String expected) {
        return expected.equalsIgnoreCase(get(name));
    }

    /** Whole seconds, or null when absent or not whole seconds (logged): the call is kept without them. */
    Integer seconds(String name) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.matches("[0-9]{1,9}")) {
            OddValues.ignored(MegapbxProvider.NAME, call, name, "not whole seconds");
            return null;
        }
        return Integer.valueOf(v);
    }

    /**
     * {@code start}: the PBX's compact UTC form, else ISO-8601 with an offset, else unix seconds;
     * null when absent or unreadable (logged), or a time the call model would not keep.
     */
    Instant start() {
        String text = get("start");
        if (text == null) {
            return null;
        }
        Instant at;
        try {
            if (text.matches("[0-9]{9,11}")) {
                at = Instant.ofEpochSecond(Long.parseLong(text));
            } else if (text.matches("[0-9]{8}T[0-9]{6}Z")) {
                at = LocalDateTime.parse(text, COMPACT_UTC).toInstant(ZoneOffset.UTC);
            } else {
                at = OffsetDateTime.parse(text).toInstant();
            }
        } catch (DateTimeException e) {
            OddValues.ignored(MegapbxProvider.NAME, call, "start", "not yyyyMMddTHHmmssZ, ISO-8601 or unix seconds");
            return null;
        }
        return call.trustedTime(MegapbxProvider.NAME, "start", at);
    }

    /** A recording link: http(s) only, else null (logged). */
    String link() {
        String v = get("link");
        if (v != null && !v.toLowerCase(java.util.Locale.ROOT).matches("https?://.+")) {
            OddValues.ignored(MegapbxProvider.NAME, call, "link", "not an http(s) URL");
            return null;
        }
        return v;
    }
}
