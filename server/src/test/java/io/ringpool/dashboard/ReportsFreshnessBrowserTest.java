package io.ringpool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.account.TestAccounts;
import io.ringpool.app.TestServer;
import io.ringpool.call.Signing;
import io.ringpool.testing.browser.HeadlessChromium;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * Audit AI4 in real headless Chromium (skipped without chromium and chromedriver): what the
 * dashboard shows must be what the API answered for the dates and the site's settings on screen.
 * F8: a refused range (past 400 days, To before From) left the previous range's figures under the
 * new dates without a word; now every view is emptied and says why, with a retry. F6: a new time
 * zone saved in Settings reached the reports only after a reload. F3: no landing-page report. F7: a
 * file past 1 MiB (counts in HTTP trailers, which fetch() never sees) said "— rows". F2: the People
 * page panned sideways on a phone.
 */
class ReportsFreshnessBrowserTest {
    @RegisterExtension
    static final HeadlessChromium chromium = HeadlessChromium.window(1280, 900).hidingScrollbars().savingDownloads().keepingConsole()
            .forgettingBeforeEachTest(() -> ReportsFreshnessBrowserTest.server.base()); // named in full: the field is declared below
    static final String LANDING = "https://example.com/sofas/corner?utm_source=google&utm_medium=cpc&gclid=GCLID-F3";

    @TempDir
    static Path dir;

    static TestServer server;
    static ChromeDriver driver;
    static Map<String, String> shop;
    static Map<String, String> clinic;
    static Instant callAt;

