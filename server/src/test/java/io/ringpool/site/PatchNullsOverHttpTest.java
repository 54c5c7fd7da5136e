package io.ringpool.site;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit L #6: PATCH with {"domains": null} (or forwardTo, timeZone, a call's tags…) answered 200
 * and changed nothing, so a user clearing a field was told it worked. Null is refused where it
 * has no documented meaning, and still removes where it has one.
 */
class PatchNullsOverHttpTest {
    @TempDir
    Path dir;

    @Test
    void nullIsRefusedNamingTheFieldUnlessItMeansRemove() {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74957774001"));
            String path = "/v1/sites/" + site.get("siteId");
            for (String field : List.of("domains", "forwardTo", "timeZone", "name", "leaseTtlSeconds", "country")) {
                Reply r = server.send("PATCH", path, site.get("apiKey"), "{\"" + field + "\":null}", "application/json", Map.of());
                assertThat(r.status()).as(field + " " + r.body()).isEqualTo(422);
                assertThat(r.json().at("/error/field").asText()).isEqualTo(field);
            }
            Reply notice = server.send("PATCH", path, site.get("apiKey"), "{\"recordingNotice\":\"Calls are recorded\"}",
                    "application/json", Map.of());
            assertThat(notice.status()).as(notice.body()).isEqualTo(200);
            Reply removed = server.send("PATCH", path, site.get("apiKey"), "{\"recordingNotice\":null,\"keywordRules\":null}",
                    "application/json", Map.of());
            assertThat(removed.status()).as(removed.body()).isEqualTo(200);
            assertThat(removed.json().get("recordingNotice").isNull()).isTrue();

            // A member's role cannot be null; their sites can (null = every site of the workspace).
            io.ringpool.account.TestAccounts accounts = new io.ringpool.account.TestAccounts(server);
            Map<String, Object> ws = accounts.ownedWorkspace("Nulls", "nulls-owner@agency.test");
            io.ringpool.account.TestAccounts.Person owner = (io.ringpool.account.TestAccounts.Person) ws.get("owner");
            io.ringpool.account.TestAccounts.Person viewer = accounts.member((String) ws.get("workspaceId"), owner, "nulls-viewer@agency.test",
                    "viewer");
            String userId = accounts.as(viewer, "GET", "/v1/me", null).text("userId");
            String member = "/v1/workspaces/" + ws.get("workspaceId") + "/members/" + userId;
            java.util.Map<String, Object> nullRole = new java.util.HashMap<>();
            nullRole.put("role", null);
            Reply role = accounts.as(owner, "PATCH", member, nullRole);
            assertThat(role.status()).as(role.body()).isEqualTo(422);
            assertThat(role.json().at("/error/field").asText()).isEqualTo("role");
            java.util.Map<String, Object> allSites = new java.util.HashMap<>();
            allSites.put("sites", null);
            assertThat(accounts.as(owner, "PATCH", member, allSites).status()).isEqualTo(200);
        }
    }
}
