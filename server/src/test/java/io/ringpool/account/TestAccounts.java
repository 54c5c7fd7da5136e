package io.ringpool.account;

import io.ringpool.app.TestServer;
import io.ringpool.http.Json;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Workspaces and signed-in people over real HTTP, for tests. */
public final class TestAccounts {
    public static final String PASSWORD = "correct horse battery";

    /**
     * A signed-in person: the session cookie's value and the CSRF token, and the cookie's name as
     * the server set it ({@code __Host-ringpool_session} behind an https public URL).
     */
    public record Person(String email, String cookie, String csrf, String cookieName) {
        public Map<String, String> headers(boolean withCsrf) {
            Map<String, String> h = new HashMap<>();
            h.put("Cookie", cookieName + "=" + cookie);
            if (withCsrf) {
                h.put("X-CSRF-Token", csrf);
            }
            return h;
        }
    }

    private final TestServer server;

    public TestAccounts(TestServer server) {
        this.server = server;
    }

    /** Creates a workspace; returns {workspaceId, ownerInvite}. */
    public Map<String, String> workspace(String name, String ownerEmail) {
        TestServer.Reply r = server.post("/v1/workspaces", TestServer.ADMIN_KEY, Map.of("name", name,
                "owner", Map.of("email", ownerEmail, "name", "Owner")));
        if (r.status() != 201) {
            throw new IllegalStateException("workspace: " + r);
        }
        return Map.of("workspaceId", r.text("workspaceId"), "ownerInvite", r.text("ownerInvite"));
    }

    public static String token(String link) {
        return link.substring(link.indexOf('=') + 1);
    }

    public TestServer.Reply accept(String link, String password) {
        return server.post("/v1/invites/" + token(link), null, Map.of("password", password, "name", "Someone"));
    }

    public TestServer.Reply login(String email, String password) {
        return server.post("/v1/auth/login", null, Map.of("email", email, "password", password));
    }

    public Person signIn(String email, String password) {
        TestServer.Reply r = login(email, password);
        if (r.status() != 204) {
            throw new IllegalStateException("login: " + r);
        }
        String setCookie = r.headers().get("set-cookie").get(0);
        String name = setCookie.substring(0, setCookie.indexOf('='));
        String value = setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
        return new Person(email, value, r.headers().get("x-csrf-token").get(0), name);
    }

    /** A workspace with its owner signed in. */
    public Map<String, Object> ownedWorkspace(String name, String ownerEmail) {
        Map<String, String> ws = workspace(name, ownerEmail);
        TestServer.Reply accepted = accept(ws.get("ownerInvite"), PASSWORD);
        if (accepted.status() != 201) {
            throw new IllegalStateException("accept: " + accepted);
        }
        Map<String, Object> out = new HashMap<>(ws);
        out.put("owner", signIn(ownerEmail, PASSWORD));
        return out;
    }

    /** A site created in the workspace by its owner; returns {siteId, apiKey, publicKey, webhookSecret}. */
    public Map<String, String> site(String workspaceId, Person owner, String name) {
        TestServer.Reply r = as(owner, "POST", "/v1/workspaces/" + workspaceId + "/sites", Map.of("name", name,
                "domains", List.of("example.com", "localhost"), "defaultNumber", "+74951234567", "timeZone", "Europe/Moscow",
                "currency", "RUB"));
        if (r.status() != 201) {
            throw new IllegalStateException("site: " + r);
        }
        return Map.of("siteId", r.text("siteId"), "apiKey", r.text("apiKey"), "publicKey", r.text("publicKey"),
                "webhookSecret", r.text("webhookSecret"));
    }

    /** Invites {@code email} with {@code role} (all sites), accepts and signs in. */
    public Person member(String workspaceId, Person owner, String email, String role) {
        TestServer.Reply invite = as(owner, "POST", "/v1/workspaces/" + workspaceId + "/invites", Map.of("email", email, "role", role));
        if (invite.status() != 201) {
            throw new IllegalStateException("invite: " + invite);
        }
        TestServer.Reply accepted = accept(invite.text("inviteUrl"), PASSWORD);
        if (accepted.status() != 201) {
            throw new IllegalStateException("accept: " + accepted);
        }
        return signIn(email, PASSWORD);
    }

    /** A request with the person's cookie and CSRF token. */
    public TestServer.Reply as(Person p, String method, String path, Object body) {
        return server.send(method, path, null, body == null ? null : new String(Json.write(body)), body == null ? null : "application/json",
                p.headers(true));
    }
}
