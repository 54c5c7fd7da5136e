package io.ringpool.pool;

/** A lease's expiry (epoch ms) as it should be stored, with the fencing epoch the write must match. */
public record LeaseExpiry(String sessionId, long expiresAt, long epoch) {}
