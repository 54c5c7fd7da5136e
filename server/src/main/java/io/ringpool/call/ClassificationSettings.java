package io.ringpool.call;

/**
 * The site settings that classify calls (API.md, {@code PATCH /v1/sites/{siteId}}).
 *
 * @param uniquenessDays    a call is unique if the caller did not call within this many days
 *                          (24-hour days before the call); 0 = unlimited, i.e. never before
 * @param targetCallSeconds talk time, in seconds, from which an answered call is a target call
 */
public record ClassificationSettings(int uniquenessDays, int targetCallSeconds) {
    public ClassificationSettings {
        if (uniquenessDays < 0) {
            throw new IllegalArgumentException("uniquenessDays must be >= 0 (0 = unlimited): " + uniquenessDays);
        }
        if (targetCallSeconds < 0) {
            throw new IllegalArgumentException("targetCallSeconds must be >= 0: " + targetCallSeconds);
        }
    }
}
