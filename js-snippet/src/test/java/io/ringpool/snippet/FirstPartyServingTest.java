package io.ringpool.snippet;

import static io.ringpool.snippet.SnippetContract.await;
import static io.ringpool.snippet.SnippetContract.awaitNumber;
import static io.ringpool.snippet.SnippetContract.settledPageState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * First-party serving in real Chromium: the site's own web server ({@link SiteProxy}) passes
 * {@code /rp/…} to Ringpool, so the script and every call are same-origin and no rule against
 * another host, or against third-party requests, applies (js-snippet/README.md, "When ad blockers
 * are in the way"). And what a content blocker leaves when it refuses the script or its calls anyway.
 *
 * <p>The browser reaches the site on this machine's non-loopback address, so that the address the
 * proxy names in {@code X-Forwarded-For} differs from the proxy's own (loopback, the server's
 * {@code trustedProxies}). Which address the server took is read from the per-address cap: a pool of
 * 10 numbers lets one address hold 1 ({@code leasing.addressCapPercent}, 10%); loopback is never
 * capped, so a capped second visitor proves the server counted the browser's address, not the proxy's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FirstPartyServingTest {
    private static final String POOL_PREFIX = "+74950003";
    private static final String LEAD_POOL_PREFIX = "+74950005";
    private static final String DESKTOP_UA =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

    private RingpoolProcess ringpool;
    private Ringpool.Site site;
    private SiteProxy proxy;
    /** Another site behind its own proxy, so that its visitor holds no number of the first site's pool (one per address). */
    private SiteProxy leadProxy;
    private ChromiumBrowser browser;
    private InetAddress siteAddress;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Files.isExecutable(ChromiumBrowser.DRIVER) && Files.isExecutable(ChromiumBrowser.BINARY),
                "needs /usr/bin/chromedriver and /usr/bin/chromium (apt-get install -y chromium chromium-driver)");
        Optional<InetAddress> address = nonLoopbackAddress();
        assumeTrue(address.isPresent(), "needs a non-loopback IPv4 address on this machine for the browser");
        siteAddress = address.get();
        ringpool = RingpoolProcess.start("server:\n  trustedProxies: [127.0.0.1]\n");
        site = ringpool.createSite("First party", Ringpool.DEFAULT_NUMBER, POOL_PREFIX, 10);
        // the page's origin is an address, not a name: let the site run anywhere
        ringpool.patchSite(site, "{\"domains\":[]}");
        proxy = new SiteProxy(siteAddress, ringpool.baseUrl(), site.publicKey());
        Ringpool.Site leadSite = ringpool.createSite("First party, leads", Ringpool.DEFAULT_NUMBER, LEAD_POOL_PREFIX, 10);
        ringpool.patchSite(leadSite, "{\"domains\":[]}");
        leadProxy = new SiteProxy(siteAddress, ringpool.baseUrl(), leadSite.publicKey());
        // a visitor with EasyPrivacy's $ping,third-party: here nothing is third-party
        browser = new ChromiumBrowser(proxy.origin() + "/blank", PingBlocker.unpacked());
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {browser, proxy, leadProxy, ringpool}) {
            if (c != null) c.close();
        }
    }

    @BeforeEach
    void newVisitor() throws Exception {
        browser.reset();
        browser.blockRequests();
        proxy.reset();
        leadProxy.reset();
    }

    @Test
    void theScriptAndEveryCallGoThroughTheSitesOwnOriginAndCountTheBrowsersAddress() throws Exception {
        Browser.Tab tab = browser.open(proxy.origin() + "/formats.html");
        String number = awaitNumber(tab, POOL_PREFIX);
        await(() -> tab.text("return document.getElementById('s-intl').textContent").replaceAll("\\D", "")
                .equals(number.substring(1)), Duration.ofSeconds(1), "the number swapped");
        assertThat(tab.text("return String(document.querySelector('script[data-site]').src)"))
                .isEqualTo(proxy.origin() + "/rp/s.js");

        // the browser's address holds its one number: another visitor from it is capped, one from elsewhere is not
        assertThat(startSession(proxy.origin() + "/rp/v1/sessions", null)).contains("\"reason\":\"address_cap\"");
        assertThat(startSession(ringpool.baseUrl() + "/v1/sessions", "198.51.100.7")).contains("\"tracked\":true");

        // the next page of the visit: the end beacon of this one, a heartbeat and a page view from the next
        tab.navigate(proxy.origin() + "/hide.html");
        assertThat(awaitNumber(tab, POOL_PREFIX)).isEqualTo(number);
        await(() -> !proxy.forwarded("/end").isEmpty() && !proxy.forwarded("/heartbeat").isEmpty()
                && !proxy.forwarded("/pageviews").isEmpty(), Duration.ofSeconds(5), "end, heartbeat and page view through the proxy");

        String browserAddress = siteAddress.getHostAddress();
        assertThat(proxy.forwarded()).allSatisfy(f -> {
            assertThat(f.path()).matches("/s\\.js|/v1/sessions(/.*)?");
            assertThat(f.forwardedFor()).isEqualTo(browserAddress);
            assertThat(f.status()).isBetween(200, 304);
        });
        assertThat(proxy.forwarded("/end").get(0).status()).isEqualTo(204);
        assertThat(proxy.forwarded("/heartbeat").get(0).status()).isEqualTo(200);
        assertThat(tab.js("return pageErrors.length")).isEqualTo(0L);

        // leave here, so that this page's end beacon arrives within this test and not among the next test's requests
        tab.navigate(proxy.origin() + "/blank");
        await(() -> proxy.forwarded("/end").size() == 2, Duration.ofSeconds(5), "the second page's end beacon");
    }

    @Test
    void onTheSitesOwnOriginALeadGoesBySendBeaconWhichTheBlockerLetsThrough() throws Exception {
        Browser.Tab tab = browser.open(leadProxy.origin() + "/forms.html");
        awaitNumber(tab, LEAD_POOL_PREFIX);
        String sessionId = tab.text("return JSON.parse(localStorage.getItem('ringpool')).s.sessionId");
        await(() -> Boolean.TRUE.equals(tab.js("return !!document.forms['ajax-form']")), Duration.ofSeconds(3), "the app's form rendered");
        // which way the script sends it, seen in the page: both ways wrapped, the calls to Ringpool written down
        tab.js("""
                window.ways = [];
                var beacon = navigator.sendBeacon, fetchFn = window.fetch;
                navigator.sendBeacon = function (url) { /\\/rp\\//.test(url) && ways.push('sendBeacon ' + url); return beacon.apply(navigator, arguments) };
                window.fetch = function (url) { /\\/rp\\//.test(url) && ways.push('fetch ' + url); return fetchFn.apply(window, arguments) };
                var f = document.forms['ajax-form'];
                f.querySelector('[name=fio]').value = 'Анна Смирнова';
                f.querySelector('[name=user_tel]').value = '8 916 000-00-00';
                f.requestSubmit();""");
        await(() -> !leadProxy.forwarded("/leads").isEmpty(), Duration.ofSeconds(5), "the lead through the proxy");
        assertThat(leadProxy.forwarded("/leads").get(0).status()).isEqualTo(201);
        assertThat(tab.text("return ways.join('\\n')"))
                .isEqualTo("sendBeacon " + leadProxy.origin() + "/rp/v1/sessions/" + sessionId + "/leads");
    }

    @Test
    void aBlockedScriptLeavesThePageAsItIsWithoutRingpoolAndThrowsNothing() throws Exception {
        String without = settledPageState(browser.open(proxy.origin() + "/hide.html?script=none"));
        browser.reset();
        browser.blockRequests("*/rp/s.js");
        Browser.Tab tab = browser.open(proxy.origin() + "/hide.html");
        assertThat(settledPageState(tab)).isEqualTo(without);
        assertThat(tab.text("return document.getElementById('s-tel').textContent")).isEqualTo("+7 (495) 139-91-93");
        assertThat(tab.js("return pageErrors.length")).isEqualTo(0L);
        assertThat(proxy.forwarded()).as("refused in the browser, as a blocker does").isEmpty();
    }

    @Test
    void aBlockedApiLeavesThePageAsItIsWithoutRingpoolAndThrowsNothing() throws Exception {
        String without = settledPageState(browser.open(proxy.origin() + "/hide.html?script=none"));
        browser.reset();
        browser.blockRequests("*/rp/v1/*");
        Browser.Tab tab = browser.open(proxy.origin() + "/hide.html");
        // settled: the script answers ringpool('number') once it has given up on the refused start
        assertThat(settledPageState(tab)).isEqualTo(without);
        assertThat(tab.js("var n = 'pending'; ringpool('number', function (x) { n = x === undefined ? 'none' : x }); return n"))
                .isEqualTo("none");
        assertThat(tab.js("return pageErrors.length")).isEqualTo(0L);
        assertThat(tab.js("return ringpool.v")).as("the script ran (from the proxy or the browser's cache)").isEqualTo(1L);
        assertThat(proxy.forwarded()).extracting(SiteProxy.Forwarded::path).noneMatch(p -> p.startsWith("/v1/"));
    }

    /** Starts a session as another desktop visitor; {@code forwardedFor} as a trusted proxy would name it, or none. */
    private String startSession(String url, String forwardedFor) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/plain").header("User-Agent", DESKTOP_UA)
                .POST(HttpRequest.BodyPublishers.ofString("{\"siteKey\":\"" + site.publicKey() + "\",\"url\":\"http://shop.example/\"}"));
        if (forwardedFor != null) r.header("X-Forwarded-For", forwardedFor);
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (SocketException e) {
                        return false;
                    }
                })
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
    }
}
