package io.ringpool.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit K #2: accepting an invitation as an existing account checks that account's password, and
 * did so without any limit: an owner could invite another agency's person and guess their
 * password at POST /v1/invites/{token} (12 wrong guesses, 12 × 401, then the right one, 201). The
 * invitation now counts against the sign-in allowances, shared with POST /v1/auth/login.
 */
class InvitePasswordGuessingTest {
    @TempDir
    Path dir;

    @Test
    void guessesAtAnInvitationAreLimitedLikeSignInsAndCountTowardsThem() {
        try (TestServer server = new TestServer(dir)) {
            TestAccounts accounts = new TestAccounts(server);
            accounts.ownedWorkspace("Victim agency", "victim@agency-a.test");
            Map<String, Object> attacker = accounts.ownedWorkspace("Attacker agency", "attacker@agency-b.test");
            TestAccounts.Person owner = (TestAccounts.Person) attacker.get("owner");
            TestServer.Reply invite = accounts.as(owner, "POST", "/v1/workspaces/" + attacker.get("workspaceId") + "/invites",
                    Map.of("email", "victim@agency-a.test", "role", "viewer"));
            assertThat(invite.status()).as(invite.body()).isEqualTo(201);

            int refused = 0;
            TestServer.Reply last = null;
            for (int i = 0; i < 12; i++) {
                last = accounts.accept(invite.text("inviteUrl"), "wrong password " + i);
                if (last.status() == 429) {
                    break;
                }
                assertThat(last.status()).as(last.body()).isEqualTo(401);
                refused++;
            }
            assertThat(last.status()).as("the guesses are throttled, as sign-ins are").isEqualTo(429);
            assertThat(refused).isLessThanOrEqualTo(5);
            // The right password is refused too while the account is throttled: the throttle must not say when a guess hit.
            assertThat(accounts.accept(invite.text("inviteUrl"), TestAccounts.PASSWORD).status()).isEqualTo(429);
            assertThat(accounts.login("victim@agency-a.test", TestAccounts.PASSWORD).status())
                    .as("the same allowance as sign-in").isEqualTo(429);
        }
    }
}
