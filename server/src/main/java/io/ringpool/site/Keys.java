package io.ringpool.site;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Random identifiers and credentials, and the hashing of API keys. Keys carry 256 random bits, so
 * a plain SHA-256 is enough to store them (a slow password hash defends low-entropy secrets only).
 */
public final class Keys {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
    /** URL-safe base64 whose alphabet is in ASCII order, so encoded ids sort like their bytes. */
    private static final OrderedBase64 ORDERED = new OrderedBase64();

    private Keys() {}

    /** {@code prefix} followed by {@code bytes} random bytes, URL-safe. */
    public static String random(String prefix, int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return prefix + URL.encodeToString(b);
    }

    /**
     * An unguessable id that sorts by creation time: 48 bits of milliseconds, then {@code bytes}
     * random bytes. Rows keyed by it are appended at the end of their index instead of landing on
     * a random page, which is what makes group commits cheap (H2 rewrites every page a commit
     * touches). The time prefix reveals when the id was made, nothing more.
     */
    public static String timeOrdered(String prefix, long epochMillis, int bytes) {
        byte[] b = new byte[6 + bytes];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (epochMillis >>> (8 * (5 - i)));
        }
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        System.arraycopy(random, 0, b, 6, bytes);
        return prefix + ORDERED.encodeToString(b);
    }

    /**
     * As {@link #timeOrdered(String, long, int)}, with a 32-bit {@code sequence} between the time
     * and the random bytes: ids a node makes in one millisecond then sort in the order it made
     * them (two audit entries one request writes, on a clock that ticks once a millisecond).
     */
    public static String timeOrdered(String prefix, long epochMillis, int sequence, int bytes) {
        byte[] b = new byte[10 + bytes];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (epochMillis >>> (8 * (5 - i)));
        }
        for (int i = 0; i < 4; i++) {
            b[6 + i] = (byte) (sequence >>> (8 * (3 - i)));
        }
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        System.arraycopy(random, 0, b, 10, bytes);
        return prefix + ORDERED.encodeToString(b);
    }

    /** A short opaque id, e.g. {@code st_Fh3k9...} (96 random bits). */
    public static String id(String prefix) {
        return random(prefix, 12);
    }

    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text));
    }

    /** Constant-time comparison of two strings' bytes. */
    /**
     * A key for one purpose derived from the operator's secret key (HMAC-SHA256(secret, purpose)):
     * each use gets its own key, and none of them reveals the secret or another.
     */
    public static byte[] derive(String secret, String purpose) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean constantTimeEquals(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** Base64 with the alphabet {@code -0-9A-Z_a-z} (ASCII order), no padding. */
    private static final class OrderedBase64 {
        private static final char[] ALPHABET = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz".toCharArray();

        String encodeToString(byte[] data) {
            StringBuilder out = new StringBuilder((data.length * 4 + 2) / 3);
            int buffer = 0;
            int bits = 0;
            for (byte b : data) {
                buffer = (buffer << 8) | (b & 0xff);
                bits += 8;
                while (bits >= 6) {
                    bits -= 6;
                    out.append(ALPHABET[(buffer >>> bits) & 0x3f]);
                }
            }
            if (bits > 0) {
                out.append(ALPHABET[(buffer << (6 - bits)) & 0x3f]);
            }
            return out.toString();
        }
    }
}
