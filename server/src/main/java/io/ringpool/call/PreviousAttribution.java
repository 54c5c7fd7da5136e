package io.ringpool.call;

/**
 * The visit the same caller's latest earlier call was attributed to, for the {@code repeat} method.
 * The store decides how far back to look; both ids null means "nothing usable". {@code number}
 * is the tracking number that earlier call dialled (null if unknown).
 */
public record PreviousAttribution(String sessionId, String visitorId, String number) {

    /** Without the number that earlier call dialled. */
    public PreviousAttribution(String sessionId, String visitorId) {
        this(sessionId, visitorId, null);
    }
}
