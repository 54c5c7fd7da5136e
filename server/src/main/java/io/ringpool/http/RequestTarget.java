package io.ringpool.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.ringpool.failure.DomainFailure;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The path and query parameters of a request-target ({@code /v1/sites/s_1/calls?source=google}),
 * percent-decoded. A broken escape ({@code %ZZ}, a {@code %} without two hex digits) or escapes
 * whose bytes are not UTF-8 ({@code %FF%FE}) are the client's malformed request, 400 with the error shape of API.md, naming the query parameter when
 * the escape is in one: never "no such endpoint", which would send the client looking for a typo in
 * the path.
 */
record RequestTarget(String path, Map<String, List<String>> query) {

    private static final String HOW = "a '%' must be followed by two hexadecimal digits";

    /** @throws DomainFailure {@code malformed_path} or {@code malformed_query} (400) */
    static RequestTarget of(String uri) {
        // ';' is a character of a value, as WHATWG URL parsing (browsers, most clients) has it: a
        // conversion name or tag "a;b" must not split into a parameter "b".
        QueryStringDecoder decoder = new QueryStringDecoder(uri, StandardCharsets.UTF_8, true, 1024, true);
        String path;
        try {
            path = decoder.path();
        } catch (IllegalArgumentException e) {
            throw new DomainFailure(DomainFailure.Kind.MALFORMED, "malformed_path", "the path is not valid percent-encoding: " + HOW);
        }
        if (!escapesAreUtf8(decoder.rawPath())) {
            throw new DomainFailure(DomainFailure.Kind.MALFORMED, "malformed_path", "the path is not valid percent-encoding: " + NOT_UTF8);
        }
        try {
            Map<String, List<String>> parameters = decoder.parameters();
            if (!escapesAreUtf8(decoder.rawQuery())) {
                throw notUtf8(decoder.rawQuery());
            }
            return new RequestTarget(path, parameters);
        } catch (IllegalArgumentException e) {
            throw malformedQuery(decoder.rawQuery());
        }
    }

    private static final String NOT_UTF8 = "the escaped bytes are not UTF-8 (send text as UTF-8, e.g. %C3%A9 for \u00e9)";

    /**
     * Whether every run of escapes decodes as UTF-8. The decoder turns bytes that are not
     * ({@code %FF%FE}, a Windows-1251 {@code %EF%F0}) into U+FFFD, so a filter or a conversion name
     * would silently become replacement characters (audit AK2 F2). A character's bytes are escaped
     * together, so each run of consecutive escapes must be whole UTF-8 on its own.
     */
    private static boolean escapesAreUtf8(String raw) {
        int i = 0;
        while ((i = raw.indexOf('%', i)) >= 0) {
            java.io.ByteArrayOutputStream run = new java.io.ByteArrayOutputStream();
            while (i + 2 < raw.length() && raw.charAt(i) == '%' && hex(raw.charAt(i + 1)) >= 0 && hex(raw.charAt(i + 2)) >= 0) {
                run.write(hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2)));
                i += 3;
            }
            if (run.size() == 0) {
                i++; // not an escape: the decoder refuses it (HOW) or it is not ours to judge
                continue;
            }
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(run.toByteArray()));
            } catch (CharacterCodingException e) {
                return false;
            }
        }
        return true;
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    /** Names the parameter whose name or value holds escapes that are not UTF-8, splitting as the decoder does. */
    private static DomainFailure notUtf8(String rawQuery) {
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String rawName = equals < 0 ? pair : pair.substring(0, equals);
            if (!escapesAreUtf8(rawName)) {
                return new DomainFailure(DomainFailure.Kind.MALFORMED, "malformed_query",
                        "a query parameter's name is not valid percent-encoding: " + NOT_UTF8);
            }
            if (equals >= 0 && !escapesAreUtf8(pair.substring(equals + 1))) {
                String name = QueryStringDecoder.decodeComponent(rawName, StandardCharsets.UTF_8);
                return new DomainFailure(DomainFailure.Kind.MALFORMED, "malformed_query",
                        "query parameter '" + name + "' is not valid percent-encoding: " + NOT_UTF8, name);
            }
        }
        return new DomainFailure(DomainFailure.Kind.MALFORMED, "malformed_query", "the query is not valid percent-encoding: " + NOT_UTF8);
    }

    /** Finds the parameter whose name or value holds the broken escape, splitting as the decoder does (at '&'). */
    private static DomainFailure malformedQuery(String rawQuery) {
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String rawName = equals < 0 ? pair : pair.substring(0, equals);
            String name = decodedOrNull(rawName);
            if (name == null) {
                return new DomainFailure(DomainFailure.Kind.MALFORMED, "malformed_query",
                        "a query parameter's name is not valid percent-encoding: " + HOW);
            }
            if (equals >= 0 && decodedOrNull(pair.substring(equals + 1)) == null) {
                return new DomainFailure(DomainFailure.Kind.MALFORMED, "malformed_query",
                        "query parameter '" + name + "' is not valid percent-encoding: " + HOW, name);
            }
        }
        return new DomainFailure(DomainFailure.Kind.MALFORMED, "malformed_query", "the query is not valid percent-encoding: " + HOW);
    }

    private static String decodedOrNull(String component) {
        try {
            return QueryStringDecoder.decodeComponent(component, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
