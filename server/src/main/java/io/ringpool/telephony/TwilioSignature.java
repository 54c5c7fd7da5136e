package io.ringpool.telephony;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies Twilio's {@code X-Twilio-Signature} header.
 *
 * <p>Twilio signs {@code base64(HMAC-SHA1(authToken, url + name1 + value1 + name2 + value2 ...))}
 * where the POST parameters are sorted by name (we sort repeated names by value, as Twilio's own
 * helper libraries do) and {@code url} is the full public URL Twilio called, query string included.
 * See <a href="https://www.twilio.com/docs/usage/webhooks/webhooks-security">Twilio webhook security</a>.
 *
 * <p>The signature carries no timestamp, so it cannot stop replays: ingestion must deduplicate.
 *
 * <p>Twilio computes the signature over the URL as configured in the console, which may or may not
 * spell the default port ({@code :443}); its helper libraries therefore accept the signature for
 * the URL with and without the port, and so do we.
 *
 * <p>Stateless and thread-safe: a {@link Mac} is created per call because Mac is not thread-safe.
 */
public final class TwilioSignature {

    /** Twilio's header name (HTTP header names are case-insensitive). */
    public static final String HEADER = "X-Twilio-Signature";

    private TwilioSignature() {}

    /** The expected header value for these inputs; used by tests and to debug a mismatch. */
    public static String compute(String authToken, String url, List<FormField> params) {
        return Base64.getEncoder().encodeToString(hmac(authToken, url, params));
    }

    /**
     * True when {@code header} is a valid signature of {@code url} and {@code params} under
     * {@code authToken}. Never throws on untrusted input: a missing, empty or non-canonical base64 header,
     * or a missing token, is simply false.
     *
     * @param url the full public URL Twilio requested (configured public base URL + path + query)
     * @param params the decoded form parameters of the POST body, in any order, repeats kept
     */
    public static boolean verify(String authToken, String url, List<FormField> params, String header) {
        if (authToken == null || authToken.isEmpty() || url == null || header == null) {
            return false;
        }
        // Compare the canonical base64 text, not decoded bytes: Java's decoder would also accept
        // unpadded or otherwise non-canonical spellings, and there is no reason to.
        byte[] given = header.trim().getBytes(StandardCharsets.US_ASCII);
        if (given.length == 0) {
            return false;
        }
        boolean ok = false;
        // Every variant is computed and compared, so timing does not reveal which one matched.
        for (String candidate : urlVariants(url)) {
            byte[] expected = Base64.getEncoder().encode(hmac(authToken, candidate, params));
            ok |= MessageDigest.isEqual(given, expected);
        }
        return ok;
    }

    static byte[] hmac(String authToken, String url, List<FormField> params) {
        StringBuilder data = new StringBuilder(url);
        List<FormField> sorted = new ArrayList<>(params);
        sorted.sort(Comparator.comparing(FormField::name).thenComparing(FormField::value));
        for (FormField p : sorted) {
            data.append(p.name()).append(p.value());
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            // HmacSHA1 is mandatory in every JDK; a non-empty key is always valid.
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }

    /** The URL as given, plus the same URL with the default port added or removed. */
    static Set<String> urlVariants(String url) {
        Set<String> variants = new LinkedHashSet<>();
        variants.add(url);
        try {
            URI u = new URI(url);
            String scheme = u.getScheme();
            if (scheme == null || u.getRawAuthority() == null || u.getHost() == null) {
                return variants;
            }
            int defaultPort = switch (scheme.toLowerCase(java.util.Locale.ROOT)) {
                case "https" -> 443;
                case "http" -> 80;
                default -> -1;
            };
            if (defaultPort < 0) {
                return variants;
            }
            int port = u.getPort();
            if (port == -1) {
                variants.add(rebuild(u, defaultPort));
            } else if (port == defaultPort) {
                variants.add(rebuild(u, -1));
            }
        } catch (URISyntaxException notAUri) {
            // Verify against the URL exactly as given.
        }
        return variants;
    }

    private static String rebuild(URI u, int port) {
        StringBuilder s = new StringBuilder();
        s.append(u.getScheme()).append("://");
        if (u.getRawUserInfo() != null) {
            s.append(u.getRawUserInfo()).append('@');
        }
        s.append(u.getHost());
        if (port != -1) {
            s.append(':').append(port);
        }
        if (u.getRawPath() != null) {
            s.append(u.getRawPath());
        }
        if (u.getRawQuery() != null) {
            s.append('?').append(u.getRawQuery());
        }
        if (u.getRawFragment() != null) {
            s.append('#').append(u.getRawFragment());
        }
        return s.toString();
    }
}
