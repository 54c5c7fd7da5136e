package io.ringpool.snippet;

import static io.ringpool.snippet.SnippetContract.await;
import static io.ringpool.snippet.SnippetContract.awaitNumber;
import static io.ringpool.snippet.SnippetContract.awaitPath;
import static io.ringpool.snippet.SnippetContract.fields;
import static io.ringpool.snippet.SnippetContract.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Ringpool on its own host, third-party to the page, for a visitor whose content blocker runs
 * EasyPrivacy's {@code $ping,third-party} ({@link PingBlocker}, a real extension in real Chromium).
 * The blocker refuses every {@code navigator.sendBeacon} to Ringpool after the call has returned
 * true, so a script that sends its leads and end beacons that way loses them without knowing. The
 * script sends them by {@code fetch} with keepalive instead (js-snippet/README.md, "When ad blockers
 * are in the way"), and they arrive, also from a page that navigates away at once.
 *
 * <p>The page is {@code http://localhost:PORT} ({@link FixtureServer}), Ringpool the recording
 * {@link Relay} at {@code http://127.0.0.1:PORT}: another site. Loopback is a secure context, so the
 * browser names each request's mode ({@code Sec-Fetch-Mode}): {@code cors} for a fetch, {@code no-cors}
 * for a beacon.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThirdPartyBeaconTest {
    private static final String POOL_PREFIX = "+74950004";

    private Ringpool ringpool;
    private Relay relay;
    private FixtureServer fixtures;
    private ChromiumBrowser browser;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Files.isExecutable(ChromiumBrowser.DRIVER) && Files.isExecutable(ChromiumBrowser.BINARY),
                "needs /usr/bin/chromedriver and /usr/bin/chromium (apt-get install -y chromium chromium-driver)");
        ringpool = Ringpool.start();
        Ringpool.Site site = ringpool.createSite("Third party", Ringpool.DEFAULT_NUMBER, POOL_PREFIX, 10);
        relay = new Relay(ringpool.baseUrl());
        fixtures = new FixtureServer(ringpool.baseUrl(), relay.baseUrl(), Map.of("ru", site.publicKey()));
        browser = new ChromiumBrowser(fixtures.baseUrl() + "/none/blank", PingBlocker.unpacked());
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {browser, fixtures, relay, ringpool}) {
            if (c != null) c.close();
        }
    }

    @BeforeEach
    void newVisitor() throws Exception {
        browser.reset();
        relay.reset();
    }

    /** Without this the other tests would prove nothing: the blocker is there, and refuses as extensions do. */
    @Test
    void theBlockerRefusesAThirdPartySendBeaconAfterTheCallReturnedTrue() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("hide.html", "server=none"));
        String sessions = relay.baseUrl() + "/v1/sessions/";
        assertThat(tab.js("return navigator.sendBeacon('" + sessions + "probe-beacon/end', '{}')"))
                .as("sendBeacon accepted the request").isEqualTo(true);
        // markers sent after it, by fetch: once the second has arrived, the beacon would have too
        tab.js("fetch('" + sessions + "probe-fetch/end', {method: 'POST', body: '{}', keepalive: true})");
        await(() -> !relay.requests("/probe-fetch/end").isEmpty(), Duration.ofSeconds(5), "the first marker");
        tab.js("fetch('" + sessions + "probe-fetch-2/end', {method: 'POST', body: '{}', keepalive: true})");
        await(() -> !relay.requests("/probe-fetch-2/end").isEmpty(), Duration.ofSeconds(5), "the second marker");
        assertThat(relay.requests("/probe-beacon/end")).as("the beacon, refused by the blocker").isEmpty();
    }

    @Test
    void aFormThatNavigatesAwayStillDeliversItsLead() throws Exception {
        String page = fixtures.page("forms.html", "server=relay");
        Browser.Tab tab = browser.open(page);
        awaitNumber(tab, POOL_PREFIX);
        String sessionId = SnippetContract.storedSessionId(tab);
        tab.js("""
                var f = document.getElementById('callback');
                f.querySelector('[name=name]').value = 'Иван Петров';
                f.querySelector('[name=your-tel]').value = '+7 (916) 123-45-67';
                f.querySelector('button').click();""");
        awaitPath(tab, "/thanks.html");
        await(() -> !relay.requests("/leads").isEmpty(), Duration.ofSeconds(5), "the lead at Ringpool");
        Relay.Request lead = relay.requests("/leads").get(0);
        assertThat(lead.path()).isEqualTo("/v1/sessions/" + sessionId + "/leads");
        assertThat(lead.fetchMode()).as("sent by fetch, not by sendBeacon").isEqualTo("cors");
        assertThat(lead.contentType()).as("CORS-simple: no preflight").startsWith("text/plain");
        JsonNode body = json(lead.body());
        assertThat(body.get("formId").asText()).isEqualTo("callback");
        assertThat(body.get("url").asText()).isEqualTo(page);
        assertThat(fields(body)).containsExactlyInAnyOrderEntriesOf(Map.of("name", "Иван Петров", "phone", "+7 (916) 123-45-67"));
        assertThat(relay.requests("/leads")).as("one lead, sent once").hasSize(1);
    }

    @Test
    void aFormThePagePostsItselfDeliversItsLead() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay"));
        awaitNumber(tab, POOL_PREFIX);
        await(() -> Boolean.TRUE.equals(tab.js("return !!document.forms['ajax-form']")), Duration.ofSeconds(3), "the app's form rendered");
        tab.js("""
                var f = document.forms['ajax-form'];
                f.querySelector('[name=fio]').value = 'Анна Смирнова';
                f.querySelector('[name=user_tel]').value = '8 916 000-00-00';
                f.requestSubmit();""");
        await(() -> !relay.requests("/leads").isEmpty(), Duration.ofSeconds(5), "the lead at Ringpool");
        assertThat(relay.requests("/leads").get(0).fetchMode()).isEqualTo("cors");
        assertThat(fields(json(relay.requests("/leads").get(0).body())))
                .containsExactlyInAnyOrderEntriesOf(Map.of("name", "Анна Смирнова", "phone", "8 916 000-00-00"));
    }

    @Test
    void leavingThePageStillEndsTheSession() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("hide.html", "server=relay"));
        awaitNumber(tab, POOL_PREFIX);
        String sessionId = SnippetContract.storedSessionId(tab);
        tab.navigate(fixtures.page("hide.html", "server=none"));
        // by its session: an earlier test's page may end its own session as the browser is reset
        String path = "/v1/sessions/" + sessionId + "/end";
        await(() -> !relay.requests(path).isEmpty(), Duration.ofSeconds(5), "the end call on pagehide");
        Relay.Request end = relay.requests(path).get(0);
        assertThat(end.fetchMode()).as("sent by fetch, not by sendBeacon").isEqualTo("cors");
        assertThat(end.contentType()).startsWith("text/plain");
    }

    /** Nothing depends on reading the answer; still, a refused answer would reject the fetch, and that is ignored. */
    @Test
    void theServerLetsThePageReadItsAnswerToTheFetch() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("hide.html", "server=relay"));
        awaitNumber(tab, POOL_PREFIX);
        String sessionId = SnippetContract.storedSessionId(tab);
        tab.js("window.answer = null; fetch('" + relay.baseUrl() + "/v1/sessions/" + sessionId + "/end',"
                + " {method: 'POST', body: '{}', keepalive: true}).then(function (r) { answer = r.status }, function (e) { answer = String(e) })");
        await(() -> tab.js("return window.answer") != null, Duration.ofSeconds(5), "the fetch settled");
        assertThat(tab.js("return window.answer")).as("the status, readable to the page's origin (CORS)").isEqualTo(204L);
    }
}
