package io.ringpool.account;

import io.ringpool.failure.DomainFailure;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A person's role in a workspace (API.md, "Accounts"). Each role holds everything the next one
 * down holds: a manager is also an analyst, an analyst also a viewer. The only role that sees
 * caller numbers masked is {@link #VIEWER}.
 */
public enum Role {
    /** Reports only; the call log is shown with caller numbers masked. */
    VIEWER(EnumSet.of(Permission.SITE_READ, Permission.REPORTS, Permission.CALL_LOG, Permission.LEAD_LOG)),
    /** Reports, the call and lead log, tags, exports. */
    ANALYST(with(VIEWER, Permission.TAGS, Permission.EXPORTS, Permission.POOLS_READ, Permission.RECORDINGS, Permission.CONTACTS)),
    /** Site settings, pools, numbers, webhooks, tags; erasing callers. */
    MANAGER(with(ANALYST, Permission.SITE_SETTINGS, Permission.POOLS, Permission.WEBHOOKS, Permission.ERASE, Permission.LEAD_INGEST)),
    /** Everything, and the people of the workspace. */
    OWNER(EnumSet.allOf(Permission.class));

    private final Set<Permission> permissions;

    Role(Set<Permission> permissions) {
        this.permissions = Set.copyOf(permissions);
    }

    private static Set<Permission> with(Role base, Permission... more) {
        EnumSet<Permission> out = EnumSet.copyOf(base.permissions);
        out.addAll(Set.of(more));
        return out;
    }

    public boolean allows(Permission permission) {
        return permissions.contains(permission);
    }

    public Set<Permission> permissions() {
        return permissions;
    }

    public boolean masksCallers() {
        return this == VIEWER;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws DomainFailure {@code invalid_value} naming {@code field} for anything but the four names */
    public static Role parse(String text, String field) {
        if (text != null) {
            for (Role r : values()) {
                if (r.wireName().equals(text)) {
                    return r;
                }
            }
        }
        throw DomainFailure.invalid(field, "'" + field + "' must be one of owner, manager, analyst, viewer");
    }
}
