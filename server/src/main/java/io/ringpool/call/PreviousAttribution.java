package io.ringpool.call;

/**
 * The visit the same caller's latest earlier call was attributed to, for the {@code repeat} method.
 * The store decides how far back to look; both ids null means "nothing usable".
 */
public record PreviousAttribution(String sessionId, String visitorId) {}
