package io.ringpool.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.http.Router;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks the server's own route table: every site route declares a permission, and for each role
 * a signed-in person is refused (403) exactly the routes whose permission the role lacks, over
 * real HTTP. Keys for machines are never refused on their own site.
 */
class RoutePermissionsTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static TestAccounts accounts;
    static Map<String, String> site;
    static Map<String, String> otherSite;
    static final Map<Role, TestAccounts.Person> PEOPLE = new EnumMap<>(Role.class);

    @BeforeAll
    static void start() {
        // The walk answers hundreds of 401s from loopback on purpose; the address throttle would block it.
        server = new TestServer(dir, Map.of("security.authFailuresBeforeSlowdown", 100_000, "security.authFailuresBeforeBlock", 1_000_000));
        accounts = new TestAccounts(server);
        Map<String, Object> ws = accounts.ownedWorkspace("Walk", "walk-owner@agency.test");
        String wsId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        site = accounts.site(wsId, owner, "Walked");
        otherSite = server.siteWithPool(List.of());
        PEOPLE.put(Role.OWNER, owner);
        for (Role r : EnumSet.of(Role.MANAGER, Role.ANALYST, Role.VIEWER)) {
            PEOPLE.put(r, accounts.member(wsId, owner, r.wireName() + "@walk.test", r.wireName()));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<Router.Route> siteRoutes() {
        return server.app.api().routes().stream().filter(r -> r.template().startsWith("/v1/sites/{siteId}")).toList();
    }

    static String path(Router.Route route, String siteId) {
        return route.template().replace("{siteId}", siteId).replaceAll("\\{[a-zA-Z0-9]+\\}", "x");
    }

    static TestServer.Reply call(Router.Route route, String siteId, String key, Map<String, String> headers) {
        boolean body = route.method().equals("POST") || route.method().equals("PATCH");
        return server.send(route.method(), path(route, siteId), key, body ? "{}" : null, body ? "application/json" : null, headers);
    }

    @Test
    void everySiteRouteDeclaresItsPermission() {
        assertThat(siteRoutes()).hasSizeGreaterThanOrEqualTo(20);
        for (Router.Route route : siteRoutes()) {
            assertThat(route.endpoint()).as(route.method() + " " + route.template()).isInstanceOf(AccessApi.Guarded.class);
        }
    }

    @Test
    void eachRoleIsRefusedExactlyTheSiteRoutesItsPermissionsLeaveOut() {
        List<String> mismatches = new ArrayList<>();
        int refused = 0;
        for (Router.Route route : siteRoutes()) {
            Permission needed = ((AccessApi.Guarded) route.endpoint()).permission();
            for (Map.Entry<Role, TestAccounts.Person> e : PEOPLE.entrySet()) {
                TestServer.Reply r = call(route, site.get("siteId"), null, e.getValue().headers(true));
                boolean allowed = e.getKey().allows(needed);
                boolean wasRefused = r.status() == 403 || r.status() == 401;
                if (allowed == wasRefused) {
                    mismatches.add(e.getKey() + " " + route.method() + " " + route.template() + " -> " + r.status() + " " + r.body());
                }
                refused += wasRefused ? 1 : 0;
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(refused).as("some routes are refused to some roles").isGreaterThan(10);
    }

    @Test
    void aSiteKeyIsNeverRefusedOnItsOwnSiteAndAnotherSitesKeyFindsNothing() {
        for (Router.Route route : siteRoutes()) {
            String what = route.method() + " " + route.template();
            assertThat(call(route, site.get("siteId"), site.get("apiKey"), Map.of()).status()).as(what).isNotIn(401, 403);
            assertThat(call(route, site.get("siteId"), TestServer.ADMIN_KEY, Map.of()).status()).as(what).isNotIn(401, 403);
            assertThat(call(route, site.get("siteId"), otherSite.get("apiKey"), Map.of()).status()).as(what).isEqualTo(404);
            assertThat(call(route, site.get("siteId"), null, Map.of()).status()).as(what).isEqualTo(401);
        }
    }

    @Test
    void theRolesHoldWhatTheContractSays() {
        assertThat(Role.OWNER.permissions()).containsExactlyInAnyOrder(Permission.values());
        assertThat(Role.MANAGER.permissions()).contains(Permission.SITE_SETTINGS, Permission.POOLS, Permission.WEBHOOKS, Permission.TAGS)
                .doesNotContain(Permission.USERS, Permission.KEYS);
        assertThat(Role.ANALYST.permissions()).contains(Permission.REPORTS, Permission.CALL_LOG, Permission.LEAD_LOG, Permission.TAGS,
                Permission.EXPORTS).doesNotContain(Permission.SITE_SETTINGS, Permission.POOLS, Permission.WEBHOOKS, Permission.USERS);
        assertThat(Role.VIEWER.permissions()).contains(Permission.REPORTS)
                .doesNotContain(Permission.TAGS, Permission.EXPORTS, Permission.SITE_SETTINGS, Permission.ERASE, Permission.POOLS);
        assertThat(EnumSet.allOf(Role.class).stream().filter(Role::masksCallers)).containsExactly(Role.VIEWER);
    }
}
