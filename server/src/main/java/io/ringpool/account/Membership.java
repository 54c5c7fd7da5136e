package io.ringpool.account;

import java.util.List;

/**
 * A person's place in a workspace.
 *
 * @param sites the site ids the member may see, or null for every site of the workspace (also those added later)
 */
public record Membership(String workspaceId, String workspaceName, String userId, Role role, List<String> sites) {

    public boolean covers(String siteId) {
        return sites == null || sites.contains(siteId);
    }
}
