package io.ringpool.call;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signatures computed the way a provider would, straight from javax.crypto and the
 * documented recipes (never through the production classes), so a bug there cannot hide itself.
 */
public final class Signing {

    private Signing() {}

    /** {@code t=<t>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}. */
    public static String ringpool(String secret, long t, String body) {
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac("HmacSHA256", secret, t + "." + body));
    }

    /** base64(HMAC-SHA1(token, url + each param name+value sorted by name)). */
    public static String twilio(String token, String url, Map<String, String> params) {
        StringBuilder data = new StringBuilder(url);
        List<String> names = new ArrayList<>(params.keySet());
        names.sort(null);
        for (String n : names) {
            data.append(n).append(params.get(n));
        }
        return Base64.getEncoder().encodeToString(mac("HmacSHA1", token, data.toString()));
    }

    private static byte[] mac(String algorithm, String key, String data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
