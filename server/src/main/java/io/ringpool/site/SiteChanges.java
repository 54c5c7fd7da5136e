package io.ringpool.site;

import java.util.List;

/**
 * A site's fields as a caller gives them, each null when not given: the settings of a new site
 * (defaults fill the rest) or a change to an existing one (the rest keep their values). Values are
 * validated by {@link SiteService}, which names the field at fault; wire names are the same.
 */
public record SiteChanges(
        String name,
        Integer leaseTtlSeconds,
        Integer heartbeatSeconds,
        Integer endGraceSeconds,
        Integer coolDownSeconds,
        Integer intentHoldSeconds,
        String exhaustionPolicy,
        Integer uniquenessDays,
        Integer targetCallSeconds,
        Integer retentionDays,
        String country,
        List<String> domains,
        String defaultNumber,
        String forwardTo,
        String timeZone,
        String currency,
        String twilioAuthToken,
        Integer leadDuplicateMinutes,
        Boolean storeTitles,
        List<String> queryParameters) {

    /** The fields before leads, titles and the query allow-list: none of those is changed. */
    public SiteChanges(String name, Integer leaseTtlSeconds, Integer heartbeatSeconds, Integer endGraceSeconds, Integer coolDownSeconds,
            Integer intentHoldSeconds, String exhaustionPolicy, Integer uniquenessDays, Integer targetCallSeconds, Integer retentionDays,
            String country, List<String> domains, String defaultNumber, String forwardTo, String timeZone, String currency,
            String twilioAuthToken) {
        this(name, leaseTtlSeconds, heartbeatSeconds, endGraceSeconds, coolDownSeconds, intentHoldSeconds, exhaustionPolicy,
                uniquenessDays, targetCallSeconds, retentionDays, country, domains, defaultNumber, forwardTo, timeZone, currency,
                twilioAuthToken, null, null, null);
    }

    /** The fields with the lead window, without titles and the query allow-list. */
    public SiteChanges(String name, Integer leaseTtlSeconds, Integer heartbeatSeconds, Integer endGraceSeconds, Integer coolDownSeconds,
            Integer intentHoldSeconds, String exhaustionPolicy, Integer uniquenessDays, Integer targetCallSeconds, Integer retentionDays,
            String country, List<String> domains, String defaultNumber, String forwardTo, String timeZone, String currency,
            String twilioAuthToken, Integer leadDuplicateMinutes) {
        this(name, leaseTtlSeconds, heartbeatSeconds, endGraceSeconds, coolDownSeconds, intentHoldSeconds, exhaustionPolicy,
                uniquenessDays, targetCallSeconds, retentionDays, country, domains, defaultNumber, forwardTo, timeZone, currency,
                twilioAuthToken, leadDuplicateMinutes, null, null);
    }

    /** Nothing changed. */
    public static final SiteChanges NONE = new SiteChanges(null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null);

    public SiteChanges withName(String newName) {
        return new SiteChanges(newName, leaseTtlSeconds, heartbeatSeconds, endGraceSeconds, coolDownSeconds, intentHoldSeconds,
                exhaustionPolicy, uniquenessDays, targetCallSeconds, retentionDays, country, domains, defaultNumber, forwardTo,
                timeZone, currency, twilioAuthToken, leadDuplicateMinutes, storeTitles, queryParameters);
    }
}
