package io.ringpool.session;

/**
 * What one session may put in the store, whatever it sends: page views and intents kept per
 * session (later ones are counted, not stored), and the longest URL and title kept, in characters.
 * With the per-minute budgets of {@code security.ScriptLimits} they bound the bytes a session adds.
 */
public record SessionCaps(int pageviewsStored, int intentsStored, int maxUrlChars, int maxTitleChars) {

    /** The shipped defaults (config/ringpool.yaml, section limits). */
    public static final SessionCaps DEFAULTS = new SessionCaps(200, 50, 1000, 200);
}
