package io.ringpool.account;

/**
 * What a signed-in person may do on a site or in a workspace. Each site route declares one of
 * these with the route ({@code AccessApi.site(Permission, …)}); {@link Role} says which roles hold
 * which; {@link Authoriser} is the one place that checks. Keys for machines are not people: a
 * site's API key and the admin key hold every site permission of their site(s).
 */
public enum Permission {
    /** The site's settings as read (no secrets): every role, the dashboard needs the time zone. */
    SITE_READ,
    /** Changing the site's settings. */
    SITE_SETTINGS,
    /** Reading pools, their numbers and static numbers. */
    POOLS_READ,
    /** Creating pools, adding and retiring numbers, static numbers. */
    POOLS,
    /** Reports (sources, devices, time, daily, paths, pools). */
    REPORTS,
    /** The call log and single calls; viewers see it with caller numbers masked. */
    CALL_LOG,
    /** The lead log. */
    LEAD_LOG,
    /** Listening to call recordings (callers' voices: not for viewers). */
    RECORDINGS,
    /** A person's calls and leads looked up by phone or e-mail. */
    CONTACTS,
    /** Posting leads from another system. */
    LEAD_INGEST,
    /** Tags, values and notes on calls and leads. */
    TAGS,
    /** CSV exports and feeds (they carry click ids and callers). */
    EXPORTS,
    /** Erasing a caller's personal data. */
    ERASE,
    /** Webhooks and other integrations. */
    WEBHOOKS,
    /** Rotating the site's keys. */
    KEYS,
    /** Creating sites in a workspace, inviting people and changing their roles, reading the audit log. */
    USERS
}
