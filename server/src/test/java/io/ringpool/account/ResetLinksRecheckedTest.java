package io.ringpool.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit K #1 and #6: a reset link was checked only when it was issued. One an owner got while the
 * person was only in the owner's workspace still worked after the person became another agency's
 * owner (an account takeover), or after they were removed; and an older link still worked after a
 * newer one had set the password.
 */
class ResetLinksRecheckedTest {
    @TempDir
    Path dir;

    static String userId(TestAccounts accounts, TestAccounts.Person owner, Object workspaceId, String email) {
        JsonNode members = accounts.as(owner, "GET", "/v1/workspaces/" + workspaceId + "/members", null).json().get("members");
        for (JsonNode m : members) {
            if (m.get("email").asText().equals(email)) {
                return m.get("userId").asText();
            }
        }
        throw new AssertionError("no member " + email);
    }

    static String resetLink(TestAccounts accounts, TestAccounts.Person owner, Object workspaceId, String userId) {
        TestServer.Reply r = accounts.as(owner, "POST", "/v1/workspaces/" + workspaceId + "/members/" + userId + "/password-reset", Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.text("resetUrl");
    }

    static TestServer.Reply use(TestServer server, String link, String password) {
        return server.post("/v1/password-resets/" + TestAccounts.token(link), null, Map.of("password", password));
    }

    @Test
    void aLinkIsRefusedOnceItsPersonOwnsAnotherAgencyOrLeftAndAnOlderLinkDiesWithANewPassword() {
        try (TestServer server = new TestServer(dir)) {
            TestAccounts accounts = new TestAccounts(server);
            Map<String, Object> a = accounts.ownedWorkspace("Agency A", "owner@agency-a.test");
            TestAccounts.Person ownerA = (TestAccounts.Person) a.get("owner");
            accounts.member((String) a.get("workspaceId"), ownerA, "person@people.test", "viewer");
            String person = userId(accounts, ownerA, a.get("workspaceId"), "person@people.test");
            String takeover = resetLink(accounts, ownerA, a.get("workspaceId"), person);

            // The person becomes the owner of another agency with their existing account.
            Map<String, String> b = accounts.workspace("Agency B", "person@people.test");
            assertThat(accounts.accept(b.get("ownerInvite"), TestAccounts.PASSWORD).status()).isEqualTo(201);

            TestServer.Reply refused = use(server, takeover, "a brand new password 1");
            assertThat(refused.status()).as(refused.body()).isEqualTo(403);
            assertThat(refused.errorCode()).isEqualTo("link_no_longer_valid");
            assertThat(accounts.login("person@people.test", TestAccounts.PASSWORD).status()).as("the password is unchanged").isEqualTo(204);

            // A second person, only in A: two links; the newer sets a password, the older then no longer works.
            accounts.member((String) a.get("workspaceId"), ownerA, "second@people.test", "viewer");
            String second = userId(accounts, ownerA, a.get("workspaceId"), "second@people.test");
            String older = resetLink(accounts, ownerA, a.get("workspaceId"), second);
            String newer = resetLink(accounts, ownerA, a.get("workspaceId"), second);
            assertThat(use(server, newer, "second new password 22").status()).isEqualTo(204);
            assertThat(use(server, older, "older link password 333").status()).isIn(400, 403, 404, 410);
            assertThat(accounts.login("second@people.test", "second new password 22").status()).isEqualTo(204);

            // A third, removed after the link was issued.
            accounts.member((String) a.get("workspaceId"), ownerA, "third@people.test", "viewer");
            String third = userId(accounts, ownerA, a.get("workspaceId"), "third@people.test");
            String link = resetLink(accounts, ownerA, a.get("workspaceId"), third);
            assertThat(accounts.as(ownerA, "DELETE", "/v1/workspaces/" + a.get("workspaceId") + "/members/" + third, null).status())
                    .isEqualTo(204);
            assertThat(use(server, link, "third new password 4444").status()).isEqualTo(403);
        }
    }
}
