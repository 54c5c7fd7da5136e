package io.ringpool.account;

/** Permission to act on a workspace, as granted by {@link Authoriser#workspace}. */
public record WorkspaceGrant(Workspace workspace, Caller caller) {

    public String workspaceId() {
        return workspace.workspaceId();
    }
}
