package io.ringpool.inbound;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What every received HTTP request offers over its headers, query and body, shared by the route
 * handlers' {@code http.Request} and the providers' {@code telephony.provider.WebhookRequest}
 * (which must not see the http package): one reading of the same parts, not two.
 */
public interface ReceivedRequest {

    /** Header names in lower case. */
    Map<String, String> headers();

    /** Decoded query parameters in the order received. */
    Map<String, List<String>> query();

    /** The exact bytes received. */
    byte[] body();

    default String header(String lowerCaseName) {
        return headers().get(lowerCaseName);
    }

    /** The first value of a query parameter, or null. */
    default String queryParam(String name) {
        List<String> values = query().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    default String bodyText() {
        return new String(body(), StandardCharsets.UTF_8);
    }

    /** The media type of the body without parameters, lower case, or "" when absent. */
    default String mediaType() {
        String type = header("content-type");
        if (type == null) {
            return "";
        }
        int semicolon = type.indexOf(';');
        return (semicolon >= 0 ? type.substring(0, semicolon) : type).trim().toLowerCase(Locale.ROOT);
    }
}
