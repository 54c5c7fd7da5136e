package io.ringpool.account;

import io.ringpool.failure.DomainFailure;
import io.ringpool.site.Keys;
import io.ringpool.site.SiteRegistry;
import io.ringpool.store.ConstraintViolationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Workspaces and their people: creating a workspace with its first owner's invitation, inviting,
 * accepting, changing roles and site lists, removing people, and password resets by one-time link.
 * Links are {@code <publicUrl>/dashboard/#invite=<token>} and {@code …#reset=<token>}: the token
 * travels in the fragment, which browsers never send to a server or put in a Referer.
 */
public final class Workspaces {
    /** An invitation stays valid a week (people are invited by e-mail and read it days later). */
    public static final Duration INVITE_LIFETIME = Duration.ofDays(7);
    /** A reset link stays valid a day. */
    public static final Duration RESET_LIFETIME = Duration.ofHours(24);
    /** Shortest password: NIST SP 800-63B asks at least 8; 10 keeps guessing off a throttled form. */
    public static final int MIN_PASSWORD = 10;
    public static final int MAX_PASSWORD = 200;

    /** A new workspace and its first owner's invitation link. */
    public record Created(Workspace workspace, String ownerInvite) {}

    /** A link shown once. */
    public record IssuedLink(String url, AccountLink link) {}

    /**
     * A member's change: the membership before and after, their e-mail (the audit log names them by
     * it), and the invitations they had issued that the change withdrew.
     */
    public record Changed(Membership before, Membership after, String email, List<AccountLink> withdrawnInvites) {}

    /** A removal: the person's e-mail and the invitations they had issued, withdrawn with them. */
    public record Removed(String email, List<AccountLink> withdrawnInvites) {}

    /** What {@code GET /v1/me} shows of one membership. */
    public record MembershipView(Membership membership, List<String> siteIds) {}

    private final WorkspaceStore store;
    private final UserStore users;
    private final PasswordHasher hasher;
    private final SiteRegistry sites;
    private final Clock clock;
    private final String publicUrl;

    public Workspaces(WorkspaceStore store, UserStore users, PasswordHasher hasher, SiteRegistry sites, Clock clock, String publicUrl) {
        this.store = store;
        this.users = users;
        this.hasher = hasher;
        this.sites = sites;
        this.clock = clock;
        this.publicUrl = publicUrl;
    }

    public Created create(String name, String ownerEmail, String ownerName, Caller by) {
        String workspaceName = required(name, "name");
        String email = email(ownerEmail, "owner.email");
        Instant now = clock.instant();
        Workspace w = new Workspace(Keys.id("ws_"), workspaceName, now);
        String token = Keys.random("", 32);
        AccountLink invite = new AccountLink(Keys.id("in_"), AccountLink.Kind.INVITE, w.workspaceId(), email, ownerName, Role.OWNER, null, null,
                by.label(), now, now.plus(INVITE_LIFETIME), null);
        store.insert(w, invite, Keys.sha256Hex(token));
        return new Created(w, url("invite", token));
    }

    public Optional<Workspace> byId(String workspaceId) {
        return store.byId(workspaceId);
    }

    public List<Workspace> all() {
        return store.all();
    }

    public IssuedLink invite(String workspaceId, String email, String name, Role role, List<String> siteList, Caller by) {
        String address = email(email, "email");
        requireNoSiteListForAnOwner(role, siteList);
        List<String> covered = siteList(workspaceId, siteList);
        Optional<User> existing = users.byEmail(address);
        if (existing.isPresent() && store.membership(workspaceId, existing.get().userId()).isPresent()) {
            throw AccountFailures.emailTaken();
        }
        Instant now = clock.instant();
        String token = Keys.random("", 32);
        AccountLink link = new AccountLink(Keys.id("in_"), AccountLink.Kind.INVITE, workspaceId, address, name, role, covered, null,
                by.label(), now, now.plus(INVITE_LIFETIME), null);
        store.insertLink(link, Keys.sha256Hex(token));
        return new IssuedLink(url("invite", token), link);
    }

    /**
     * Accepts an invitation. A new person chooses a password (and a name); someone who already has
     * an account proves it with their password, and joins the workspace with it.
     *
     * @throws DomainFailure 404 {@code link_invalid} for an unknown, used or expired link; 401 {@code invalid_credentials}
     *                       when an existing account's password does not match; 422 for a weak password
     */
    /** Checks an existing person's password under the sign-in limits ({@link SignIn#checkPassword}). */
    @FunctionalInterface
    public interface PasswordCheck {
        User check(String email, String password);
    }

    /**
     * Refuses an invite or reset link that is unknown, used or expired, so that the HTTP layer can
     * say so before it judges the form: the link is what the person holds, and "password required"
     * about a link that can never work sends them to fill in a form for nothing.
     */
    public void requireUsableLink(String token, AccountLink.Kind kind) {
        usable(token, kind);
    }

    public Membership accept(String token, String password, String name, PasswordCheck existingPassword) {
        AccountLink link = usable(token, AccountLink.Kind.INVITE);
        Optional<User> existing = users.byEmail(link.email());
        User user;
        if (existing.isPresent()) {
            if (password == null) {
                throw AccountFailures.wrongCredentials();
            }
            user = existingPassword.check(link.email(), password);
        } else {
            String chosen = password(password);
            String shown = name != null && !name.isBlank() ? name.strip()
                    : link.name() != null ? link.name() : link.email().substring(0, link.email().indexOf('@'));
            user = new User(Keys.id("us_"), link.email(), shown, hasher.hash(chosen), clock.instant());
            try {
                users.insert(user);
            } catch (ConstraintViolationException madeMeanwhile) {
                // Another acceptance for this e-mail (the same link clicked twice) made the account first. Once more,
                // as the existing person: a used link is link_invalid, and else the password decides, as it would have.
                return accept(token, password, name, existingPassword);
            }
        }
        Membership m = new Membership(link.workspaceId(), null, user.userId(), link.role(), link.sites());
        WorkspaceStore.Joined joined;
        try {
            joined = store.join(link.linkId(), m, link.email(), clock.instant());
        } catch (ConstraintViolationException joinedMeanwhile) {
            // Another invitation of the same person accepted at the same moment made the membership first.
            joined = WorkspaceStore.Joined.ALREADY_MEMBER;
        }
        switch (joined) {
            case LINK_USED -> throw AccountFailures.linkInvalid();
            case ALREADY_MEMBER -> throw AccountFailures.emailTaken();
            case JOINED -> { }
        }
        return store.membership(link.workspaceId(), user.userId()).orElseThrow();
    }

    /** Puts a site into the workspace (a new one, or the operator's existing one). */
    public void addSite(String workspaceId, String siteId) {
        if (store.workspaceOfSite(siteId).isPresent()) {
            throw DomainFailure.conflict("site_in_workspace", "the site already belongs to a workspace", "siteId");
        }
        store.addSite(workspaceId, siteId);
    }

    public List<String> sitesOf(String workspaceId) {
        return store.sitesOf(workspaceId);
    }

    public List<Membership> members(String workspaceId) {
        return store.members(workspaceId);
    }

    public List<AccountLink> pendingInvites(String workspaceId) {
        return store.pendingInvites(workspaceId, clock.instant());
    }

    public Optional<User> user(String userId) {
        return users.byId(userId);
    }

    /** Changes a member's role and/or sites (null keeps them; sites {@code []}… must name the workspace's sites). */
    public Changed change(String workspaceId, String userId, Role role, List<String> siteList, boolean allSites) {
        Membership current = store.membership(workspaceId, userId).orElseThrow(() -> DomainFailure.notFound("member"));
        Role newRole = role == null ? current.role() : role;
        if (current.role() == Role.OWNER && newRole != Role.OWNER) {
            requireAnotherOwner(workspaceId, userId);
        }
        requireNoSiteListForAnOwner(newRole, siteList);
        // An owner sees every site, so one made an owner leaves their site list behind.
        List<String> covered = allSites || newRole == Role.OWNER ? null : siteList == null ? current.sites() : siteList(workspaceId, siteList);
        Membership changed = new Membership(workspaceId, current.workspaceName(), userId, newRole, covered);
        String email = emailOf(userId);
        // One who may no longer invite must not let others in through the invitations they issued (audit AN4 F16).
        WorkspaceStore.MemberChanged done = store.updateMembership(changed, email, !newRole.allows(Permission.USERS), clock.instant());
        switch (done.outcome()) {
            // Removed between the read above and this write (a removal at the same moment): it stays removed.
            case NO_MEMBER -> throw DomainFailure.notFound("member");
            // Another owner left or was demoted at the same moment; the store counted again under the workspace's lock.
            case LAST_OWNER -> throw AccountFailures.lastOwner();
            case DONE -> { }
        }
        return new Changed(current, changed, email, done.withdrawnInvites());
    }

    /**
     * An owner manages the people, the audit log and every password reset of the workspace, so a
     * site list could never hold one: it could widen itself, invite an owner of every site, or reset
     * the password of one (audit AB2 #7). Owners see every site; a limited member is a manager,
     * analyst or viewer.
     */
    private static void requireNoSiteListForAnOwner(Role role, List<String> siteList) {
        if (role == Role.OWNER && siteList != null) {
            throw DomainFailure.invalid("sites", "an owner sees every site of the workspace: give a site list to a manager, "
                    + "analyst or viewer instead");
        }
    }

    /**
     * May {@code userId} do {@code permission} on {@code siteId} now: a membership of the site's
     * workspace whose role allows it and whose site list covers the site, as {@link Authoriser#site} decides.
     */
    public boolean allows(String userId, String siteId, Permission permission) {
        return store.membershipForSite(userId, siteId).filter(m -> m.covers(siteId)).map(m -> m.role().allows(permission)).orElse(false);
    }

    /** Removes the member, and withdraws their pending invitations to it and those they issued. */
    public Removed remove(String workspaceId, String userId) {
        Membership current = store.membership(workspaceId, userId).orElseThrow(() -> DomainFailure.notFound("member"));
        if (current.role() == Role.OWNER) {
            requireAnotherOwner(workspaceId, userId);
        }
        String email = emailOf(userId);
        WorkspaceStore.MemberChanged done = store.removeMembership(workspaceId, userId, email, clock.instant());
        if (done.outcome() == WorkspaceStore.MemberChange.LAST_OWNER) {
            throw AccountFailures.lastOwner(); // the other owner went at the same moment (see change)
        }
        return new Removed(email, done.withdrawnInvites());
    }

    private String emailOf(String userId) {
        return users.byId(userId).map(User::email).orElseThrow(() -> DomainFailure.notFound("member"));
    }

    public void withdrawInvite(String workspaceId, String inviteId) {
        if (!store.withdrawInvite(workspaceId, inviteId, clock.instant())) {
            throw DomainFailure.notFound("invite");
        }
    }

    /**
     * A quick refusal before anything else is checked, so that the answer stays {@code last_owner}
     * whatever else is wrong with the request. It does not decide: the store counts again under
     * the workspace's lock, where two owners going at once take turns.
     */
    private void requireAnotherOwner(String workspaceId, String userId) {
        boolean another = store.members(workspaceId).stream().anyMatch(m -> m.role() == Role.OWNER && !m.userId().equals(userId));
        if (!another) {
            throw AccountFailures.lastOwner();
        }
    }

    /**
     * A password reset link for a member of the workspace. An owner may reset only people whose
     * every membership is in workspaces that owner owns: otherwise an owner could invite the owner
     * of another agency, reset their password and take over that agency too. The operator may reset anyone.
     */
    public IssuedLink issueReset(String workspaceId, String userId, Caller by) {
        store.membership(workspaceId, userId).orElseThrow(() -> DomainFailure.notFound("member"));
        if (by instanceof Caller.Member owner && !owner.user().userId().equals(userId) && !mayReset(owner.user().userId(), userId)) {
            throw new DomainFailure(DomainFailure.Kind.FORBIDDEN, "forbidden",
                    "this person is also in a workspace you do not own; ask the operator to reset their password");
        }
        Instant now = clock.instant();
        String token = Keys.random("", 32);
        AccountLink link = new AccountLink(Keys.id("rs_"), AccountLink.Kind.RESET, workspaceId, null, null, null, null, userId, by.label(),
                now, now.plus(RESET_LIFETIME), null);
        store.insertLink(link, Keys.sha256Hex(token));
        return new IssuedLink(url("reset", token), link);
    }

    /** Whether {@code ownerId} owns every workspace {@code userId} is in (the rule for an owner's reset link). */
    private boolean mayReset(String ownerId, String userId) {
        for (Membership m : store.membershipsOf(userId)) {
            boolean owns = store.membership(m.workspaceId(), ownerId).map(x -> x.role() == Role.OWNER).orElse(false);
            if (!owns) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sets a new password from a reset link; every session of the person ends, and so does every
     * other reset link of theirs. The rule the link was issued under is checked again now: the
     * person may have joined another agency, or left the issuer's workspace, since (audit K #1:
     * a link issued while the person was only in the issuer's workspace took over their account
     * after they became another agency's owner). A link that no longer holds is refused.
     */
    public String resetPassword(String token, String password) {
        AccountLink link = usable(token, AccountLink.Kind.RESET);
        String chosen = password(password);
        if (!stillHolds(link)) {
            throw new DomainFailure(DomainFailure.Kind.FORBIDDEN, "link_no_longer_valid",
                    "this reset link no longer applies: the person's workspaces changed since it was issued; ask for a new one");
        }
        if (!store.useResetLink(link.linkId(), link.userId(), clock.instant())) {
            throw AccountFailures.linkInvalid();
        }
        users.changePassword(link.userId(), hasher.hash(chosen), null, clock.instant());
        return link.userId();
    }

    /**
     * Whether a reset link's issuer may still reset its person: the person is still in the link's
     * workspace, and an owner who issued it (not the operator, not the person themselves) still
     * owns every workspace the person is in.
     */
    private boolean stillHolds(AccountLink link) {
        if (store.membership(link.workspaceId(), link.userId()).isEmpty()) {
            return false;
        }
        Optional<User> issuer = link.createdBy() == null ? Optional.empty() : users.byEmail(link.createdBy());
        if (issuer.isEmpty() || issuer.get().userId().equals(link.userId())) {
            return true; // the operator (its label is no e-mail), or the person's own link
        }
        return mayReset(issuer.get().userId(), link.userId());
    }

    /** The person's memberships with the sites each lets them see. */
    public List<MembershipView> memberships(String userId) {
        List<MembershipView> out = new ArrayList<>();
        for (Membership m : store.membershipsOf(userId)) {
            List<String> ids = store.sitesOf(m.workspaceId()).stream().filter(m::covers).toList();
            out.add(new MembershipView(m, ids));
        }
        return out;
    }

    private AccountLink usable(String token, AccountLink.Kind kind) {
        if (token == null || token.length() > 100) {
            throw AccountFailures.linkInvalid();
        }
        AccountLink link = store.linkByTokenHash(Keys.sha256Hex(token)).orElseThrow(AccountFailures::linkInvalid);
        if (link.kind() != kind || link.usedAt() != null || !clock.instant().isBefore(link.expiresAt())) {
            throw AccountFailures.linkInvalid();
        }
        return link;
    }

    private List<String> siteList(String workspaceId, List<String> given) {
        if (given == null) {
            return null;
        }
        List<String> own = store.sitesOf(workspaceId);
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (int i = 0; i < given.size(); i++) {
            if (!own.contains(given.get(i)) || sites.byId(given.get(i)).isEmpty()) {
                throw DomainFailure.invalid("sites[" + i + "]", "'sites[" + i + "]' is not a site of this workspace");
            }
            out.add(given.get(i));
        }
        return List.copyOf(out);
    }

    private String url(String kind, String token) {
        return publicUrl + "/dashboard/#" + kind + "=" + token;
    }

    /**
     * A new password, exactly as the person typed it (never trimmed or normalised: it is hashed as
     * given, and a sign-in must give it the same way). {@link #MIN_PASSWORD} to {@link #MAX_PASSWORD}
     * characters counted as code points ("😀" is one character, not two UTF-16 units), and not only
     * white space: ten spaces are a slip of the keyboard or a form that sent nothing, not a choice.
     */
    static String password(String password) {
        if (password == null) {
            throw DomainFailure.missing("password");
        }
        int characters = password.codePointCount(0, password.length());
        if (characters < MIN_PASSWORD || characters > MAX_PASSWORD) {
            throw DomainFailure.invalid("password", "'password' must have " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
        }
        if (password.isBlank()) {
            throw DomainFailure.invalid("password", "'password' must not be only spaces");
        }
        return password;
    }

    static String email(String email, String field) {
        if (email == null || email.isBlank()) {
            throw DomainFailure.missing(field);
        }
        String e = SignIn.normaliseEmail(email);
        int at = e.indexOf('@');
        if (e.length() > 254 || at < 1 || at != e.lastIndexOf('@') || at == e.length() - 1 || e.chars().anyMatch(ch -> ch <= ' ')) {
            throw DomainFailure.invalid(field, "'" + field + "' must be an e-mail address");
        }
        return e;
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw DomainFailure.missing(field);
        }
        return value.strip();
    }
}
