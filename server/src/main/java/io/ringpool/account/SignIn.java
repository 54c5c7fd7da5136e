package io.ringpool.account;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.failure.DomainFailure;
import io.ringpool.site.Keys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in and out with an e-mail and a password, and the sessions that result.
 *
 * <p>A session lives at most {@link #LIFETIME} and ends after {@link #IDLE} without a request;
 * it ends at once when revoked (sign-out, the person's own revocation, a password reset or change).
 * Every request reads the session from the store, so a revocation on one node holds on all of them.
 * One person holds at most {@link #MAX_SESSIONS}: a new sign-in ends the oldest beyond that.
 */
public final class SignIn {
    private static final Logger LOG = LoggerFactory.getLogger(SignIn.class);

    /** Longest a sign-in lasts: a working week, then the password again. */
    public static final Duration LIFETIME = Duration.ofDays(7);
    /** A session unused this long has ended (a laptop left signed in overnight and longer). */
    public static final Duration IDLE = Duration.ofHours(12);
    /** How stale last-seen may get before a request writes it: one write a minute per session, not one per request. */
    static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
    /** Failed sign-ins of one account within {@link #THROTTLE_WINDOW} before it is refused for the rest of the window. */
    static final int ACCOUNT_FAILURES = 5;
    /** Failed sign-ins from one address within {@link #THROTTLE_WINDOW} (an office shares an address, so more). */
    static final int ADDRESS_FAILURES = 20;
    static final Duration THROTTLE_WINDOW = Duration.ofMinutes(15);
    /**
     * Live sessions one person may hold; a new sign-in ends the oldest beyond this. A few devices and
     * browsers each, with room to spare; a script that signs in on every run would otherwise keep a
     * week of sessions, all listed by {@code GET /v1/me/sessions} (audit AG2 #6).
     */
    public static final int MAX_SESSIONS = 20;

    /** A new sign-in: the cookie's token (shown only now) and the session. */
    public record Started(String token, UserSession session, User user) {}

    private final UserStore users;
    private final PasswordHasher hasher;
    private final Clock clock;
    private final SignInThrottle perAccount;
    private final SignInThrottle perAddress;
    /** The (account, address) pairs that failed this window: only they are refused once the account's allowance is spent. */
    private final SignInThrottle failedHere;
    private final Counter succeeded;
    private final Counter failed;
    private final Counter throttled;

    public SignIn(UserStore users, PasswordHasher hasher, Clock clock, MeterRegistry registry) {
        this.users = users;
        this.hasher = hasher;
        this.clock = clock;
        this.perAccount = new SignInThrottle(clock, ACCOUNT_FAILURES, THROTTLE_WINDOW.toMillis());
        this.perAddress = new SignInThrottle(clock, ADDRESS_FAILURES, THROTTLE_WINDOW.toMillis());
        this.failedHere = new SignInThrottle(clock, 1, THROTTLE_WINDOW.toMillis());
        this.succeeded = Counter.builder("ringpool.signins").tag("outcome", "success").register(registry);
        this.failed = Counter.builder("ringpool.signins").tag("outcome", "failed").register(registry);
        this.throttled = Counter.builder("ringpool.signins").tag("outcome", "throttled").register(registry);
    }

    /**
     * Checks the password and starts a session.
     *
     * @throws DomainFailure {@code invalid_credentials} (the same answer, after the same work, for an unknown e-mail and a
     *                       wrong password); {@code too_many_attempts} when the account or the address is throttled
     */
    public Started login(String email, String password, String address, String userAgent) {
        return start(checkPassword(email, password, address), address, userAgent);
    }

    /**
     * The person whose e-mail and password these are, under the sign-in limits: every route that
     * takes a person's password (sign-in, and accepting an invitation as an existing account)
     * counts against the same per-account and per-address allowances. An owner could otherwise
     * invite another agency's person and guess their password at the invitation without limit
     * (audit K #2).
     *
     * @throws DomainFailure {@code invalid_credentials} (the same answer, after the same work, for an unknown e-mail and a
     *                       wrong password); {@code too_many_attempts} when the account or the address is throttled
     */
    public User checkPassword(String email, String password, String address) {
        return verified(email, password, address).orElseThrow(AccountFailures::wrongCredentials);
    }

    /**
     * The signed-in person's own password change: the current password is checked under the
     * sign-in limits (a stolen session must not become a way to guess it without limit), the new
     * one under the rules of every other password, and then every other session of the person
     * ends; this one stays, so the browser that made the change stays signed in.
     *
     * @throws DomainFailure 422 naming {@code password} for a new password the rules refuse (before the current one is
     *                       checked, so a typo costs no attempt); 403 {@code wrong_password} naming {@code currentPassword};
     *                       {@code too_many_attempts} when the account or the address is throttled
     */
    public void changePassword(Caller.Member me, String currentPassword, String newPassword, String address) {
        String chosen = Workspaces.password(newPassword);
        verified(me.user().email(), currentPassword, address).orElseThrow(AccountFailures::wrongCurrentPassword);
        users.changePasswordKeeping(me.user().userId(), hasher.hash(chosen), me.session().sessionId(), clock.instant());
        LOG.info("password_changed user={}", me.user().userId());
    }

    /** The person, if the password is theirs; a failure is counted against the account and the address. */
    private Optional<User> verified(String email, String password, String address) {
        String account = "account:" + normaliseEmail(email);
        String from = "address:" + (address == null ? "" : address);
        String pair = account + '\n' + from;
        // An account whose allowance is spent refuses the addresses that spent it, not one that has
        // not failed for it this window: five wrong passwords from a stranger's address locked the
        // person out everywhere, right password too (audit AM2 F9). A guesser spraying addresses
        // gets one guess per fresh address per window once the allowance is spent.
        long accountWait = failedHere.retryAfterSeconds(pair) > 0 ? perAccount.retryAfterSeconds(account) : 0;
        long wait = Math.max(accountWait, perAddress.retryAfterSeconds(from));
        if (wait > 0) {
            throttled.increment();
            LOG.info("signin_throttled address={}", address);
            throw AccountFailures.throttled(wait);
        }
        Optional<User> user = users.byEmail(normaliseEmail(email));
        boolean ok;
        if (user.isPresent()) {
            ok = hasher.verify(password, user.get().passwordHash());
        } else {
            hasher.verifyDummy(password);
            ok = false;
        }
        if (!ok) {
            perAccount.fail(account);
            perAddress.fail(from);
            failedHere.fail(pair);
            failed.increment();
            LOG.info("signin_failed address={}", address);
            return Optional.empty();
        }
        perAccount.clear(account);
        failedHere.clear(pair);
        return user;
    }

    private Started start(User user, String address, String userAgent) {
        Instant now = clock.instant();
        String token = Keys.random("", 32);
        UserSession session = new UserSession(Keys.id("ss_"), user.userId(), Keys.random("", 24), now, now, now.plus(LIFETIME), null,
                address, userAgent == null ? null : userAgent.substring(0, Math.min(300, userAgent.length())));
        users.insertSession(session, Keys.sha256Hex(token), MAX_SESSIONS);
        succeeded.increment();
        LOG.info("signin user={}", user.userId());
        return new Started(token, session, user);
    }

    /** The person and session behind a cookie's token, if that session is live; refreshes last-seen now and then. */
    public Optional<Caller.Member> member(String token) {
        if (token == null || token.isEmpty() || token.length() > 100) {
            return Optional.empty();
        }
        Optional<UserSession> found = users.sessionByTokenHash(Keys.sha256Hex(token));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        UserSession s = found.get();
        Instant now = clock.instant();
        if (s.revokedAt() != null || !now.isBefore(s.expiresAt()) || !now.isBefore(s.lastSeenAt().plus(IDLE))) {
            return Optional.empty();
        }
        if (!now.isBefore(s.lastSeenAt().plus(TOUCH_EVERY))) {
            users.touch(s.sessionId(), now);
        }
        return users.byId(s.userId()).map(u -> new Caller.Member(u, s));
    }

    public List<UserSession> sessions(String userId) {
        Instant now = clock.instant();
        return users.liveSessions(userId, now).stream().filter(s -> now.isBefore(s.lastSeenAt().plus(IDLE))).toList();
    }

    /** @throws DomainFailure not_found when the user has no such live session */
    public void revoke(String userId, String sessionId) {
        if (!users.revoke(userId, sessionId, clock.instant())) {
            throw DomainFailure.notFound("session");
        }
    }

    /**
     * Signs the caller out of its own session. Already ended is the same outcome, not an error: the
     * session was valid when the request was let in, so only another sign-out of it (a second tab,
     * a repeated click) can have ended it in between.
     */
    public void signOut(String userId, String sessionId) {
        users.revoke(userId, sessionId, clock.instant());
    }

    static String normaliseEmail(String email) {
        return email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
    }
}
