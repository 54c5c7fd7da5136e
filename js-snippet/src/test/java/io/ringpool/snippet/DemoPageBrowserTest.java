package io.ringpool.snippet;

import static io.ringpool.snippet.SnippetContract.awaitNumber;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The demo page ({@code GET /demo} of the real server started with the demo site) in a browser: the
 * site's own number, in the header's and the button's {@code tel:} links and in text, is swapped for
 * a number of the pool the visit's source picks, under the page's Content-Security-Policy; the
 * explanation box keeps the original and names the leased number in the simulated call's command.
 * HtmlUnit always; Chromium where it is installed (a screenshot in {@code target/screenshots/demo.png}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoPageBrowserTest {
    static final String GOOGLE_POOL_PREFIX = "+7495000010";
    static final String OTHERS_POOL_PREFIX = "+7495000011";

    RingpoolProcess ringpool;

    @BeforeAll
    void start() throws Exception {
        ringpool = RingpoolProcess.start("server:\n  trustedProxies: []\ndemo:\n  enabled: true\n");
    }

    @AfterAll
    void stop() throws Exception {
        if (ringpool != null) ringpool.close();
    }

    @Test
    void inHtmlUnitTheDemoPageShowsALeasedNumber() throws Exception {
        try (Browser browser = new HtmlUnitBrowser()) {
            seesTheNumbersSwapped(browser);
        }
    }

    @Test
    void inChromiumTheDemoPageShowsALeasedNumber() throws Exception {
        assumeTrue(Files.isExecutable(ChromiumBrowser.DRIVER) && Files.isExecutable(ChromiumBrowser.BINARY),
                "Chromium tests need /usr/bin/chromedriver and /usr/bin/chromium");
        try (ChromiumBrowser browser = new ChromiumBrowser(ringpool.baseUrl() + "/health")) {
            seesTheNumbersSwapped(browser);
            browser.screenshot(Path.of("target", "screenshots", "demo.png"));
        }
    }

    private void seesTheNumbersSwapped(Browser browser) throws Exception {
        Browser.Tab plain = browser.open(ringpool.baseUrl() + "/demo");
        String number = awaitNumber(plain, OTHERS_POOL_PREFIX);
        assertSwapped(plain, number);

        browser.reset(); // a new visitor, from an ad
        Browser.Tab fromAd = browser.open(ringpool.baseUrl() + "/demo?utm_source=google&utm_medium=cpc&gclid=demo-click-1");
        assertSwapped(fromAd, awaitNumber(fromAd, GOOGLE_POOL_PREFIX));
        assertThat(browser.scriptErrors()).isEmpty();
    }

    private static void assertSwapped(Browser.Tab tab, String number) throws InterruptedException {
        String digits = number.substring(1);
        await(() -> digits.equals(digitsOf(tab, "return document.getElementById('header-phone').textContent"))
                && digits.equals(digitsOf(tab, "return document.getElementById('contacts-phone').textContent")), "the number in text swapped");
        assertThat(tab.text("return document.getElementById('header-phone').textContent"))
                .as("in the page's own format").isEqualTo(number.substring(0, 2) + " " + number.substring(2, 5) + " "
                        + number.substring(5, 8) + "-" + number.substring(8, 10) + "-" + number.substring(10));
        assertThat(tab.text("return document.getElementById('header-phone').getAttribute('href')")).isEqualTo("tel:" + number);
        assertThat(tab.text("return document.getElementById('call-button').getAttribute('href')")).isEqualTo("tel:" + number);
        await(() -> number.equals(tab.text("return document.getElementById('command-number').textContent")), "the command names the number");
        assertThat(tab.text("return document.getElementById('swap-state').textContent")).contains("replaced it with " + number);
        assertThat(tab.text("return document.querySelector('.original').getAttribute('data-number')"))
                .as("the box keeps the original").isEqualTo("+7 495 139-91-93");
    }

    private static String digitsOf(Browser.Tab tab, String js) {
        String t = tab.text(js);
        return t == null ? null : t.replaceAll("\\D", "");
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("not within 5 s: " + what);
            Thread.sleep(20);
        }
    }
}
