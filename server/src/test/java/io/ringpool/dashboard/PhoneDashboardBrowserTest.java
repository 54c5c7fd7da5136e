package io.ringpool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringpool.account.TestAccounts;
import io.ringpool.app.TestServer;
import io.ringpool.call.Signing;
import io.ringpool.recording.ProviderDouble;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard on a phone (session 45), in real headless Chromium emulating a 390 × 844 CSS px
 * touch screen (skipped without chromium and chromedriver). A marketer on the road signs in, plays a
 * recorded call from the call log, opens a call and a lead to set a value and a note, and looks at
 * the reports and the pools. On every one of those pages nothing scrolls sideways, no element runs
 * past the screen's edge, and every control is at least {@value #TAP} px tall to tap. Until then the
 * call log was a table wider than the screen: the ▶ of a recording sat in its last column, off to
 * the right, and controls were 17–36 px tall.
 */
class PhoneDashboardBrowserTest {
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final Path BINARY = Path.of("/usr/bin/chromium");
    static final Path SHOTS = Path.of("target", "screenshots");
    /** The smallest tap target, CSS px: the figure session 45 was asked for (Apple asks 44, Material 48); phone.css's --tap. */
    static final int TAP = 40;
    static final int WIDTH = 390;
    static final int HEIGHT = 844;
    static final String CALLER = "+79161234567";
    static final String LANDING = "https://example.com/sofas/corner-sofa-with-a-long-name?utm_source=google&utm_medium=cpc"
            + "&utm_campaign=winter-sofas-moscow-and-the-moscow-region&utm_term=corner+sofa&gclid=GCLID-PHONE";

    /**
     * Everything on the page a phone gets wrong, as lines to read: the page or a box in it scrolling
     * sideways, an element past the screen's edge, a control shorter than a fingertip. Only what is
     * shown counts (a closed dialog or a collapsed {@code <details>} is not on the screen); a check
     * box or radio counts as the label around it, which is what a finger taps.
     */
    static final String PROBLEMS = """
            var W = document.documentElement.clientWidth, out = [], seen = {};
            function name(e) {
              var t = (e.getAttribute('aria-label') || e.textContent || e.value || e.placeholder || '').trim().replace(/\\s+/g, ' ').slice(0, 24);
              return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + (t ? ' "' + t + '"' : '');
            }
            function say(s) { if (!seen[s]) { seen[s] = 1; out.push(s); } }
            if (document.documentElement.scrollWidth > W) say('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' px wide');
            document.querySelectorAll('body *').forEach(function (e) {
              if (!e.getClientRects().length || getComputedStyle(e).visibility === 'hidden') return;
              if (e.closest('.uplot')) return; // the charts draw to the width they are given
              var open = document.querySelector('dialog[open]');
              if (open && !open.contains(e)) return; // behind a modal dialog: not what the screen shows
              var s = getComputedStyle(e);
              if (/auto|scroll/.test(s.overflowX) && e.scrollWidth > e.clientWidth + 1) say('scrolls sideways: ' + name(e) + ' ' + e.scrollWidth + ' > ' + e.clientWidth);
              var r = e.getBoundingClientRect();
              if (r.width && (r.right > W + 1 || r.left < -1)) say('past the edge: ' + name(e) + ' ' + Math.round(r.left) + '…' + Math.round(r.right));
              if (e.matches('button, select, textarea, summary, nav a, .range a, input:not([type=hidden])')) {
                var box = /checkbox|radio/.test(e.type) && e.closest('label') ? e.closest('label').getBoundingClientRect() : r;
                if (box.height < %d - 0.5) say('too small to tap: ' + name(e) + ' ' + Math.round(box.height) + ' px tall');
              }
            });
            return out;
            """.formatted(TAP);

    @TempDir
    static Path dir;

