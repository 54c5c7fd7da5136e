package io.ringpool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.report.ReportFixture;
import io.ringpool.testing.browser.HeadlessChromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard in real headless Chromium (skipped when chromium or chromedriver is absent):
 * sign in with the site key, see charts with data, tag a call inline, download an export, and the
 * empty states of a site without data. Screenshots go to {@code server/target/screenshots/}.
 */
class DashboardBrowserTest {
    @RegisterExtension
    static final HeadlessChromium chromium = HeadlessChromium.window(1280, 800).hidingScrollbars().savingDownloads();

    @TempDir
    static Path dir;

    static TestServer server;
    static ReportFixture f;
    static ChromeDriver driver;

    @BeforeAll
    static void start() throws Exception {
        driver = chromium.driver();
        server = new TestServer(dir.resolve("store"));
        f = new ReportFixture(server, 301).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /**
     * Shows the fixture's days. The dashboard opens on the browser's today in the site's zone, but
     * the fixture's test clock runs hours ahead of the real one: from 19:00 to 21:00 UTC its calls
     * fall on tomorrow in Moscow, outside the opening range, and the charts were empty.
     */
    static void showFixtureDays() {
        String[] range = f.range().split("&");
        chromium.showDays(range[0].substring("from=".length()), range[1].substring("to=".length()));
    }

    /** Pixels drawn on the chart's canvas (not just an empty canvas). */
    static long inkOn(String chartId) {
        Object n = driver.executeScript("var c = document.querySelector('#" + chartId + " canvas'); if (!c) return 0;"
                + "var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;"
                + "for (var i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;");
        return ((Number) n).longValue();
    }

    @Test
    void aMarketerSignsInSeesChartsTagsACallAndDownloadsAnExport() throws Exception {
        driver.manage().window().setSize(new Dimension(1280, 800));
        driver.get(server.base() + "/dashboard/");
        chromium.waitFor(d -> d.findElement(By.id("api-key")).isDisplayed());
        chromium.shot("dashboard-signin", 1280, 800);

        chromium.signInWithKey(server.base(), f.apiKey);
        showFixtureDays();
        assertThat(driver.findElement(By.id("site-name")).getText()).contains("Shop");
        assertThat(inkOn("daily-chart")).as("calls per day chart drawn").isGreaterThan(200);
        assertThat(inkOn("pool-chart")).as("pool chart drawn").isGreaterThan(200);
        // Legends name the series; values and the time row appear only while the pointer is on the chart.
        assertThat(driver.findElement(By.cssSelector("#daily-chart .u-legend")).getText()).isNotBlank()
                .doesNotContain("--").doesNotContainIgnoringCase("time").doesNotContain(":");
        assertThat(driver.findElement(By.cssSelector("#pool-chart .u-legend")).getText()).contains("Leased").doesNotContain("--");
        assertThat(driver.findElements(By.cssSelector("#sources-table tbody tr"))).hasSize(5);
        assertThat(driver.findElements(By.cssSelector("#heatmap-grid .cell[style*='rgba']"))).isNotEmpty();
        assertThat(driver.findElements(By.cssSelector("#device-bars .barrow"))).hasSizeGreaterThanOrEqualTo(2);
        assertThat(driver.findElements(By.cssSelector("#paths .path"))).hasSize(3);
        assertThat(driver.findElements(By.cssSelector("#calls-table tbody tr"))).hasSize(5);
        assertThat(driver.findElement(By.id("kpis")).getText()).contains("Calls").contains("5");
        assertThat(driver.findElements(By.cssSelector("#calls-table .badge.active"))).isNotEmpty();
        chromium.shot("dashboard-1280x800", 1280, 800);
        chromium.shot("dashboard-1280-full", 1280, 2300);

        // Tag call B1 inline.
        driver.manage().window().setSize(new Dimension(1280, 2300));
        String callId = f.callId.get("B1");
        WebElement row = driver.findElement(By.cssSelector("tr[data-call-id='" + callId + "']"));
        row.findElement(By.cssSelector("button.edit")).click();
        WebElement input = row.findElement(By.cssSelector("input.tag-input"));
        input.sendKeys("vip, qualified" + Keys.ENTER);
        chromium.waitFor(d -> d.findElements(By.cssSelector("tr[data-call-id='" + callId + "'] .tag")).size() == 2);
        var stored = server.get("/v1/sites/" + f.siteId + "/calls/" + callId, f.apiKey).json().get("tags");
        assertThat(stored.toString()).isEqualTo("[\"vip\",\"qualified\"]");

        // Download a Yandex calls export.
        driver.findElement(By.cssSelector("#exports button[data-format='yandex-calls']")).click();
        chromium.waitFor(d -> d.findElement(By.id("export-status")).getText().startsWith("Downloaded"));
        assertThat(driver.findElement(By.id("export-status")).getText()).contains("4 rows").contains("1 call left out");
        Path csv = waitForDownload();
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).startsWith("ClientId,DateTime,StaticCall");
        assertThat(lines).hasSize(5);
        assertThat(String.join("\n", lines)).contains("vip,qualified");

        // A lead without a click id is left out of a clicks export, and is named a lead, not a call (audit Q #1).
        // Leads come only without "Target calls only" (talk time is a call's).
        assertThat(server.post("/v1/sites/" + f.siteId + "/leads", f.apiKey, Map.of("externalId", "no-click-1", "kind", "form",
                "email", "no.click@mail.test")).status()).isEqualTo(201);
        driver.findElement(By.id("export-target")).click();
        driver.findElement(By.cssSelector("#exports button[data-format='google-ads-clicks']")).click();
        chromium.waitFor(d -> d.findElement(By.id("export-status")).getText().matches("Downloaded .*google.*"));
        assertThat(driver.findElement(By.id("export-status")).getText()).contains("1 lead left out");

        chromium.shot("dashboard-phone-390", 390, 844);
        chromium.shot("dashboard-phone-390-full", 390, 3600);
    }

