package io.ringpool.snippet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The contract in real Chromium (Selenium + the system chromedriver). Skipped, by assumption, where
 * {@code /usr/bin/chromedriver} is absent; CI installs it with {@code apt-get install -y chromium chromium-driver}.
 * Leaves a screenshot of the swapped formats page in {@code target/screenshots/formats.png}.
 */
class ChromiumSnippetTest extends SnippetContract {
    @Override
    void assumeEngineAvailable() {
        assumeTrue(Files.isExecutable(ChromiumBrowser.DRIVER) && Files.isExecutable(ChromiumBrowser.BINARY),
                "Chromium tests need /usr/bin/chromedriver and /usr/bin/chromium (apt-get install -y chromium chromium-driver)");
    }

    @Override
    Browser newBrowser(FixtureServer fixtures) throws Exception {
        return new ChromiumBrowser(fixtures.baseUrl() + "/none/blank");
    }

    @Override
    Duration swapBudget() {
        return Duration.ofSeconds(1);
    }

    @Override
    boolean realBrowser() {
        return true;
    }

    @Override
    void afterFormats(Browser.Tab tab) throws Exception {
        ((ChromiumBrowser) browser).screenshot(Path.of("target", "screenshots", "formats.png"));
    }

    /**
     * Ringpool here is on another origin than the page (127.0.0.1 against localhost), so a lead goes by
     * fetch with keepalive; by sendBeacon where fetch would not keep it alive (no Request#keepalive, as
     * in Firefox before 133), is missing, or throws at once. The browser names the way in
     * {@code Sec-Fetch-Mode}: {@code cors} for a fetch, {@code no-cors} for a beacon. Blockers:
     * {@link ThirdPartyBeaconTest}.
     */
    @Test
    void onAnotherOriginALeadGoesByFetchWithKeepaliveAndBySendBeaconWhereFetchCannot() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        await(() -> Boolean.TRUE.equals(tab.js("return !!document.forms['ajax-form']")), Duration.ofSeconds(3), "the app's form rendered");
        String[] breakFetch = {
            "",
            "delete Request.prototype.keepalive",
            "window.fetch = function () { throw new TypeError('refused') }",
            "delete window.fetch"
        };
        tab.js("window.keepalive = Object.getOwnPropertyDescriptor(Request.prototype, 'keepalive'); window.realFetch = fetch");
        for (int i = 0; i < breakFetch.length; i++) {
            // each case on its own: the browser as it is, then one thing broken
            tab.js("Object.defineProperty(Request.prototype, 'keepalive', keepalive); window.fetch = realFetch;\n"
                    + breakFetch[i] + ";\n"
                    + "var f = document.forms['ajax-form']; f.querySelector('[name=user_tel]').value = '+7 916 000 00 0" + i + "';"
                    + "f.requestSubmit();");
            int count = i + 1;
            await(() -> relay.requests("/leads").size() == count, Duration.ofSeconds(5), "lead " + count);
        }
        assertThat(relay.requests("/leads")).extracting(Relay.Request::fetchMode)
                .containsExactly("cors", "no-cors", "no-cors", "no-cors");
        assertThat(relay.requests("/leads")).extracting(r -> fields(json(r.body())).get("phone"))
                .containsExactly("+7 916 000 00 00", "+7 916 000 00 01", "+7 916 000 00 02", "+7 916 000 00 03");
    }
}
