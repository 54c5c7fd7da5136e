package io.ringpool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.account.TestAccounts;
import io.ringpool.app.TestServer;
import io.ringpool.call.Signing;
import io.ringpool.testing.browser.HeadlessChromium;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * Audit AI4 F10 and F13 in real headless Chromium (skipped without chromium and chromedriver).
 * F10: the owner's page was loaded before the analyst tagged a call, wrote its note or set a lead's
 * status; the owner's later edit silently replaced the analyst's. Now a tag typed in the row adds
 * to the stored tags, and a note or status from a stale page is refused and said in words, with
 * the item as it now is. The analyst's edits are made over the API, as another browser would.
 * F13: the Settings page turns recording on, words its notice, and reaches keyword rules, titles,
 * query parameters and the lead window, with the API's refusals beside the field, at 390 px too.
 */
class TeamEditsAndSettingsBrowserTest {
    @RegisterExtension
    static final HeadlessChromium chromium = HeadlessChromium.window(1280, 900).hidingScrollbars().keepingConsole()
            .forgettingBeforeEachTest(() -> TeamEditsAndSettingsBrowserTest.server.base()); // named in full: the field is declared below
    static final AtomicInteger SEQ = new AtomicInteger();

    @TempDir
    static Path dir;

    static TestServer server;
    static ChromeDriver driver;
    static TestAccounts accounts;
    static TestAccounts.Person analyst;
    static Map<String, String> site;

