package io.ringpool.account;

import java.time.Instant;
import java.util.List;

/**
 * A one-time link: an invitation into a workspace (email, role, sites) or a password reset (userId).
 * Only the SHA-256 of its token is stored; the token itself is shown once, in the link.
 */
public record AccountLink(String linkId, Kind kind, String workspaceId, String email, String name, Role role, List<String> sites,
        String userId, String createdBy, Instant createdAt, Instant expiresAt, Instant usedAt) {

    public enum Kind { INVITE, RESET }
}
