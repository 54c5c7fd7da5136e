package io.ringpool.account;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.store.Database;
import io.ringpool.store.StorageJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Workspaces, the sites they hold, memberships and one-time links in the database. */
public final class WorkspaceStore {
    private static final String MEMBERSHIP_SELECT = "SELECT m.workspace_id, w.name, m.user_id, m.role, m.sites_json "
            + "FROM memberships m JOIN workspaces w ON w.workspace_id = m.workspace_id ";
    private static final String LINK_COLUMNS = "link_id, kind, workspace_id, email, name, role, sites_json, user_id, created_by, "
            + "created_at, expires_at, used_at";

    private final Database db;

    public WorkspaceStore(Database db) {
        this.db = db;
    }

    /** A new workspace with the invitation of its first owner, in one transaction. */
    public void insert(Workspace w, AccountLink ownerInvite, String tokenHash) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO workspaces(workspace_id, name, created_at) VALUES (?,?,?)")) {
                ps.setString(1, w.workspaceId());
                ps.setString(2, w.name());
                ps.setLong(3, w.createdAt().toEpochMilli());
                ps.executeUpdate();
            }
            insertLink(c, ownerInvite, tokenHash);
            return null;
        });
    }

    public Optional<Workspace> byId(String workspaceId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT workspace_id, name, created_at FROM workspaces WHERE workspace_id = ?")) {
                ps.setString(1, workspaceId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Workspace(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))))
                            : Optional.<Workspace>empty();
                }
            }
        });
    }

    public List<Workspace> all() {
        return db.read(c -> {
            List<Workspace> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT workspace_id, name, created_at FROM workspaces ORDER BY created_at");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Workspace(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))));
                }
            }
            return out;
        });
    }

    public void addSite(String workspaceId, String siteId) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO workspace_sites(site_id, workspace_id) VALUES (?,?)")) {
                ps.setString(1, siteId);
                ps.setString(2, workspaceId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Optional<String> workspaceOfSite(String siteId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT workspace_id FROM workspace_sites WHERE site_id = ?")) {
                ps.setString(1, siteId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    public List<String> sitesOf(String workspaceId) {
        return db.read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT site_id FROM workspace_sites WHERE workspace_id = ? ORDER BY site_id")) {
                ps.setString(1, workspaceId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    public List<Membership> membershipsOf(String userId) {
        return memberships("WHERE m.user_id = ? ORDER BY w.created_at", userId);
    }

    public List<Membership> members(String workspaceId) {
        return memberships("WHERE m.workspace_id = ? ORDER BY m.created_at", workspaceId);
    }

    public Optional<Membership> membership(String workspaceId, String userId) {
        return memberships("WHERE m.workspace_id = ? AND m.user_id = ?", workspaceId, userId).stream().findFirst();
    }

    /** The user's membership in the workspace that holds {@code siteId}, whether or not it covers the site. */
    public Optional<Membership> membershipForSite(String userId, String siteId) {
        return memberships("JOIN workspace_sites s ON s.workspace_id = m.workspace_id WHERE m.user_id = ? AND s.site_id = ?",
                userId, siteId).stream().findFirst();
    }

    private List<Membership> memberships(String where, String... keys) {
        return db.read(c -> {
            List<Membership> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(MEMBERSHIP_SELECT + where)) {
                for (int i = 0; i < keys.length; i++) {
                    ps.setString(i + 1, keys[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Membership(rs.getString(1), rs.getString(2), rs.getString(3), Role.valueOf(rs.getString(4)),
                                sites(rs.getString(5))));
                    }
                }
            }
            return out;
        });
    }

    /** What became of a change or removal of a member. */
    public enum MemberChange { DONE, NO_MEMBER, LAST_OWNER }

    /** A change or removal's outcome, and the pending invitations the member had issued that it withdrew. */
    public record MemberChanged(MemberChange outcome, List<AccountLink> withdrawnInvites) {
        static MemberChanged of(MemberChange outcome) {
            return new MemberChanged(outcome, List.of());
        }
    }

    /**
     * Changes an existing membership's role and sites, and withdraws the person's pending
     * invitations to the workspace (an unused second link must not restore the old role). Never
     * inserts: a change racing a removal must not bring the member back ({@code NO_MEMBER}). An
     * owner made anything else needs another owner to remain ({@code LAST_OWNER}, nothing changed),
     * counted under the workspace's lock ({@link #holdWorkspace}). With {@code endIssuedInvites}
     * (the member may no longer invite) the invitations they issued are withdrawn in the same
     * transaction, so none of them can be accepted after the change.
     */
    public MemberChanged updateMembership(Membership m, String email, boolean endIssuedInvites, Instant now) {
        return db.inTransaction(c -> {
            holdWorkspace(c, m.workspaceId());
            Role before = role(c, m.workspaceId(), m.userId());
            if (before == null) {
                return MemberChanged.of(MemberChange.NO_MEMBER);
            }
            if (before == Role.OWNER && m.role() != Role.OWNER && !anotherOwner(c, m.workspaceId(), m.userId())) {
                return MemberChanged.of(MemberChange.LAST_OWNER);
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE memberships SET role = ?, sites_json = ? WHERE workspace_id = ? AND user_id = ?")) {
                ps.setString(1, m.role().name());
                ps.setString(2, m.sites() == null ? null : StorageJson.write(m.sites()));
                ps.setString(3, m.workspaceId());
                ps.setString(4, m.userId());
                ps.executeUpdate();
            }
            withdrawInvitesOf(c, m.workspaceId(), email, now);
            return new MemberChanged(MemberChange.DONE, endIssuedInvites ? withdrawInvitesIssuedBy(c, m.workspaceId(), email, now) : List.of());
        });
    }

    /**
     * Removes the membership and withdraws the person's pending invitations to the workspace (an
     * unused link must not re-admit them); an owner only while another owner remains, counted
     * under the workspace's lock ({@code LAST_OWNER}, nothing changed). The invitations the person
     * issued are withdrawn too (audit AN4 F16: a removed owner's invitation of another address of
     * theirs brought them back as owner).
     */
    public MemberChanged removeMembership(String workspaceId, String userId, String email, Instant now) {
        return db.inTransaction(c -> {
            holdWorkspace(c, workspaceId);
            Role before = role(c, workspaceId, userId);
            if (before == Role.OWNER && !anotherOwner(c, workspaceId, userId)) {
                return MemberChanged.of(MemberChange.LAST_OWNER);
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?")) {
                ps.setString(1, workspaceId);
                ps.setString(2, userId);
                ps.executeUpdate();
            }
            withdrawInvitesOf(c, workspaceId, email, now);
            if (before == null) {
                return MemberChanged.of(MemberChange.NO_MEMBER);
            }
            return new MemberChanged(MemberChange.DONE, withdrawInvitesIssuedBy(c, workspaceId, email, now));
        });
    }

    /**
     * Withdraws the workspace's pending invitations issued by {@code issuer} (an invitation records
     * its issuer's label, a person's e-mail), and returns those this call withdrew: one accepted
     * meanwhile is used, not withdrawn, and is left out.
     */
    private List<AccountLink> withdrawInvitesIssuedBy(Connection c, String workspaceId, String issuer, Instant now) throws SQLException {
        List<AccountLink> pending = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + LINK_COLUMNS + " FROM account_links "
                + "WHERE workspace_id = ? AND kind = 'INVITE' AND created_by = ? AND used_at IS NULL AND expires_at > ? ORDER BY created_at")) {
            ps.setString(1, workspaceId);
            ps.setString(2, issuer);
            ps.setLong(3, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pending.add(link(rs));
                }
            }
        }
        List<AccountLink> withdrawn = new ArrayList<>();
        for (AccountLink l : pending) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE account_links SET used_at = ? WHERE link_id = ? AND used_at IS NULL")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, l.linkId());
                if (ps.executeUpdate() == 1) {
                    withdrawn.add(l);
                }
            }
        }
        return withdrawn;
    }

    /**
     * Locks the workspace's row until the transaction ends. "Another owner remains, so this one may
     * go" holds only when such changes of one workspace take turns: under READ COMMITTED, H2's and
     * PostgreSQL's default, two owners demoting or removing each other at once both counted the
     * other and the workspace was left with none (audit AG2 #3). After the lock each statement sees
     * what the previous holder committed. The lock is in the store, so it holds across nodes;
     * other workspaces are not held up.
     */
    private static void holdWorkspace(Connection c, String workspaceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT workspace_id FROM workspaces WHERE workspace_id = ? FOR UPDATE")) {
            ps.setString(1, workspaceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
    }

    /** The member's role as committed now, or null when they are not a member. */
    private static Role role(Connection c, String workspaceId, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT role FROM memberships WHERE workspace_id = ? AND user_id = ?")) {
            ps.setString(1, workspaceId);
            ps.setString(2, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Role.valueOf(rs.getString(1)) : null;
            }
        }
    }

    private static boolean anotherOwner(Connection c, String workspaceId, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM memberships WHERE workspace_id = ? AND role = 'OWNER' AND user_id <> ?")) {
            ps.setString(1, workspaceId);
            ps.setString(2, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Marks every unused invitation of {@code email} to the workspace used (the way a withdrawal does). */
    private static void withdrawInvitesOf(Connection c, String workspaceId, String email, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE account_links SET used_at = ? "
                + "WHERE workspace_id = ? AND kind = 'INVITE' AND email = ? AND used_at IS NULL")) {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, workspaceId);
            ps.setString(3, email);
            ps.executeUpdate();
        }
    }

    public void insertLink(AccountLink link, String tokenHash) {
        db.inTransaction(c -> {
            insertLink(c, link, tokenHash);
            return null;
        });
    }

    private static void insertLink(Connection c, AccountLink l, String tokenHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO account_links(" + LINK_COLUMNS + ", token_hash) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, l.linkId());
            ps.setString(2, l.kind().name());
            ps.setString(3, l.workspaceId());
            ps.setString(4, l.email());
            ps.setString(5, l.name());
            ps.setString(6, l.role() == null ? null : l.role().name());
            ps.setString(7, l.sites() == null ? null : StorageJson.write(l.sites()));
            ps.setString(8, l.userId());
            ps.setString(9, l.createdBy());
            ps.setLong(10, l.createdAt().toEpochMilli());
            ps.setLong(11, l.expiresAt().toEpochMilli());
            ps.setNull(12, java.sql.Types.BIGINT);
            ps.setString(13, tokenHash);
            ps.executeUpdate();
        }
    }

    public Optional<AccountLink> linkByTokenHash(String tokenHash) {
        return links("WHERE token_hash = ?", tokenHash).stream().findFirst();
    }

    /** Invitations of the workspace not yet used and not past {@code now}. */
    public List<AccountLink> pendingInvites(String workspaceId, Instant now) {
        return links("WHERE workspace_id = ? AND kind = 'INVITE' AND used_at IS NULL AND expires_at > " + now.toEpochMilli()
                + " ORDER BY created_at", workspaceId);
    }

    private List<AccountLink> links(String where, String key) {
        return db.read(c -> {
            List<AccountLink> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + LINK_COLUMNS + " FROM account_links " + where)) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(link(rs));
                    }
                }
            }
            return out;
        });
    }

    /** A link from a row of {@link #LINK_COLUMNS}. */
    private static AccountLink link(ResultSet rs) throws SQLException {
        String role = rs.getString(6);
        long used = rs.getLong(12);
        boolean unused = rs.wasNull();
        return new AccountLink(rs.getString(1), AccountLink.Kind.valueOf(rs.getString(2)), rs.getString(3),
                rs.getString(4), rs.getString(5), role == null ? null : Role.valueOf(role), sites(rs.getString(7)),
                rs.getString(8), rs.getString(9), Instant.ofEpochMilli(rs.getLong(10)), Instant.ofEpochMilli(rs.getLong(11)),
                unused ? null : Instant.ofEpochMilli(used));
    }

    /** What became of an invitation's use. */
    public enum Joined { JOINED, LINK_USED, ALREADY_MEMBER }

    /**
     * Marks the invitation used and, in the same transaction, adds the membership it grants and
     * withdraws the person's other pending invitations to the workspace (a "resend" leaves two; the
     * second must not be left to restore a role or a removed member later). Nothing changes when
     * the link was used meanwhile (a link works once even under a race) or the person is already a
     * member: an invitation adds people, it never overwrites a member's role.
     */
    public Joined join(String linkId, Membership grants, String email, Instant now) {
        return db.inTransaction(c -> {
            // The link first, so that of racing uses of one link all but the winner hear it was used.
            try (PreparedStatement ps = c.prepareStatement("UPDATE account_links SET used_at = ? WHERE link_id = ? AND used_at IS NULL")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, linkId);
                if (ps.executeUpdate() != 1) {
                    return Joined.LINK_USED;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM memberships WHERE workspace_id = ? AND user_id = ?")) {
                ps.setString(1, grants.workspaceId());
                ps.setString(2, grants.userId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        // Refused, not spent: this transaction set used_at a moment ago and holds the row.
                        try (PreparedStatement undo = c.prepareStatement("UPDATE account_links SET used_at = NULL WHERE link_id = ?")) {
                            undo.setString(1, linkId);
                            undo.executeUpdate();
                        }
                        return Joined.ALREADY_MEMBER;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO memberships(workspace_id, user_id, role, sites_json, created_at) VALUES (?,?,?,?,?)")) {
                ps.setString(1, grants.workspaceId());
                ps.setString(2, grants.userId());
                ps.setString(3, grants.role().name());
                ps.setString(4, grants.sites() == null ? null : StorageJson.write(grants.sites()));
                ps.setLong(5, now.toEpochMilli());
                ps.executeUpdate();
            }
            withdrawInvitesOf(c, grants.workspaceId(), email, now);
            return Joined.JOINED;
        });
    }

    /**
     * Marks a reset link used and, in the same transaction, every other unused reset link of the
     * same person: after a new password an older link must not set another (audit K #6). False
     * when someone used the link meanwhile.
     */
    public boolean useResetLink(String linkId, String userId, Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE account_links SET used_at = ? WHERE link_id = ? AND used_at IS NULL")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, linkId);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE account_links SET used_at = ? WHERE kind = 'RESET' AND user_id = ? AND used_at IS NULL")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, userId);
                ps.executeUpdate();
            }
            return true;
        });
    }

    /** Withdraws an unused invitation of the workspace; false when there is none. */
    public boolean withdrawInvite(String workspaceId, String linkId, Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE account_links SET used_at = ? "
                    + "WHERE link_id = ? AND workspace_id = ? AND kind = 'INVITE' AND used_at IS NULL")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, linkId);
                ps.setString(3, workspaceId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static List<String> sites(String json) {
        if (json == null) {
            return null;
        }
        JsonNode n = StorageJson.read(json);
        List<String> out = new ArrayList<>();
        n.forEach(s -> out.add(s.asText()));
        return List.copyOf(out);
    }
}
