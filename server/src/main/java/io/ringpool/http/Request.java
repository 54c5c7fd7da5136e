package io.ringpool.http;

import io.ringpool.inbound.ReceivedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A decoded HTTP request as endpoints see it: no Netty types. Header names are lower case.
 *
 * @param route     the matched route template (e.g. {@code /v1/sites/{siteId}}), used for metrics
 * @param clientIp  the peer address, or the client named by X-Forwarded-For when the peer is a trusted proxy
 * @param target    the request target exactly as received, still percent-encoded: path and {@code ?query}
 *                  (a provider that signs the URL it calls signs these bytes, not a re-encoding of the
 *                  decoded {@code path} and {@code query})
 */
public record Request(
        String method,
        String path,
        String route,
        Map<String, String> pathParams,
        Map<String, List<String>> query,
        Map<String, String> headers,
        byte[] body,
        String clientIp,
        String target) implements ReceivedRequest {

    /** A request whose target is its (already plain) path: for requests built in code, not received. */
    public Request(String method, String path, String route, Map<String, String> pathParams, Map<String, List<String>> query,
            Map<String, String> headers, byte[] body, String clientIp) {
        this(method, path, route, pathParams, query, headers, body, clientIp, path);
    }

    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /** The bearer token of the Authorization header, or null. */
    public String bearerToken() {
        String auth = header("authorization");
        if (auth == null || auth.length() < 8 || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = auth.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /**
     * The value of a cookie from the {@code Cookie} header, or null. Only names and values are
     * sent back by browsers, so a plain split is the whole grammar (RFC 6265 §5.4).
     */
    public String cookie(String name) {
        List<String> values = cookies(name);
        return values.isEmpty() ? null : values.get(0);
    }

    /**
     * Every non-empty value of the named cookie, in the order sent. A browser sends two cookies of
     * one name when another host of the domain set one with a wider domain (or narrower path).
     */
    public List<String> cookies(String name) {
        List<String> out = new ArrayList<>();
        String header = header("cookie");
        if (header != null) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                    String value = pair.substring(eq + 1).trim();
                    if (!value.isEmpty()) {
                        out.add(value);
                    }
                }
            }
        }
        return out;
    }
}
