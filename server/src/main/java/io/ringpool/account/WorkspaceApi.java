package io.ringpool.account;

import io.ringpool.failure.DomainFailure;
import io.ringpool.http.JsonBody;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.SiteApi;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.UnknownSite;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Workspaces and their people: the operator creates a workspace and its first owner's invitation;
 * owners create sites, invite, change roles, reset passwords and read the audit log; anyone with
 * a link accepts it. Another workspace's id answers 404 as if it did not exist.
 */
public final class WorkspaceApi {
    /** Largest audit page. */
    static final int MAX_AUDIT_LIMIT = 500;

    private final Workspaces workspaces;
    private final SiteApi siteApi;
    private final SiteRegistry sites;
    private final AccessApi access;
    private final AuditLog audit;
    /** Whose password an invitation for an existing account checks, under the sign-in limits. */
    private final SignIn signIn;
    /** What a person created that works without their session (feeds), ended with their right to it. */
    private final StandingAccess standing;

    public WorkspaceApi(Workspaces workspaces, SiteApi siteApi, SiteRegistry sites, AccessApi access, AuditLog audit, SignIn signIn,
            StandingAccess standing) {
        this.signIn = signIn;
        this.standing = standing;
        this.workspaces = workspaces;
        this.siteApi = siteApi;
        this.sites = sites;
        this.access = access;
        this.audit = audit;
    }

    public void routes(Router router) {
        router.post("/v1/workspaces", this::create);
        router.get("/v1/workspaces", this::list);
        router.post("/v1/workspaces/{workspaceId}/sites", this::createSite);
        router.post("/v1/workspaces/{workspaceId}/invites", this::invite);
        router.delete("/v1/workspaces/{workspaceId}/invites/{inviteId}", this::withdraw);
        router.get("/v1/workspaces/{workspaceId}/members", this::members);
        router.patch("/v1/workspaces/{workspaceId}/members/{userId}", this::change);
        router.delete("/v1/workspaces/{workspaceId}/members/{userId}", this::remove);
        router.post("/v1/workspaces/{workspaceId}/members/{userId}/password-reset", this::reset);
        router.get("/v1/workspaces/{workspaceId}/audit", this::audit);
        router.post("/v1/invites/{token}", this::accept);
        router.post("/v1/password-resets/{token}", this::usePasswordReset);
    }

