package io.ringpool.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestDomain;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Joining by invitation in the store (audit K #3). Over HTTP a member can no longer hold a pending
 * invitation (joining, a role change and a removal withdraw them), so an invitation left from
 * before that, or one racing a join, is put here directly.
 */
class WorkspaceStoreJoinTest {
    @TempDir
    Path dir;

    TestDomain domain;
    WorkspaceStore store;
    UserStore users;
    final Instant now = Instant.parse("2026-12-01T10:00:00Z");

    @BeforeEach
    void open() {
        domain = new TestDomain(dir);
        store = new WorkspaceStore(domain.db());
        users = new UserStore(domain.db());
        store.insert(new Workspace("ws_1", "Agency", now), invite("in_owner", "owner@store.test", Role.OWNER), "hash-owner");
        users.insert(new User("us_bob", "bob@store.test", "Bob", "not-a-real-hash", now));
    }

    @AfterEach
    void close() {
        domain.close();
    }

    @Test
    void anInvitationOfSomeoneAlreadyAMemberIsRefusedAndLeavesTheirRoleAndTheLinkAsTheyWere() {
        store.insertLink(invite("in_first", "bob@store.test", Role.VIEWER), "hash-first");
        assertThat(store.join("in_first", membership(Role.VIEWER), "bob@store.test", now)).isEqualTo(WorkspaceStore.Joined.JOINED);
        // Issued before invitations were withdrawn on joining: left pending.
        store.insertLink(invite("in_leftover", "bob@store.test", Role.MANAGER), "hash-leftover");

        assertThat(store.join("in_leftover", membership(Role.MANAGER), "bob@store.test", now))
                .isEqualTo(WorkspaceStore.Joined.ALREADY_MEMBER);
        assertThat(store.membership("ws_1", "us_bob").orElseThrow().role()).isEqualTo(Role.VIEWER);
        assertThat(store.linkByTokenHash("hash-leftover").orElseThrow().usedAt()).as("refused, not spent").isNull();
    }

    @Test
    void joiningSpendsThePersonsOtherInvitationsToTheWorkspaceAndNoOneElses() {
        store.insertLink(invite("in_a", "bob@store.test", Role.VIEWER), "hash-a");
        store.insertLink(invite("in_b", "bob@store.test", Role.MANAGER), "hash-b");
        store.insertLink(invite("in_c", "carol@store.test", Role.VIEWER), "hash-c");

        assertThat(store.join("in_a", membership(Role.VIEWER), "bob@store.test", now)).isEqualTo(WorkspaceStore.Joined.JOINED);
        assertThat(store.join("in_a", membership(Role.VIEWER), "bob@store.test", now)).isEqualTo(WorkspaceStore.Joined.LINK_USED);
        assertThat(store.linkByTokenHash("hash-b").orElseThrow().usedAt()).isEqualTo(now);
        assertThat(store.linkByTokenHash("hash-c").orElseThrow().usedAt()).isNull();
    }

    private Membership membership(Role role) {
        return new Membership("ws_1", null, "us_bob", role, null);
    }

    private AccountLink invite(String id, String email, Role role) {
        return new AccountLink(id, AccountLink.Kind.INVITE, "ws_1", email, null, role, null, null, "test", now,
                now.plusSeconds(3600), null);
    }
}
