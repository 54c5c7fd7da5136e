package io.ringpool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.account.TestAccounts;
import io.ringpool.app.TestServer;
import io.ringpool.call.Signing;
import io.ringpool.testing.browser.HeadlessChromium;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

/**
 * Audit AI4 F1, in real headless Chromium (skipped without chromium and chromedriver): the call log
 * offered only "+ tag", so a marketer could not give a call the value the conversion exports carry,
 * could not write a note on a call without a recording, and could not see what the API knows about
 * a call (landing page, keyword, click ids, earlier visits, leads from the same phone). A row now
 * opens the call's detail, by mouse or keyboard, in a wide or a phone-sized window; an analyst sets
 * value, currency, reviewed and a note there, and a lead's value and status in the lead's; the
 * API's refusals are shown beside the field; a viewer sees the same facts read-only, caller masked.
 */
class CallDetailBrowserTest {
    @RegisterExtension
    static final HeadlessChromium chromium = HeadlessChromium.window(1280, 900).hidingScrollbars().keepingConsole()
            .forgettingBeforeEachTest(() -> CallDetailBrowserTest.server.base()); // named in full: the field is declared below
    static final String CALLER = "+79161234567";
    static final String LANDING = "https://example.com/sofas/corner?utm_source=google&utm_medium=cpc&utm_campaign=winter-sofas"
            + "&utm_term=corner+sofa&gclid=GCLID-F1";

    @TempDir
    static Path dir;

    static TestServer server;
    static ChromeDriver driver;
    static Map<String, String> site;
    static String callId;
    static String leadId;

