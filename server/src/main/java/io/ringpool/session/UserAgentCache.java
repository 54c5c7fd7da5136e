package io.ringpool.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ringpool.visit.BotDetector;
import io.ringpool.visit.Device;
import io.ringpool.visit.UserAgentParser;

/**
 * Remembers what each User-Agent string is. A site's visitors share a few thousand distinct
 * User-Agents, and reading one takes dozens of regular expressions (a sixth of a session start's
 * CPU when measured), so each is read once and looked up afterwards.
 */
final class UserAgentCache {
    /** What one User-Agent string says. */
    record Reading(boolean bot, Device device) {}

    private static final Reading NONE = new Reading(false, new UserAgentParser().parse(null));

    private final UserAgentParser parser = new UserAgentParser();
    private final BotDetector bots = new BotDetector();
    /** 20,000 entries of a few hundred bytes: a few MB at most. */
    private final Cache<String, Reading> readings = Caffeine.newBuilder().maximumSize(20_000).build();

    /**
     * Longest User-Agent read, characters: real ones are under 300, and the cache is keyed by what is
     * read, so a client sending endless unique 8 KB headers fills at most 20,000 × 512 characters.
     */
    static final int MAX_CHARS = 512;

    Reading read(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return NONE;
        }
        return readings.get(truncated(userAgent), ua -> new Reading(bots.isBot(ua, false), parser.parse(ua)));
    }

    String truncated(String userAgent) {
        return userAgent == null || userAgent.length() <= MAX_CHARS ? userAgent : userAgent.substring(0, MAX_CHARS);
    }
}
