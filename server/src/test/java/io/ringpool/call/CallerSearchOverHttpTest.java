package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.account.TestAccounts;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit Q #3: "a customer says they called on Tuesday, where did they come from?" had no answer in
 * the call log: {@code caller=} was 400 {@code unknown_parameter}. The log now finds a caller's
 * calls by their number written in any common form, read as stored callers are read.
 */
class CallerSearchOverHttpTest {
    @TempDir
    Path dir;

    static void call(TestServer server, Map<String, String> site, String pbxId, String from, String to) {
        String event = "{\"callId\":\"" + pbxId + "\",\"event\":\"completed\",\"from\":\"" + from + "\",\"to\":\"" + to
                + "\",\"talkSeconds\":40}";
        long t = server.clock.instant().getEpochSecond();
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, event, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), t, event)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static List<String> callers(Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.json().get("calls").forEach(c -> out.add(c.get("caller").asText()));
        return out;
    }

    @Test
    void aCallersCallsAreFoundByTheirNumberWrittenAnyCommonWayAndAViewerSeesThemMasked() {
        try (TestServer server = new TestServer(dir)) {
            TestAccounts accounts = new TestAccounts(server);
            Map<String, Object> ws = accounts.ownedWorkspace("Search", "search-owner@agency.test");
            String wsId = (String) ws.get("workspaceId");
            TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
            Map<String, String> site = accounts.site(wsId, owner, "Search shop");
            String siteId = site.get("siteId");
            String key = site.get("apiKey");
            assertThat(server.send("PATCH", "/v1/sites/" + siteId, key, "{\"country\":\"RU\"}", "application/json", Map.of()).status())
                    .isEqualTo(200);
            assertThat(accounts.as(owner, "POST", "/v1/sites/" + siteId + "/pools", Map.of("name", "All", "numbers",
                    List.of("+74950000501"))).status()).isEqualTo(201);
            call(server, site, "s-1", "+79130000001", "+74950000501");
            call(server, site, "s-2", "+79130000002", "+74950000501");
            call(server, site, "s-3", "8 (913) 000-00-01", "+74950000501");
            call(server, site, "s-4", "anonymous", "+74950000501");

            String log = "/v1/sites/" + siteId + "/calls?caller=";
            // E.164 with %2B, with a '+' a query reads as a space, digits alone, and the local RU form.
            for (String written : List.of("%2B79130000001", "+79130000001", "79130000001", "8%20(913)%20000-00-01", "8-913-000-0001")) {
                assertThat(callers(server.get(log + written, key))).as(written).containsExactly("+79130000001", "+79130000001");
            }
            assertThat(callers(server.get(log + "%2B79130000002", key))).containsExactly("+79130000002");
            // A valid number nobody called from: no calls, not an error.
            assertThat(callers(server.get(log + "%2B79130000009", key))).isEmpty();
            // Combined with the other filters as any filter is.
            assertThat(callers(server.get(log + "%2B79130000001&status=missed", key))).isEmpty();

            for (String notANumber : List.of("abc", "anonymous", "%2B1", "12345")) {
                Reply bad = server.get(log + notANumber, key);
                assertThat(bad.status()).as(notANumber + ": " + bad.body()).isEqualTo(422);
                JsonNode error = bad.json().get("error");
                assertThat(error.get("field").asText()).isEqualTo("caller");
                assertThat(error.get("message").asText()).contains("phone number").contains("RU");
            }

            // A viewer may not search by caller: trying the fillers of a masked number's hidden digits
            // would reveal them (audit AB2 #1, session 38); the log itself they still see, masked.
            TestAccounts.Person viewer = accounts.member(wsId, owner, "search-viewer@agency.test", "viewer");
            Reply refused = accounts.as(viewer, "GET", log + "%2B79130000001", null);
            assertThat(refused.status()).as(refused.body()).isEqualTo(403);
            assertThat(refused.json().get("error").get("field").asText()).isEqualTo("caller");
            assertThat(refused.body()).doesNotContain("79130000001");
            Reply seen = accounts.as(viewer, "GET", "/v1/sites/" + site.get("siteId") + "/calls", null);
            assertThat(callers(seen)).contains("+7913***0001").noneMatch(c -> c.equals("+79130000001"));
        }
    }
}
