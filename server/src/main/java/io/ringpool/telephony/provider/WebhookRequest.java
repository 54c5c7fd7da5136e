package io.ringpool.telephony.provider;

import io.ringpool.inbound.ReceivedRequest;
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
}
