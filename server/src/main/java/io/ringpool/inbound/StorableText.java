package io.ringpool.inbound;

/**
 * Text from outside (a provider's ids and callers, a transcript, a tag) judged by what both stores
 * keep as it is. PostgreSQL refuses a NUL in text, failing the whole write, and writes an unpaired
 * UTF-16 surrogate as '?', so the row read back is not the row written; H2 keeps both. Where the
 * sender can fix its text (our own schema, a marketer's tag) such text is refused; where a provider
 * is believed about its call, it is cleaned with {@link #storable}.
 */
public final class StorableText {
    private StorableText() {}

    /**
     * Whether both stores keep {@code text} as it is: it has no control character (Unicode Cc:
     * U+0000–U+001F, U+007F–U+009F) and no unpaired surrogate. Null is storable.
     */
    public static boolean isStorable(String text) {
        if (text == null) {
            return true;
        }
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (Character.isISOControl(ch)) {
                return false;
            }
            if (Character.isHighSurrogate(ch) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(ch)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code text} without what {@link #isStorable} refuses: control characters (line breaks
     * and tabs kept when {@code keepLineBreaks}, a CR dropped) and unpaired
     * surrogates. For text a provider sends that must be kept, not refused.
     */
    public static String storable(String text, boolean keepLineBreaks) {
        if (isStorable(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (Character.isHighSurrogate(ch) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(ch).append(text.charAt(++i));
            } else if (Character.isSurrogate(ch)) {
                continue;
            } else if (!Character.isISOControl(ch) || keepLineBreaks && (ch == '\n' || ch == '\t')) {
                out.append(ch);
            }
        }
        return out.toString();
    }
}
