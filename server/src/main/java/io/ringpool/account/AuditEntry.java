package io.ringpool.account;

import java.time.Instant;

/** One line of a workspace's audit log: who changed what, when, and from which address. */
public record AuditEntry(String auditId, String workspaceId, String siteId, Instant at, String actorKind, String actorId,
        String actorLabel, String action, String target, String detail, String address) {}