    @Test
    void aSiteWithoutDataShowsClearEmptyStates() throws Exception {
        Map<String, String> empty = server.siteWithPool(List.of("+74959990001", "+74959990002"));
        driver.manage().window().setSize(new Dimension(1280, 800));
        chromium.signInWithKey(server.base(), empty.get("apiKey"));
        assertThat(driver.findElement(By.id("daily-chart")).getText()).contains("No calls in this range yet");
        assertThat(driver.findElement(By.id("calls")).getText()).contains("No calls in this range");
        assertThat(driver.findElement(By.id("pool-formula")).getText()).startsWith("no leases in this range").doesNotContain("0 s");
        chromium.shot("dashboard-empty", 1280, 1500);
        driver.findElement(By.id("signout")).click();
        assertThat(driver.findElement(By.id("signin")).isDisplayed()).isTrue();
        assertThat(driver.executeScript("return sessionStorage.getItem('ringpool.apiKey')")).isNull();
    }

    @Test
    void aWrongKeyIsRefusedOnTheSignInForm() {
        driver.manage().window().setSize(new Dimension(1280, 800));
        driver.get(server.base() + "/dashboard/");
        driver.executeScript("sessionStorage.clear()");
        driver.navigate().refresh();
        chromium.waitFor(d -> d.findElement(By.id("api-key")).isDisplayed());
        driver.findElement(By.id("api-key")).sendKeys("not-a-key");
        driver.findElement(By.id("signin-button")).click();
        chromium.waitFor(d -> d.findElement(By.id("signin-error")).isDisplayed());
        // Audit AN4 F13: the operator's admin key read as a wrong key; the page names what it takes.
        assertThat(driver.findElement(By.id("signin-error")).getText()).contains("not accepted").contains("not a site key");
    }

    /** Audit AK1 F5: every first lead without a readable phone or e-mail read "(repeat)", 16 rows of 26. */
    @Test
    void onlyALeadOfAKnownPersonWhoWroteBeforeReadsRepeat() throws Exception {
        Map<String, String> site = server.siteWithPool(List.of("+74959990111"));
        String path = "/v1/sites/" + site.get("siteId") + "/leads";
        String first = server.post(path, site.get("apiKey"), Map.of("kind", "form", "name", "First", "phone", "+79165557101",
                "at", java.time.Instant.now().minus(Duration.ofMinutes(30)).toString())).text("leadId");
        String again = server.post(path, site.get("apiKey"), Map.of("kind", "callback", "name", "Again", "phone", "+79165557101",
                "at", java.time.Instant.now().minus(Duration.ofMinutes(5)).toString())).text("leadId");
        String nameOnly = server.post(path, site.get("apiKey"), Map.of("kind", "chat", "name", "Just a name",
                "at", java.time.Instant.now().minus(Duration.ofMinutes(2)).toString())).text("leadId");

        driver.manage().window().setSize(new Dimension(1280, 2300));
        chromium.signInWithKey(server.base(), site.get("apiKey"));
        chromium.waitFor(d -> d.findElements(By.cssSelector("#leads-table tbody tr")).size() == 3);
        java.util.function.Function<String, String> kind = id -> driver.findElement(By.cssSelector("tr[data-lead-id='" + id + "'] td:nth-child(2)")).getText();
        assertThat(kind.apply(first)).isEqualTo("form");
        assertThat(kind.apply(again)).isEqualTo("callback (repeat)");
        assertThat(kind.apply(nameOnly)).as("not known to be anyone: not a repeat").isEqualTo("chat");
    }

