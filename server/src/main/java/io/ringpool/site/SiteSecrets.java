package io.ringpool.site;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a site needs to authenticate callers: the hash of its API key (compared in constant time),
 * and the secrets it must use in clear to check signatures (decrypted from the store at load).
 * After a rotation the replaced key of each kind is kept until its overlap window closes
 * ({@link Previous}); every check takes the time, so a key stops working the moment its window does.
 */
public record SiteSecrets(byte[] apiKeyHash, String webhookSecret, String twilioAuthToken, Previous previous) {

    /**
     * Keys replaced by a rotation and the instant each stops being accepted (null = none).
     * The API key is kept as its hash, the others in clear like the current ones.
     */
    public record Previous(byte[] apiKeyHash, Instant apiKeyUntil, String webhookSecret, Instant webhookSecretUntil,
            String twilioAuthToken, Instant twilioAuthTokenUntil) {
        public static final Previous NONE = new Previous(null, null, null, null, null, null);
    }

    public SiteSecrets(byte[] apiKeyHash, String webhookSecret, String twilioAuthToken) {
        this(apiKeyHash, webhookSecret, twilioAuthToken, Previous.NONE);
    }

    public SiteSecrets {
        previous = previous == null ? Previous.NONE : previous;
    }

    /** The same secrets with another set of previous keys. */
    public SiteSecrets withPrevious(Previous newPrevious) {
        return new SiteSecrets(apiKeyHash, webhookSecret, twilioAuthToken, newPrevious);
    }

    /** True when {@code hash} is the current API key's, or the previous one's within its window. Constant time per key. */
    public boolean acceptsApiKeyHash(byte[] hash, Instant now) {
        boolean current = MessageDigest.isEqual(hash, apiKeyHash);
        boolean old = previous.apiKeyHash() != null && live(previous.apiKeyUntil(), now)
                && MessageDigest.isEqual(hash, previous.apiKeyHash());
        return current | old;
    }

    /** True when {@code hash} is the current API key's (not a replaced one still in its overlap). Constant time. */
    public boolean isCurrentApiKeyHash(byte[] hash) {
        return MessageDigest.isEqual(hash, apiKeyHash);
    }

    /** The webhook secrets a signature may use now: the current one, and the previous within its window. */
    public List<String> webhookSecrets(Instant now) {
        return withPrevious(webhookSecret, previous.webhookSecret(), previous.webhookSecretUntil(), now);
    }

    /** The Twilio auth tokens a signature may use now. */
    public List<String> twilioAuthTokens(Instant now) {
        return withPrevious(twilioAuthToken, previous.twilioAuthToken(), previous.twilioAuthTokenUntil(), now);
    }

    private static List<String> withPrevious(String current, String old, Instant until, Instant now) {
        List<String> out = new ArrayList<>(2);
        if (current != null) {
            out.add(current);
        }
        if (old != null && live(until, now)) {
            out.add(old);
        }
        return out;
    }

    private static boolean live(Instant until, Instant now) {
        return until != null && now.isBefore(until);
    }
}
