package io.ringpool.account;

import io.ringpool.http.JsonBody;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.SiteRegistry;
import java.text.Collator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Signing in and out, and the person's own view: {@code POST /v1/auth/login}, {@code POST
 * /v1/auth/logout}, {@code GET /v1/me}, {@code GET /v1/me/sessions}, {@code DELETE
 * /v1/me/sessions/{sessionId}}, {@code POST /v1/me/password}.
 *
 * <p>The cookie is {@code HttpOnly} (scripts cannot read it), {@code SameSite=Strict} (no other
 * site's page can make the browser send it), and {@code Secure} with the {@code __Host-} name when
 * the public URL is HTTPS ({@link SessionCookie}). The
 * CSRF token comes back in the {@code X-CSRF-Token} header of the sign-in and in {@code GET /v1/me};
 * the page sends it back in that header on every request that changes something. The sign-in
 * itself has no session to hold a token yet, so it is refused when the browser says another site
 * sent it ({@link CrossSiteSignIn}).
 */
public final class SignInApi {
    private final SignIn signIn;
    private final Workspaces workspaces;
    private final SiteRegistry sites;
    private final AccessApi access;
    private final AuditLog audit;
    private final CrossSiteSignIn crossSite;

    public SignInApi(SignIn signIn, Workspaces workspaces, SiteRegistry sites, AccessApi access, AuditLog audit, String publicUrl) {
        this.signIn = signIn;
        this.workspaces = workspaces;
        this.sites = sites;
        this.access = access;
        this.audit = audit;
        this.crossSite = new CrossSiteSignIn(publicUrl);
    }

    public void routes(Router router) {
        router.post("/v1/auth/login", this::login);
        router.post("/v1/auth/logout", this::logout);
        router.get("/v1/me", this::me);
        router.get("/v1/me/sessions", this::sessions);
        router.delete("/v1/me/sessions/{sessionId}", this::revoke);
        router.post("/v1/me/password", this::changePassword);
    }

    private Response login(Request request) {
        crossSite.check(request);
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("email", "password"));
        String email = body.requiredString("email", 254);
        // Checked exactly as typed, as it was set: "  secret  " and "secret" are two passwords.
        String password = body.requiredExactString("password", Workspaces.MAX_PASSWORD);
        SignIn.Started started = signIn.login(email, password, request.clientIp(), request.header("user-agent"));
        return Response.noContent()
                .withHeader("Set-Cookie", cookie(started.token(), SignIn.LIFETIME.toSeconds()))
                .withHeader(AccessApi.CSRF_HEADER, started.session().csrfToken())
                .withHeader("Cache-Control", "no-store");
    }

    private Response logout(Request request) {
        Caller.Member me = access.member(request);
        signIn.signOut(me.user().userId(), me.session().sessionId());
        return Response.noContent().withHeader("Set-Cookie", cookie("", 0));
    }

    /**
     * A person's sites by name as people look a client up (case and accents aside), then by id for
     * equal names: in id order an agency's 25 clients came in random order (audit AN4 F1).
     */
    private static final Comparator<Map<String, Object>> BY_NAME;

    static {
        Collator collator = Collator.getInstance(Locale.ROOT);
        collator.setStrength(Collator.PRIMARY);
        BY_NAME = Comparator.<Map<String, Object>, String>comparing(m -> (String) m.get("name"), collator)
                .thenComparing(m -> (String) m.get("siteId"));
    }

    private Response me(Request request) {
        QueryParameters.none(request);
        Caller.Member me = access.member(request);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("userId", me.user().userId());
        out.put("email", me.user().email());
        out.put("name", me.user().name());
        out.put("csrfToken", me.session().csrfToken());
        out.put("sessionId", me.session().sessionId());
        List<Map<String, Object>> ws = new ArrayList<>();
        for (Workspaces.MembershipView v : workspaces.memberships(me.user().userId())) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("workspaceId", v.membership().workspaceId());
            w.put("name", v.membership().workspaceName());
            w.put("role", v.membership().role().wireName());
            w.put("permissions", v.membership().role().permissions().stream().map(p -> p.name().toLowerCase(java.util.Locale.ROOT))
                    .sorted().toList());
            w.put("allSites", v.membership().sites() == null);
            List<Map<String, Object>> siteList = new ArrayList<>();
            for (String id : v.siteIds()) {
                sites.byId(id).ifPresent(e -> siteList.add(Map.of("siteId", id, "name", e.site().name(),
                        "timeZone", e.site().settings().timeZone().getId(), "currency", e.site().settings().currency(),
                        "country", e.site().settings().country())));
            }
            siteList.sort(BY_NAME);
            w.put("sites", siteList);
            ws.add(w);
        }
        out.put("workspaces", ws);
        return Response.ok(out).withHeader("Cache-Control", "no-store");
    }

    private Response sessions(Request request) {
        QueryParameters.none(request);
        Caller.Member me = access.member(request);
        List<Map<String, Object>> out = new ArrayList<>();
        for (UserSession s : signIn.sessions(me.user().userId())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sessionId", s.sessionId());
            m.put("current", s.sessionId().equals(me.session().sessionId()));
            m.put("createdAt", s.createdAt());
            m.put("lastSeenAt", s.lastSeenAt());
            m.put("expiresAt", s.expiresAt());
            m.put("address", s.address());
            m.put("userAgent", s.userAgent());
            out.add(m);
        }
        return Response.ok(Map.of("sessions", out)).withHeader("Cache-Control", "no-store");
    }

    private Response revoke(Request request) {
        Caller.Member me = access.member(request);
        signIn.revoke(me.user().userId(), request.pathParam("sessionId"));
        return Response.noContent();
    }

    private Response changePassword(Request request) {
        Caller.Member me = access.member(request);
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("currentPassword", "password"));
        String current = body.requiredExactString("currentPassword", Workspaces.MAX_PASSWORD);
        String chosen = body.requiredExactString("password", Workspaces.MAX_PASSWORD);
        signIn.changePassword(me, current, chosen, request.clientIp());
        // A person's account spans their workspaces, so each workspace's owners see the change.
        for (Workspaces.MembershipView v : workspaces.memberships(me.user().userId())) {
            audit.onWorkspace(me, v.membership().workspaceId(), request.clientIp(), "user.password_change", me.user().userId(), null);
        }
        return Response.noContent().withHeader("Cache-Control", "no-store");
    }

    private String cookie(String value, long maxAgeSeconds) {
        return access.sessionCookie().setCookie(value, maxAgeSeconds);
    }
}
