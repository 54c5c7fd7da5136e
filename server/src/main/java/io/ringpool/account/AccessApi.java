package io.ringpool.account;

import io.ringpool.http.Endpoint;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import java.util.function.Predicate;

/**
 * The HTTP side of access control: reads a request's credentials (bearer key, session cookie,
 * {@code X-CSRF-Token}) and guards endpoints with the {@link Authoriser}. Site routes are declared
 * through {@link #site}, so each route's permission is written next to its path and readable
 * from the route table (a test walks it for every role).
 */
public final class AccessApi {
    /** The session cookie's name over plain HTTP (HTTPS uses {@link SessionCookie#HOST_ONLY}). */
    public static final String COOKIE = SessionCookie.PLAIN;
    /** The header that carries the CSRF token on cookie requests that change state. */
    public static final String CSRF_HEADER = "X-CSRF-Token";

    /** An endpoint that runs once the caller may act on the route's {@code {siteId}}. */
    @FunctionalInterface
    public interface SiteEndpoint {
        Response handle(Request request, SiteGrant grant) throws Exception;
    }

    /** An endpoint behind a site permission; {@link #permission()} is what the route requires. */
    public final class Guarded implements Endpoint {
        private final Permission permission;
        private final SiteEndpoint inner;
        private final Predicate<Request> ownCredential;

        private Guarded(Permission permission, SiteEndpoint inner, Predicate<Request> ownCredential) {
            this.permission = permission;
            this.inner = inner;
            this.ownCredential = ownCredential;
        }

        public Permission permission() {
            return permission;
        }

        @Override
        public Response handle(Request request) throws Exception {
            if (ownCredential.test(request)) {
                return inner.handle(request, null);
            }
            return inner.handle(request, authoriser.site(credentials(request), request.pathParam("siteId"), permission));
        }
    }

    private final Authoriser authoriser;
    private final SessionCookie cookie;

    public AccessApi(Authoriser authoriser, SessionCookie cookie) {
        this.authoriser = authoriser;
        this.cookie = cookie;
    }

    /** The session cookie this server sets and reads. */
    public SessionCookie sessionCookie() {
        return cookie;
    }

    /** A site route's endpoint, allowed to callers who hold {@code permission} on its {@code {siteId}}. */
    public Guarded site(Permission permission, SiteEndpoint endpoint) {
        return new Guarded(permission, endpoint, request -> false);
    }

    /**
     * As {@link #site}, except for requests that carry a credential of their own (a signed playback
     * link) and no key or cookie: those reach the endpoint with a null grant, and it checks them.
     */
    public Guarded siteOr(Permission permission, Predicate<Request> ownCredential, SiteEndpoint endpoint) {
        return new Guarded(permission, endpoint,
                request -> request.bearerToken() == null && request.cookies(cookie.name()).isEmpty() && ownCredential.test(request));
    }

    /** The grant of the request's caller on its {@code {siteId}} for {@code permission}, or the refusal. */
    public SiteGrant site(Request request, Permission permission) {
        return authoriser.site(credentials(request), request.pathParam("siteId"), permission);
    }

    public Caller caller(Request request) {
        return authoriser.authenticate(credentials(request));
    }

    public Caller.Operator admin(Request request) {
        return authoriser.admin(credentials(request));
    }

    public Caller.Member member(Request request) {
        return authoriser.member(credentials(request));
    }

    public WorkspaceGrant workspace(Request request, Permission permission) {
        return authoriser.workspace(credentials(request), request.pathParam("workspaceId"), permission);
    }

    /** A bearer key is judged alone; only without one is the session cookie read (and two of them refused). */
    private Credentials credentials(Request request) {
        boolean reads = request.method().equals("GET") || request.method().equals("HEAD");
        String bearer = request.bearerToken();
        return new Credentials(bearer, bearer != null ? null : cookie.token(request), request.header("x-csrf-token"), !reads,
                request.clientIp());
    }
}
