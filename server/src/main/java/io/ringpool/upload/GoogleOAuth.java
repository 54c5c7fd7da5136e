package io.ringpool.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringpool.outbound.OutboundHttp;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Google's OAuth 2.0 refresh-token exchange: {@code POST <tokenUrl>} form-encoded
 * {@code grant_type=refresh_token&client_id&client_secret&refresh_token} → {@code {"access_token",
 * "expires_in"}}. Access tokens are kept per destination until a minute before they expire.
 */
final class GoogleOAuth {
    static final String DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token";
    /** A token is renewed this long before Google says it expires, seconds. */
    private static final long EARLY_SECONDS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Token(String value, long expiresAtMillis) {}

    private final Clock clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    GoogleOAuth(Clock clock) {
        this.clock = clock;
    }

    /** A valid access token for the destination, exchanged through {@code sender} (and logged there, masked) when needed. */
    String accessToken(Destination d, UploadSender sender) throws IOException {
        Token t = tokens.get(d.destinationId());
        if (t != null && t.expiresAtMillis() > clock.millis()) {
            return t.value();
        }
        String url = d.setting("tokenUrl") != null ? d.setting("tokenUrl") : DEFAULT_TOKEN_URL;
        String form = "grant_type=refresh_token"
                + "&client_id=" + enc(d.setting("clientId"))
                + "&client_secret=" + enc(d.secret("clientSecret"))
                + "&refresh_token=" + enc(d.secret("refreshToken"));
        OutboundHttp.Response r = sender.send(new OutboundHttp.Request("POST", URI.create(url),
                Map.of("Content-Type", "application/x-www-form-urlencoded"), form.getBytes(StandardCharsets.UTF_8)));
        if (!r.isSuccess()) {
            throw new TokenRefused(r.status(), r.bodyText());
        }
        JsonNode answer = JSON.readTree(r.body());
        String token = answer.path("access_token").asText(null);
        if (token == null) {
            throw new TokenRefused(r.status(), "no access_token in the answer");
        }
        long seconds = answer.path("expires_in").asLong(3600);
        tokens.put(d.destinationId(), new Token(token, clock.millis() + Math.max(0, seconds - EARLY_SECONDS) * 1000));
        return token;
    }

    void forget(String destinationId) {
        tokens.remove(destinationId);
    }

    private static String enc(String v) {
        return URLEncoder.encode(v == null ? "" : v, StandardCharsets.UTF_8);
    }

    /** Google refused to exchange the refresh token. */
    static final class TokenRefused extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String answer;

        TokenRefused(int status, String answer) {
            super("OAuth token exchange refused: " + GoogleErrorText.of(status, answer));
            this.status = status;
            this.answer = answer;
        }
    }
}
