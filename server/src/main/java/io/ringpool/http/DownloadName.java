package io.ringpool.http;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * The name a download is saved under, with the site it belongs to in it: an agency exporting the
 * same report for three clients got {@code google-ads-clicks_….csv}, {@code … (1).csv},
 * {@code … (2).csv} and had to guess which went to which client's ad account (audit AI4 F11).
 *
 * <p>{@code Content-Disposition} carries the name twice (RFC 6266): {@code filename} in ASCII for
 * old clients (Cyrillic transliterated, anything else dropped; the site's id when nothing of the
 * name is left), and {@code filename*} in UTF-8 (RFC 5987) when the name is not plain ASCII, which
 * browsers prefer.
 */
public final class DownloadName {
    /** Longest site part of a name: enough to tell clients apart, short enough for a Downloads list. */
    static final int SITE_CHARS = 40;

    private static final Map<Character, String> CYRILLIC = cyrillic();

    private DownloadName() {}

    /**
     * {@code <kind>_<site>_<rest>.<extension>}, e.g. {@code calls_Sofa-shop_2026-11-07_2026-12-06.csv}.
     *
     * @param kind what the file holds (a format's URL name, {@code calls}); ASCII
     * @param rest the range or id that follows the site; ASCII
     */
    public static String of(String kind, String siteName, String siteId, String rest, String extension) {
        return kind + "_" + sitePart(siteName, siteId) + (rest == null || rest.isEmpty() ? "" : "_" + rest) + "." + extension;
    }

    /** The header for {@code fileName}: {@code attachment} (save) or {@code inline} (play in place). */
    public static String contentDisposition(String disposition, String fileName) {
        String ascii = ascii(fileName);
        String out = disposition + "; filename=\"" + ascii + "\"";
        return ascii.equals(fileName) ? out : out + "; filename*=UTF-8''" + percentEncoded(fileName);
    }

    /** The site's name as a file name part: letters (any script) and digits kept, every run of anything else one '-'. */
    static String sitePart(String siteName, String siteId) {
        StringBuilder b = new StringBuilder();
        String name = siteName == null ? "" : siteName.strip();
        for (int i = 0; i < name.length() && b.length() < SITE_CHARS; ) {
            int cp = name.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetterOrDigit(cp)) {
                b.appendCodePoint(cp);
            } else if (b.length() > 0 && b.charAt(b.length() - 1) != '-') {
                b.append('-');
            }
        }
        while (b.length() > 0 && b.charAt(b.length() - 1) == '-') {
            b.setLength(b.length() - 1);
        }
        String part = b.toString();
        // A name with no letter of its own (or only letters ascii() cannot write) gives the id, which tells sites apart too.
        return part.isEmpty() || ascii(part).replace("-", "").isEmpty() ? idPart(siteId) : part;
    }

    private static String idPart(String siteId) {
        String id = siteId == null ? "" : siteId.replaceAll("[^A-Za-z0-9_-]", "");
        return id.isEmpty() ? "site" : id;
    }

    /** The ASCII spelling: Cyrillic transliterated, other non-ASCII letters dropped, quotes and backslashes never. */
    static String ascii(String name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '/' && c != ';') {
                b.append(c);
            } else {
                String t = CYRILLIC.get(Character.toLowerCase(c));
                if (t != null) {
                    b.append(Character.isUpperCase(c) && !t.isEmpty() ? Character.toUpperCase(t.charAt(0)) + t.substring(1) : t);
                }
            }
        }
        return b.toString();
    }

    /** RFC 5987's value-chars: attr-char as is, every other byte of the UTF-8 as %XX. */
    static String percentEncoded(String name) {
        StringBuilder b = new StringBuilder();
        for (byte raw : name.getBytes(StandardCharsets.UTF_8)) {
            int v = raw & 0xff;
            boolean attrChar = (v >= 'a' && v <= 'z') || (v >= 'A' && v <= 'Z') || (v >= '0' && v <= '9')
                    || "!#$&+-.^_`|~".indexOf(v) >= 0;
            if (attrChar) {
                b.append((char) v);
            } else {
                b.append('%').append(String.format(Locale.ROOT, "%02X", v));
            }
        }
        return b.toString();
    }

    private static Map<Character, String> cyrillic() {
        String[] pairs = {"а", "a", "б", "b", "в", "v", "г", "g", "д", "d", "е", "e", "ё", "e", "ж", "zh", "з", "z", "и", "i", "й", "y",
                "к", "k", "л", "l", "м", "m", "н", "n", "о", "o", "п", "p", "р", "r", "с", "s", "т", "t", "у", "u", "ф", "f", "х", "kh",
                "ц", "ts", "ч", "ch", "ш", "sh", "щ", "shch", "ъ", "", "ы", "y", "ь", "", "э", "e", "ю", "yu", "я", "ya",
                "і", "i", "ї", "yi", "є", "ye", "ґ", "g", "ў", "u"};
        Map<Character, String> out = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i].charAt(0), pairs[i + 1]);
        }
        return Map.copyOf(out);
    }
}
