package io.ringpool.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.ringpool.failure.DomainFailure;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The path and query parameters of a request-target ({@code /v1/sites/s_1/calls?source=google}),
 * percent-decoded. A broken escape ({@code %ZZ}, a {@code %} without two hex digits) is the
 * client's malformed request, 400 with the error shape of API.md, naming the query parameter when
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
        try {
            return new RequestTarget(path, decoder.parameters());
        } catch (IllegalArgumentException e) {
            throw malformedQuery(decoder.rawQuery());
        }
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
