package io.ringpool.telephony.provider;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A provider's HTTP request as adapters see it (no wire types).
 *
 * @param method     upper case
 * @param path       the path as requested
 * @param pathParams the route's parameters ({@code siteId}, ...)
 * @param query      decoded query parameters in the order received
 * @param headers    lower-case names
 * @param body       the exact bytes received (signatures are over these)
 * @param signedUrls the absolute URLs the provider may have called (configured public URL first,
 *                   then the Host header's), each with the query string: providers that sign the URL
 *                   sign what was configured in their console
 */
public record WebhookRequest(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
        Map<String, String> headers, byte[] body, Set<String> signedUrls) {

    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    public String queryParam(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The media type without parameters, lower case, or "". */
    public String mediaType() {
        String type = header("content-type");
        if (type == null) {
            return "";
        }
        int semicolon = type.indexOf(';');
        return (semicolon >= 0 ? type.substring(0, semicolon) : type).trim().toLowerCase(java.util.Locale.ROOT);
    }
}