    @BeforeAll
    static void start() throws Exception {
        driver = chromium.driver();
        server = new TestServer(dir.resolve("store"));
        accounts = new TestAccounts(server);
        Map<String, Object> ws = accounts.ownedWorkspace("Monday agency", "owner@monday.test");
        String workspaceId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        site = accounts.site(workspaceId, owner, "Sofa shop");
        assertThat(accounts.as(owner, "POST", "/v1/sites/" + site.get("siteId") + "/pools",
                Map.of("name", "Google", "numbers", List.of("+74950000701"))).status()).isEqualTo(201);
        accounts.member(workspaceId, owner, "analyst@monday.test", "analyst");
        analyst = accounts.signIn("analyst@monday.test", TestAccounts.PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A new completed call on the site's pool number, from a caller of its own. */
    static String newCall() {
        String event = "{\"callId\":\"team-" + SEQ.incrementAndGet() + "\",\"event\":\"completed\",\"from\":\"+7916123" + String.format("%04d",
                SEQ.get()) + "\",\"to\":\"+74950000701\",\"talkSeconds\":40}";
        TestServer.Reply call = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, event, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), event)));
        assertThat(call.status()).as(call.body()).isEqualTo(200);
        return call.text("callId");
    }

    static void signInAsOwner(String firstRow) {
        chromium.signInWithPassword(server.base(), "owner@monday.test", TestAccounts.PASSWORD);
        if (firstRow != null) {
            chromium.waitFor(d -> !d.findElements(By.cssSelector("tr[" + firstRow + "]")).isEmpty());
        }
    }

    /** The analyst's edit, from another browser: over the API with her session. */
    static JsonNode analystPatches(String path, String json) {
        TestServer.Reply r = server.send("PATCH", "/v1/sites/" + site.get("siteId") + path, null, json, "application/json",
                analyst.headers(true));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static JsonNode stored(String path) {
        return server.get("/v1/sites/" + site.get("siteId") + path, site.get("apiKey")).json();
    }

    static List<String> tags(JsonNode item) {
        List<String> out = new ArrayList<>();
        item.get("tags").forEach(t -> out.add(t.asText()));
        return out;
    }

    @Test
    void aTagTypedInAStaleRowKeepsTheTagTheAnalystPutOnMeanwhile() throws Exception {
        String callId = newCall();
        signInAsOwner("data-call-id='" + callId + "'");
        analystPatches("/calls/" + callId, "{\"tags\":[\"lead\"]}");

        WebElement row = driver.findElement(By.cssSelector("tr[data-call-id='" + callId + "']"));
        row.findElement(By.cssSelector(".tags button.edit")).click();
        row.findElement(By.cssSelector("input.tag-input")).sendKeys("vip" + Keys.ENTER);
        chromium.waitFor(d -> d.findElements(By.cssSelector("tr[data-call-id='" + callId + "'] .tag")).size() == 2);

        assertThat(tags(stored("/calls/" + callId))).as("the audit saw ['vip']: the analyst's 'lead' was gone").containsExactly("lead", "vip");
        assertThat(driver.findElement(By.cssSelector("tr[data-call-id='" + callId + "'] .tags")).getText())
                .contains("lead").contains("vip").contains("Also kept: lead (added by someone else meanwhile)");
        assertThat(chromium.consoleErrors()).as("no console errors").isEmpty();
    }

    @Test
    void aNoteSavedFromAStaleDetailIsRefusedInWordsAndSavedOnlyWhenAskedAgain() throws Exception {
        String callId = newCall();
        signInAsOwner("data-call-id='" + callId + "'");
        driver.findElement(By.cssSelector("tr[data-call-id='" + callId + "'] button.open-detail")).click();
        chromium.waitFor(d -> d.findElement(By.id("detail")).getAttribute("data-fresh") != null);
        analystPatches("/calls/" + callId, "{\"note\":\"Wants the blue sofa; call back Monday\", \"tags\":[\"lead\"]}");

        WebElement note = driver.findElement(By.cssSelector("#detail [name='note']"));
        note.sendKeys("Asked for a discount");
        driver.findElement(By.cssSelector("#detail [name='tags']")).sendKeys("vip");
        driver.findElement(By.cssSelector("#detail button[type=submit]")).click();
        WebElement said = chromium.waitFor(d -> d.findElement(By.cssSelector("#detail .edit-conflict")));
        assertThat(said.getText()).contains("Not saved: someone else changed this call’s note while you had it open")
                .contains("Wants the blue sofa; call back Monday").contains("press Save to replace theirs");
        assertThat(stored("/calls/" + callId).get("note").asText()).isEqualTo("Wants the blue sofa; call back Monday");
        assertThat(tags(stored("/calls/" + callId))).as("nothing of the refused save was written").containsExactly("lead");
        assertThat(driver.findElement(By.cssSelector("#detail [name='note']")).getAttribute("value")).isEqualTo("Asked for a discount");
        chromium.shot("edit-conflict-note");

        driver.findElement(By.cssSelector("#detail button[type=submit]")).click();
        chromium.waitFor(d -> d.findElement(By.cssSelector("#detail .detail-saved")).getText().startsWith("Saved."));
        JsonNode after = stored("/calls/" + callId);
        assertThat(after.get("note").asText()).isEqualTo("Asked for a discount");
        assertThat(tags(after)).as("the tag typed is added to the analyst's").containsExactly("lead", "vip");
        assertThat(chromium.consoleErrors()).as("only the refused save is logged").allMatch(m -> m.contains("status of 412"));
    }

    @Test
    void aLeadStatusChosenInAStaleRowIsRefusedAndTheRowShowsTheAnalystsStatus() throws Exception {
        TestServer.Reply created = server.post("/v1/sites/" + site.get("siteId") + "/leads", site.get("apiKey"),
                Map.of("kind", "form", "phone", "+79161119900", "name", "Pavel"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String leadId = created.text("leadId");
        signInAsOwner("data-lead-id='" + leadId + "'");
        analystPatches("/leads/" + leadId, "{\"status\":\"won\"}");

        new Select(driver.findElement(By.cssSelector("tr[data-lead-id='" + leadId + "'] select.lead-status"))).selectByValue("spam");
        WebElement said = chromium.waitFor(d -> d.findElement(By.cssSelector("tr[data-lead-id='" + leadId + "'] .edit-conflict")));
        assertThat(said.getText()).contains("someone else changed this lead’s status").contains("now status: won");
        assertThat(new Select(driver.findElement(By.cssSelector("tr[data-lead-id='" + leadId + "'] select.lead-status")))
                .getFirstSelectedOption().getAttribute("value")).isEqualTo("won");
        assertThat(stored("/leads/" + leadId).get("status").asText()).isEqualTo("won");
        assertThat(chromium.consoleErrors()).as("only the refused change is logged").allMatch(m -> m.contains("status of 412"));
    }

    static WebElement setting(String name) {
        return driver.findElement(By.cssSelector("#settings-form [name='" + name + "']"));
    }

    static void openSettings() {
        driver.executeScript("document.body.removeAttribute('data-page'); location.hash = '#settings';");
        chromium.waitFor(d -> String.valueOf(d.findElement(By.tagName("body")).getAttribute("data-page")).startsWith("settings:"));
        chromium.waitFor(d -> !d.findElements(By.cssSelector("#settings-form [name='recordCalls']")).isEmpty());
    }

    static void save() {
        driver.findElement(By.cssSelector("#settings-form button[type=submit]")).click();
    }

    static String errorBeside(String name) {
        return (String) driver.executeScript("var f = document.querySelector('#settings-form [name=\"' + arguments[0] + '\"]');"
                + "var n = f && f.nextElementSibling; return n && n.classList.contains('field-error') ? n.textContent : null;", name);
    }

    @Test
    void anOwnerTurnsRecordingOnAndReachesEveryDocumentedSettingOnAPhone() throws Exception {
        signInAsOwner(null);
        driver.manage().window().setSize(new Dimension(390, 844));
        openSettings();
        assertThat(setting("recordCalls").isSelected()).isFalse();

        // Refusals beside their field, in words to act on; nothing stored.
        setting("recordingRetentionDays").clear();
        setting("recordingRetentionDays").sendKeys("0");
        save();
        chromium.waitFor(d -> errorBeside("recordingRetentionDays") != null);
        assertThat(errorBeside("recordingRetentionDays")).isEqualTo("“Keep recordings, days” must be a whole number from 1 to 3650");
        setting("recordingRetentionDays").clear();
        setting("recordingRetentionDays").sendKeys("30");
        setting("keywordRules").sendKeys("spam: wrong number, ошиблись номером\nsale");
        save();
        chromium.waitFor(d -> errorBeside("keywordRules") != null);
        assertThat(errorBeside("keywordRules")).startsWith("Line 2:").contains("One rule a line");
        assertThat(errorBeside("recordingRetentionDays")).as("the old error went").isNull();
        assertThat(stored("").get("recordingRetentionDays").asInt()).isEqualTo(90);
        chromium.shot("settings-error-phone-390");

        setting("keywordRules").sendKeys(": bought, will take it");
        setting("recordCalls").click();
        setting("recordingNotice").sendKeys("This call may be recorded to improve our service.");
        setting("storeTitles").click();
        setting("queryParameters").sendKeys("ref, promo");
        setting("leadDuplicateMinutes").clear();
        setting("leadDuplicateMinutes").sendKeys("30");
        save();
        chromium.waitFor(d -> d.findElement(By.id("settings-status")).getText().startsWith("Saved:"));
        JsonNode s = stored("");
        assertThat(s.get("recordCalls").asBoolean()).isTrue();
        assertThat(s.get("recordingNotice").asText()).isEqualTo("This call may be recorded to improve our service.");
        assertThat(s.get("recordingRetentionDays").asInt()).isEqualTo(30);
        assertThat(s.get("keywordRules").toString())
                .isEqualTo("[{\"tag\":\"spam\",\"any\":[\"wrong number\",\"ошиблись номером\"]},{\"tag\":\"sale\",\"any\":[\"bought\",\"will take it\"]}]");
        assertThat(s.get("storeTitles").asBoolean()).isTrue();
        assertThat(s.get("queryParameters").toString()).isEqualTo("[\"ref\",\"promo\"]");
        assertThat(s.get("leadDuplicateMinutes").asInt()).isEqualTo(30);
        // Drawn again from the API: what is shown is what is stored.
        assertThat(setting("recordCalls").isSelected()).isTrue();
        assertThat(setting("keywordRules").getAttribute("value")).isEqualTo("spam: wrong number, ошиблись номером\nsale: bought, will take it");
        assertThat(((Number) driver.executeScript("return document.documentElement.scrollWidth")).intValue())
                .as("nothing wider than the phone").isLessThanOrEqualTo(((Number) driver.executeScript("return innerWidth")).intValue());
        chromium.shot("settings-recording-phone-390");

        // The notice removed and recording off again: sent as such.
        setting("recordingNotice").clear();
        setting("recordCalls").click();
        save();
        chromium.waitFor(d -> !stored("").get("recordCalls").asBoolean());
        assertThat(stored("").get("recordingNotice").isNull()).isTrue();
        assertThat(chromium.consoleErrors()).as("only the refused saves are logged").allMatch(m -> m.contains("status of 422"));
    }

    /**
     * Audit AN4 F7: a manager was offered the owner-only Twilio token, and a save with it was
     * refused whole, the cool-down typed beside it too. The field is disabled for them.
     */
    @Test
    void aManagerSeesTheTwilioTokenAsOwnersOnlyAndSavesTheRest() {
        TestAccounts.Person owner = accounts.signIn("owner@monday.test", TestAccounts.PASSWORD);
        String workspaceId = server.get("/v1/workspaces", TestServer.ADMIN_KEY).json().get("workspaces").get(0).get("workspaceId").asText();
        accounts.member(workspaceId, owner, "manager@monday.test", "manager");
        chromium.signInWithPassword(server.base(), "manager@monday.test", TestAccounts.PASSWORD);
        openSettings();
        assertThat(setting("twilioAuthToken").isEnabled()).isFalse();
        assertThat(setting("twilioAuthToken").getAttribute("placeholder")).isEqualTo("owners only");
        setting("coolDownSeconds").clear();
        setting("coolDownSeconds").sendKeys("600");
        save();
        chromium.waitFor(d -> stored("").get("coolDownSeconds").asInt() == 600);
    }
}
