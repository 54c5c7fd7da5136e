package io.ringpool.lead;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.testing.browser.CustomerSite;
import io.ringpool.testing.browser.HeadlessChromium;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The whole path in real Chromium: the built site script on a customer page (another origin),
 * a native form that navigates away, and the lead as the real server stored it: attributed to
 * the visit with its source and click ids, with the visible phone and nothing from the password,
 * hidden or card fields. Skipped when chromium or chromedriver is absent.
 */
class LeadsInChromiumTest {
    @RegisterExtension
    static final HeadlessChromium chromium = HeadlessChromium.anySize().lookingLikeAVisitor();

    @TempDir
    static Path dir;

    static TestServer server;
    static CustomerSite site;
    static ChromeDriver driver;
    static Map<String, String> keys;

    @BeforeAll
    static void start() throws Exception {
        driver = chromium.driver();
        server = new TestServer(dir.resolve("store"));
        keys = server.siteWithPool(List.of("+74957770001", "+74957770002"));
        site = CustomerSite.serving(path -> path.equals("/thanks.html") ? "<!doctype html><title>Thanks</title><p id=thanks>Thank you"
                : landing());
    }

    static String landing() {
        return """
                <!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
                <script async src="%s/s.js" data-site="%s" data-timeout="10000"></script></head><body>
                <p>Call us: <a id="phone" href="tel:+74951234567">+7 495 123-45-67</a></p>
                <form id="order" action="/thanks.html" method="post">
                  <input name="name"><input type="tel" name="phone"><input type="email" name="email">
                  <textarea name="comment"></textarea>
                  <input type="password" name="password"><input type="hidden" name="phone2" value="+70000000001">
                  <input name="card_number" autocomplete="cc-number"><button type="submit">Send</button>
                </form></body></html>""".formatted(server.base(), keys.get("publicKey"));
    }

    @AfterAll
    static void stop() {
        if (site != null) {
            site.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aNativeFormThatNavigatesAwayArrivesAttributedToTheVisitWithNothingSensitive() {
        String page = site.url("/landing.html?utm_source=google&utm_medium=cpc"
                + "&utm_campaign=sofas&gclid=EAIaIQ-e2e-1");
        driver.get(page);
        WebDriverWait wait = chromium.waiting();
        // The swapped number says the script has its session (a loaded machine may need more than the
        // default 1 s; and headless Chromium under automation looks like a bot unless told otherwise).
        wait.until(d -> d.findElement(By.id("phone")).getText().contains("777"));

        driver.findElement(By.name("name")).sendKeys("<b>Иван</b>");
        driver.findElement(By.name("phone")).sendKeys("8 (916) 555-77-01");
        driver.findElement(By.name("email")).sendKeys("Ivan@Example.com");
        driver.findElement(By.name("comment")).sendKeys("Перезвоните");
        driver.findElement(By.name("password")).sendKeys("hunter2-secret");
        driver.findElement(By.name("card_number")).sendKeys("4111111111111111");
        driver.findElement(By.cssSelector("#order button")).click();
        wait.until(d -> !d.findElements(By.id("thanks")).isEmpty());

        String log = "/v1/sites/" + keys.get("siteId") + "/leads";
        wait.until(d -> server.get(log, keys.get("apiKey")).json().get("leads").size() == 1);
        TestServer.Reply reply = server.get(log, keys.get("apiKey"));
        JsonNode lead = reply.json().get("leads").get(0);
        assertThat(lead.get("origin").asText()).isEqualTo("script");
        assertThat(lead.get("formId").asText()).isEqualTo("order");
        assertThat(lead.get("phone").asText()).isEqualTo("+79165557701");
        assertThat(lead.get("email").asText()).isEqualTo("ivan@example.com");
        assertThat(lead.get("name").asText()).isEqualTo("<b>Иван</b>");
        assertThat(lead.get("message").asText()).isEqualTo("Перезвоните");
        JsonNode a = lead.get("attribution");
        assertThat(a.get("method").asText()).isEqualTo("session");
        assertThat(a.get("source").asText()).isEqualTo("google");
        assertThat(a.get("campaign").asText()).isEqualTo("sofas");
        assertThat(a.get("gclid").asText()).isEqualTo("EAIaIQ-e2e-1");
        assertThat(reply.body()).doesNotContain("hunter2", "4111111111111111", "+70000000001");
    }
}