    private Response create(Request request) {
        Caller.Operator op = access.admin(request);
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("name", "owner"));
        String name = body.requiredString("name", 200);
        JsonBody owner = body.optionalObject("owner");
        if (owner == null) {
            throw DomainFailure.missing("owner");
        }
        owner.rejectUnknown(Set.of("email", "name"));
        Workspaces.Created created = workspaces.create(name, owner.requiredString("email", 254), owner.optionalString("name", 200), op);
        audit.onWorkspace(op, created.workspace().workspaceId(), request.clientIp(), "workspace.create", created.workspace().name(),
                "owner invited: " + owner.requiredString("email", 254));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workspaceId", created.workspace().workspaceId());
        out.put("name", created.workspace().name());
        out.put("ownerInvite", created.ownerInvite());
        return Response.created(out);
    }

    private Response list(Request request) {
        QueryParameters.none(request);
        access.admin(request);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Workspace w : workspaces.all()) {
            out.add(Map.of("workspaceId", w.workspaceId(), "name", w.name(), "createdAt", w.createdAt(),
                    "sites", workspaces.sitesOf(w.workspaceId())));
        }
        return Response.ok(Map.of("workspaces", out));
    }

    /** A new site in the workspace (body as {@code POST /v1/sites}); the operator may instead attach an existing site by {@code siteId}. */
    private Response createSite(Request request) {
        WorkspaceGrant grant = access.workspace(request, Permission.USERS);
        JsonBody body = JsonBody.of(request);
        if (body.has("siteId")) {
            if (!(grant.caller() instanceof Caller.Operator)) {
                throw AccountFailures.adminRequired();
            }
            body.rejectUnknown(Set.of("siteId"));
            String siteId = body.requiredString("siteId", 40);
            SiteRegistry.Entry entry = sites.byId(siteId).orElseThrow(UnknownSite::new);
            workspaces.addSite(grant.workspaceId(), siteId);
            audit.onWorkspace(grant.caller(), grant.workspaceId(), request.clientIp(), "site.attach", siteId, entry.site().name());
            return Response.ok(siteApi.describe(entry.site()));
        }
        // The operator may create any site; an owner only in the countries the workspace's sites already have.
        boolean operator = grant.caller() instanceof Caller.Operator;
        Set<String> countries = new java.util.TreeSet<>();
        if (!operator) {
            for (String existing : workspaces.sitesOf(grant.workspaceId())) {
                sites.byId(existing).ifPresent(e -> countries.add(e.site().settings().country()));
            }
        }
        Map<String, Object> out = siteApi.createSite(request,
                operator ? io.ringpool.site.SiteService.Authority.ADMIN : io.ringpool.site.SiteService.Authority.SITE, countries);
        String siteId = (String) out.get("siteId");
        workspaces.addSite(grant.workspaceId(), siteId);
        audit.onWorkspace(grant.caller(), grant.workspaceId(), request.clientIp(), "site.create", siteId, (String) out.get("name"));
        out.put("workspaceId", grant.workspaceId());
        return Response.created(out);
    }

    private Response invite(Request request) {
        WorkspaceGrant grant = access.workspace(request, Permission.USERS);
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("email", "name", "role", "sites"));
        String email = body.requiredString("email", 254);
        Role role = Role.parse(body.requiredString("role", 20), "role");
        Workspaces.IssuedLink issued = workspaces.invite(grant.workspaceId(), email, body.optionalString("name", 200), role,
                body.optionalStringList("sites", 1000, 40), grant.caller());
        audit.onWorkspace(grant.caller(), grant.workspaceId(), request.clientIp(), "user.invite", issued.link().email(),
                "role " + role.wireName() + (issued.link().sites() == null ? ", all sites" : ", sites " + issued.link().sites()));
        Map<String, Object> out = invite(issued.link());
        out.put("inviteUrl", issued.url());
        return Response.created(out);
    }

    private Response withdraw(Request request) {
        WorkspaceGrant grant = access.workspace(request, Permission.USERS);
        workspaces.withdrawInvite(grant.workspaceId(), request.pathParam("inviteId"));
        audit.onWorkspace(grant.caller(), grant.workspaceId(), request.clientIp(), "user.invite_withdraw", request.pathParam("inviteId"), null);
        return Response.noContent();
    }

    private Response members(Request request) {
        QueryParameters.none(request);
        WorkspaceGrant grant = access.workspace(request, Permission.USERS);
        List<Map<String, Object>> members = new ArrayList<>();
        for (Membership m : workspaces.members(grant.workspaceId())) {
            members.add(member(m));
        }
        List<Map<String, Object>> invites = workspaces.pendingInvites(grant.workspaceId()).stream().map(WorkspaceApi::invite).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workspaceId", grant.workspaceId());
        out.put("name", grant.workspace().name());
        out.put("members", members);
        out.put("invites", invites);
        return Response.ok(out);
    }

    private Response change(Request request) {
        WorkspaceGrant grant = access.workspace(request, Permission.USERS);
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("role", "sites")).rejectNulls(Set.of("sites")); // sites: null = all sites
        String roleText = body.optionalString("role", 20);
        Role role = roleText == null ? null : Role.parse(roleText, "role");
        boolean allSites = body.isExplicitNull("sites");
        Workspaces.Changed changed = workspaces.change(grant.workspaceId(), request.pathParam("userId"), role,
                body.optionalStringList("sites", 1000, 40), allSites);
        List<StandingAccess.Ended> ended = endStandingAccess(grant, request, "whose role or sites no longer let them manage the site's integrations");
        Membership after = changed.after();
        // Named by e-mail as it is now (audit AN4 F4: an id alone says nothing once the person is gone), with the role before.
        String roleNow = after.role() == changed.before().role() ? after.role().wireName()
                : after.role().wireName() + " (was " + changed.before().role().wireName() + ")";
        audit.onWorkspace(grant.caller(), grant.workspaceId(), request.clientIp(), "user.change", request.pathParam("userId"),
                changed.email() + ": role " + roleNow + (after.sites() == null ? ", all sites" : ", sites " + after.sites()) + revoked(ended));
        auditWithdrawn(grant, request, changed.email(), changed.withdrawnInvites(), "who may no longer invite");
        return Response.ok(member(after));
    }

    private Response remove(Request request) {
        WorkspaceGrant grant = access.workspace(request, Permission.USERS);
        Workspaces.Removed removed = workspaces.remove(grant.workspaceId(), request.pathParam("userId"));
        List<StandingAccess.Ended> ended = endStandingAccess(grant, request, "who was removed from the workspace");
        audit.onWorkspace(grant.caller(), grant.workspaceId(), request.clientIp(), "user.remove", request.pathParam("userId"),
                removed.email() + revoked(ended));
        auditWithdrawn(grant, request, removed.email(), removed.withdrawnInvites(), "who was removed from the workspace");
        return Response.noContent();
    }

    /** One {@code user.invite_withdraw} entry for each pending invitation withdrawn with its issuer's right to invite. */
    private void auditWithdrawn(WorkspaceGrant grant, Request request, String issuer, List<AccountLink> withdrawn, String why) {
        for (AccountLink l : withdrawn) {
            audit.onWorkspace(grant.caller(), grant.workspaceId(), request.clientIp(), "user.invite_withdraw", l.linkId(),
                    "invitation of " + l.email() + " as " + l.role().wireName() + ", issued by " + issuer + ", " + why);
        }
    }

    /**
     * Ends the feeds the member created on the sites they may no longer manage (audit AM2 F10: a
     * removed manager went on downloading callers' numbers with the feed's password), each written
     * to its site's audit log as the owner's revocation.
     */
    private List<StandingAccess.Ended> endStandingAccess(WorkspaceGrant grant, Request request, String why) {
        String userId = request.pathParam("userId");
        List<StandingAccess.Ended> ended = standing.endWhere(userId, siteId -> workspaces.allows(userId, siteId, Permission.WEBHOOKS));
        for (StandingAccess.Ended e : ended) {
            audit.onSite(grant.caller(), e.siteId(), request.clientIp(), e.action(), e.target(),
                    e.what() + ", created by member " + userId + ", " + why);
        }
        return ended;
    }

    private static String revoked(List<StandingAccess.Ended> ended) {
        return ended.isEmpty() ? "" : "; revoked what they created: "
                + String.join(", ", ended.stream().map(e -> e.target() + " (" + e.what() + ")").toList());
    }

    private Response reset(Request request) {
        WorkspaceGrant grant = access.workspace(request, Permission.USERS);
        Workspaces.IssuedLink issued = workspaces.issueReset(grant.workspaceId(), request.pathParam("userId"), grant.caller());
        audit.onWorkspace(grant.caller(), grant.workspaceId(), request.clientIp(), "user.password_reset_link", request.pathParam("userId"),
                workspaces.user(request.pathParam("userId")).map(User::email).orElse(null));
        return Response.created(Map.of("resetUrl", issued.url(), "expiresAt", issued.link().expiresAt()));
    }

    private Response audit(Request request) {
        WorkspaceGrant grant = access.workspace(request, Permission.USERS);
        // The same reading as every other list: a value given twice or malformed is 422 naming it.
        QueryParameters q = QueryParameters.of(request, Set.of("limit", "cursor"));
        int limit = q.limit("limit", 100, MAX_AUDIT_LIMIT);
        List<AuditEntry> page = audit.page(grant.workspaceId(), q.text("cursor", 200), limit);
        List<Map<String, Object>> entries = new ArrayList<>();
        for (AuditEntry e : page) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("auditId", e.auditId());
            m.put("at", e.at());
            m.put("actor", Map.of("kind", e.actorKind(), "label", e.actorLabel()));
            if (e.actorId() != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> actor = new LinkedHashMap<>((Map<String, Object>) m.get("actor"));
                actor.put("id", e.actorId());
                m.put("actor", actor);
            }
            m.put("action", e.action());
            m.put("siteId", e.siteId());
            m.put("target", e.target());
            m.put("detail", e.detail());
            m.put("address", e.address());
            entries.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("entries", entries);
        out.put("nextCursor", page.size() == limit ? AuditLog.cursor(page.get(page.size() - 1)) : null);
        return Response.ok(out);
    }

    private Response accept(Request request) {
        workspaces.requireUsableLink(request.pathParam("token"), AccountLink.Kind.INVITE);
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("password", "name"));
        Membership m = workspaces.accept(request.pathParam("token"), body.requiredExactString("password", Workspaces.MAX_PASSWORD),
                body.optionalString("name", 200), (email, password) -> signIn.checkPassword(email, password, request.clientIp()));
        User user = workspaces.user(m.userId()).orElseThrow();
        audit.onWorkspace(new Caller.Member(user, null), m.workspaceId(), request.clientIp(), "user.join", user.userId(),
                "role " + m.role().wireName());
        Map<String, Object> out = member(m);
        out.put("workspaceId", m.workspaceId());
        return Response.created(out);
    }

    private Response usePasswordReset(Request request) {
        workspaces.requireUsableLink(request.pathParam("token"), AccountLink.Kind.RESET);
        JsonBody body = JsonBody.of(request);
        body.rejectUnknown(Set.of("password"));
        workspaces.resetPassword(request.pathParam("token"), body.requiredExactString("password", Workspaces.MAX_PASSWORD));
        return Response.noContent();
    }

    private Map<String, Object> member(Membership m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("userId", m.userId());
        workspaces.user(m.userId()).ifPresent(u -> {
            out.put("email", u.email());
            out.put("name", u.name());
        });
        out.put("role", m.role().wireName());
        out.put("allSites", m.sites() == null);
        out.put("sites", m.sites());
        return out;
    }

    private static Map<String, Object> invite(AccountLink l) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("inviteId", l.linkId());
        out.put("email", l.email());
        out.put("name", l.name());
        out.put("role", l.role().wireName());
        out.put("allSites", l.sites() == null);
        out.put("sites", l.sites());
        out.put("expiresAt", l.expiresAt());
        out.put("invitedBy", l.createdBy());
        return out;
    }
}
