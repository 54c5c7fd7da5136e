package io.ringpool.snippet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the site script must do on a customer's page, written once and run in every browser engine
 * (subclasses pick the engine). Pages are the fixtures in {@code test/fixtures/}; each element marked
 * {@code data-expect="swap"} must show the leased number in its own format, each {@code data-expect="keep"}
 * must be left exactly as the page has it without the script ({@code server=none}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SnippetContract {
    static final String RU_POOL_PREFIX = "+74950000";
    static final String US_POOL_PREFIX = "+18005559";
    static final String RENEW_POOL_PREFIX = "+74950001";
    /** Each prefix takes three more digits ({@link Ringpool#createSite}): eleven in all, as Russian numbers have. */
    static final String TINY_POOL_PREFIX = "+74950002";

    Ringpool ringpool;
    Ringpool.Site ru;
    Ringpool.Site us;
    /** A +7 site with the shortest heartbeat (5 s) and no grace after an end, so a lease can be ended under a page. */
    Ringpool.Site renew;
    /** A +7 site with one number, leased by another visitor in the test that needs the pool exhausted. */
    Ringpool.Site tiny;
    Relay relay;
    FixtureServer fixtures;
    Browser browser;

    abstract Browser newBrowser(FixtureServer fixtures) throws Exception;

    /** The longest a swap may take after the page has loaded, in this engine. */
    abstract Duration swapBudget();

    /**
     * Whether this engine behaves as a real browser in what HtmlUnit 5.7 lacks: MutationObserver
     * reports added nodes, timers run while an XHR is waiting, pagehide fires on navigation and
     * sendBeacon sends. Where it does not, the tests use the public {@code ringpool('swap')} instead of
     * the observer and skip the timing and beacon checks.
     */
    abstract boolean realBrowser();

    /** Aborts the class (a JUnit assumption) when this engine is not installed; called before anything starts. */
    void assumeEngineAvailable() {}

    @BeforeAll
    void startServers() throws Exception {
        assumeEngineAvailable();
        ringpool = Ringpool.start();
        ru = ringpool.createSite("Fixture RU", Ringpool.DEFAULT_NUMBER, RU_POOL_PREFIX, 60);
        us = ringpool.createSite("Fixture US", Ringpool.US_DEFAULT_NUMBER, US_POOL_PREFIX, 20);
        renew = ringpool.createSite("Fixture renew", Ringpool.DEFAULT_NUMBER, RENEW_POOL_PREFIX, 10);
        ringpool.patchSite(renew, "{\"heartbeatSeconds\":5,\"endGraceSeconds\":0}");
        tiny = ringpool.createSite("Fixture tiny", Ringpool.DEFAULT_NUMBER, TINY_POOL_PREFIX, 1);
        relay = new Relay(ringpool.baseUrl());
        fixtures = new FixtureServer(ringpool.baseUrl(), relay.baseUrl(),
                Map.of("ru", ru.publicKey(), "us", us.publicKey(), "renew", renew.publicKey(), "tiny", tiny.publicKey()));
        browser = newBrowser(fixtures);
    }

    @AfterAll
    void stopServers() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {browser, fixtures, relay, ringpool}) {
            if (c != null) c.close();
        }
    }

    @BeforeEach
    void newVisitor() throws Exception {
        browser.reset();
        relay.reset();
    }

    // ---- the contract ----

    @Test
    void swapsEveryFormatOfTheSiteNumberAndLeavesEverythingElse() throws Exception {
        Map<String, Probe> before = probe(browser.open(fixtures.page("formats.html", "server=none")));
        browser.reset();
        Browser.Tab tab = browser.open(fixtures.page("formats.html", "server=direct"));
        long loaded = System.nanoTime();
        String number = awaitNumber(tab, RU_POOL_PREFIX);
        await(() -> tab.text("return document.getElementById('s-intl').textContent").replaceAll("\\D", "").equals(number.substring(1)),
                swapBudget(), "the number shown within the swap budget");
        System.out.printf("[%s] formats.html swapped %d ms after load%n", getClass().getSimpleName(), (System.nanoTime() - loaded) / 1_000_000);
        assertMatches(before, probe(tab), Ringpool.DEFAULT_NUMBER, number);
        assertThat(browser.scriptErrors()).isEmpty();
        afterFormats(tab);
    }

    /** Hook for engine-specific extras on the swapped formats page (e.g. a screenshot). */
    void afterFormats(Browser.Tab tab) throws Exception {}

    @Test
    void swapsUsFormatsOfAUsSite() throws Exception {
        Map<String, Probe> before = probe(browser.open(fixtures.page("us.html", "server=none&site=us")));
        browser.reset();
        Browser.Tab tab = browser.open(fixtures.page("us.html", "server=direct&site=us"));
        String number = awaitNumber(tab, US_POOL_PREFIX);
        await(() -> tab.text("return document.getElementById('s-paren').textContent").replaceAll("\\D", "").equals(number.substring(2)),
                swapBudget(), "the number shown");
        assertMatches(before, probe(tab), Ringpool.US_DEFAULT_NUMBER, number);
    }

    @Test
    void swapsNumbersThatASinglePageAppAddsLaterAndOnRouteChanges() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("spa.html", "server=relay"));
        String number = awaitNumber(tab, RU_POOL_PREFIX);
        String nsn = number.substring(2);
        awaitText(tab, "s-home", "Questions? 8 (" + nsn.substring(0, 3) + ") " + nsn.substring(3, 6) + "-" + nsn.substring(6, 8) + "-" + nsn.substring(8));
        await(() -> Boolean.TRUE.equals(tab.js("return !!document.getElementById('s-late')")), Duration.ofSeconds(2), "the late number added");
        if (!realBrowser()) tab.js("ringpool('swap')");
        awaitText(tab, "s-late", "Added later: +7 " + nsn.substring(0, 3) + " " + nsn.substring(3, 6) + " " + nsn.substring(6, 8) + " " + nsn.substring(8));
        tab.js("go('contacts')");
        awaitText(tab, "s-contacts", "Office: +7 (" + nsn.substring(0, 3) + ")\u00a0" + nsn.substring(3, 6) + "-" + nsn.substring(6, 8) + "-" + nsn.substring(8));
        await(() -> ("tel:" + number).equals(tab.text("return document.getElementById('s-contacts-tel').getAttribute('href')")),
                Duration.ofSeconds(2), "the tel: link of the new route swapped");
        assertThat(tab.text("return document.getElementById('k-contacts').textContent")).isEqualTo("Warehouse: +7 (495) 139-91-94");
        await(() -> relay.requests("/pageviews").stream().anyMatch(r -> r.body().contains("route=contacts")),
                Duration.ofSeconds(3), "a page view for the new route");
        tab.js("history.back()");
        if (!realBrowser()) {
            await(() -> Boolean.TRUE.equals(tab.js("return !!document.getElementById('s-home')")), Duration.ofSeconds(3), "the home view rendered again");
            tab.js("ringpool('swap')");
        }
        awaitText(tab, "s-home", "Questions? 8 (" + nsn.substring(0, 3) + ") " + nsn.substring(3, 6) + "-" + nsn.substring(6, 8) + "-" + nsn.substring(8));
        assertThat(relay.requests("/v1/sessions")).as("one session for the whole visit").hasSize(1);

        // An in-page anchor (#prices) is no new view; a hash route (#/prices) is (session 29's note).
        Thread.sleep(300); // the back navigation's view, if any, is counted 100 ms after it
        int views = relay.requests("/pageviews").size();
        tab.js("location.hash = 'prices'");
        Thread.sleep(500);
        assertThat(relay.requests("/pageviews")).as("an anchor is no page view").hasSize(views);
        if (realBrowser()) {
            tab.js("location.hash = '#/prices'");
            await(() -> relay.requests("/pageviews").stream().anyMatch(r -> r.body().contains("#/prices")),
                    Duration.ofSeconds(3), "a page view for the hash route");
        }
    }

    @Test
    void aSecondTabShowsTheSameNumber() throws Exception {
        Browser.Tab first = browser.open(fixtures.page("hide.html", "server=direct"));
        String number = awaitNumber(first, RU_POOL_PREFIX);
        Browser.Tab second = browser.open(fixtures.page("formats.html", "server=direct"));
        assertThat(awaitNumber(second, RU_POOL_PREFIX)).isEqualTo(number);
        await(() -> ("tel:" + number).equals(second.text("return document.getElementById('s-tel').getAttribute('href')")),
                swapBudget(), "the second tab swapped");
        assertThat(first.text("return document.getElementById('s-tel').getAttribute('href')")).isEqualTo("tel:" + number);
    }

    @Test
    void theNextPageOfTheVisitShowsTheNumberAtOnceAndCountsAsAPageView() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("hide.html", "server=relay"));
        String number = awaitNumber(tab, RU_POOL_PREFIX);
        tab.navigate(fixtures.page("formats.html", "server=relay"));
        assertThat(awaitNumber(tab, RU_POOL_PREFIX)).isEqualTo(number);
        await(() -> relay.requests("/pageviews").size() == 1 && relay.requests("/heartbeat").size() >= 1,
                Duration.ofSeconds(3), "a heartbeat and a page view from the second page");
        assertThat(relay.requests("/v1/sessions")).as("no new session").hasSize(1);
    }

    @Test
    void aDownServerLeavesThePageExactlyAsWithoutTheScript() throws Exception {
        for (String page : new String[] {"hide.html", "formats.html"}) {
            browser.reset();
            String without = settledPageState(browser.open(fixtures.page(page, "server=none")));
            browser.reset();
            String down = settledPageState(browser.open(fixtures.page(page, "server=down")));
            assertThat(down).as(page).isEqualTo(without);
        }
        assertThat(browser.scriptErrors()).isEmpty();
    }

    @Test
    void aSlowServerLeavesThePageAsItWasAndShowsHiddenNumbersAfterOneSecond() throws Exception {
        String without = settledPageState(browser.open(fixtures.page("hide.html", "server=none")));
        browser.reset();
        relay.apiDelayMillis = 2500;
        Browser.Tab tab = browser.open(fixtures.page("hide.html", "server=relay"));
        long loaded = System.nanoTime();
        await(() -> "visible".equals(tab.text("return getComputedStyle(document.getElementById('s-tel')).visibility")),
                Duration.ofMillis(realBrowser() ? 1200 : 8000), "the marked number shown again within the hiding timeout");
        System.out.printf("[%s] hidden number revealed %d ms after load (server answering after 2500 ms)%n",
                getClass().getSimpleName(), (System.nanoTime() - loaded) / 1_000_000);
        assertThat(pageState(tab)).isEqualTo(without);
        // the script releases the late lease in the same callback that would have shown it: once the
        // release has arrived, the late answer has been handled
        await(() -> relay.requests("/end").size() == 1, Duration.ofSeconds(8), "the late answer handled: its lease released");
        assertThat(pageState(tab)).as("the late answer changed nothing").isEqualTo(without);
    }

    @Test
    void hiddenNumbersAreShownOnceSwapped() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("hide.html", "server=direct"));
        String number = awaitNumber(tab, RU_POOL_PREFIX);
        assertThat(tab.text("return getComputedStyle(document.getElementById('s-tel')).visibility")).isEqualTo("visible");
        assertThat(tab.text("return document.documentElement.className")).doesNotContain("ringpool-hide");
        assertThat(tab.text("return document.getElementById('s-tel').textContent").replaceAll("\\D", "")).isEqualTo(number.substring(1));
    }

    @Test
    void consentWithheldKeepsThePageAndStoresNothingUntilGiven() throws Exception {
        String without = settledPageState(browser.open(fixtures.page("consent.html", "server=none")));
        browser.reset();
        Browser.Tab tab = browser.open(fixtures.page("consent.html", "server=relay"));
        // settled with skip reason no_consent: start() returned before any timer or request was set up
        await(() -> "no_consent".equals(tab.text("return window.ringpool && ringpool.v ? ringpool.skip : null")),
                Duration.ofSeconds(5), "the script loaded and idle for want of consent");
        assertThat(settledPageState(tab)).isEqualTo(without);
        assertThat(relay.requests().stream().filter(r -> r.path().startsWith("/v1/"))).isEmpty();
        assertThat(tab.js("return localStorage.getItem('ringpool')")).isNull();
        assertThat(tab.text("return document.cookie")).doesNotContain("ringpool");
        assertThat(tab.text("return ringpool.skip")).isEqualTo("no_consent");

        tab.js("ringpool('consent', true)");
        String number = awaitNumber(tab, RU_POOL_PREFIX);
        awaitText(tab, "s-tel", "+7 (" + number.substring(2, 5) + ") " + number.substring(5, 8) + "-" + number.substring(8, 10) + "-" + number.substring(10));
        assertThat(tab.js("return localStorage.getItem('ringpool')")).isNotNull();

        tab.js("ringpool('consent', false)");
        assertThat(pageState(tab)).as("withdrawn consent puts the page back").isEqualTo(without);
        assertThat(tab.js("return localStorage.getItem('ringpool')")).isNull();
        await(() -> relay.requests("/end").size() == 1, Duration.ofSeconds(3), "the lease released");
    }

    @Test
    void aNewSessionSendsNoHeartbeatBeforeItsPeriod() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("hide.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        await(() -> relay.requests("/sessions").size() >= 1 || !relay.requests("").isEmpty(), Duration.ofSeconds(2), "the start relayed");
        Thread.sleep(1500);
        // the start's answer is the lease's latest renewal: a heartbeat now would only double the landing's requests
        assertThat(relay.requests("/heartbeat")).isEmpty();
    }

    @Test
    void aClickOnAPercentEncodedTelLinkIsAnIntentForTheLeasedNumber() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("formats.html", "server=relay"));
        String number = awaitNumber(tab, RU_POOL_PREFIX);
        await(() -> decoded(tab.text("return document.getElementById('s-tel-encoded').getAttribute('href')")).replaceAll("\\D", "")
                .equals(number.substring(1)), Duration.ofSeconds(2), "the encoded tel: link dials the leased number");
        tab.js("document.getElementById('s-tel-encoded').addEventListener('click', function (e) { e.preventDefault() });"
                + "document.getElementById('s-tel-encoded').click()");
        await(() -> relay.requests("/intent").stream().anyMatch(r -> r.body().contains("tel_click")), Duration.ofSeconds(3), "a tel_click intent");
    }

    @Test
    void telClicksAndCopiesAreReportedAsIntent() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("hide.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        tab.js("document.getElementById('s-tel').click()");
        await(() -> relay.requests("/intent").stream().anyMatch(r -> r.body().contains("tel_click")), Duration.ofSeconds(3), "a tel_click intent");
        tab.js("var r = document.createRange(); r.selectNodeContents(document.getElementById('s-text'));"
                + "var s = getSelection(); s.removeAllRanges(); s.addRange(r);"
                + "document.getElementById('s-text').dispatchEvent(new Event('copy', {bubbles: true}))");
        await(() -> relay.requests("/intent").stream().anyMatch(r -> r.body().contains("copy")), Duration.ofSeconds(3), "a copy intent");
        tab.js("var r = document.createRange(); r.selectNodeContents(document.getElementById('k-fax'));"
                + "var s = getSelection(); s.removeAllRanges(); s.addRange(r);"
                + "document.getElementById('k-fax').dispatchEvent(new Event('copy', {bubbles: true}))");
        // a marker sent after the fax copy: once it has arrived, an intent for the fax would have too
        tab.js("document.getElementById('s-tel').click()");
        await(() -> relay.requests("/intent").size() >= 3, Duration.ofSeconds(3), "the marker tel_click after the fax copy");
        assertThat(relay.requests("/intent")).as("copying another number is no intent")
                .extracting(r -> r.body().replaceAll("\\s", ""))
                .containsExactly("{\"kind\":\"tel_click\"}", "{\"kind\":\"copy\"}", "{\"kind\":\"tel_click\"}");
    }

    @Test
    void aLeaseThatEndedUnderThePageIsReplacedAndTheNewNumberSwappedIn() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("hide.html", "server=relay&site=renew"));
        String first = awaitNumber(tab, RENEW_POOL_PREFIX);
        String sessionId = tab.text("return JSON.parse(localStorage.getItem('ringpool')).s.sessionId");
        int sessionsBefore = relay.requests("/v1/sessions").size();
        ringpool.call("POST", "/v1/sessions/" + sessionId + "/end", null, "{}", 204);
        // the next heartbeat (every 5 s) gets 410; the script starts a new session for the same visitor
        // and swaps whatever number that one holds (the same visitor may get the same number back)
        await(() -> relay.requests("/v1/sessions").size() > sessionsBefore, Duration.ofSeconds(9), "a new session after the 410");
        await(() -> { String id = tab.text("var s = JSON.parse(localStorage.getItem('ringpool')).s; return s ? s.sessionId : null");
                      return id != null && !id.equals(sessionId); },
                Duration.ofSeconds(3), "the new session stored");
        String second = tab.text("return JSON.parse(localStorage.getItem('ringpool')).s.number");
        assertThat(second).startsWith(RENEW_POOL_PREFIX);
        await(() -> ("tel:" + second).equals(tab.text("return document.getElementById('s-tel').getAttribute('href')")),
                Duration.ofSeconds(2), "the new session's number on the page");
        String nsn = second.substring(2);
        awaitText(tab, "s-text", "Or dial 8 " + nsn.substring(0, 3) + " " + nsn.substring(3, 6) + " " + nsn.substring(6, 8) + " " + nsn.substring(8) + " from a landline.");
        assertThat(relay.requests("/heartbeat")).isNotEmpty();
        assertThat(relay.requests("/v1/sessions").get(sessionsBefore).body()).as("same visitor").contains(
                "\"visitorId\":\"" + tab.text("return JSON.parse(localStorage.getItem('ringpool')).v") + "\"");
        System.out.printf("[%s] renewed after 410: %s -> %s%n", getClass().getSimpleName(), first, second);
    }

    /**
     * docs/calls.md, "A new source starts a new visit": a page opened from a new ad click while the
     * visit is live asks the server, which starts a new visit with the same number; the first tab's
     * session then ends under it, and its new start (no landing) resumes the new visit, not the old click.
     */
    @Test
    void aNewAdClickDuringALiveVisitStartsANewVisitThatKeepsTheNumberInEveryTab() throws Exception {
        Browser.Tab first = browser.open(fixtures.page("hide.html", "server=relay&site=renew&utm_source=yandex&utm_medium=cpc&yclid=Y1"));
        String number = awaitNumber(first, RENEW_POOL_PREFIX);
        String oldSession = first.text("return JSON.parse(localStorage.getItem('ringpool')).s.sessionId");

        Browser.Tab second = browser.open(fixtures.page("formats.html",
                "server=relay&site=renew&gclid=G-NEW&utm_source=google&utm_medium=cpc&utm_campaign=retarget"));

        assertThat(awaitNumber(second, RENEW_POOL_PREFIX)).isEqualTo(number);
        await(() -> { String id = second.text("var s = JSON.parse(localStorage.getItem('ringpool')).s; return s ? s.sessionId : null");
                      return id != null && !id.equals(oldSession); },
                Duration.ofSeconds(3), "the new visit stored");
        String newSession = second.text("return JSON.parse(localStorage.getItem('ringpool')).s.sessionId");
        assertThat(relay.requests("/v1/sessions")).hasSize(2);
        assertThat(relay.requests("/v1/sessions").get(1).body()).contains("gclid=G-NEW", "\"landing\":true");
        await(() -> ("tel:" + number).equals(second.text("return document.getElementById('s-tel').getAttribute('href')")),
                swapBudget(), "the second tab shows the number");

        if (!Boolean.TRUE.equals(first.js("return !document.hidden"))) {
            return; // a background tab sends no heartbeat in this engine: the first tab's restart cannot be seen here
        }
        await(() -> relay.requests("/v1/sessions").size() >= 3, Duration.ofSeconds(9), "the first tab starting again after its 410");
        assertThat(relay.requests("/v1/sessions").get(2).body()).contains("yclid=Y1", "\"landing\":false");
        await(() -> newSession.equals(first.text("var s = JSON.parse(localStorage.getItem('ringpool')).s; return s ? s.sessionId : null")),
                Duration.ofSeconds(3), "the first tab on the new visit");
        assertThat(first.text("return document.getElementById('s-tel').getAttribute('href')")).isEqualTo("tel:" + number);
    }

    @Test
    void leavingThePageSendsTheEndBeacon() throws Exception {
        assumeTrue(realBrowser(), "HtmlUnit fires no pagehide on navigation");
        Browser.Tab tab = browser.open(fixtures.page("hide.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        tab.navigate(fixtures.page("hide.html", "server=none"));
        await(() -> relay.requests("/end").size() == 1, Duration.ofSeconds(3), "an end call on pagehide");
        assertThat(relay.requests("/end").get(0).contentType()).startsWith("text/plain");
    }

    @Test
    void aPageRestoredFromTheBackForwardCacheSendsOneHeartbeat() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("hide.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        // the start's answer renewed the lease: the first heartbeat is due a minute later, not in this test
        assertThat(relay.requests("/heartbeat")).isEmpty();
        // what a restore from the back/forward cache fires (both, as the outside audit saw in Chromium)
        tab.js("var shown = new Event('pageshow'); Object.defineProperty(shown, 'persisted', {value: true});"
                + "window.dispatchEvent(shown); document.dispatchEvent(new Event('visibilitychange')); return 1");
        await(() -> relay.requests("/heartbeat").size() >= 1, Duration.ofSeconds(3), "a heartbeat for the restored page");
        // a page view sent after both events: once it has arrived, a second heartbeat would have too
        tab.js("history.pushState(null, '', '?server=relay&after=restore'); return 1");
        await(() -> relay.requests("/pageviews").size() == 1, Duration.ofSeconds(3), "the page view sent after the restore");
        assertThat(relay.requests("/heartbeat")).as("heartbeats for one restore").hasSize(1);
    }

    @Test
    void withoutCookiesAndLocalStorageTheScriptStillSwapsAndNeverThrows() throws Exception {
        // as in a sandboxed iframe without allow-same-origin: reading document.cookie or localStorage throws
        Browser.Tab tab = browser.open(fixtures.page("nostorage.html", "server=relay"));
        String number = awaitNumber(tab, RU_POOL_PREFIX);
        await(() -> ("tel:" + number).equals(tab.text("return document.getElementById('s-tel').getAttribute('href')")),
                swapBudget(), "the number swapped");
        // withdrawing consent clears the cookie: that throws here too, and the page is still put back
        tab.js("ringpool('consent', false); return 1");
        assertThat(tab.text("return document.getElementById('s-tel').getAttribute('href')")).isEqualTo("tel:+74951399193");
        assertThat(browser.scriptErrors()).isEmpty();
    }

    @Test
    void inASandboxedIframeTheScriptStartsAndNeverThrows() throws Exception {
        assumeTrue(realBrowser(), "HtmlUnit does not sandbox iframes");
        browser.open(fixtures.page("sandboxed.html", "server=relay"));
        // its origin is opaque ("null"), which no site lists: the server refuses the start, but it is asked
        await(() -> relay.requests("/v1/sessions").size() == 1, Duration.ofSeconds(5), "the start asked from the sandboxed iframe");
        assertThat(browser.scriptErrors()).isEmpty();
    }

    // ---- leads: form submissions (API.md "Leads") ----

    @Test
    void aNativeFormThatNavigatesAwayStillDeliversItsLead() throws Exception {
        String page = fixtures.page("forms.html", "server=relay");
        Browser.Tab tab = browser.open(page);
        awaitNumber(tab, RU_POOL_PREFIX);
        String sessionId = storedSessionId(tab);
        tab.js("""
                var f = document.getElementById('callback');
                f.querySelector('[name=name]').value = '  Иван Петров ';
                f.querySelector('[name=your-tel]').value = '+7 (916) 123-45-67';
                f.querySelector('[name=email]').value = 'ivan@example.com';
                f.querySelector('[name=comment]').value = 'Перезвоните после 18:00';
                f.querySelector('[name=city]').value = 'Москва';
                f.querySelector('button').click();""");
        awaitPath(tab, "/thanks.html");
        Relay.Request lead = awaitLeads(1).get(0);
        assertThat(lead.path()).isEqualTo("/v1/sessions/" + sessionId + "/leads");
        assertThat(lead.contentType()).as("a CORS-simple beacon").startsWith("text/plain");
        JsonNode body = json(lead.body());
        assertThat(body.get("kind").asText()).isEqualTo("form");
        assertThat(body.get("formId").asText()).isEqualTo("callback");
        assertThat(body.get("url").asText()).isEqualTo(page);
        assertThat(fields(body)).containsExactlyInAnyOrderEntriesOf(Map.of("name", "Иван Петров", "phone", "+7 (916) 123-45-67",
                "email", "ivan@example.com", "message", "Перезвоните после 18:00"));
    }

    @Test
    void aFormThePagePostsItselfIsReportedAndStillPostedByThePage() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        await(() -> Boolean.TRUE.equals(tab.js("return !!document.forms['ajax-form']")), Duration.ofSeconds(3), "the app's form rendered");
        // requestSubmit, as single-page apps call it (HtmlUnit 5.7's fires no submit event: there, a click);
        // the page's handler cancels the submission, stops the event and posts by fetch
        tab.js("""
                var f = document.forms['ajax-form'];
                f.querySelector('[name=fio]').value = 'Анна Смирнова';
                f.querySelector('[name=user_tel]').value = '8 916 000-00-00';
                """ + (realBrowser() ? "f.requestSubmit();" : "f.querySelector('button').click();"));
        JsonNode body = json(awaitLeads(1).get(0).body());
        // HtmlUnit 5.7 does not complete the page's own fetch of FormData; a real browser must
        if (realBrowser()) awaitText(tab, "ajax-result", "sent");
        assertThat(body.get("formId").asText()).isEqualTo("ajax-form");
        assertThat(fields(body)).containsExactlyInAnyOrderEntriesOf(Map.of("name", "Анна Смирнова", "phone", "8 916 000-00-00"));
        assertThat(tab.text("return location.pathname")).as("the page's own handling is untouched").isEqualTo("/forms.html");
    }

    @Test
    void aFormSubmittedByItsScriptsSubmitCallIsReported() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        tab.js("""
                var f = document.getElementById('scripted');
                f.querySelector('[name=phone]').value = '+7 916 555 44 33';
                f.querySelector('button').click();""");
        awaitPath(tab, "/thanks.html");
        JsonNode body = json(awaitLeads(1).get(0).body());
        assertThat(body.get("formId").asText()).isEqualTo("scripted");
        assertThat(fields(body)).containsExactlyInAnyOrderEntriesOf(Map.of("phone", "+7 916 555 44 33"));
    }

    @Test
    void aRouteTheAppTakesBeforeTheStartIsAnsweredIsAPageViewOnceItIs() throws Exception {
        // Audit AA2 #1: an app that redirects as it boots (/ to /app/catalog) changed its route while
        // the start was on its way; the route was marked seen with no session to send it to, and
        // the visitor's first real view was never counted.
        relay.apiDelayMillis = 600;
        Browser.Tab tab = browser.open(fixtures.page("spa.html", "server=relay"));
        await(() -> relay.requests("/v1/sessions").size() == 1, Duration.ofSeconds(3), "the start asked");
        tab.js("history.pushState(null, '', location.pathname + location.search + '&route=booted')");
        awaitNumber(tab, RU_POOL_PREFIX);
        await(() -> relay.requests("/pageviews").stream().anyMatch(r -> r.body().contains("route=booted")),
                Duration.ofSeconds(3), "a page view for the route taken before the answer");
        assertThat(relay.requests("/pageviews")).hasSize(1);
        assertThat(browser.scriptErrors()).isEmpty();
    }

    @Test
    void aFormSentBeforeTheStartIsAnsweredWaitsForTheAnswer() throws Exception {
        // A visitor quicker than the network (autofill, a slow mobile link): until session 35 the
        // lead was dropped, since there was no session to name yet.
        relay.apiDelayMillis = 2500;
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay"));
        await(() -> relay.requests("/v1/sessions").size() == 1, Duration.ofSeconds(3), "the start asked");
        tab.js("""
                var f = document.getElementById('b2b');
                f.querySelector('[name=tel]').value = '+7 916 444-55-66';
                f.querySelector('button').click();""");
        assertThat(relay.requests("/end")).as("the form was sent before the start's answer").isEmpty();
        assertThat(relay.requests("/leads")).as("no session to send it to yet").isEmpty();
        // the answer comes after data-timeout: the number is not shown and its lease released, but
        // the visit is the lead's all the same
        await(() -> relay.requests("/end").size() == 1, Duration.ofSeconds(8), "the late answer handled");
        String sessionId = relay.requests("/end").get(0).path().split("/")[3];
        Relay.Request lead = awaitLeads(1).get(0);
        assertThat(lead.path()).isEqualTo("/v1/sessions/" + sessionId + "/leads");
        assertThat(fields(json(lead.body()))).containsEntry("phone", "+7 916 444-55-66");
        assertThat(browser.scriptErrors()).isEmpty();
    }

    @Test
    void aFirstVisitLeftBeforeItsStartIsAnsweredIsResumedByTheNextPage() throws Exception {
        // Until session 36 the visitor id came from the first answer: a newcomer who clicked onwards
        // before it was a new visitor on the next page, whose referrer is the site itself, and the
        // landing's source (the ad click) was no longer the visit's.
        relay.apiDelayMillis = 1500;
        Browser.Tab tab = browser.open(fixtures.page("quick.html", "server=relay&utm_source=vk&utm_medium=cpc&utm_campaign=onward36"));
        await(() -> relay.requests("/v1/sessions").size() == 1, Duration.ofSeconds(3), "the landing's start asked");
        tab.js("document.getElementById('onward').click()");
        awaitPath(tab, "/next.html");
        await(() -> relay.requests("/v1/sessions").size() == 2, Duration.ofSeconds(3), "the next page's start asked");
        List<Relay.Request> starts = relay.requests("/v1/sessions");
        String visitorId = json(starts.get(0).body()).path("visitorId").asText();
        assertThat(visitorId).as("made by the script").matches("[A-Za-z0-9_.:-]{1,64}");
        assertThat(json(starts.get(1).body()).get("visitorId").asText()).as("the next page is the same visitor").isEqualTo(visitorId);
        assertThat(browser.scriptErrors()).isEmpty();
    }

    @Test
    void aFormThatLeavesThePageBeforeTheStartIsAnsweredIsSentByTheVisitsNextPage() throws Exception {
        // Until session 36 such a lead was lost (the page that read it was gone before any answer
        // named its visit), and a first visit's next page was a new visitor: the landing's source lost too.
        relay.apiDelayMillis = 1500;
        Browser.Tab tab = browser.open(fixtures.page("quick.html", "server=relay&utm_source=vk&utm_medium=cpc&utm_campaign=quick36"));
        await(() -> relay.requests("/v1/sessions").size() == 1, Duration.ofSeconds(3), "the landing's start asked");
        tab.js("""
                var f = document.getElementById('quick');
                f.querySelector('[name=phone]').value = '+7 916 222-33-44';
                f.querySelector('button').click();""");
        awaitPath(tab, "/next.html");
        assertThat(relay.requests("/leads")).as("the landing left before its start was answered").isEmpty();

        Relay.Request lead = awaitLeads(1).get(0);
        List<Relay.Request> starts = relay.requests("/v1/sessions");
        assertThat(starts).hasSize(2);
        assertThat(json(starts.get(1).body()).get("visitorId").asText()).as("the next page is the same visitor")
                .isNotEmpty().isEqualTo(json(starts.get(0).body()).get("visitorId").asText());
        assertThat(fields(json(lead.body()))).containsExactlyInAnyOrderEntriesOf(Map.of("phone", "+7 916 222-33-44"));
        assertThat(json(lead.body()).get("url").asText()).contains("/quick.html");
        // the lead went to the landing's visit, and carries its source
        String leadsPath = "/v1/sites/" + ru.siteId() + "/leads?campaign=quick36";
        // the relay holds each API call 1.5 s before passing it on
        await(() -> storedLeads(leadsPath).size() == 1, Duration.ofSeconds(5), "a lead attributed to the landing's campaign");
        JsonNode stored = storedLeads(leadsPath).get(0);
        assertThat(stored.path("attribution").path("source").asText()).isEqualTo("vk");
        assertThat(stored.path("attribution").path("sessionId").asText()).isEqualTo(lead.path().split("/")[3]);
        await(() -> relay.requests("/leads").size() == 1 && Boolean.TRUE.equals(tab.js("return !(JSON.parse(localStorage.getItem('ringpool')).l || []).length")),
                Duration.ofSeconds(3), "the lead sent once and no longer kept");
        assertThat(browser.scriptErrors()).isEmpty();
    }

    @Test
    void aLeadLeftUnsentIsSentByTheNextPageOnlyWithinHalfAnHour() throws Exception {
        // Later than that it is no longer the visit's, and the server would date it on receipt.
        String lead = JSON.writeValueAsString(JSON.writeValueAsString(Map.of("kind", "form", "formId", "quick",
                "url", "http://localhost/quick.html", "fields", Map.of("phone", "+7 916 777-00-11"))));
        Browser.Tab blank = browser.open(fixtures.page("next.html", "server=none"));
        blank.js("localStorage.setItem('ringpool', JSON.stringify({t: Date.now() - 31 * 60e3, v: 'v-stale-36', s: 0, l: [" + lead + "]}))");
        Browser.Tab stale = browser.open(fixtures.page("next.html", "server=relay"));
        awaitNumber(stale, RU_POOL_PREFIX);
        assertThat(json(relay.requests("/v1/sessions").get(0).body()).path("visitorId").asText()).isEqualTo("v-stale-36");
        Thread.sleep(500);
        assertThat(relay.requests("/leads")).as("a lead kept 31 minutes").isEmpty();

        browser.reset();
        relay.reset();
        blank = browser.open(fixtures.page("next.html", "server=none"));
        blank.js("localStorage.setItem('ringpool', JSON.stringify({t: Date.now() - 29 * 60e3, v: 'v-recent-36', s: 0, l: [" + lead + "]}))");
        Browser.Tab recent = browser.open(fixtures.page("next.html", "server=relay"));
        Relay.Request sent = awaitLeads(1).get(0);
        assertThat(fields(json(sent.body()))).containsEntry("phone", "+7 916 777-00-11");
        awaitNumber(recent, RU_POOL_PREFIX);
        assertThat(relay.requests("/leads")).as("sent once").hasSize(1);
        assertThat(browser.scriptErrors()).isEmpty();
    }

    @Test
    void passwordsCardsHiddenAndInvisibleFieldsNeverLeaveThePage() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        tab.js("""
                var f = document.getElementById('signup');
                function set(name, value) { f.querySelector('[name="' + name + '"]').value = value; }
                set('first_name', 'Olga');
                set('login', 'olga@example.com');
                set('password', 'S3cret-pa55');
                set('card_number', '4111 1111 1111 1111');
                set('cvv', '987');
                set('Номер карты', '5555 5555 5555 4444');
                set('pass_phrase', 'correct horse battery');
                set('phone_confirm', '+7 999 111 22 33');
                f.querySelector('button').click();""");
        awaitPath(tab, "/thanks.html");
        Relay.Request lead = awaitLeads(1).get(0);
        assertThat(fields(json(lead.body())))
                .containsExactlyInAnyOrderEntriesOf(Map.of("name", "Olga", "email", "olga@example.com"));
        // kind, formId and url are the rest of the body; the url holds a random port, so look at the fields alone
        assertThat(json(lead.body()).get("fields").toString())
                .doesNotContain("S3cret", "4111", "987", "5555", "horse", "+70000000001", "999", "SELECT-VALUE");
        assertThat(json(lead.body()).get("formId").asText()).isEqualTo("signup");
    }

    /**
     * Audit AK1 F1: a multi-step form whose phone step was hidden by "Next" sent no lead at all (a form
     * without a rendered phone or e-mail field was no lead form). The phone the person went to and
     * typed counts although its step is hidden; a trap hidden from the start, filled by a bot's script
     * (and focused in vain: a field that is not rendered takes no focus), is never sent.
     */
    @Test
    void aMultiStepFormSendsThePhoneOfItsHiddenStepButNeverItsBotTrap() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        tab.js("""
                var f = document.getElementById('quiz');
                var trap = f.querySelector('[name=email]');
                trap.focus();
                trap.value = 'bot@example.com';
                var phone = f.querySelector('[name=phone]');
                phone.focus();
                phone.value = '+7 916 555-00-16';
                document.getElementById('quiz-next').click();
                f.querySelector('[name=name]').focus();
                f.querySelector('[name=name]').value = 'Мария';
                f.querySelector('[name=message]').value = 'Нужна консультация';
                f.querySelector('#quiz-step-2 button').click();
                return 1;""");
        JsonNode body = json(awaitLeads(1).get(0).body());
        assertThat(body.get("formId").asText()).isEqualTo("quiz");
        assertThat(fields(body)).containsExactlyInAnyOrderEntriesOf(
                Map.of("phone", "+7 916 555-00-16", "name", "Мария", "message", "Нужна консультация"));
        assertThat(body.toString()).doesNotContain("bot@example.com");
        assertThat(relay.requests("/leads")).as("one lead").hasSize(1);
    }

    /** Audit M2 #4: "company_name" read as the name, the first of its kind, so the person's name was lost. */
    @Test
    void aCompanysNameIsNotThePersonsName() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        tab.js("""
                var f = document.getElementById('b2b');
                f.querySelector('[name=company_name]').value = 'ООО Ромашка';
                f.querySelector('[name=your-name]').value = 'Анна Петрова';
                f.querySelector('[name=tel]').value = '+7 916 321-00-11';
                f.querySelector('button').click();""");
        JsonNode body = json(awaitLeads(1).get(0).body());
        assertThat(body.get("formId").asText()).isEqualTo("b2b");
        assertThat(fields(body)).containsExactlyInAnyOrderEntriesOf(Map.of("name", "Анна Петрова", "phone", "+7 916 321-00-11"));
    }

    /**
     * A checkout's card fields and an SMS sign-in's code fields are typed tel (the numeric keypad), so
     * their type reads as a phone: their names (ccnum, cc_number, pan, csc, cvn, code, sms_code, otp,
     * autocomplete one-time-code) must keep them out, and an expiry's four digits are no phone either.
     */
    @Test
    void cardNumbersAndOneTimeCodesInTelFieldsNeverLeaveThePage() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        tab.js("""
                var f = document.getElementById('checkout');
                function set(form, selector, value) { form.querySelector(selector).value = value; }
                set(f, '[name=first_name]', 'Анна');
                set(f, '[name=email]', 'anna@example.com');
                set(f, '[name=ccnum]', '4242 4242 4242 4242');
                set(f, '[name=cc_number]', '4111111111111111');
                set(f, '[name=pan]', '5555 5555 5555 4444');
                set(f, '[name=exp]', '12/29');
                set(f, '[name=csc]', '987');
                set(f, '[name=cvn]', '6543');
                f.querySelector('button').click();
                var o = document.getElementById('otp');
                set(o, '[name=email]', 'otp@example.com');
                set(o, '[name=code]', '531902');
                set(o, '[name=sms_code]', '642013');
                set(o, '[name=otp]', '753124');
                set(o, '#code', '864235');
                o.querySelector('button').click();""");
        // Two forms, two requests in flight at once: they may reach the server in either order.
        List<Relay.Request> leads = new java.util.ArrayList<>(awaitLeads(2));
        leads.sort(java.util.Comparator.comparing(r -> json(r.body()).get("formId").asText()));
        assertThat(leads).extracting(r -> json(r.body()).get("formId").asText()).containsExactly("checkout", "otp");
        assertThat(fields(json(leads.get(0).body()))).containsExactlyInAnyOrderEntriesOf(Map.of("name", "Анна", "email", "anna@example.com"));
        assertThat(fields(json(leads.get(1).body()))).containsExactlyEntriesOf(Map.of("email", "otp@example.com"));
        assertThat(leads).allSatisfy(r -> assertThat(json(r.body()).get("fields").toString())
                .doesNotContain("4242", "4111", "5555", "12/29", "987", "6543", "531902", "642013", "753124", "864235"));
    }

    /** An input mask's empty template ("+7 (___) ___-__-__") and a country code field's "+7" are no phone; the number is. */
    @Test
    void aPhoneHasFiveDigitsAtLeast() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        tab.js("""
                var f = document.getElementById('masked');
                f.querySelector('[name=name]').value = 'Пётр';
                f.querySelector('[name=phone]').value = '+7 (___) ___-__-__';
                f.querySelector('[name=email]').value = 'petr@example.com';
                f.querySelector('button').click();""");
        awaitLeads(1);
        tab.js("""
                var f = document.getElementById('masked');
                f.querySelector('[name=phone]').value = '(916) 123-45-67';
                f.querySelector('button').click();""");
        List<Relay.Request> leads = awaitLeads(2);
        assertThat(fields(json(leads.get(0).body()))).containsExactlyInAnyOrderEntriesOf(Map.of("name", "Пётр", "email", "petr@example.com"));
        assertThat(fields(json(leads.get(1).body())))
                .containsExactlyInAnyOrderEntriesOf(Map.of("name", "Пётр", "phone", "(916) 123-45-67", "email", "petr@example.com"));
    }

    /**
     * Audit AG1 F1: a card number in a tel field without a card hint (a form builder's name="field_5")
     * was sent as the lead's phone, and the real phone after it was lost. More digits than a phone can
     * have (E.164: 15) is no phone: never sent, and the next phone field is read. A phone written with
     * an extension, 15 digits, still is one.
     */
    @Test
    void aCardNumberInAFieldWithoutACardHintIsNeverSentAndThePhoneAfterItIs() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        tab.js("""
                var f = document.getElementById('builder');
                f.querySelector('[name=field_5]').value = '4111 1111 1111 1111';
                f.querySelector('[name=field_6]').value = '12/29';
                f.querySelector('[name=phone]').value = '+7 (916) 765-43-21';
                f.querySelector('[name=name]').value = 'Мария';
                f.querySelector('button').click();""");
        awaitLeads(1);
        tab.js("""
                var f = document.getElementById('builder');
                f.querySelector('[name=field_5]').value = '6759649826438453123';
                f.querySelector('[name=phone]').value = '+7 (916) 765-43-21 доб. 1234';
                f.querySelector('button').click();""");
        awaitLeads(2);
        // Amex's 15 digits and Diners' 14, written as cards are (digits and spaces): no phone either (audit AH1 #1).
        tab.js("""
                var f = document.getElementById('builder');
                f.querySelector('[name=field_5]').value = '3782 822463 10005';
                f.querySelector('[name=phone]').value = '+7 (916) 765-43-22';
                f.querySelector('button').click();""");
        awaitLeads(3);
        tab.js("""
                var f = document.getElementById('builder');
                f.querySelector('[name=field_5]').value = '3056 9309 0259 04';
                f.querySelector('[name=phone]').value = '8 916 765-43-23';
                f.querySelector('button').click();""");
        List<Relay.Request> leads = awaitLeads(4);
        assertThat(fields(json(leads.get(0).body())))
                .containsExactlyInAnyOrderEntriesOf(Map.of("phone", "+7 (916) 765-43-21", "name", "Мария"));
        assertThat(fields(json(leads.get(1).body())))
                .containsExactlyInAnyOrderEntriesOf(Map.of("phone", "+7 (916) 765-43-21 доб. 1234", "name", "Мария"));
        assertThat(fields(json(leads.get(2).body()))).containsEntry("phone", "+7 (916) 765-43-22");
        assertThat(fields(json(leads.get(3).body()))).containsEntry("phone", "8 916 765-43-23");
        assertThat(leads).allSatisfy(r -> assertThat(r.body()).doesNotContain("4111", "6759", "12/29", "3782", "3056"));
    }

    /**
     * Audit AG1 F3: with Prototype.js 1.6's Array.prototype.toJSON (the array's JSON text, a string)
     * the leads kept for the next page were stored as a string, and the next page posted that string
     * as a lead (400): the lead was lost. The stub is Prototype 1.6.1's, with its Object.toJSON
     * standing in for JSON.stringify of each item.
     */
    @Test
    void aLeadKeptForTheNextPageSurvivesPrototypesArrayToJson() throws Exception {
        relay.apiDelayMillis = 1500;
        Browser.Tab tab = browser.open(fixtures.page("quick.html", "server=relay&utm_source=vk&utm_medium=cpc&utm_campaign=proto42"));
        await(() -> relay.requests("/v1/sessions").size() == 1, Duration.ofSeconds(3), "the landing's start asked");
        tab.js("""
                Array.prototype.toJSON = function () {
                  var results = [];
                  for (var i = 0; i < this.length; i++) results.push(JSON.stringify(this[i]));
                  return '[' + results.join(', ') + ']';
                };
                var f = document.getElementById('quick');
                f.querySelector('[name=phone]').value = '+7 916 222-33-55';
                f.querySelector('button').click();""");
        awaitPath(tab, "/next.html");
        Relay.Request lead = awaitLeads(1).get(0);
        assertThat(fields(json(lead.body()))).containsExactlyInAnyOrderEntriesOf(Map.of("phone", "+7 916 222-33-55"));
        assertThat(relay.requests("/leads")).as("the one lead, no malformed one").hasSize(1);
        assertThat(browser.scriptErrors()).isEmpty();
    }

    /**
     * Audit AG1 F5: the browser dials href=" tel:+7…" (it trims the attribute), so the script swaps it
     * too; only the number part is rewritten, the rest of the attribute stays as the page wrote it.
     */
    @Test
    void aTelLinkWhoseHrefStartsWithASpaceIsSwappedAsTheBrowserDialsIt() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("formats.html", "server=direct"));
        String number = awaitNumber(tab, RU_POOL_PREFIX);
        await(() -> (" tel:" + number).equals(tab.text("return document.getElementById('tel-space').getAttribute('href')")),
                swapBudget(), "the href swapped");
    }

    @Test
    void ignoredFormsAndFormsWithoutContactFieldsSendNothing() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        tab.js("""
                document.querySelector('#ignored [name=phone]').value = '+7 916 111 11 11';
                document.querySelector('#ignored button').click();
                document.querySelector('#ignored-inside [name=email]').value = 'ignored@example.com';
                document.querySelector('#ignored-inside button').click();
                document.querySelector('#search [name=q]').value = 'price list';
                document.querySelector('#search button').click();""");
        // the marker: a lead sent after the three; once it has arrived, a lead for any of them would have too
        tab.js("document.querySelector('#question textarea').value = 'marker question'; document.querySelector('#question button').click();");
        awaitLeads(1);
        assertThat(relay.requests("/leads")).as("only the marker (a form marked data-ringpool-lead)").hasSize(1)
                .allSatisfy(r -> assertThat(fields(json(r.body()))).containsExactlyEntriesOf(Map.of("message", "marker question")));
    }

    @Test
    void aVisitThePoolCouldNotTrackStillDeliversItsLead() throws Exception {
        assertThat(ringpool.startSessionAsAnotherVisitor(tiny)).as("the tiny site's one number taken").contains("\"tracked\":true");
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay&site=tiny"));
        await(() -> "untracked".equals(tab.text("var n = null; if (window.ringpool && ringpool.v) "
                + "ringpool('number', function (x, tracked) { n = x && !tracked ? 'untracked' : 'other' }); return n")),
                Duration.ofSeconds(5), "the site's own number shown, untracked");
        tab.js("document.querySelector('#callback [name=email]').value = 'untracked@example.com'; document.querySelector('#callback button').click();");
        awaitPath(tab, "/thanks.html");
        Relay.Request lead = awaitLeads(1).get(0);
        assertThat(lead.path()).as("the visit's own session, untracked as it is").matches("/v1/sessions/[^/]+/leads");
        assertThat(fields(json(lead.body()))).containsExactlyEntriesOf(Map.of("email", "untracked@example.com"));
    }

    @Test
    void withdrawnConsentSendsNoLead() throws Exception {
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        tab.js("ringpool('consent', false)");
        tab.js("document.querySelector('#question textarea').value = 'sent without consent'; document.querySelector('#question button').click();");
        int sessionsBefore = relay.requests("/v1/sessions").size();
        // the marker: consent given again opens a session, a request sent after the form's submission
        tab.js("ringpool('consent', true)");
        await(() -> relay.requests("/v1/sessions").size() > sessionsBefore, Duration.ofSeconds(3), "the marker: a new session");
        assertThat(relay.requests("/leads")).isEmpty();
    }

    @Test
    void aDownServerNeverStopsAFormFromSubmitting() throws Exception {
        String fill = """
                var f = document.getElementById('callback');
                f.querySelector('[name=your-tel]').value = '+7 916 123 45 67';
                f.querySelector('button').click();""";
        // the script itself unreachable
        Browser.Tab tab = browser.open(fixtures.page("forms.html", "server=down"));
        tab.js(fill);
        awaitPath(tab, "/thanks.html");

        // the script loaded, the API down from the start: no session, so no lead to send
        browser.reset();
        relay.apiDown = true;
        tab = browser.open(fixtures.page("forms.html", "server=relay"));
        Browser.Tab noApi = tab;
        await(() -> "none".equals(noApi.text("var n = null; if (window.ringpool && ringpool.v) ringpool('number', function (x) { n = x || 'none' }); return n")),
                Duration.ofSeconds(5), "the script gave up");
        tab.js(fill);
        awaitPath(tab, "/thanks.html");
        assertThat(relay.requests("/leads")).isEmpty();

        // the API going down under a page that has its session: the lead is tried, the form goes on
        browser.reset();
        relay.reset();
        tab = browser.open(fixtures.page("forms.html", "server=relay"));
        awaitNumber(tab, RU_POOL_PREFIX);
        relay.apiDown = true;
        tab.js(fill);
        awaitPath(tab, "/thanks.html");
        awaitLeads(1);
        assertThat(browser.scriptErrors()).isEmpty();
    }

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    List<Relay.Request> awaitLeads(int count) throws InterruptedException {
        await(() -> relay.requests("/leads").size() >= count, Duration.ofSeconds(5), count + " lead(s) at the server");
        return relay.requests("/leads");
    }

    JsonNode storedLeads(String path) {
        try {
            return json(ringpool.call("GET", path, ru.apiKey(), null, 200)).get("leads");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> fields(JsonNode lead) {
        Map<String, String> m = new LinkedHashMap<>();
        lead.get("fields").properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    static String storedSessionId(Browser.Tab tab) {
        return tab.text("return JSON.parse(localStorage.getItem('ringpool')).s.sessionId");
    }

    /** Waits for the tab to show {@code path}; while a page unloads the engine may refuse to run script, which counts as not yet. */
    static void awaitPath(Browser.Tab tab, String path) throws InterruptedException {
        await(() -> {
            try {
                return path.equals(tab.text("return location.pathname"));
            } catch (RuntimeException navigating) {
                return false;
            }
        }, Duration.ofSeconds(5), "the page at " + path);
    }

    // ---- helpers ----

    record Probe(String id, String expect, String from, String text, String href) {}

    static Map<String, Probe> probe(Browser.Tab tab) {
        String raw = tab.text("""
                return [].map.call(document.querySelectorAll('[data-expect]'), function (e) {
                  return [e.id, e.getAttribute('data-expect'), e.getAttribute('data-from') || '',
                          /^(INPUT|TEXTAREA)$/.test(e.nodeName) ? e.value : e.textContent, e.getAttribute('href') || ''].join('\\u0001');
                }).join('\\u0002');""");
        Map<String, Probe> m = new LinkedHashMap<>();
        for (String rec : raw.split("\u0002")) {
            String[] f = rec.split("\u0001", -1);
            m.put(f[0], new Probe(f[0], f[1], f[2], f[3], f[4]));
        }
        return m;
    }

    /** Every swap element shows {@code leased} in its original format; every keep element is unchanged. */
    static void assertMatches(Map<String, Probe> before, Map<String, Probe> after, String defaultNumber, String leased) {
        assertThat(after.keySet()).containsExactlyElementsOf(before.keySet());
        String defaultNsn = nsn(defaultNumber), leasedNsn = nsn(leased);
        for (Probe b : before.values()) {
            Probe a = after.get(b.id());
            if (b.expect().equals("keep")) {
                assertThat(a.text()).as(b.id() + " text").isEqualTo(b.text());
                assertThat(a.href()).as(b.id() + " href").isEqualTo(b.href());
            } else if (b.expect().equals("swap-encoded")) {
                // the number dialled is what counts; how the swapped href is encoded is the script's choice
                String from = b.from().isEmpty() ? defaultNsn : b.from();
                assertThat(a.text()).as(b.id() + " text").isEqualTo(b.text());
                assertThat(decoded(a.href())).as(b.id() + " href, decoded").isEqualTo(swapped(decoded(b.href()), from, leasedNsn));
            } else {
                String from = b.from().isEmpty() ? defaultNsn : b.from();
                assertThat(a.text()).as(b.id() + " text").isEqualTo(b.text().replaceAll("\\D", "").contains(from) ? swapped(b.text(), from, leasedNsn) : b.text());
                if (!b.href().isEmpty()) assertThat(a.href()).as(b.id() + " href").isEqualTo(swapped(b.href(), from, leasedNsn));
            }
        }
    }

    static String decoded(String href) {
        return java.net.URLDecoder.decode(href.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }

    static String nsn(String e164) {
        return e164.startsWith("+7") || e164.startsWith("+1") ? e164.substring(2) : fail("fixture numbers are +7 or +1");
    }

    /** The reference rule: the digits {@code from} in {@code text} become {@code to}, one by one; nothing else moves. */
    static String swapped(String text, String from, String to) {
        StringBuilder digits = new StringBuilder();
        java.util.List<Integer> at = new java.util.ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            if (Character.isDigit(text.charAt(i))) { digits.append(text.charAt(i)); at.add(i); }
        }
        int k = digits.indexOf(from);
        if (k < 0) throw new AssertionError("fixture error: " + text + " does not show " + from);
        char[] out = text.toCharArray();
        for (int i = 0; i < from.length(); i++) out[at.get(k + i)] = to.charAt(i);
        return new String(out);
    }

    static String awaitNumber(Browser.Tab tab, String poolPrefix) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String n = null;
        while (System.nanoTime() < end) {
            n = tab.text("var n = null; if (window.ringpool && ringpool.v) ringpool('number', function (x) { n = x || 'none' }); return n");
            if (n != null) break;
            Thread.sleep(20);
        }
        assertThat(n).as("the number the script shows").isNotNull().startsWith(poolPrefix);
        return n;
    }

    static void awaitText(Browser.Tab tab, String id, String expected) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        String t = null;
        while (System.nanoTime() < end) {
            t = tab.text("var e = document.getElementById('" + id + "'); return e && e.textContent");
            if (expected.equals(t)) return;
            Thread.sleep(20);
        }
        assertThat(t).as(id).isEqualTo(expected);
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(20);
        }
        if (!condition.getAsBoolean()) fail("timed out after " + timeout.toMillis() + " ms waiting for " + what);
    }

    /**
     * The page state once nothing more is due to change it: the inline anti-flicker timer has shown the
     * numbers (the README's snippet, 1 s) and the script, where it loaded, has settled (answered
     * {@code ringpool('number')}: swapped, given up, or idle for want of consent).
     */
    static String settledPageState(Browser.Tab tab) throws InterruptedException {
        await(() -> Boolean.TRUE.equals(tab.js("""
                var shown = document.documentElement.className.indexOf('ringpool-hide') < 0;
                var settled = !(window.ringpool && ringpool.v);
                if (!settled) ringpool('number', function () { settled = true; });
                return shown && settled;""")), Duration.ofSeconds(8), "the page settled");
        return pageState(tab);
    }

    /** Everything a visitor could see: body markup, the root's class, and each marked element's visibility. */
    static String pageState(Browser.Tab tab) {
        return tab.text("""
                return document.documentElement.className + '\\n' + document.body.innerHTML + '\\n' +
                  [].map.call(document.querySelectorAll('[data-ringpool]'), function (e) { return getComputedStyle(e).visibility }).join(',');""");
    }
}
