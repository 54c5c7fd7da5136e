package io.ringpool.account;

import java.time.Instant;

/** An agency's account, or one company's: it holds sites and the people who may see them. */
public record Workspace(String workspaceId, String name, Instant createdAt) {}
