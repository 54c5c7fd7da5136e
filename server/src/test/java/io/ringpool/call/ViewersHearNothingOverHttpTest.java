package io.ringpool.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.account.TestAccounts;
import io.ringpool.app.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit K #4: a viewer (no RECORDINGS permission) read the provider's recording link in the call
 * log, which plays the call without Ringpool's permission check and often names the caller's
 * full number beside the masked one. Viewers see no recording link, and no transcript.
 */
class ViewersHearNothingOverHttpTest {
    @TempDir
    Path dir;

    @Test
    void aViewerSeesNoRecordingLinkOrTranscriptWhileAnAnalystDoes() {
        try (TestServer server = new TestServer(dir)) {
            TestAccounts accounts = new TestAccounts(server);
            Map<String, Object> ws = accounts.ownedWorkspace("Hearing", "hearing-owner@agency.test");
            String wsId = (String) ws.get("workspaceId");
            TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
            Map<String, String> site = accounts.site(wsId, owner, "Hearing shop");
            String siteId = site.get("siteId");
            assertThat(accounts.as(owner, "POST", "/v1/sites/" + siteId + "/pools", Map.of("name", "All", "numbers",
                    List.of("+74950000401"))).status()).isEqualTo(201);
            String event = "{\"callId\":\"h-1\",\"event\":\"completed\",\"from\":\"+79161234567\",\"to\":\"+74950000401\","
                    + "\"talkSeconds\":40,\"recordingUrl\":\"https://pbx.example/rec/79161234567-h-1.wav\"}";
            long t = server.clock.instant().getEpochSecond();
            assertThat(server.send("POST", "/v1/telephony/" + siteId + "/events", null, event, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), t, event))).status()).isEqualTo(200);

            TestAccounts.Person analyst = accounts.member(wsId, owner, "hearing-analyst@agency.test", "analyst");
            TestAccounts.Person viewer = accounts.member(wsId, owner, "hearing-viewer@agency.test", "viewer");
            String calls = "/v1/sites/" + siteId + "/calls";
            JsonNode seenByAnalyst = accounts.as(analyst, "GET", calls, null).json().get("calls").get(0);
            assertThat(seenByAnalyst.get("recordingUrl").asText()).contains("79161234567");

            TestServer.Reply list = accounts.as(viewer, "GET", calls, null);
            assertThat(list.body()).doesNotContain("79161234567").doesNotContain("pbx.example");
            JsonNode seenByViewer = list.json().get("calls").get(0);
            assertThat(seenByViewer.get("recordingUrl").isNull()).isTrue();
            assertThat(seenByViewer.get("transcript").isNull()).isTrue();
            TestServer.Reply one = accounts.as(viewer, "GET", calls + "/" + seenByViewer.get("callId").asText(), null);
            assertThat(one.body()).doesNotContain("pbx.example").doesNotContain("79161234567");
        }
    }
    /**
     * Audit AB2 #1 and #6: the masked caller shows all but three digits, so searching the call log
     * by caller with the 1,000 fillers found the one that matched; and `q` matched transcripts a
     * viewer may not read. A viewer may not search by caller, and `q` looks in notes only.
     */
    @Test
    void aViewerCannotCompleteAMaskedCallerOrProbeTranscriptsBySearching() {
        try (TestServer server = new TestServer(dir)) {
            TestAccounts accounts = new TestAccounts(server);
            Map<String, Object> ws = accounts.ownedWorkspace("Probing", "probing-owner@agency.test");
            String wsId = (String) ws.get("workspaceId");
            TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
            Map<String, String> site = accounts.site(wsId, owner, "Probing shop");
            String siteId = site.get("siteId");
            assertThat(accounts.as(owner, "POST", "/v1/sites/" + siteId + "/pools", Map.of("name", "All", "numbers",
                    List.of("+74950000402"))).status()).isEqualTo(201);
            String event = "{\"callId\":\"p-1\",\"event\":\"completed\",\"from\":\"+79161234561\",\"to\":\"+74950000402\","
                    + "\"talkSeconds\":40,\"transcript\":\"we discussed the merger\"}";
            long t = server.clock.instant().getEpochSecond();
            assertThat(server.send("POST", "/v1/telephony/" + siteId + "/events", null, event, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), t, event))).status()).isEqualTo(200);
            TestAccounts.Person analyst = accounts.member(wsId, owner, "probing-analyst@agency.test", "analyst");
            TestAccounts.Person viewer = accounts.member(wsId, owner, "probing-viewer@agency.test", "viewer");
            String calls = "/v1/sites/" + siteId + "/calls";
            String callId = accounts.as(analyst, "GET", calls, null).json().get("calls").get(0).get("callId").asText();
            assertThat(accounts.as(analyst, "PATCH", calls + "/" + callId, Map.of("note", "asked for a quote")).status()).isEqualTo(200);

            assertThat(accounts.as(analyst, "GET", calls + "?caller=%2B79161234561", null).json().get("calls")).hasSize(1);
            TestServer.Reply probe = accounts.as(viewer, "GET", calls + "?caller=%2B79161234561", null);
            assertThat(probe.status()).isEqualTo(403);
            assertThat(probe.errorCode()).isEqualTo("forbidden");
            assertThat(probe.json().get("error").get("field").asText()).isEqualTo("caller");
            assertThat(accounts.as(viewer, "GET", calls + "?caller=%2B79161234562", null).status()).isEqualTo(403);

            assertThat(accounts.as(analyst, "GET", calls + "?q=merger", null).json().get("calls")).hasSize(1);
            assertThat(accounts.as(viewer, "GET", calls + "?q=merger", null).json().get("calls")).isEmpty();
            assertThat(accounts.as(viewer, "GET", calls + "?q=quote", null).json().get("calls")).hasSize(1);
        }
    }

    /** Session 29's note (audit K #7): viewers read a lead's name and message in full. */
    @Test
    void aViewerSeesNoLeadNameOrMessageWhileAnAnalystDoes() {
        try (TestServer server = new TestServer(dir)) {
            TestAccounts accounts = new TestAccounts(server);
            Map<String, Object> ws = accounts.ownedWorkspace("Reading", "reading-owner@agency.test");
            String wsId = (String) ws.get("workspaceId");
            TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
            Map<String, String> site = accounts.site(wsId, owner, "Reading shop");
            String leads = "/v1/sites/" + site.get("siteId") + "/leads";
            assertThat(server.post(leads, site.get("apiKey"), Map.of("externalId", "crm-1", "kind", "form", "phone", "+79161234567",
                    "email", "anna.petrova@mail.test", "name", "Anna Petrova", "message", "Call me at +7 916 123-45-67, Anna")).status())
                    .isEqualTo(201);

            TestAccounts.Person analyst = accounts.member(wsId, owner, "reading-analyst@agency.test", "analyst");
            TestAccounts.Person viewer = accounts.member(wsId, owner, "reading-viewer@agency.test", "viewer");
            JsonNode seenByAnalyst = accounts.as(analyst, "GET", leads, null).json().get("leads").get(0);
            assertThat(seenByAnalyst.get("name").asText()).isEqualTo("Anna Petrova");
            assertThat(seenByAnalyst.get("message").asText()).contains("Anna");

            TestServer.Reply list = accounts.as(viewer, "GET", leads, null);
            assertThat(list.body()).doesNotContain("Petrova").doesNotContain("123-45-67").doesNotContain("anna.petrova");
            JsonNode seenByViewer = list.json().get("leads").get(0);
            assertThat(seenByViewer.get("name").isNull()).isTrue();
            assertThat(seenByViewer.get("message").isNull()).isTrue();
            TestServer.Reply one = accounts.as(viewer, "GET", leads + "/" + seenByViewer.get("leadId").asText(), null);
            assertThat(one.body()).doesNotContain("Petrova").doesNotContain("123-45-67");
        }
    }

    /**
     * Audit AN1 F12: a viewer read the visitor's live session id in the lead log (and the call log),
     * and with it ended the visitor's session or posted leads as that visit, which the role does
     * not allow. Viewers see no session or visitor ids; the source data stays.
     */
    @Test
    void aViewerSeesNoSessionOrVisitorIdsInTheLeadOrCallLogWhileAnAnalystDoes() {
        try (TestServer server = new TestServer(dir)) {
            TestAccounts accounts = new TestAccounts(server);
            Map<String, Object> ws = accounts.ownedWorkspace("Sessions", "sessions-owner@agency.test");
            String wsId = (String) ws.get("workspaceId");
            TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
            Map<String, String> site = accounts.site(wsId, owner, "Sessions shop");
            String siteId = site.get("siteId");
            assertThat(accounts.as(owner, "POST", "/v1/sites/" + siteId + "/pools", Map.of("name", "All", "numbers",
                    List.of("+74950000403"))).status()).isEqualTo(201);
            String start = "{\"siteKey\":\"" + site.get("publicKey") + "\",\"visitorId\":\"visitor-sid-0001\","
                    + "\"url\":\"https://example.com/?utm_source=google&utm_medium=cpc&gclid=GSID1\"}";
            TestServer.Reply visit = server.send("POST", "/v1/sessions", null, start, "application/json",
                    Map.of("User-Agent", TestServer.CHROME));
            assertThat(visit.status()).as(visit.body()).isEqualTo(201);
            String sessionId = visit.text("sessionId");
            String visitorId = visit.text("visitorId");
            TestServer.Reply lead = server.send("POST", "/v1/sessions/" + sessionId + "/leads", null,
                    "{\"kind\":\"form\",\"formId\":\"order\",\"url\":\"https://example.com/\",\"fields\":{\"phone\":\"+79161234570\"}}",
                    "text/plain;charset=UTF-8", Map.of());
            assertThat(lead.status()).as(lead.body()).isEqualTo(201);
            String event = "{\"callId\":\"s-1\",\"event\":\"completed\",\"from\":\"+79161234571\",\"to\":\"" + visit.text("number")
                    + "\",\"talkSeconds\":40}";
            long t = server.clock.instant().getEpochSecond();
            assertThat(server.send("POST", "/v1/telephony/" + siteId + "/events", null, event, "application/json",
                    Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), t, event))).status()).isEqualTo(200);

            TestAccounts.Person analyst = accounts.member(wsId, owner, "sessions-analyst@agency.test", "analyst");
            TestAccounts.Person viewer = accounts.member(wsId, owner, "sessions-viewer@agency.test", "viewer");
            String leads = "/v1/sites/" + siteId + "/leads";
            String calls = "/v1/sites/" + siteId + "/calls";
            JsonNode leadByAnalyst = accounts.as(analyst, "GET", leads, null).json().get("leads").get(0);
            assertThat(leadByAnalyst.get("attribution").get("sessionId").asText()).isEqualTo(sessionId);
            JsonNode callByAnalyst = accounts.as(analyst, "GET", calls, null).json().get("calls").get(0);
            assertThat(callByAnalyst.get("attribution").get("sessionId").asText()).as(callByAnalyst.toString()).isEqualTo(sessionId);

            for (String path : List.of(leads, leads + "/" + leadByAnalyst.get("leadId").asText(), calls,
                    calls + "/" + callByAnalyst.get("callId").asText())) {
                TestServer.Reply seen = accounts.as(viewer, "GET", path, null);
                assertThat(seen.status()).as(seen.body()).isEqualTo(200);
                assertThat(seen.body()).as(path).doesNotContain(sessionId).doesNotContain(visitorId).contains("\"source\":\"google\"");
            }
        }
    }
}