    @Test
    void theLeadLogShowsWhatStrangersTypedAsTextAndFiltersByStatus() throws Exception {
        Map<String, String> site = server.siteWithPool(List.of("+74959990101"));
        String at = java.time.Instant.now().minus(Duration.ofMinutes(2)).toString();
        String evilName = "<img src=x onerror=\"window.__pwned=1\">";
        var hostile = server.post("/v1/sites/" + site.get("siteId") + "/leads", site.get("apiKey"), Map.of("kind", "form", "at", at,
                "name", evilName, "phone", "+79165557001", "message", "<script>window.__pwned=2</script> call me"));
        var plain = server.post("/v1/sites/" + site.get("siteId") + "/leads", site.get("apiKey"), Map.of("kind", "callback", "at", at,
                "name", "Plain Person", "phone", "+79165557002"));
        assertThat(hostile.status()).isEqualTo(201);
        assertThat(plain.status()).isEqualTo(201);

        driver.manage().window().setSize(new Dimension(1280, 2300));
        chromium.signInWithKey(server.base(), site.get("apiKey"));

        assertThat(driver.findElements(By.cssSelector("#leads-table tbody tr"))).hasSize(2);
        assertThat(driver.findElement(By.id("leads")).getText()).contains(evilName).contains("<script>window.__pwned=2</script>");
        assertThat(driver.findElements(By.cssSelector("#leads img, #leads script"))).isEmpty();
        assertThat(driver.executeScript("return window.__pwned === undefined")).isEqualTo(true);
        // The sources table has a leads column: both leads came without a visit, so one row "(none)" with 2.
        assertThat(driver.findElements(By.cssSelector("#sources-table thead th")).stream().map(e -> e.getAttribute("textContent")).toList())
                .contains("Leads", "Contacts");
        assertThat(driver.findElements(By.cssSelector("#sources-table tbody td.leads")).stream().map(WebElement::getText).toList())
                .containsExactly("2");

        String leadId = plain.text("leadId");
        WebElement status = driver.findElement(By.cssSelector("tr[data-lead-id='" + leadId + "'] select.lead-status"));
        new org.openqa.selenium.support.ui.Select(status).selectByValue("spam");
        chromium.waitFor(d -> "spam".equals(server.get("/v1/sites/" + site.get("siteId") + "/leads/" + leadId, site.get("apiKey"))
                .text("status")));

        driver.executeScript("document.body.removeAttribute('data-loaded')");
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("lead-status"))).selectByValue("spam");
        chromium.waitFor(d -> d.findElements(By.cssSelector("#leads-table tbody tr")).size() == 1);
        assertThat(driver.findElement(By.cssSelector("#leads-table tbody tr")).getAttribute("data-lead-id")).isEqualTo(leadId);
        chromium.shot("dashboard-leads", 1280, 2300);
        // The attribution filter goes to the server too: neither lead came from a session.
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("lead-method"))).selectByValue("session");
        chromium.waitFor(d -> d.findElements(By.cssSelector("#leads-table")).isEmpty()
                && d.findElement(By.id("leads")).getText().contains("No leads in this range"));
        // Leave no key behind: the next test's page load would sign in with it and race its own sign-in.
        chromium.signOut();
    }

    /**
     * Audit Q #2: the export buttons sent only from/to, so "Google Ads calls" uploaded missed and
     * 5-second calls as conversions, and the log's tag filter above the buttons was ignored.
     */
    @Test
    void exportsSendTargetCallsOnlyByDefaultTakeTheLogsTagAndSayWhichFiltersApplied() throws Exception {
        driver.manage().window().setSize(new Dimension(1280, 2300));
        chromium.signInWithKey(server.base(), f.apiKey);
        showFixtureDays();
        WebElement target = driver.findElement(By.id("export-target"));
        assertThat(target.isSelected()).as("on by default").isTrue();

        // Calls A (60 s) and B1 (45 s) are target; B2 and D were missed, E talked 5 s.
        List<String> rows = export("google-ads-calls");
        assertThat(rows).hasSize(2 + 2).anyMatch(l -> l.startsWith("+79160000001,")).anyMatch(l -> l.startsWith("+79160000002,"));
        assertThat(driver.findElement(By.id("export-status")).getText()).contains("2 rows").contains("Filters: target calls only.");
        // Session 33: "No ambiguous calls" sends ambiguous=false (the fixture has none, so the file is the same).
        WebElement sure = driver.findElement(By.id("export-sure"));
        assertThat(sure.isSelected()).as("off by default").isFalse();
        sure.click();
        assertThat(export("google-ads-calls")).hasSize(2 + 2);
        assertThat(driver.findElement(By.id("export-status")).getText()).contains("2 rows")
                .contains("Filters: target calls only, no ambiguous calls.");
        sure.click();

        // The log's tag and status filters go into the file (session 32: status, method and caller have export parameters);
        // its source filter has none and is named as not applied.
        driver.findElement(By.cssSelector("#call-filters [name=tag]")).sendKeys("LEAD");
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.cssSelector("#call-filters [name=status]"))).selectByVisibleText("completed");
        chromium.waitFor(d -> d.findElements(By.cssSelector("#calls-table tbody tr")).size() == 1);
        driver.findElement(By.cssSelector("#call-filters [name=source]")).sendKeys("google");
        rows = export("google-ads-calls");
        assertThat(rows).hasSize(2 + 1);
        assertThat(rows.get(2)).startsWith("+79160000001,");
        assertThat(driver.findElement(By.id("export-status")).getText()).contains("1 row")
                .contains("Filters: target calls only, tag \"LEAD\", status completed.")
                .contains("Not applied (exports have no such filter): source.");
        driver.findElement(By.cssSelector("#call-filters [name=source]")).clear();

        // Unticked, every call with a caller goes (the tag still applies); Yandex calls, the call log, ignores the box.
        target.click();
        driver.findElement(By.cssSelector("#call-filters [name=tag]")).clear();
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.cssSelector("#call-filters [name=status]"))).selectByIndex(0);
        chromium.waitFor(d -> d.findElements(By.cssSelector("#calls-table tbody tr")).size() == 5);
        assertThat(export("google-ads-calls")).hasSize(2 + 5);
        assertThat(driver.findElement(By.id("export-status")).getText()).contains("Filters: none.");
        target.click();
        assertThat(export("yandex-calls")).hasSize(1 + 4);
        assertThat(driver.findElement(By.id("export-status")).getText()).contains("Filters: none.");
        // The conversion centre's format has its button too.
        assertThat(export("yandex-conversion-center")).isNotEmpty();
        assertThat(driver.findElement(By.id("export-status")).getText()).startsWith("Downloaded yandex-conversion-center");

        chromium.signOut();
    }

    /** Audit Q #3: a caller's calls are found by the number, written as the customer says it. */
    @Test
    void theCallerFieldFindsACallersCallsAndSaysWhenTheTextIsNoNumber() throws Exception {
        driver.manage().window().setSize(new Dimension(1280, 2300));
        chromium.signInWithKey(server.base(), f.apiKey);
        showFixtureDays();
        WebElement caller = driver.findElement(By.cssSelector("#call-filters [name=caller]"));
        caller.sendKeys("+7 916 000-00-02" + Keys.ENTER);
        chromium.waitFor(d -> d.findElements(By.cssSelector("#calls-table tbody tr")).size() == 2);
        assertThat(driver.findElements(By.cssSelector("#calls-table tbody tr")).stream().map(r -> r.getAttribute("data-call-id")).toList())
                .containsExactlyInAnyOrder(f.callId.get("B1"), f.callId.get("B2"));

        caller.clear();
        caller.sendKeys("call me" + Keys.ENTER);
        chromium.waitFor(d -> d.findElement(By.id("calls")).getText().contains("Cannot filter the calls"));
        assertThat(driver.findElement(By.id("calls")).getText()).contains("'caller' must be a phone number");
        assertThat(driver.findElement(By.id("more-calls")).isDisplayed()).isFalse();

        caller.clear();
        caller.sendKeys(Keys.ENTER);
        chromium.waitFor(d -> d.findElements(By.cssSelector("#calls-table tbody tr")).size() == 5);
        chromium.signOut();
    }

    /**
     * Audit Q #4: "Top sources" showed 10 source/medium rows and nothing said more existed, so the
     * source with the only e-mail lead was hidden, and no screen showed campaigns or keywords.
     */
    @Test
    void topSourcesSayHowManyRowsThereAreShowThemAllAndGroupByCampaignOrKeyword() throws Exception {
        List<String> numbers = java.util.stream.IntStream.rangeClosed(1, 13).mapToObj(i -> String.format("+7495303%04d", i)).toList();
        Map<String, String> site = server.siteWithPool(numbers);
        for (int i = 1; i <= 12; i++) {
            var r = server.startSession(site.get("publicKey"), "visitor-sources-" + i, "https://example.com/?utm_source=src" + i
                    + "&utm_medium=cpc&utm_campaign=camp" + i + (i == 3 ? "&utm_term=%D0%BA%D1%83%D0%BF%D0%B8%D1%82%D1%8C+%D0%B4%D0%B8%D0%B2%D0%B0%D0%BD" : ""));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
        // A call to the one number no visit held: no source, shown as unattributed (audit Q #6), not "(none) / (none)".
        String event = "{\"callId\":\"src-none\",\"event\":\"completed\",\"from\":\"+79165550013\",\"to\":\"+74953030013\",\"talkSeconds\":40}";
        assertThat(server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, event, "application/json",
                Map.of("X-Ringpool-Signature", io.ringpool.call.Signing.ringpool(site.get("webhookSecret"),
                        server.clock.instant().getEpochSecond(), event))).status()).isEqualTo(200);

        driver.manage().window().setSize(new Dimension(1280, 2300));
        chromium.signInWithKey(server.base(), site.get("apiKey"));
        String day = server.clock.instant().atZone(java.time.ZoneId.of("Europe/Moscow")).toLocalDate().toString();
        chromium.showDays(day, day);

        assertThat(sourceRows()).hasSize(10);
        assertThat(driver.findElement(By.id("sources-count")).getText()).isEqualTo("10 of 13 rows");
        WebElement more = driver.findElement(By.id("sources-more"));
        assertThat(more.getText()).isEqualTo("Show all 13");
        assertThat(sourceRows().get(0)).startsWith("unattributed").doesNotContain("(none)");

        more.click();
        chromium.waitFor(d -> sourceRows().size() == 13);
        assertThat(String.join("\n", sourceRows())).contains("src12\ncpc");
        assertThat(more.getText()).isEqualTo("Show top 10");
        assertThat(driver.findElement(By.id("sources-count")).getText()).isEqualTo("13 rows");

        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("sources-group"))).selectByValue("source,medium,campaign");
        chromium.waitFor(d -> "Campaign".equals(driver.executeScript("var th = document.querySelector('#sources-table thead th'); return th && th.textContent")));
        assertThat(sourceRows()).hasSize(13).anyMatch(r -> r.startsWith("camp7\nsrc7 / cpc"));

        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("sources-group"))).selectByValue("source,medium,campaign,term");
        chromium.waitFor(d -> "Keyword".equals(driver.executeScript("var th = document.querySelector('#sources-table thead th'); return th && th.textContent")));
        assertThat(sourceRows()).anyMatch(r -> r.startsWith("купить диван\nsrc3 / cpc · camp3")).anyMatch(r -> r.startsWith("(no keyword)"));
        chromium.shot("dashboard-sources-by-keyword", 1280, 2300);

        chromium.signOut();
    }

    /**
     * Audit Q #5: over 4 days the x axis read "12am 3am 6am …" under daily bars, and the first and
     * last bars sat on the plot's edges, cut in half.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theCallsPerDayChartTicksWholeDaysUnderTheirBarsAndDrawsTheEdgeBarsWhole() throws Exception {
        driver.manage().window().setSize(new Dimension(1280, 1200));
        chromium.signInWithKey(server.base(), f.apiKey);
        String script = "var u = window.Ringpool.state.charts.daily, xs = u.data[0];"
                + "return {first: xs[0], last: xs[xs.length - 1], days: xs.length, min: u.scales.x.min, max: u.scales.x.max,"
                + " splits: u.axes[0]._splits, values: u.axes[0]._values};";
        for (String days : List.of("short", "one", "90")) {
            if (days.equals("short")) {
                showFixtureDays();
            } else if (days.equals("one")) {
                // A single day: uPlot handed the range callback its own padded max, about 1,000 days on (audit S #3).
                // The day of the fixture's first call (call A, at visit A2's time): not the first visit's,
                // which is 2 hours earlier and so another day in Moscow when the test runs from 19:00
                // to 21:00 UTC, a day with no calls and so no chart.
                String from = f.visitAt.get("A2").atZone(java.time.ZoneId.of("Europe/Moscow")).toLocalDate().toString();
                chromium.showDays(from, from);
            } else {
                // 90 days ending on the fixture's last day, not the 90-day preset: the preset ends on the
                // browser's today, before the calls from 19:00 to 21:00 UTC (see showFixtureDays).
                java.time.LocalDate end = java.time.LocalDate.parse(f.range().split("&to=")[1]).minusDays(1);
                chromium.showDays(end.minusDays(89).toString(), end.toString());
            }
            Map<String, Object> chart = (Map<String, Object>) driver.executeScript(script);
            long first = ((Number) chart.get("first")).longValue();
            long last = ((Number) chart.get("last")).longValue();
            assertThat(((Number) chart.get("min")).longValue()).as(days).isEqualTo(first - 43_200);
            assertThat(((Number) chart.get("max")).longValue()).as(days).isEqualTo(last + 43_200);
            List<Number> splits = (List<Number>) chart.get("splits");
            assertThat(splits).as(days).isNotEmpty().allMatch(x -> x.longValue() % 86_400 == 0, "a midnight, where a bar stands");
            assertThat(splits.get(splits.size() - 1).longValue()).as("the last day is labelled").isEqualTo(last);
            assertThat((List<String>) chart.get("values")).as(days).allMatch(v -> v.matches("\\d{1,2} [A-Z][a-z]{2,3}"), "a day, no hour");
            if (days.equals("short")) {
                assertThat(splits).as("every day labelled").hasSize(((Number) chart.get("days")).intValue());
            } else {
                assertThat(splits.size()).as("labels have room").isLessThanOrEqualTo(1280 / 56);
            }
        }
        chromium.shot("dashboard-daily-90", 1280, 1200);
        chromium.signOut();
    }

    /**
     * The pool chart kept uPlot's own time axis: "12am 6am 12pm" under a week of hourly buckets, and
     * in the browser's zone, not the site's. Now: over a day, whole hours of the site's zone ("14:00",
     * midnight by its day); over 7 and 90 days, the site's midnights only, labelled "5 Dec", with room
     * for each label.
     */
    @Test
    @SuppressWarnings("unchecked")
    void thePoolChartTicksHoursOverADayAndDaysOverLongerRangesInTheSitesZone() throws Exception {
        driver.manage().window().setSize(new Dimension(1280, 1200));
        chromium.signInWithKey(server.base(), f.apiKey);
        String script = "var u = window.Ringpool.state.charts.pool;"
                + "return {splits: u.axes[0]._splits, values: u.axes[0]._values, points: u.data[0].length};";
        long moscow = 3 * 3600;
        for (String days : List.of("one", "7", "90")) {
            driver.executeScript("document.body.removeAttribute('data-loaded')");
            if (days.equals("one")) {
                String day = java.time.LocalDate.parse(f.range().split("&")[0].substring("from=".length())).plusDays(1).toString();
                driver.executeScript("document.getElementById('from').value = arguments[0];"
                        + "var to = document.getElementById('to'); to.value = arguments[0]; to.dispatchEvent(new Event('change'));", day);
            } else {
                driver.findElement(By.cssSelector(".presets button[data-days='" + days + "']")).click();
            }
            chromium.waitFor(d -> d.findElement(By.tagName("body")).getAttribute("data-loaded") != null);
            chromium.waitFor(d -> driver.executeScript("return !!window.Ringpool.state.charts.pool") != null
                    && Boolean.TRUE.equals(driver.executeScript("return !!window.Ringpool.state.charts.pool")));
            Map<String, Object> chart = (Map<String, Object>) driver.executeScript(script);
            List<Number> splits = (List<Number>) chart.get("splits");
            List<String> values = (List<String>) chart.get("values");
            assertThat(splits).as(days).isNotEmpty();
            assertThat(values.size()).as(days + ": labels have room").isLessThanOrEqualTo(1280 / 44);
            if (days.equals("one")) {
                assertThat(((Number) chart.get("points")).intValue()).as("quarter hours, up to now").isBetween(2, 96);
                assertThat(splits).as("whole hours").allMatch(x -> x.longValue() % 3600 == 0);
                assertThat(values).as("hours of the site's zone").allMatch(v -> v.matches("([01]\\d|2[0-3]):00|\\d{1,2} [A-Z][a-z]{2,3}"))
                        .anyMatch(v -> v.matches("\\d{2}:00"));
                assertThat(values.get(0)).as("the day starts at the site's midnight").matches("\\d{1,2} [A-Z][a-z]{2,3}");
            } else {
                assertThat(splits).as(days + ": the site's midnights").allMatch(x -> (x.longValue() + moscow) % 86_400 == 0);
                assertThat(values).as(days + ": a day, no hour").allMatch(v -> v.matches("\\d{1,2} [A-Z][a-z]{2,3}"));
            }
            driver.executeScript("document.getElementById('pool-chart').scrollIntoView()");
            chromium.shot("dashboard-pool-" + days, 1280, 1200);
        }
        chromium.signOut();
    }

    /**
     * Audit Q #6: figures that misled. Calls with no source read "(none) / (none)" beside real direct
     * visits; a conversion over 100% with no word why; "avg lease 0 s" with no finished lease; a path
     * that brought a lead read "0"; and switching site reset a custom range to the last 30 days.
     */
    @Test
    @SuppressWarnings("unchecked")
    void labelsSayWhatTheFiguresAreAndAnotherSiteKeepsTheChosenDates() throws Exception {
        Map<String, String> site = server.siteWithPool(List.of("+74953040001", "+74953040002"));
        var visit = server.startSession(site.get("publicKey"), "visitor-labels-1", "https://example.com/?utm_source=news&utm_medium=email");
        assertThat(visit.status()).isEqualTo(201);
        var lead = server.send("POST", "/v1/sessions/" + visit.text("sessionId") + "/leads", null,
                "{\"kind\":\"form\",\"fields\":{\"email\":\"reader@mail.test\"}}", "text/plain;charset=UTF-8", Map.of());
        assertThat(lead.status()).as(lead.body()).isEqualTo(201);
        String event = "{\"callId\":\"labels-none\",\"event\":\"completed\",\"from\":\"+79165550014\",\"to\":\"+74953040002\",\"talkSeconds\":40}";
        assertThat(server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, event, "application/json",
                Map.of("X-Ringpool-Signature", io.ringpool.call.Signing.ringpool(site.get("webhookSecret"),
                        server.clock.instant().getEpochSecond(), event))).status()).isEqualTo(200);

        driver.manage().window().setSize(new Dimension(1280, 2300));
        chromium.signInWithKey(server.base(), site.get("apiKey"));
        String day = server.clock.instant().atZone(java.time.ZoneId.of("Europe/Moscow")).toLocalDate().toString();
        String from = java.time.LocalDate.parse(day).minusDays(3).toString();
        chromium.showDays(from, day);

        assertThat(sourceRows()).contains("unattributed").noneMatch(r -> r.contains("(none)\n(none)"));
        assertThat(driver.findElement(By.cssSelector("#daily-chart .u-legend")).getText()).contains("unattributed").doesNotContain("(none)");
        WebElement conversion = driver.findElement(By.id("kpi-conversion"));
        assertThat(conversion.getText()).contains("100%").contains("1 call ÷ 1 visit");
        assertThat(conversion.getAttribute("title")).contains("no visit");
        assertThat(driver.findElement(By.id("paths")).getText()).contains("email news").contains("1 lead");
        assertThat(driver.findElement(By.id("pool-formula")).getText()).isEqualTo("no lease has ended yet in this range: no lease length to size the pool from");

        // Another site (here the same one, as the switcher hands it over) keeps custom dates, and a preset stays a preset.
        chromium.loadByScript("window.Ringpool.showSite(window.Ringpool.state.site)");
        assertThat(driver.findElement(By.id("from")).getAttribute("value")).isEqualTo(from);
        assertThat(driver.findElement(By.id("to")).getAttribute("value")).isEqualTo(day);
        // Two loads in flight at once (a preset, then the switch right after) fill each log once, not twice.
        driver.executeScript("window.__inFlight = 0; var f = window.fetch; window.fetch = function () { window.__inFlight++;"
                + " return f.apply(this, arguments).finally(function () { window.__inFlight--; }); }");
        driver.executeScript("document.querySelector(\".presets button[data-days='7']\").click();"
                + " window.Ringpool.showSite(window.Ringpool.state.site)");
        chromium.waitFor(d -> Long.valueOf(0).equals(driver.executeScript("return window.__inFlight")));
        assertThat(driver.findElement(By.cssSelector(".presets button[data-days='7']")).getAttribute("class")).contains("active");
        // As many rows as the API has for the range shown: one call and one lead, except from about
        // 19:00 to 21:00 UTC, when the test clock (hours ahead of the browser's) puts them on
        // tomorrow in Moscow, outside a preset that ends on the browser's today (see showFixtureDays).
        String shown = "?from=" + driver.findElement(By.id("from")).getAttribute("value") + "&to=" + driver.findElement(By.id("to")).getAttribute("value");
        int calls = server.get("/v1/sites/" + site.get("siteId") + "/calls" + shown, site.get("apiKey")).json().get("calls").size();
        int leads = server.get("/v1/sites/" + site.get("siteId") + "/leads" + shown, site.get("apiKey")).json().get("leads").size();
        assertThat(calls).isEqualTo(leads).isLessThanOrEqualTo(1);
        assertThat(driver.findElements(By.cssSelector("#calls-table tbody tr"))).hasSize(calls);
        assertThat(driver.findElements(By.cssSelector("#leads-table tbody tr"))).hasSize(leads);
        chromium.shot("dashboard-labels", 1280, 2300);

        chromium.signOut();
    }

    /** The first cell of each row, read in one script so a table redrawn meanwhile cannot go stale under the read. */
    @SuppressWarnings("unchecked")
    /**
     * Audit U #2 and #8 as the marketer sees them: the pool panel says when the advice was bounded
     * by a handful of visits, and counts the visitors the address cap left untracked.
     */
    @Test
    void thePoolPanelSaysWhenVisitsWereTooFewToSizeFromAndCountsTheAddressCap() {
        Map<String, String> site = server.siteWithPool(List.of("+74953050001", "+74953050002", "+74953050003"));
        String first = null;
        for (String[] v : new String[][] {{"office-1", "203.0.113.77"}, {"office-2", "203.0.113.77"}, {"home", "198.51.100.77"}}) {
            String body = "{\"siteKey\":\"" + site.get("publicKey") + "\",\"visitorId\":\"" + v[0] + "\",\"url\":\"https://example.com/\"}";
            var r = server.send("POST", "/v1/sessions", null, body, "application/json",
                    Map.of("User-Agent", TestServer.CHROME, "X-Forwarded-For", v[1]));
            assertThat(r.status()).as(r.body()).isIn(200, 201);
            if (first == null) {
                first = r.text("sessionId");
            }
        }
        assertThat(server.send("POST", "/v1/sessions/" + first + "/end", null, "", "text/plain", Map.of()).status()).isEqualTo(204);
        server.clock.advance(java.time.Duration.ofMinutes(2));
        server.app.sessions().sweep();

        driver.manage().window().setSize(new Dimension(1280, 2300));
        chromium.signInWithKey(server.base(), site.get("apiKey"));
        String day = server.clock.instant().atZone(java.time.ZoneId.of("Europe/Moscow")).toLocalDate().toString();
        chromium.showDays(java.time.LocalDate.parse(day).minusDays(1).toString(), day);

        chromium.waitFor(d -> !d.findElements(By.id("pool-address-capped")).isEmpty());
        assertThat(driver.findElement(By.id("pool-address-capped")).getText()).isEqualTo("Untracked by address cap 1");
        chromium.waitFor(d -> d.findElement(By.id("pool-formula")).getText().startsWith("too few visits to size from: 2 asked"));
    }

    static List<String> sourceRows() {
        return (List<String>) driver.executeScript("return Array.prototype.map.call("
                + "document.querySelectorAll('#sources-table tbody tr td:first-child'), function (td) { return td.innerText; })");
    }

    /** Clicks an export button and returns the downloaded file's lines (the downloads folder emptied first). */
    static List<String> export(String format) throws Exception {
        try (Stream<Path> old = Files.list(chromium.downloads())) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        driver.executeScript("document.getElementById('export-status').textContent = ''");
        driver.findElement(By.cssSelector("#exports button[data-format='" + format + "']")).click();
        chromium.waitFor(d -> d.findElement(By.id("export-status")).getText().startsWith("Downloaded"));
        return Files.readAllLines(waitForDownload());
    }

    static Path waitForDownload() throws Exception {
        for (int i = 0; i < 50; i++) {
            try (Stream<Path> files = Files.list(chromium.downloads())) {
                var done = files.filter(p -> p.toString().endsWith(".csv")).findFirst();
                if (done.isPresent() && Files.size(done.get()) > 0) {
                    return done.get();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no export downloaded into " + chromium.downloads());
    }
}
