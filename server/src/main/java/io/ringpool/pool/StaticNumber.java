package io.ringpool.pool;

import java.time.Instant;

/** A number that always belongs to one source (a billboard, a directory listing, a partner). */
public record StaticNumber(String siteId, String number, String source, String medium, String campaign, String label, Instant createdAt) {}