    @BeforeAll
    static void start() throws Exception {
        driver = chromium.driver();
        server = new TestServer(dir.resolve("store"));
        TestAccounts accounts = new TestAccounts(server);
        Map<String, Object> ws = accounts.ownedWorkspace("Detail agency", "owner@detail.test");
        String workspaceId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        site = accounts.site(workspaceId, owner, "Sofa shop");
        String siteId = site.get("siteId");
        assertThat(accounts.as(owner, "POST", "/v1/sites/" + siteId + "/pools", Map.of("name", "Google", "numbers", List.of("+74950000601")))
                .status()).isEqualTo(201);
        accounts.member(workspaceId, owner, "analyst@detail.test", "analyst");
        accounts.member(workspaceId, owner, "viewer@detail.test", "viewer");

        // A visit from a Google ad, a form the visitor sent from it, then their call to the number the page showed.
        TestServer.Reply visit = server.startSession(site.get("publicKey"), null, LANDING);
        assertThat(visit.status()).as(visit.body()).isIn(200, 201);
        TestServer.Reply lead = server.post("/v1/sites/" + siteId + "/leads", site.get("apiKey"), Map.of("kind", "form",
                "phone", CALLER, "name", "Olga", "message", "Is the corner sofa in stock?", "sessionId", visit.text("sessionId")));
        assertThat(lead.status()).as(lead.body()).isEqualTo(201);
        leadId = lead.text("leadId");
        server.clock.advance(Duration.ofSeconds(30));
        String event = "{\"callId\":\"f1-1\",\"event\":\"completed\",\"from\":\"" + CALLER + "\",\"to\":\"" + visit.text("number")
                + "\",\"talkSeconds\":95}";
        TestServer.Reply call = server.send("POST", "/v1/telephony/" + siteId + "/events", null, event, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), event)));
        assertThat(call.status()).as(call.body()).isEqualTo(200);
        callId = call.text("callId");
        assertThat(server.get("/v1/sites/" + siteId + "/calls/" + callId, site.get("apiKey")).json().at("/attribution/method").asText())
                .isEqualTo("active");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static void signInAs(String email) {
        chromium.signInWithPassword(server.base(), email, TestAccounts.PASSWORD);
        chromium.waitFor(d -> !d.findElements(By.cssSelector("#calls-table tr[data-call-id='" + callId + "']")).isEmpty());
    }

    /** The open detail, once the API's fresh copy has answered (it may redraw the row's copy). */
    static WebElement dialog() {
        return chromium.waitFor(d -> {
            WebElement e = d.findElement(By.id("detail"));
            return e.getAttribute("open") != null && e.getAttribute("data-fresh") != null
                    && !e.findElements(By.id("detail-title")).isEmpty() ? e : null;
        });
    }

    static WebElement detailField(String name) {
        return driver.findElement(By.cssSelector("#detail [name='" + name + "']"));
    }

    static void typeInto(String name, String text) {
        WebElement e = detailField(name);
        e.clear();
        e.sendKeys(text);
    }

    /** The error shown right after the field the API named, or null. */
    static String errorBeside(String name) {
        return (String) driver.executeScript("var f = document.querySelector('#detail [name=\"' + arguments[0] + '\"]');"
                + "var n = f && f.nextElementSibling; return n && n.classList.contains('field-error') ? n.textContent : null;", name);
    }

    static TestServer.Reply apiCall() {
        return server.get("/v1/sites/" + site.get("siteId") + "/calls/" + callId, site.get("apiKey"));
    }

    @Test
    void anAnalystOpensACallWithoutARecordingSeesItsVisitAndSetsItsValueAndANote() throws Exception {
        signInAs("analyst@detail.test");
        WebElement row = driver.findElement(By.cssSelector("#calls-table tr[data-call-id='" + callId + "']"));
        assertThat(row.getText()).contains("no recording");
        // A tag set inline leaves the row's copy of the call behind: the detail reads the call afresh.
        row.findElement(By.cssSelector("button.edit")).click();
        assertThat(driver.findElement(By.id("detail")).getAttribute("open")).as("the tag button is the row's own").isNull();
        row.findElement(By.cssSelector("input.tag-input")).sendKeys("vip" + Keys.ENTER);
        chromium.waitFor(d -> d.findElements(By.cssSelector("tr[data-call-id='" + callId + "'] .tag")).size() == 1);
        // A click on the row (not on its tag button) opens the call.
        row.findElement(By.cssSelector("td.call-value")).click();
        WebElement detail = dialog();
        assertThat(detailField("tags").getAttribute("value")).isEqualTo("vip");
        assertThat(detail.getAttribute("class")).contains("call-detail");
        String facts = detail.getText();
        assertThat(facts).contains(CALLER).contains("completed").contains("1 min 35 s")
                .contains("google / cpc").contains("winter-sofas").contains("corner sofa").contains("GCLID-F1")
                .contains("example.com/sofas/corner").contains("desktop").contains("active");
        assertThat(detail.findElement(By.xpath(".//section[h3[text()='Leads from this phone']]")).getText()).contains("form");
        chromium.shot("call-detail-analyst");

        typeInto("value", "45 000");
        typeInto("currency", "rub");
        detailField("reviewed").click();
        typeInto("note", "Bought the corner sofa; delivery on Friday.");
        detail.findElement(By.cssSelector("button[type=submit]")).click();
        chromium.waitFor(d -> d.findElement(By.cssSelector("#detail .detail-saved")).getText().equals("Saved."));
        var stored = apiCall().json();
        assertThat(stored.get("value").asLong()).isEqualTo(45000);
        assertThat(stored.get("currency").asText()).isEqualTo("RUB");
        assertThat(stored.get("reviewed").asBoolean()).isTrue();
        assertThat(stored.get("note").asText()).isEqualTo("Bought the corner sofa; delivery on Friday.");
        assertThat(driver.findElement(By.cssSelector("#calls-table tr[data-call-id='" + callId + "'] td.call-value")).getText())
                .isEqualTo("45,000 RUB");
        assertThat(chromium.consoleErrors()).as("no console errors").isEmpty();

        // The API's refusals appear beside the field it names, in words to act on; nothing is stored.
        typeInto("value", "-5");
        driver.findElement(By.cssSelector("#detail button[type=submit]")).click();
        chromium.waitFor(d -> errorBeside("value") != null);
        assertThat(errorBeside("value")).contains("0 or more");
        assertThat(detailField("value").getAttribute("aria-invalid")).isEqualTo("true");
        typeInto("value", "100");
        typeInto("currency", "ABC");
        driver.findElement(By.cssSelector("#detail button[type=submit]")).click();
        chromium.waitFor(d -> errorBeside("currency") != null);
        assertThat(errorBeside("currency")).contains("three-letter currency code");
        assertThat(errorBeside("value")).as("the value's old error went").isNull();
        typeInto("value", "twelve");
        driver.findElement(By.cssSelector("#detail button[type=submit]")).click();
        chromium.waitFor(d -> errorBeside("value") != null);
        assertThat(apiCall().json().get("value").asLong()).isEqualTo(45000);
        chromium.shot("call-detail-errors");
        assertThat(chromium.consoleErrors()).as("only the refused requests are logged")
                .allMatch(m -> m.contains("status of 422"));

        // Esc with changes not saved says so and keeps them; a second Esc closes it and gives the focus back to the row.
        detailField("note").sendKeys(Keys.ESCAPE);
        chromium.waitFor(d -> d.findElement(By.cssSelector("#detail .detail-saved")).getText().startsWith("Not saved yet"));
        assertThat(driver.findElement(By.id("detail")).getAttribute("open")).isNotNull();
        assertThat(detailField("value").getAttribute("value")).isEqualTo("twelve");
        detailField("note").sendKeys(Keys.ESCAPE);
        chromium.waitFor(d -> d.findElement(By.id("detail")).getAttribute("open") == null);
        assertThat(driver.switchTo().activeElement().getAttribute("class")).isEqualTo("open-detail");
        assertThat((String) driver.executeScript("return document.activeElement.closest('tr').dataset.callId")).isEqualTo(callId);
    }

    @Test
    void aViewerOpensACallByKeyboardAndSeesItReadOnlyWithTheCallerMasked() throws Exception {
        assertThat(server.send("PATCH", "/v1/sites/" + site.get("siteId") + "/calls/" + callId, site.get("apiKey"),
                "{\"value\":1999.5,\"currency\":\"EUR\",\"note\":\"asked for a discount\"}", "application/json", Map.of()).status())
                .isEqualTo(200);
        signInAs("viewer@detail.test");
        WebElement open = driver.findElement(By.cssSelector("#calls-table tr[data-call-id='" + callId + "'] button.open-detail"));
        open.sendKeys(Keys.ENTER);
        WebElement detail = dialog();
        assertThat(detail.getText()).contains("+7916***4567").doesNotContain(CALLER).contains("1,999.5 EUR")
                .contains("asked for a discount").contains("GCLID-F1").contains("can see this call but not change it");
        assertThat(detail.findElements(By.cssSelector("input, textarea, select, button[type=submit]"))).as("nothing to edit").isEmpty();
        chromium.shot("call-detail-viewer");
        driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        chromium.waitFor(d -> d.findElement(By.id("detail")).getAttribute("open") == null);
        assertThat(chromium.consoleErrors()).as("no console errors").isEmpty();
    }

    @Test
    void anAnalystSetsALeadsValueAndStatusAndGoesToTheCallFromItsPhoneInAPhoneSizedWindow() throws Exception {
        signInAs("analyst@detail.test");
        driver.manage().window().setSize(new Dimension(390, 844));
        WebElement open = driver.findElement(By.cssSelector("#leads-table tr[data-lead-id='" + leadId + "'] button.open-detail"));
        driver.executeScript("arguments[0].scrollIntoView({block: 'center'})", open);
        open.click();
        WebElement detail = dialog();
        assertThat(detail.getAttribute("class")).contains("lead-detail");
        assertThat(detail.getText()).contains("Is the corner sofa in stock?").contains("winter-sofas").contains("GCLID-F1");
        // A phone's window: the sheet fills it, and nothing is wider than the screen.
        Map<?, ?> box = (Map<?, ?>) driver.executeScript("var d = document.getElementById('detail'), r = d.getBoundingClientRect();"
                + "return {left: r.left, right: r.right, scroll: d.scrollWidth, client: d.clientWidth, inner: innerWidth};");
        assertThat(((Number) box.get("left")).doubleValue()).isGreaterThanOrEqualTo(0);
        assertThat(((Number) box.get("right")).doubleValue()).isLessThanOrEqualTo(((Number) box.get("inner")).doubleValue());
        assertThat(((Number) box.get("scroll")).longValue()).as("no sideways scrolling").isLessThanOrEqualTo(((Number) box.get("client")).longValue());
        assertThat(detailField("value").isDisplayed()).isTrue();

        typeInto("value", "1200");
        typeInto("currency", "USD");
        new org.openqa.selenium.support.ui.Select(detailField("status")).selectByValue("won");
        driver.findElement(By.cssSelector("#detail button[type=submit]")).click();
        chromium.waitFor(d -> d.findElement(By.cssSelector("#detail .detail-saved")).getText().equals("Saved."));
        var stored = server.get("/v1/sites/" + site.get("siteId") + "/leads/" + leadId, site.get("apiKey")).json();
        assertThat(stored.get("value").asLong()).isEqualTo(1200);
        assertThat(stored.get("currency").asText()).isEqualTo("USD");
        assertThat(stored.get("status").asText()).isEqualTo("won");
        assertThat(driver.findElement(By.cssSelector("#leads-table tr[data-lead-id='" + leadId + "'] td.lead-value")).getAttribute("textContent"))
                .isEqualTo("1,200 USD");
        chromium.shot("lead-detail-phone-390");

        // The call its phone made opens from the lead.
        driver.findElement(By.xpath("//dialog[@id='detail']//section[h3[text()='Calls from this phone']]//button")).click();
        chromium.waitFor(d -> callId.equals(d.findElement(By.id("detail")).getAttribute("data-call-id")));
        assertThat(dialog().getText()).contains("GCLID-F1");
        chromium.shot("call-detail-phone-390");
        assertThat(chromium.consoleErrors()).as("no console errors").isEmpty();
        driver.findElement(By.cssSelector("#detail .detail-close")).click();
        chromium.waitFor(d -> d.findElement(By.id("detail")).getAttribute("open") == null);
    }
}
