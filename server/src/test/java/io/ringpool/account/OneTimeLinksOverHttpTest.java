package io.ringpool.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invitation and reset links judged when they are used, not only when they were issued (audit K
 * #1, #3, #6), over real HTTP on a real H2 store.
 */
class OneTimeLinksOverHttpTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static TestAccounts accounts;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
        accounts = new TestAccounts(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * Audit K #1: an owner issued a reset link while the person was only in the owner's workspace,
     * kept it, and used it after the person had become the owner of another agency: the account,
     * and that agency with it, were the first owner's.
     */
    @Test
    void aResetLinkKeptUntilThePersonJoinsAnotherAgencyNoLongerWorks() {
        Map<String, Object> first = accounts.ownedWorkspace("Keeper agency", "keeper@links.test");
        String firstId = (String) first.get("workspaceId");
        TestAccounts.Person keeper = (TestAccounts.Person) first.get("owner");
        TestAccounts.Person target = accounts.member(firstId, keeper, "target@links.test", "viewer");
        String targetId = userId(target);
        String kept = resetLink(keeper, firstId, targetId);

        Map<String, String> victim = accounts.workspace("Victim agency", "target@links.test");
        assertThat(accounts.accept(victim.get("ownerInvite"), TestAccounts.PASSWORD).status()).isEqualTo(201);
        assertThat(accounts.as(keeper, "POST", "/v1/workspaces/" + firstId + "/members/" + targetId + "/password-reset", null)
                .status()).as("a new link is refused").isEqualTo(403);

        TestServer.Reply used = redeem(kept, "taken over at last");
        assertThat(used.status()).isEqualTo(403);
        assertThat(used.errorCode()).isEqualTo("link_no_longer_valid");
        assertThat(used.json().path("error").path("message").asText()).contains("no longer applies");
        assertThat(accounts.login("target@links.test", "taken over at last").status()).isEqualTo(401);
        assertThat(accounts.login("target@links.test", TestAccounts.PASSWORD).status()).isEqualTo(204);
    }

    @Test
    void aResetLinkOfSomeoneRemovedFromTheWorkspaceNoLongerWorks() {
        Map<String, Object> ws = accounts.ownedWorkspace("Removing agency", "remover@links.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        TestAccounts.Person leaver = accounts.member(wsId, owner, "leaver@links.test", "analyst");
        String leaverId = userId(leaver);
        String link = resetLink(owner, wsId, leaverId);
        assertThat(accounts.as(owner, "DELETE", "/v1/workspaces/" + wsId + "/members/" + leaverId, null).status()).isEqualTo(204);

        assertThat(redeem(link, "set by a former owner").errorCode()).isEqualTo("link_no_longer_valid");
        assertThat(accounts.login("leaver@links.test", TestAccounts.PASSWORD).status()).isEqualTo(204);
    }

    @Test
    void aResetLinkOfAnOwnerWhoLostTheWorkspaceNoLongerWorks() {
        Map<String, Object> ws = accounts.ownedWorkspace("Demoted agency", "first-owner@links.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person first = (TestAccounts.Person) ws.get("owner");
        TestAccounts.Person second = accounts.member(wsId, first, "second-owner@links.test", "owner");
        TestAccounts.Person staff = accounts.member(wsId, first, "staff@links.test", "viewer");
        String link = resetLink(first, wsId, userId(staff));
        assertThat(accounts.as(second, "PATCH", "/v1/workspaces/" + wsId + "/members/" + userId(first), Map.of("role", "viewer"))
                .status()).isEqualTo(200);

        assertThat(redeem(link, "set by a demoted owner").errorCode()).isEqualTo("link_no_longer_valid");
    }

    @Test
    void aResetLinkStillWorksWhileNothingChangedAndTheOperatorsAlways() {
        Map<String, Object> ws = accounts.ownedWorkspace("Steady agency", "steady@links.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        String personId = userId(accounts.member(wsId, owner, "steady-staff@links.test", "viewer"));
        assertThat(redeem(resetLink(owner, wsId, personId), "an owner's new secret").status()).isEqualTo(204);

        TestServer.Reply byOperator = server.post("/v1/workspaces/" + wsId + "/members/" + personId + "/password-reset",
                TestServer.ADMIN_KEY, null);
        Map<String, String> other = accounts.workspace("Elsewhere agency", "steady-staff@links.test");
        assertThat(accounts.accept(other.get("ownerInvite"), "an owner's new secret").status()).isEqualTo(201);
        assertThat(redeem(byOperator.text("resetUrl"), "the operator's new secret").status()).as("the operator may reset anyone")
                .isEqualTo(204);
    }

    /** Audit K #6: two links issued, the newer one used; the older one set the password once more. */
    @Test
    void anOlderResetLinkStopsWorkingOnceThePasswordWasChanged() {
        Map<String, Object> ws = accounts.ownedWorkspace("Twice agency", "twice@links.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        String personId = userId(accounts.member(wsId, owner, "twice-staff@links.test", "viewer"));
        String older = resetLink(owner, wsId, personId);
        String newer = resetLink(owner, wsId, personId);

        assertThat(redeem(newer, "the newest secret").status()).isEqualTo(204);
        TestServer.Reply stale = redeem(older, "a stale link's secret");
        assertThat(stale.status()).isEqualTo(404);
        assertThat(stale.errorCode()).isEqualTo("link_invalid");
        assertThat(accounts.login("twice-staff@links.test", "the newest secret").status()).isEqualTo(204);
    }

    /**
     * Audit K #3: "resend" makes a second invitation; Bob accepted the first, was demoted to viewer,
     * then accepted the second and was a manager of every site again.
     */
    @Test
    void aSecondInvitationLeftUnusedCannotUndoADemotion() {
        Map<String, Object> ws = accounts.ownedWorkspace("Resending agency", "resender@links.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        String first = invite(owner, wsId, "bob@links.test", "manager");
        String second = invite(owner, wsId, "bob@links.test", "manager");
        assertThat(accounts.accept(first, TestAccounts.PASSWORD).status()).isEqualTo(201);
        assertThat(accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/members", null).json().get("invites"))
                .as("joining spends the person's other invitations").isEmpty();
        TestAccounts.Person bob = accounts.signIn("bob@links.test", TestAccounts.PASSWORD);
        assertThat(accounts.as(owner, "PATCH", "/v1/workspaces/" + wsId + "/members/" + userId(bob), Map.of("role", "viewer")).status())
                .isEqualTo(200);

        TestServer.Reply leftover = accounts.accept(second, TestAccounts.PASSWORD);
        assertThat(leftover.status()).isEqualTo(404);
        assertThat(leftover.errorCode()).isEqualTo("link_invalid");
        assertThat(accounts.as(bob, "GET", "/v1/me", null).json().get("workspaces").get(0).get("role").asText()).isEqualTo("viewer");
    }

    /** Audit K #3: Carol, removed, accepted her second invitation and read the call log again. */
    @Test
    void aSecondInvitationLeftUnusedCannotUndoARemoval() {
        Map<String, Object> ws = accounts.ownedWorkspace("Removing twice agency", "remover-twice@links.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        String first = invite(owner, wsId, "carol@links.test", "analyst");
        String second = invite(owner, wsId, "carol@links.test", "analyst");
        assertThat(accounts.accept(first, TestAccounts.PASSWORD).status()).isEqualTo(201);
        TestAccounts.Person carol = accounts.signIn("carol@links.test", TestAccounts.PASSWORD);
        assertThat(accounts.as(owner, "DELETE", "/v1/workspaces/" + wsId + "/members/" + userId(carol), null).status()).isEqualTo(204);

        assertThat(accounts.accept(second, TestAccounts.PASSWORD).errorCode()).isEqualTo("link_invalid");
        assertThat(accounts.as(carol, "GET", "/v1/me", null).json().get("workspaces")).isEmpty();
        assertThat(accounts.as(owner, "GET", "/v1/workspaces/" + wsId + "/members", null).json().get("members")).hasSize(1);
    }

    @Test
    void aRemovedMemberCanBeInvitedAgainAndJoinsWithTheNewRole() {
        Map<String, Object> ws = accounts.ownedWorkspace("Returning agency", "returns@links.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        TestAccounts.Person dave = accounts.member(wsId, owner, "dave@links.test", "manager");
        assertThat(accounts.as(owner, "DELETE", "/v1/workspaces/" + wsId + "/members/" + userId(dave), null).status()).isEqualTo(204);
        TestServer.Reply back = accounts.accept(invite(owner, wsId, "dave@links.test", "viewer"), TestAccounts.PASSWORD);
        assertThat(back.status()).isEqualTo(201);
        assertThat(back.text("role")).isEqualTo("viewer");
    }

    private static String invite(TestAccounts.Person owner, String workspaceId, String email, String role) {
        TestServer.Reply r = accounts.as(owner, "POST", "/v1/workspaces/" + workspaceId + "/invites", Map.of("email", email, "role", role));
        assertThat(r.status()).isEqualTo(201);
        return r.text("inviteUrl");
    }

    /**
     * Audit AB1 #11: an unknown link answered an empty form with "password required" (422), and only
     * the filled-in form learned that the link could never work. The link is judged first.
     */
    @Test
    void anUnknownLinkIsNotFoundBeforeItsFormIsJudged() {
        for (String path : new String[] {"/v1/invites/not-a-real-link", "/v1/password-resets/not-a-real-link"}) {
            TestServer.Reply empty = server.post(path, null, Map.of());
            assertThat(empty.status()).as(path).isEqualTo(404);
            assertThat(empty.errorCode()).as(path).isEqualTo("link_invalid");
        }
        Map<String, String> ws = accounts.workspace("Form agency", "form-owner@links.test");
        TestServer.Reply emptyForm = server.post("/v1/invites/" + TestAccounts.token(ws.get("ownerInvite")), null, Map.of());
        assertThat(emptyForm.status()).as("a live link's form is still judged").isEqualTo(422);
        assertThat(emptyForm.json().path("error").path("field").asText()).isEqualTo("password");
        assertThat(accounts.accept(ws.get("ownerInvite"), TestAccounts.PASSWORD).status()).isEqualTo(201);
    }

    private static String userId(TestAccounts.Person p) {
        return accounts.as(p, "GET", "/v1/me", null).text("userId");
    }

    private static String resetLink(TestAccounts.Person owner, String workspaceId, String userId) {
        TestServer.Reply issued = accounts.as(owner, "POST", "/v1/workspaces/" + workspaceId + "/members/" + userId + "/password-reset",
                null);
        assertThat(issued.status()).isEqualTo(201);
        return issued.text("resetUrl");
    }

    private static TestServer.Reply redeem(String link, String password) {
        return server.post("/v1/password-resets/" + TestAccounts.token(link), null, Map.of("password", password));
    }
}
