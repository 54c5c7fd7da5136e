package io.ringpool.recording;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived playback links: an audio element cannot send an {@code Authorization} header, so the
 * dashboard asks (with the site key) for a link whose query carries
 * {@code access=<expiry unix seconds>.<hex HMAC-SHA256(key, siteId|callId|expiry)>}. The link
 * plays one call's recording until it expires; it is not a public URL (it is unguessable, bound to
 * one call, and dies in hours), and nothing else accepts it.
 */
public final class PlaybackLinks {
    /** A link and when it stops working. */
    public record Link(String access, Instant expiresAt) {}

    private final byte[] key;
    private final Clock clock;

    PlaybackLinks(byte[] key, Clock clock) {
        this.key = key.clone();
        this.clock = clock;
    }

    Link issue(String siteId, String callId, Duration lifetime) {
        long expiry = clock.instant().plus(lifetime).getEpochSecond();
        return new Link(expiry + "." + mac(siteId, callId, expiry), Instant.ofEpochSecond(expiry));
    }

    boolean valid(String siteId, String callId, String token) {
        if (token == null) {
            return false;
        }
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        long expiry;
        try {
            expiry = Long.parseLong(token.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        if (clock.instant().getEpochSecond() > expiry) {
            return false;
        }
        byte[] expected = mac(siteId, callId, expiry).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
    }

    private String mac(String siteId, String callId, long expiry) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((siteId + "|" + callId + "|" + expiry).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
