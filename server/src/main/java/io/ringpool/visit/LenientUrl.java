package io.ringpool.visit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the few parts of a URL that source detection needs, without ever throwing.
 *
 * <p>Why not {@link java.net.URI}: the page URL and referrer come from an untrusted script and from
 * real browsers, and both send things {@code URI} rejects (a raw space or {@code |} in the query, a
 * stray {@code %}, non-ASCII characters). Losing a gclid because the URL also carries {@code %zz}
 * would cost a customer an attributed call, so this reader salvages what it can instead.
 */
final class LenientUrl {

    private LenientUrl() {
    }

    /** The text before the first {@code #}: the fragment never reaches the server, so it is not part of the page. */
    static String withoutFragment(String url) {
        int hash = url.indexOf('#');
        return hash < 0 ? url : url.substring(0, hash);
    }

    /**
     * The query parameters of a URL (with or without scheme; a relative URL works too), names
     * lowercased, values percent-decoded with {@code +} as space. The first occurrence of a name
     * wins, as in Google Analytics. A URL without {@code ?} has no parameters.
     */
    static Map<String, String> queryParameters(String url) {
        String withoutFragment = withoutFragment(url);
        int question = withoutFragment.indexOf('?');
        Map<String, String> parameters = new LinkedHashMap<>();
        if (question < 0) {
            return parameters;
        }
        String query = withoutFragment.substring(question + 1);
        int start = 0;
        while (start <= query.length()) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = query.length();
            }
            if (end > start) {
                String pair = query.substring(start, end);
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals)).strip().toLowerCase(Locale.ROOT);
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                if (!name.isEmpty()) {
                    parameters.putIfAbsent(name, value);
                }
            }
            start = end + 1;
        }
        return parameters;
    }

    /**
     * The lowercase host of an absolute ({@code scheme://host/…}) or scheme-relative ({@code //host/…})
     * URL, without user info, port or a trailing dot; null if there is none. Referrers are always
     * absolute, so a bare {@code example.com/page} is not guessed at: it could as well be a path.
     */
    static String host(String url) {
        int authorityStart;
        int scheme = url.indexOf("://");
        if (scheme > 0 && isScheme(url, scheme)) {
            authorityStart = scheme + 3;
        } else if (url.startsWith("//")) {
            authorityStart = 2;
        } else {
            return null;
        }
        int authorityEnd = url.length();
        for (int i = authorityStart; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?' || c == '#' || c == '\\') {
                authorityEnd = i;
                break;
            }
        }
        String authority = url.substring(authorityStart, authorityEnd);
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        String host;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            host = close < 0 ? authority.substring(1) : authority.substring(1, close);
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
        }
        host = host.strip().toLowerCase(Locale.ROOT);
        while (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.isEmpty() || containsWhitespace(host) ? null : host;
    }

    /** RFC 3986: a scheme is a letter followed by letters, digits, {@code + - .}. */
    private static boolean isScheme(String url, int end) {
        if (!Character.isLetter(url.charAt(0))) {
            return false;
        }
        for (int i = 1; i < end; i++) {
            char c = url.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean containsWhitespace(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Percent-decodes as UTF-8 with {@code +} as space (form encoding, which is what tagging tools
     * produce). Unlike {@link java.net.URLDecoder} it keeps a malformed escape such as {@code %zz}
     * literally, and invalid UTF-8 becomes U+FFFD, instead of throwing.
     */
    static String decode(String text) {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0 && hex(text.charAt(i + 2)) >= 0) {
                bytes.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
                i += 3;
            } else if (c == '+') {
                bytes.write(' ');
                i++;
            } else {
                // Copy a run of ordinary characters (keeping surrogate pairs together) as UTF-8.
                int runEnd = i + 1;
                while (runEnd < text.length() && text.charAt(runEnd) != '%' && text.charAt(runEnd) != '+') {
                    runEnd++;
                }
                bytes.writeBytes(text.substring(i, runEnd).getBytes(StandardCharsets.UTF_8));
                i = runEnd;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