    @BeforeAll
    static void start() throws Exception {
        driver = chromium.driver();
        server = new TestServer(dir.resolve("store"));
        TestAccounts accounts = new TestAccounts(server);
        Map<String, Object> ws = accounts.ownedWorkspace("Fresh agency", "owner@fresh.test");
        String workspaceId = (String) ws.get("workspaceId");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        shop = accounts.site(workspaceId, owner, "Sofa shop");
        clinic = accounts.site(workspaceId, owner, "Dental clinic");
        String siteId = shop.get("siteId");
        assertThat(accounts.as(owner, "PATCH", "/v1/sites/" + siteId, Map.of("timeZone", "Asia/Novosibirsk")).status()).isEqualTo(200);
        assertThat(accounts.as(owner, "POST", "/v1/sites/" + siteId + "/pools", Map.of("name", "Google", "numbers", List.of("+74950000701")))
                .status()).isEqualTo(201);
        accounts.member(workspaceId, owner, "analyst-with-a-rather-long-address@fresh.test", "analyst");
        assertThat(accounts.as(owner, "POST", "/v1/sites/" + siteId + "/static-numbers", Map.of("number", "+74950000790",
                "source", "billboard", "medium", "offline", "campaign", "metro-dec", "label", "Metro billboard, Ring road km 12")).status())
                .isEqualTo(201);

        TestServer.Reply visit = server.startSession(shop.get("publicKey"), null, LANDING);
        assertThat(visit.status()).as(visit.body()).isIn(200, 201);
        server.clock.advance(Duration.ofSeconds(30));
        callAt = server.clock.instant();
        String event = "{\"callId\":\"fresh-1\",\"event\":\"completed\",\"from\":\"+79161234567\",\"to\":\"" + visit.text("number")
                + "\",\"talkSeconds\":95}";
        TestServer.Reply call = server.send("POST", "/v1/telephony/" + siteId + "/events", null, event, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(shop.get("webhookSecret"), callAt.getEpochSecond(), event)));
        assertThat(call.status()).as(call.body()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The owner signed in, on Sofa shop, over the days around the call in any zone (not the browser's "today"). */
    static void signInOnTheShop() {
        chromium.signInWithPassword(server.base(), "owner@fresh.test", TestAccounts.PASSWORD);
        pickSite(shop.get("siteId"));
        LocalDate day = callAt.atZone(ZoneId.of("UTC")).toLocalDate();
        setDates(day.minusDays(2).toString(), day.plusDays(2).toString());
    }

    static void pickSite(String siteId) {
        if (siteId.equals(driver.executeScript("return Ringpool.state.site.siteId"))) {
            return;
        }
        chromium.loadBy(() -> new Select(driver.findElement(By.id("site-switcher"))).selectByValue(siteId));
    }

    /** Types the dates as a person would, To first, then From: each change loads. */
    static void setDates(String from, String to) {
        chromium.loadByScript("var t = document.getElementById('to'); t.value = arguments[1]; t.dispatchEvent(new Event('change'));", from, to);
        chromium.loadByScript("var f = document.getElementById('from'); f.value = arguments[0]; f.dispatchEvent(new Event('change'));", from, to);
    }

    static String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    @Test
    void aRangeTheApiRefusesEmptiesEveryViewAndSaysWhyInsteadOfKeepingTheOldFigures() throws Exception {
        signInOnTheShop();
        assertThat(text("kpi-calls")).contains("1");
        assertThat(text("daily-hint")).isEqualTo("1 call · 5 days");
        assertThat(driver.findElements(By.cssSelector("#calls-table tbody tr"))).hasSize(1);
        assertThat(driver.findElement(By.id("load-problem")).isDisplayed()).isFalse();

        // "Since January last year": more than the 400 days every report allows (422 naming from).
        String to = callAt.atZone(ZoneId.of("UTC")).toLocalDate().plusDays(2).toString();
        String from = LocalDate.parse(to).minusDays(500).toString();
        setDates(from, to);
        WebElement problem = driver.findElement(By.id("load-problem"));
        assertThat(problem.isDisplayed()).isTrue();
        assertThat(problem.getText()).contains(from + " – " + to).contains("400 days").contains("Change From or To")
                .contains("Try again");
        assertThat(driver.findElements(By.cssSelector("#kpis .kpi"))).as("no totals of the previous range").isEmpty();
        assertThat(text("daily-hint")).isEmpty();
        assertThat(driver.findElements(By.cssSelector("#daily-chart canvas"))).isEmpty();
        for (String view : List.of("daily-chart", "sources", "heatmap", "devices", "paths", "pool-chart")) {
            assertThat(text(view)).as(view).contains("400 days").contains("Try again");
        }
        assertThat(driver.findElements(By.id("sources-table"))).isEmpty();
        // The call log has no such limit: it shows the range's calls, as the API answers them.
        assertThat(driver.findElements(By.cssSelector("#calls-table tbody tr"))).hasSize(1);
        chromium.shot("reports-range-refused");

        // To before From: asked for too, and the server's word shown, not the figures of the day before.
        String day = callAt.atZone(ZoneId.of("UTC")).toLocalDate().toString();
        setDates(day, day);
        assertThat(text("kpi-calls")).contains("1");
        chromium.loadByScript("var t = document.getElementById('to'); t.value = arguments[0]; t.dispatchEvent(new Event('change'));",
                LocalDate.parse(day).minusDays(3).toString());
        assertThat(driver.findElement(By.id("load-problem")).isDisplayed()).isTrue();
        assertThat(driver.findElements(By.cssSelector("#kpis .kpi"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("#calls-table tbody tr"))).isEmpty();
        assertThat(text("calls")).contains("Try again");

        // Right dates again: the line goes and the figures come back.
        setDates(LocalDate.parse(day).minusDays(2).toString(), LocalDate.parse(day).plusDays(2).toString());
        assertThat(driver.findElement(By.id("load-problem")).isDisplayed()).isFalse();
        assertThat(text("daily-hint")).isEqualTo("1 call · 5 days");
        assertThat(driver.findElements(By.cssSelector("#calls-table tbody tr"))).hasSize(1);
        assertThat(chromium.consoleErrors(422)).isEmpty();
    }

    @Test
    void aFailedRequestCanBeTriedAgainAndAFailedPageSaysSo() throws Exception {
        signInOnTheShop();
        // The network gone for the reports: every view says so and offers to try again.
        driver.executeScript("window.__realFetch = window.fetch; window.fetch = function (u) {"
                + "return /\\/reports\\/|\\/calls|\\/leads|\\/pools/.test(String(u)) ? Promise.reject(new TypeError('Failed to fetch'))"
                + " : window.__realFetch.apply(this, arguments); };");
        chromium.loadByScript("Ringpool.reload();");
        assertThat(text("load-problem")).contains("could not be reached");
        assertThat(driver.findElements(By.cssSelector("#kpis .kpi"))).isEmpty();
        assertThat(text("calls")).contains("could not be reached");
        // Another page that cannot load says why in its place, with a retry.
        driver.executeScript("document.body.removeAttribute('data-page'); location.hash = '#pools';");
        chromium.waitFor(d -> d.findElement(By.tagName("body")).getAttribute("data-page") != null);
        assertThat(text("page-pools")).contains("Could not load Pools").contains("could not be reached").contains("Try again");

        driver.executeScript("window.fetch = window.__realFetch;");
        driver.executeScript("document.body.removeAttribute('data-page');");
        driver.findElement(By.cssSelector("#page-pools button.retry")).click();
        chromium.waitFor(d -> d.findElement(By.tagName("body")).getAttribute("data-page") != null);
        assertThat(text("page-pools")).contains("Google");
        driver.executeScript("document.body.removeAttribute('data-loaded'); location.hash = '#reports';");
        driver.findElement(By.id("load-retry")).click();
        chromium.waitFor(d -> d.findElement(By.tagName("body")).getAttribute("data-loaded") != null);
        assertThat(driver.findElement(By.id("load-problem")).isDisplayed()).isFalse();
        assertThat(text("kpi-calls")).contains("1");
        assertThat(driver.findElements(By.cssSelector("#calls-table tbody tr"))).hasSize(1);

        // A call's detail opens with the row's copy; if the API cannot be asked again, it says so.
        driver.executeScript("window.fetch = function (u) { return /\\/calls\\//.test(String(u))"
                + " ? Promise.reject(new TypeError('Failed to fetch')) : window.__realFetch.apply(this, arguments); };");
        driver.findElement(By.cssSelector("#calls-table tbody tr td.call-value")).click();
        WebElement note = chromium.waitFor(d -> d.findElement(By.cssSelector("#detail .detail-not-fresh")));
        assertThat(note.getText()).contains("as the log loaded it").contains("could not be reached");
        driver.executeScript("window.fetch = window.__realFetch;");
        assertThat(chromium.consoleErrors()).isEmpty();
    }

    @Test
    void aTimeZoneSavedInSettingsReachesTheReportsAndTheCallTimesAtOnce() throws Exception {
        assertThat(server.send("PATCH", "/v1/sites/" + shop.get("siteId"), shop.get("apiKey"), "{\"timeZone\":\"Asia/Novosibirsk\"}",
                "application/json", Map.of()).status()).isEqualTo(200);
        signInOnTheShop();
        DateTimeFormatter hhmm = DateTimeFormatter.ofPattern("HH:mm");
        String novosibirsk = hhmm.format(callAt.atZone(ZoneId.of("Asia/Novosibirsk")));
        String moscow = hhmm.format(callAt.atZone(ZoneId.of("Europe/Moscow")));
        assertThat(text("tz-hint")).isEqualTo("weekday × hour, Asia/Novosibirsk");
        assertThat(driver.findElement(By.cssSelector("#calls-table tbody tr td")).getText()).endsWith(novosibirsk);

        driver.executeScript("document.body.removeAttribute('data-page'); location.hash = '#settings';");
        chromium.waitFor(d -> d.findElement(By.tagName("body")).getAttribute("data-page") != null);
        WebElement zone = driver.findElement(By.cssSelector("#settings-form [name='timeZone']"));
        zone.clear();
        zone.sendKeys("Europe/Moscow");
        driver.executeScript("document.body.removeAttribute('data-loaded')");
        driver.findElement(By.cssSelector("#settings-form button[type=submit]")).click();
        chromium.waitFor(d -> d.findElement(By.id("settings-status")).getText().equals("Saved: timeZone."));
        chromium.waitFor(d -> d.findElement(By.tagName("body")).getAttribute("data-loaded") != null);

        driver.executeScript("location.hash = '#reports';");
        chromium.waitFor(d -> d.findElement(By.id("page-reports")).isDisplayed());
        chromium.waitFor(d -> d.findElement(By.id("tz-hint")).getText().equals("weekday × hour, Europe/Moscow"));
        chromium.waitFor(d -> d.findElement(By.cssSelector("#calls-table tbody tr td")).getText().endsWith(moscow));

        // Another client and back: the switcher's copy of the site has the new zone too.
        pickSite(clinic.get("siteId"));
        pickSite(shop.get("siteId"));
        assertThat(text("tz-hint")).isEqualTo("weekday × hour, Europe/Moscow");
        assertThat(driver.findElement(By.cssSelector("#calls-table tbody tr td")).getText()).endsWith(moscow);
        assertThat(chromium.consoleErrors()).isEmpty();
    }

    @Test
    void topSourcesGroupByLandingPageAsTheApiDoes() throws Exception {
        signInOnTheShop();
        driver.executeScript("document.body.removeAttribute('data-loaded')");
        new Select(driver.findElement(By.id("sources-group"))).selectByValue("landingPage");
        chromium.waitFor(d -> d.findElement(By.cssSelector("#sources-table th")).getText().equalsIgnoreCase("Landing page"));
        String range = "from=" + driver.findElement(By.id("from")).getAttribute("value") + "&to=" + driver.findElement(By.id("to")).getAttribute("value");
        JsonNode api = server.get("/v1/sites/" + shop.get("siteId") + "/reports/sources?" + range + "&groupBy=landingPage",
                shop.get("apiKey")).json();
        List<WebElement> rows = driver.findElements(By.cssSelector("#sources-table tbody tr"));
        assertThat(rows).hasSize(api.get("rows").size());
        JsonNode first = api.get("rows").get(0);
        assertThat(first.at("/key/landingPage").asText()).isEqualTo("https://example.com/sofas/corner");
        List<WebElement> cells = rows.get(0).findElements(By.tagName("td"));
        assertThat(cells.get(0).getText()).contains("https://example.com/sofas/corner").doesNotContain("unattributed");
        assertThat(cells.get(1).getText()).isEqualTo(first.get("visits").asText());
        assertThat(cells.get(2).getText()).isEqualTo(first.get("calls").asText());
        // Audit AJ3 J3: a Cyrillic page is shown as people write it, not as percent-escapes (a broken escape as it came).
        assertThat(driver.executeScript("return RingpoolCallLog.readableUrl(arguments[0])",
                "https://clinic.example/%D1%83%D1%81%D0%BB%D1%83%D0%B3%D0%B8/%D0%B8%D0%BC%D0%BF%D0%BB%D0%B0%D0%BD%D1%82%D1%8B"))
                .isEqualTo("https://clinic.example/услуги/импланты");
        assertThat(driver.executeScript("return RingpoolCallLog.readableUrl(arguments[0])", "https://x.example/%E0%A4%A"))
                .isEqualTo("https://x.example/%E0%A4%A");
        driver.manage().window().setSize(new Dimension(390, 844));
        Thread.sleep(200);
        assertThat(((Number) driver.executeScript("return document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(390);
        assertThat(chromium.consoleErrors()).isEmpty();
    }

    @Test
    void anExportPastOneMebibyteCountsItsRowsInTheFileAndSaysTheLeftOutCountIsUnknown() {
        signInOnTheShop();
        driver.findElement(By.id("export-target")).click(); // every call, not only target ones
        driver.findElement(By.cssSelector("#exports button[data-format='google-ads-calls']")).click();
        chromium.waitFor(d -> d.findElement(By.id("export-status")).getText().startsWith("Downloaded"));
        String small = text("export-status");
        assertThat(small).contains(": 1 row.");
        // A file past 1 MiB comes chunked with its counts as trailers: to fetch() it has no count headers.
        driver.executeScript("var real = window.fetch; window.fetch = function (u) { return real.apply(this, arguments).then(function (r) {"
                + "if (!/\\/exports\\//.test(String(u))) return r;"
                + "return r.blob().then(function (b) { return new Response(b, { status: r.status, headers: {"
                + "'Content-Type': 'text/csv', 'Content-Disposition': r.headers.get('Content-Disposition') } }); }); }); };");
        driver.findElement(By.cssSelector("#exports button[data-format='google-ads-calls']")).click();
        chromium.waitFor(d -> d.findElement(By.id("export-status")).getText().contains("counted in the file"));
        assertThat(text("export-status")).contains(": 1 row (counted in the file)").contains("left out for lack of an id: not known")
                .doesNotContain("—");
        assertThat(chromium.consoleErrors()).isEmpty();
    }

    @Test
    void thePeopleAndStaticNumbersPagesFitAPhone() throws Exception {
        signInOnTheShop();
        driver.manage().window().setSize(new Dimension(390, 844));
        for (String[] page : new String[][] {{"people", "members-table"}, {"numbers", "static-table"}}) {
            driver.executeScript("document.body.removeAttribute('data-page'); location.hash = '#" + page[0] + "';");
            chromium.waitFor(d -> d.findElement(By.tagName("body")).getAttribute("data-page") != null);
            chromium.waitFor(d -> !d.findElements(By.id(page[1])).isEmpty());
            Thread.sleep(200);
            int width = ((Number) driver.executeScript("return document.documentElement.clientWidth")).intValue();
            assertThat(((Number) driver.executeScript("return document.documentElement.scrollWidth")).intValue()).as(page[0])
                    .isLessThanOrEqualTo(width);
            @SuppressWarnings("unchecked")
            List<Object> past = (List<Object>) driver.executeScript("return Array.prototype.filter.call("
                    + "document.querySelectorAll('#" + page[1] + " button, #" + page[1] + " select, #" + page[1] + " td'),"
                    + "function (e) { return e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5; })"
                    + ".map(function (e) { return e.tagName + '.' + e.className; });");
            assertThat(past).as(page[0] + ": rows and their buttons within the window").isEmpty();
            chromium.shot(page[0] + "-phone");
        }
        assertThat(chromium.consoleErrors()).isEmpty();
    }
}