    static TestServer server;
    static ProviderDouble pbx;
    static ChromeDriver driver;
    static Map<String, String> site;
    static String recorded;
    static String leadId;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(DRIVER) && Files.isExecutable(BINARY), "chromium and chromedriver are needed");
        server = new TestServer(dir.resolve("store"), Map.of("recordings.fetchAllow", List.of("127.0.0.1"),
                "recordings.pollIntervalMillis", 100));
        pbx = new ProviderDouble("127.0.0.1");
        TestAccounts accounts = new TestAccounts(server);
        Map<String, Object> ws = accounts.ownedWorkspace("Phone agency", "owner@phone.test");
        String workspaceId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        site = accounts.site(workspaceId, owner, "Sofa shop with a rather long name");
        String siteId = site.get("siteId");
        assertThat(accounts.as(owner, "POST", "/v1/sites/" + siteId + "/pools",
                Map.of("name", "Google search, Moscow", "numbers", List.of("+74950000701", "+74950000702"))).status()).isEqualTo(201);
        accounts.member(workspaceId, owner, "marketer@phone.test", "analyst");
        assertThat(server.send("PATCH", "/v1/sites/" + siteId, site.get("apiKey"), "{\"recordCalls\":true}", "application/json", Map.of())
                .status()).isEqualTo(200);

        // A visit from a Google ad, a form sent from it, then the visitor's call, recorded.
        TestServer.Reply visit = server.startSession(site.get("publicKey"), null, LANDING);
        assertThat(visit.status()).as(visit.body()).isIn(200, 201);
        TestServer.Reply lead = server.post("/v1/sites/" + siteId + "/leads", site.get("apiKey"), Map.of("kind", "form",
                "phone", CALLER, "name", "Olga Konstantinovna Rimskaya-Korsakova", "email", "olga.konstantinovna@example-furniture-buyers.test",
                "message", "Is the corner sofa in stock? I would like it delivered on Friday.", "sessionId", visit.text("sessionId")));
        assertThat(lead.status()).as(lead.body()).isEqualTo(201);
        leadId = lead.text("leadId");
        server.clock.advance(Duration.ofSeconds(30));
        pbx.on("/rec/phone.wav", ProviderDouble.Answer.audio("audio/wav", ProviderDouble.wav(8, 8000)));
        String event = "{\"callId\":\"phone-1\",\"event\":\"completed\",\"from\":\"" + CALLER + "\",\"to\":\"" + visit.text("number")
                + "\",\"talkSeconds\":95,\"recordingUrl\":\"" + pbx.base() + "/rec/phone.wav\"}";
        TestServer.Reply call = server.send("POST", "/v1/telephony/" + siteId + "/events", null, event, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), event)));
        assertThat(call.status()).as(call.body()).isEqualTo(200);
        recorded = call.text("callId");
        String path = "/v1/sites/" + siteId + "/calls/" + recorded;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!"stored".equals(server.get(path, site.get("apiKey")).text("recordingStatus"))) {
            assertThat(System.nanoTime()).as("the recording is fetched").isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThat(server.send("PATCH", path, site.get("apiKey"), "{\"tags\":[\"sales\",\"delivery\",\"vip\"]}", "application/json", Map.of())
                .status()).isEqualTo(200);

        ChromeOptions o = new ChromeOptions();
        o.setBinary(BINARY.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")));
        // A phone, not a narrow desktop window: its width in CSS px, a touch screen, a phone's user agent.
        o.setExperimentalOption("mobileEmulation", Map.of(
                "deviceMetrics", Map.of("width", WIDTH, "height", HEIGHT, "pixelRatio", 2, "touch", true, "mobile", true),
                "userAgent", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"));
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(), o);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
        if (pbx != null) {
            pbx.close();
        }
    }

    static WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    static Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    /** The screen as the phone shows it, kept under target/screenshots for a person to look at. */
    static void shot(String name) throws Exception {
        Thread.sleep(200); // let a transition or a scroll settle before the capture
        Map<String, Object> png = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png"));
        Files.write(SHOTS.resolve("phone-" + name + ".png"), Base64.getDecoder().decode((String) png.get("data")));
    }

    /** This page's problems on a phone, each prefixed with the page's name, and its screenshot. */
    static List<String> look(String page) throws Exception {
        shot(page);
        @SuppressWarnings("unchecked")
        List<String> found = (List<String>) js(PROBLEMS);
        return found.stream().map(p -> page + ": " + p).toList();
    }

    /** Scrolls the page, never a box in it, so that the element's top is near the top of the screen. */
    static void scrollTo(WebElement e) {
        js("window.scrollTo(0, arguments[0].getBoundingClientRect().top + scrollY - 60)", e);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Number> rect(WebElement e) {
        return (Map<String, Number>) js("var r = arguments[0].getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top,"
                + " bottom: r.bottom, width: document.documentElement.clientWidth, height: innerHeight};", e);
    }

    static boolean onScreen(WebElement e) {
        Map<String, Number> r = rect(e);
        return r.get("left").doubleValue() >= 0 && r.get("right").doubleValue() <= r.get("width").doubleValue()
                && r.get("top").doubleValue() >= 0 && r.get("bottom").doubleValue() <= r.get("height").doubleValue();
    }

    @Test
    void onA390PxPhoneAMarketerPlaysACallEditsACallAndALeadAndReadsReportsAndPoolsWithoutPanningSideways() throws Exception {
        List<String> problems = new ArrayList<>();
        driver.get(server.base() + "/dashboard/");
        waiting().until(d -> d.findElement(By.id("email")).isDisplayed());
        assertThat(((Number) js("return document.documentElement.clientWidth")).intValue()).as("a phone's width").isEqualTo(WIDTH);
        problems.addAll(look("signin"));
        driver.findElement(By.id("email")).sendKeys("marketer@phone.test");
        driver.findElement(By.id("password")).sendKeys(TestAccounts.PASSWORD);
        driver.findElement(By.id("password-signin-button")).click();
        waiting().until(d -> d.findElement(By.tagName("body")).getAttribute("data-loaded") != null);
        waiting().until(d -> !d.findElements(By.cssSelector("#calls-table tr[data-call-id='" + recorded + "'] button.play")).isEmpty());
        problems.addAll(look("reports"));

        // The call log: what matters in a call is on the screen as it opens, ▶ included, and it plays.
        WebElement row = driver.findElement(By.cssSelector("#calls-table tr[data-call-id='" + recorded + "']"));
        scrollTo(row);
        WebElement play = row.findElement(By.cssSelector("button.play"));
        // Time, caller, source, status and ▶.
        for (String cell : List.of(".call-time button.open-detail", ".call-caller", ".call-source .src-name", ".call-status", "button.play")) {
            WebElement e = row.findElement(By.cssSelector(cell));
            if (!onScreen(e)) {
                problems.add("call-log: off the screen: the call's " + cell + " " + rect(e));
            }
        }
        assertThat(row.getText()).contains(CALLER).contains("google").contains("completed");
        problems.addAll(look("call-log"));
        play.click();
        waiting().until(d -> ((Number) js("var a = document.getElementById('call-player'); return a ? a.readyState : 0")).intValue() >= 3);
        waiting().until(d -> Boolean.FALSE.equals(js("return document.getElementById('call-player').paused")));
        WebElement player = driver.findElement(By.cssSelector("tr.player-row .player"));
        scrollTo(player);
        assertThat(onScreen(driver.findElement(By.id("call-player")))).as("the player's controls are on the screen").isTrue();
        problems.addAll(look("call-playing"));
        driver.findElement(By.cssSelector("tr.player-row .player-close")).click();
        waiting().until(d -> d.findElements(By.cssSelector("tr.player-row")).isEmpty());

        // A call's detail: tags, value and a note, set by touch.
        driver.findElement(By.cssSelector("#calls-table tr[data-call-id='" + recorded + "'] button.open-detail")).click();
        WebElement detail = waiting().until(d -> {
            WebElement e = d.findElement(By.id("detail"));
            return e.getAttribute("open") != null && e.getAttribute("data-fresh") != null ? e : null;
        });
        assertThat(detail.getText()).contains(CALLER).contains("winter-sofas-moscow-and-the-moscow-region");
        problems.addAll(look("call-detail"));
        WebElement value = detail.findElement(By.cssSelector("[name='value']"));
        value.clear();
        value.sendKeys("45000");
        detail.findElement(By.cssSelector("[name='note']")).sendKeys("Delivery on Friday.");
        WebElement save = detail.findElement(By.cssSelector("button[type=submit]"));
        js("arguments[0].scrollIntoView({block: 'center'})", save);
        problems.addAll(look("call-detail-form"));
        save.click();
        waiting().until(d -> d.findElement(By.cssSelector("#detail .detail-saved")).getText().equals("Saved."));
        assertThat(server.get("/v1/sites/" + site.get("siteId") + "/calls/" + recorded, site.get("apiKey")).json().get("value").asLong())
                .isEqualTo(45000);
        driver.findElement(By.cssSelector("#detail .detail-close")).click();
        waiting().until(d -> d.findElement(By.id("detail")).getAttribute("open") == null);

        // The lead log and a lead.
        WebElement leadRow = driver.findElement(By.cssSelector("#leads-table tr[data-lead-id='" + leadId + "']"));
        scrollTo(leadRow);
        for (String cell : List.of("button.open-detail", ".lead-person", "select.lead-status")) {
            WebElement e = leadRow.findElement(By.cssSelector(cell));
            if (!onScreen(e)) {
                problems.add("lead-log: off the screen: the lead's " + cell + " " + rect(e));
            }
        }
        problems.addAll(look("lead-log"));
        leadRow.findElement(By.cssSelector("button.open-detail")).click();
        waiting().until(d -> d.findElement(By.id("detail")).getAttribute("data-fresh") != null
                && leadId.equals(d.findElement(By.id("detail")).getAttribute("data-lead-id")));
        problems.addAll(look("lead-detail"));
        driver.findElement(By.cssSelector("#detail .detail-close")).click();
        waiting().until(d -> d.findElement(By.id("detail")).getAttribute("open") == null);

        // The pools page.
        js("location.hash = '#pools'");
        waiting().until(d -> d.findElement(By.id("pages")).getText().contains("Google search, Moscow"));
        js("window.scrollTo(0, 0)");
        problems.addAll(look("pools"));

        assertThat(problems).as("what a phone gets wrong").isEmpty();
    }
}
