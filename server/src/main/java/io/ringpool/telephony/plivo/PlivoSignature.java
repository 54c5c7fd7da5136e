package io.ringpool.telephony.plivo;

import io.ringpool.telephony.provider.Digests;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plivo's {@code X-Plivo-Signature-V3}: {@code base64(HMAC-SHA256(authToken, base + "." + nonce))}
 * with the nonce from {@code X-Plivo-Signature-V3-Nonce}; the header may list several signatures
 * separated by commas (one per auth token) and one match is enough. {@code base} is built as
 * Plivo's SDKs build it ({@code plivo/utils/signature_v3.py}):
 * <ul>
 *   <li>the URL's scheme, host (and port) and path;</li>
 *   <li>GET: {@code ?} and the query parameters (and the GET parameters) sorted by name, each
 *       {@code name=value} with values of a repeated name sorted, joined by {@code &}; nothing
 *       when there are none;</li>
 *   <li>POST with parameters: {@code ?}, the sorted query as above followed by {@code .} when there
 *       is a query, then the POST parameters sorted by name as {@code namevalue} with nothing
 *       between them;</li>
 *   <li>POST without parameters: the URL's query as for GET.</li>
 * </ul>
 * Values are the decoded ones, not re-encoded.
 */
final class PlivoSignature {

    private PlivoSignature() {}

    /**
     * The text that is signed (before {@code "." + nonce}). The URL is split as Plivo's SDKs split it
     * (Python's lenient {@code urlparse}), not by {@link java.net.URI}, which refuses characters a
     * request target may still carry unencoded ({@code |}, {@code ^}, ...).
     *
     * @throws URISyntaxException when {@code url} is no absolute URL, or its query has a broken escape
     */
    static String base(String method, String url, Map<String, List<String>> postParams) throws URISyntaxException {
        int schemeEnd = url.indexOf("://");
        if (schemeEnd <= 0) {
            throw new URISyntaxException(url, "not an absolute URL");
        }
        int fragment = url.indexOf('#');
        String withoutFragment = fragment < 0 ? url : url.substring(0, fragment);
        int q = withoutFragment.indexOf('?');
        String schemeAuthorityPath = q < 0 ? withoutFragment : withoutFragment.substring(0, q);
        StringBuilder base = new StringBuilder(schemeAuthorityPath);
        Map<String, List<String>> query;
        try {
            query = decodeQuery(q < 0 ? null : withoutFragment.substring(q + 1));
        } catch (IllegalArgumentException brokenEscape) {
            throw new URISyntaxException(url, "a broken percent escape in the query");
        }
        boolean post = "POST".equalsIgnoreCase(method);
        if (!post) {
            postParams.forEach((k, v) -> query.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        }
        String sortedQuery = sortedQuery(query);
        boolean noPostParams = !post || postParams.isEmpty();
        if (!sortedQuery.isEmpty() || !noPostParams) {
            base.append('?').append(sortedQuery);
        }
        if (!sortedQuery.isEmpty() && !noPostParams) {
            base.append('.');
        }
        if (post) {
            for (Map.Entry<String, List<String>> e : new TreeMap<>(postParams).entrySet()) {
                e.getValue().stream().sorted().forEach(v -> base.append(e.getKey()).append(v));
            }
        }
        return base.toString();
    }

    static String sign(String authToken, String base, String nonce) {
        return Base64.getEncoder().encodeToString(Digests.hmac("HmacSHA256", authToken, base + "." + nonce));
    }

    /** True when one of the comma-separated signatures in {@code header} matches. */
    static boolean verify(String authToken, String base, String nonce, String header) {
        String expected = sign(authToken, base, nonce);
        boolean ok = false;
        for (String given : header.split(",")) {
            ok |= Digests.sameText(given.strip(), expected);
        }
        return ok;
    }

    private static String sortedQuery(Map<String, List<String>> query) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : new TreeMap<>(query).entrySet()) {
            parts.add(String.join("&", e.getValue().stream().sorted().map(v -> e.getKey() + "=" + v).toList()));
        }
        return String.join("&", parts);
    }

    private static Map<String, List<String>> decodeQuery(String raw) {
        Map<String, List<String>> out = new TreeMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
            String v = java.net.URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }
}
