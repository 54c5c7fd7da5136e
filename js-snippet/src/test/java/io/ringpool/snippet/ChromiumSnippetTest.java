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

    /**
     * A node added to a big container is rescanned itself, not the container (audit AM4 F7: on a
     * 40k-element page a toast appended to {@code <body>} each second rescanned the whole page). The
     * far number's text node gets a {@code data} accessor of its own that counts reads: the script
     * reads a text node's {@code data} to scan it, so a rescan of {@code <body>} reads it; no timing is
     * involved. The toasts' numbers are swapped, a number completed by text added inside its line is,
     * and so is one that a removed inline node kept apart.
     */
    @Test
    void aNodeAddedToTheBodyIsRescannedWithoutTheRestOfThePage() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("rescan.html", "server=direct"));
        String number = awaitNumber(tab, RU_POOL_PREFIX);
        String nsn = nsn(number);
        awaitText(tab, "s-far", "Far away: +7 (" + nsn.substring(0, 3) + ") " + nsn.substring(3, 6) + "-" + nsn.substring(6, 8) + "-" + nsn.substring(8));
        tab.js("var text = document.getElementById('s-far').firstChild, data = Object.getOwnPropertyDescriptor(CharacterData.prototype, 'data');"
                + "window.farReads = 0;"
                + "Object.defineProperty(text, 'data', {get: function () { farReads++; return data.get.call(this) }, set: function (v) { data.set.call(this, v) }});"
                + "text.data; window.farReads = 0;"
                + "window.toast = function (id) { var d = document.createElement('div'); d.id = id; d.textContent = 'Call +7 (495) 139-91-93'; document.body.appendChild(d); return d };"
                + "toast('s-toast-1')");
        String toast = "Call +7 (" + nsn.substring(0, 3) + ") " + nsn.substring(3, 6) + "-" + nsn.substring(6, 8) + "-" + nsn.substring(8);
        awaitText(tab, "s-toast-1", toast);
        tab.js("document.getElementById('s-toast-1').remove(); document.getElementById('join-gap').remove();"
                + "document.getElementById('tail').textContent = '139-91-93'");
        awaitText(tab, "s-join", "+7 (" + nsn.substring(0, 3) + ")" + nsn.substring(3, 6) + "-" + nsn.substring(6, 8) + "-" + nsn.substring(8));
        awaitText(tab, "s-tail", "+7 (" + nsn.substring(0, 3) + ") " + nsn.substring(3, 6) + "-" + nsn.substring(6, 8) + "-" + nsn.substring(8));
        tab.js("toast('s-toast-2')");
        awaitText(tab, "s-toast-2", toast);
        assertThat(tab.js("return farReads")).as("reads of the far number's text by the rescans").isEqualTo(0L);
        assertThat(browser.scriptErrors()).isEmpty();
    }
}
