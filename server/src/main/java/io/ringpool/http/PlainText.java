package io.ringpool.http;

import io.ringpool.failure.DomainFailure;

/**
 * Text fields hold text: no control characters but tab, line feed and carriage return, and no
 * half of a UTF-16 surrogate pair (JSON's {@code "\\ud800"} decodes to one, which no encoding can
 * write back: it came out of the API as {@code \\uD800} and as {@code ?} in CSV). Names, labels
 * and notes reach exports, feeds and the platforms' uploads (audit L #8). Public for the codecs
 * that read a field off a raw {@code JsonNode} rather than through {@link JsonBody} (a site's
 * recording notice, a destination's platform settings): one rule for every text field.
 */
public final class PlainText {
    private PlainText() {}

    /** {@code text} when clean; 422 naming {@code field} otherwise. */
    public static String requireClean(String text, String field) {
        int bad = firstUnclean(text);
        if (bad >= 0) {
            throw DomainFailure.invalid(field, "'" + field + "' holds a control character or a broken character at position " + bad);
        }
        return text;
    }

    /**
     * {@code text} when it is one clean line; 422 naming {@code field} for a line break, a tab, any
     * other control character or a broken character. For names that platforms match exactly and
     * that go into one CSV cell or upload field (a conversion name, a Metrica goal): a line break
     * there names no conversion action, so every row carrying it fails at the platform
     * (audit AK2 F1), where a note may well hold one.
     */
    public static String requireOneLine(String text, String field) {
        int bad = firstUnclean(text);
        for (int i = 0; i < text.length() && (bad < 0 || i < bad); i++) {
            char c = text.charAt(i);
            if (c == '\t' || c == '\n' || c == '\r') {
                bad = i;
                break;
            }
        }
        if (bad >= 0) {
            throw DomainFailure.invalid(field, "'" + field + "' holds a line break, a tab, another control character or a broken character"
                    + " at position " + bad + "; it is one line of text");
        }
        return text;
    }

    /**
     * {@code text} with control characters and lone surrogates dropped (api.md: from the site
     * script "such characters are dropped"): a replacement character kept in their place made a
     * lead of one broken character a lead of U+FFFD instead of an empty one (audit AB1 #9).
     */
    static String scrubbed(String text) {
        if (firstUnclean(text) < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (!Character.isSurrogate(c) && !isControl(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The index of the first control character or lone surrogate, or -1. */
    static int firstUnclean(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isControl(c)) {
                return i;
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isControl(char c) {
        return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
    }
}
