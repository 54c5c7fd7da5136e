package io.ringpool.telephony.provider;

/** Text for XML markup (TwiML, cXML, TeXML, Plivo XML). */
public final class Xml {

    public static final String PROLOG = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

    private Xml() {}

    /** Escapes text for an attribute or element; drops characters XML 1.0 cannot carry. */
    public static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    if (c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000) {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
