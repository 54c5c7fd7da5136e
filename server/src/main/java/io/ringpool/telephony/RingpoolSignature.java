package io.ringpool.telephony;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies the generic JSON webhook header
 * {@code X-Ringpool-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + rawBody)>}.
 *
 * <p>The timestamp is inside the signed data, so a captured request can only be replayed within
 * the tolerance (5 minutes, PRODUCT.md §4); ingestion deduplicates anyway.
 *
 * <p>Secret rotation: the header may carry several {@code v1=} entries (the sender signs with the
 * old and the new secret), and {@link #verify(String, byte[], List)} accepts several site secrets;
 * any pair that matches is enough. Unknown keys (a future {@code v2=}) are ignored.
 *
 * <p>Order of checks: presence, syntax, then the signature, then the clock. A stale timestamp is
 * only reported for a request we could authenticate, so an attacker learns nothing from STALE,
 * and a replay of a genuine old request is told apart from a forgery in the logs.
 */
public final class RingpoolSignature {

    public static final String HEADER = "X-Ringpool-Signature";

    /** Maximum |now - t|, PRODUCT.md §4: "rejected when the timestamp is more than 5 minutes off". */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    /** A header longer than this is not ours; bounds parsing work on untrusted input. */
    static final int MAX_HEADER_CHARS = 2048;

    /** At most this many v1 entries are tried (rotation needs two); bounds HMAC work per request. */
    static final int MAX_SIGNATURES = 4;

    /** Hex length of an HMAC-SHA256. */
    private static final int V1_HEX_CHARS = 64;

    /** The outcome of {@link #verify}; everything but VALID is a rejection reason. */
    public enum Result {
        VALID, MISSING, MALFORMED, STALE, MISMATCH;

        public boolean isValid() {
            return this == VALID;
        }

        /** Lower-case name for metrics tags and log events ({@code webhook_rejected reason=stale}). */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Clock clock;
    private final Duration tolerance;

    public RingpoolSignature(Clock clock) {
        this(clock, DEFAULT_TOLERANCE);
    }

    public RingpoolSignature(Clock clock, Duration tolerance) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException("tolerance must not be negative: " + tolerance);
        }
    }

    /** Verifies against one site secret. */
    public Result verify(String header, byte[] rawBody, String secret) {
        return verify(header, rawBody, List.of(secret));
    }

    /**
     * Verifies {@code header} over the exact bytes received. Never throws on untrusted input.
     *
     * @param secrets the site's current secret(s); empty or blank secrets are ignored
     */
    public Result verify(String header, byte[] rawBody, List<String> secrets) {
        if (header == null || header.isBlank()) {
            return Result.MISSING;
        }
        Parsed parsed = parse(header);
        if (parsed == null) {
            return Result.MALFORMED;
        }
        byte[] body = rawBody == null ? new byte[0] : rawBody;
        boolean match = false;
        for (String secret : secrets) {
            if (secret == null || secret.isEmpty()) {
                continue;
            }
            byte[] expected = hmac(secret, parsed.timestamp(), body);
            for (byte[] given : parsed.signatures()) {
                match |= MessageDigest.isEqual(expected, given);
            }
        }
        if (!match) {
            return Result.MISMATCH;
        }
        long now = clock.instant().getEpochSecond();
        // No overflow: parse() bounds t to 12 digits.
        if (Math.abs(now - parsed.timestamp()) > tolerance.toSeconds()) {
            return Result.STALE;
        }
        return Result.VALID;
    }

    /**
     * The signature's {@code t} (unix seconds by the sender's clock), for a header that
     * {@link #verify} found VALID; empty for one it cannot parse.
     */
    public static java.util.OptionalLong signedAt(String header) {
        Parsed parsed = header == null ? null : parse(header);
        return parsed == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(parsed.timestamp());
    }

    /** The full header value {@code t=...,v1=...} for a body sent at unix second {@code t}. */
    public static String sign(String secret, long t, byte[] body) {
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(hmac(secret, t, body));
    }

    /** {@link #sign(String, long, byte[])} over the UTF-8 bytes of {@code body}. */
    public static String sign(String secret, long t, String body) {
        return sign(secret, t, body.getBytes(StandardCharsets.UTF_8));
    }

    private record Parsed(long timestamp, List<byte[]> signatures) {}

    /** Null when the header is not {@code t=<digits>} plus at least one well-formed v1. */
    private static Parsed parse(String header) {
        if (header.length() > MAX_HEADER_CHARS) {
            return null;
        }
        Long t = null;
        List<byte[]> sigs = new ArrayList<>();
        for (String part : header.split(",", -1)) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                return null;
            }
            String key = p.substring(0, eq).trim();
            String value = p.substring(eq + 1).trim();
            switch (key) {
                case "t" -> {
                    // 1..12 digits: enough until the year 33658, and no overflow in arithmetic.
                    if (t != null || value.isEmpty() || value.length() > 12 || !allAscii(value, false)) {
                        return null;
                    }
                    t = Long.parseLong(value);
                }
                case "v1" -> {
                    if (value.length() != V1_HEX_CHARS || !allAscii(value, true)) {
                        return null;
                    }
                    if (sigs.size() < MAX_SIGNATURES) {
                        sigs.add(HexFormat.of().parseHex(value));
                    }
                }
                default -> {
                    // An unknown scheme (v0, v2, ...) is ignored so senders can add one later.
                }
            }
        }
        if (t == null || sigs.isEmpty()) {
            return null;
        }
        return new Parsed(t, sigs);
    }

    /**
     * Whether every character is an ASCII digit (or, with {@code hex}, an ASCII hex digit). A loop,
     * not {@code String.matches}: that compiled a regular expression twice per webhook, part of the
     * signature check's 9 % of a call event's worker time (session 9's profile).
     */
    private static boolean allAscii(String value, boolean hex) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** One {@code Mac} per thread: the provider look-up of {@code Mac.getInstance} is the costly part, its init is not. */
    private static final ThreadLocal<Mac> HMAC_SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    });

    private static byte[] hmac(String secret, long t, byte[] body) {
        try {
            Mac mac = HMAC_SHA256.get();
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 refused its key", e);
        }
    }
}
