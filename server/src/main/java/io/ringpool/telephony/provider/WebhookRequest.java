package io.ringpool.telephony.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.inbound.ReceivedRequest;
import java.util.LinkedHashMap;
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
 *                   then the Host header's), each with the path and query exactly as received
 *                   ({@link io.ringpool.inbound.SignedUrls}): providers that sign the URL sign what was
 *                   configured in their console, byte for byte
 */
public record WebhookRequest(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
        Map<String, String> headers, byte[] body, Set<String> signedUrls) implements ReceivedRequest {

    /**
     * The request's fields as one flat map, for PBXs that send the same names in a GET's query, a
     * form POST or a JSON object (MegaPBX and UIS): the first value of each query name not empty,
     * then the body's, a JSON object's text fields when the body is JSON (declared, or undeclared
     * and shaped like an object), otherwise a form's first value of each name.
     */
    public Map<String, String> flatFields() {
        Map<String, String> out = new LinkedHashMap<>();
        query.forEach((k, v) -> {
            if (!v.isEmpty()) {
                out.put(k, v.get(0));
            }
        });
        if (body.length == 0) {
            return out;
        }
        String type = mediaType();
        if (type.equals("application/json") || (type.isEmpty() && ProviderJson.looksLikeObject(body))) {
            JsonNode json = ProviderJson.parseObject(body);
            json.fieldNames().forEachRemaining(n -> {
                String v = ProviderJson.text(json, n);
                if (v != null) {
                    out.put(n, v);
                }
            });
        } else {
            out.putAll(ProviderForms.first(ProviderForms.fields(body)));
        }
        return out;
    }
}
