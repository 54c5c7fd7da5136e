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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Audit AI4 F16, F15, F11 and F14 in real headless Chromium (skipped without chromium and
 * chromedriver): "Download CSV" on the call log, the lead log and Top sources fetch the table's CSV
 * with the query on screen and say what was saved, under the site's name; the Yandex buttons export
 * by yclid when asked; a direct call that the default model credits to an earlier Google visit says
 * so in the call log, and Top sources says the log filters by the call's own visit.
 */
class DownloadsBrowserTest {
    /** The widths and scrollbars the dashboard's other browser tests use: this one measures no layout. */
    @RegisterExtension
    static final HeadlessChromium chromium = HeadlessChromium.window(1280, 900).hidingScrollbars();
    static final String CALLER = "+79161234568";

    @TempDir
    static Path dir;

    static TestServer server;
    static ChromeDriver driver;
    static Map<String, String> site;
    static String callId;

    @BeforeAll
    static void start() throws Exception {
        driver = chromium.driver();
        server = new TestServer(dir.resolve("store"));
        TestAccounts accounts = new TestAccounts(server);
        Map<String, Object> ws = accounts.ownedWorkspace("Downloads agency", "owner@downloads.test");
        TestAccounts.Person owner = (TestAccounts.Person) ws.get("owner");
        site = accounts.site((String) ws.get("workspaceId"), owner, "Sofa shop");
        String siteId = site.get("siteId");
        assertThat(accounts.as(owner, "POST", "/v1/sites/" + siteId + "/pools", Map.of("name", "Google",
                "numbers", List.of("+74950000801", "+74950000802"))).status()).isEqualTo(201);
        // A Yandex Direct click (a yclid, no Metrica), then the same visitor back directly, calling the number of that visit.
        TestServer.Reply ad = server.startSession(site.get("publicKey"), "visitor-f14",
                "https://example.com/?utm_source=yandex&utm_medium=cpc&yclid=777001");
        assertThat(ad.status()).as(ad.body()).isIn(200, 201);
        server.clock.advance(Duration.ofMinutes(40));
        TestServer.Reply direct = server.startSession(site.get("publicKey"), "visitor-f14", "https://example.com/contacts");
        assertThat(direct.status()).as(direct.body()).isIn(200, 201);
        server.clock.advance(Duration.ofSeconds(30));
        String event = "{\"callId\":\"dl-b1\",\"event\":\"completed\",\"from\":\"" + CALLER + "\",\"to\":\"" + direct.text("number")
                + "\",\"talkSeconds\":95}";
        TestServer.Reply call = server.send("POST", "/v1/telephony/" + siteId + "/events", null, event, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), event)));
        assertThat(call.status()).as(call.body()).isEqualTo(200);
        callId = call.text("callId");
        TestServer.Reply stored = server.get("/v1/sites/" + siteId + "/calls/" + callId, site.get("apiKey"));
        assertThat(stored.json().at("/attribution/channel").asText()).isEqualTo("direct");
        assertThat(stored.json().at("/attribution/earlierVisits/0/source").asText()).isEqualTo("yandex");

        chromium.signInWithPassword(server.base(), "owner@downloads.test", TestAccounts.PASSWORD);
        chromium.waitFor(d -> !d.findElements(By.cssSelector("#calls-table tr[data-call-id='" + callId + "']")).isEmpty());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Clicked in the middle of the window: the sticky page header covers a button scrolled to the top edge. */
    static void click(WebElement e) {
        driver.executeScript("arguments[0].scrollIntoView({block: 'center'})", e);
        e.click();
    }

    static String statusAfterClick(String button, String status) {
        click(driver.findElement(By.id(button)));
        return chromium.waitFor(d -> {
            String t = d.findElement(By.id(status)).getText();
            return t.startsWith("Downloaded") || t.startsWith("Download failed") || t.startsWith("Export failed") ? t : null;
        });
    }

    @Test
    void theCallLogLeadLogAndTopSourcesDownloadAsCsvNamedAfterTheSite() {
        assertThat(statusAfterClick("download-calls", "download-status-calls"))
                .matches("Downloaded calls_Sofa-shop_\\d{4}-\\d\\d-\\d\\d_\\d{4}-\\d\\d-\\d\\d\\.csv \\(Sofa shop\\): 1 row\\.");
        assertThat(statusAfterClick("download-leads", "download-status-leads")).startsWith("Downloaded leads_Sofa-shop_").endsWith(": 0 rows.");
        assertThat(statusAfterClick("download-sources", "download-status-sources"))
                .startsWith("Downloaded sources-by-source-medium_Sofa-shop_").contains("(Sofa shop)");
        // The filters on screen go with it: a status no call has gives no rows.
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.cssSelector("#call-filters [name='status']"))).selectByVisibleText("missed");
        chromium.waitFor(d -> d.findElements(By.id("calls-table")).isEmpty());
        assertThat(statusAfterClick("download-calls", "download-status-calls")).endsWith(": 0 rows.");
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.cssSelector("#call-filters [name='status']"))).selectByIndex(0);
        chromium.waitFor(d -> !d.findElements(By.cssSelector("#calls-table tr[data-call-id='" + callId + "']")).isEmpty());
    }

    @Test
    void yandexExportsMatchByYclidWhenAsked() {
        driver.findElement(By.id("export-target")).click(); // every call, not only target ones: the point here is the id
        try {
            String byClientId = statusAfterClick2("yandex-offline");
            assertThat(byClientId).contains("yandex-offline_Sofa-shop_").contains("(Sofa shop)").contains("0 rows");
            new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("export-id-type"))).selectByValue("yclid");
            String byYclid = statusAfterClick2("yandex-offline");
            assertThat(byYclid).contains(": 1 row").contains("matched by Yclid");
        } finally {
            new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("export-id-type"))).selectByValue("");
            driver.findElement(By.id("export-target")).click();
        }
    }

    static String statusAfterClick2(String format) {
        driver.executeScript("document.getElementById('export-status').textContent = ''");
        click(driver.findElement(By.cssSelector("#exports button[data-format='" + format + "']")));
        return chromium.waitFor(d -> {
            String t = d.findElement(By.id("export-status")).getText();
            return t.startsWith("Downloaded") || t.startsWith("Export failed") ? t : null;
        });
    }

    @Test
    void aDirectCallCreditedToAnEarlierAdVisitSaysSoInTheCallLog() {
        WebElement row = driver.findElement(By.cssSelector("#calls-table tr[data-call-id='" + callId + "']"));
        assertThat(row.getText()).contains("credited to yandex / cpc (last non-direct)");
        assertThat(driver.findElement(By.id("sources-credit-note")).getText()).contains("call log shows and filters each call by its own visit");
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("model"))).selectByValue("last_click");
        chromium.waitFor(d -> !d.findElement(By.cssSelector("#calls-table tr[data-call-id='" + callId + "']")).getText().contains("credited"));
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("model"))).selectByValue("last_non_direct");
        chromium.waitFor(d -> d.findElement(By.cssSelector("#calls-table tr[data-call-id='" + callId + "']")).getText().contains("credited"));
    }
}
