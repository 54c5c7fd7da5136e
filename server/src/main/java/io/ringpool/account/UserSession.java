package io.ringpool.account;

import java.time.Instant;

/**
 * A sign-in: the cookie holds a random token whose SHA-256 is stored; {@code sessionId} is the
 * public handle a person uses to list and revoke their sessions.
 */
public record UserSession(String sessionId, String userId, String csrfToken, Instant createdAt, Instant lastSeenAt,
        Instant expiresAt, Instant revokedAt, String address, String userAgent) {}
