package io.ringpool.account;

import io.ringpool.failure.DomainFailure;

/** The reasons this package refuses, by name (tests assert the code; the http layer maps the kind). */
final class AccountFailures {
    private AccountFailures() {}

    static DomainFailure wrongCredentials() {
        return new DomainFailure(DomainFailure.Kind.UNAUTHENTICATED, "invalid_credentials", "wrong e-mail or password");
    }

    /** Not 401: the caller is signed in, and the dashboard takes a 401 for a session that ended. */
    static DomainFailure wrongCurrentPassword() {
        return new DomainFailure(DomainFailure.Kind.FORBIDDEN, "wrong_password", "the current password is not right", "currentPassword");
    }

    static DomainFailure signedOut() {
        return new DomainFailure(DomainFailure.Kind.UNAUTHENTICATED, "unauthorized",
                "not signed in, or the session has ended: sign in again, or send Authorization: Bearer <key>");
    }

    /** Two session cookies: one was planted by another host of the domain, and which is the person's cannot be told. */
    static DomainFailure twoSessions() {
        return new DomainFailure(DomainFailure.Kind.UNAUTHENTICATED, "unauthorized",
                "the request carries two session cookies (another site of this domain set one): sign in again");
    }

    static DomainFailure csrf() {
        return new DomainFailure(DomainFailure.Kind.FORBIDDEN, "csrf_failed",
                "a request that changes something needs the X-CSRF-Token header with the session's token (from sign-in or GET /v1/me)");
    }

    static DomainFailure replacedKey(Permission permission) {
        return new DomainFailure(DomainFailure.Kind.FORBIDDEN, "forbidden", "this site key was replaced by a rotation: until its overlap"
                + " ends it may read and send data, but not this (" + permission.name().toLowerCase(java.util.Locale.ROOT)
                + "); use the current key", "Authorization");
    }

    static DomainFailure roleForbids(Permission permission) {
        return new DomainFailure(DomainFailure.Kind.FORBIDDEN, "forbidden",
                "your role does not allow this (" + permission.name().toLowerCase(java.util.Locale.ROOT) + ")");
    }

    static DomainFailure userRequired() {
        return new DomainFailure(DomainFailure.Kind.FORBIDDEN, "forbidden", "this needs a signed-in person, not a key");
    }

    static DomainFailure adminRequired() {
        return new DomainFailure(DomainFailure.Kind.FORBIDDEN, "forbidden", "this needs the operator's admin key");
    }

    static DomainFailure throttled(long retryAfterSeconds) {
        return new DomainFailure(DomainFailure.Kind.RATE_LIMITED, "too_many_attempts",
                "too many failed sign-ins; try again later", null, (int) Math.max(1, retryAfterSeconds));
    }

    static DomainFailure linkInvalid() {
        return new DomainFailure(DomainFailure.Kind.NOT_FOUND, "link_invalid", "this link is unknown, used or expired");
    }

    static DomainFailure lastOwner() {
        return DomainFailure.conflict("last_owner", "a workspace keeps at least one owner", "role");
    }

    static DomainFailure emailTaken() {
        return DomainFailure.conflict("already_member", "this person is already in the workspace", "email");
    }
}
