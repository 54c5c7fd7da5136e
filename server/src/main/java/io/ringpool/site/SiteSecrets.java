package io.ringpool.site;

/**
 * What a site needs to authenticate callers: the hash of its API key (compared in constant time),
 * and the secrets it must use in clear to check signatures (decrypted from the store at load).
 */
public record SiteSecrets(byte[] apiKeyHash, String webhookSecret, String twilioAuthToken) {}
