package io.ringpool.snippet;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Real Chromium through Selenium and the system's chromedriver (Debian packages {@code chromium} and
 * {@code chromium-driver}). Two settings keep the server from taking the test browser for a bot, as it
 * must for real headless crawlers: a normal desktop User-Agent instead of {@code HeadlessChrome}, and
 * {@code --disable-blink-features=AutomationControlled}, which makes {@code navigator.webdriver} false.
 */
final class ChromiumBrowser implements Browser {
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final String DESKTOP_UA =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

    private final String blankUrl;
    private final Path extension;
    /** Replaced, with its profile, when a renderer stops answering (see {@link #reset()}). */
    private ChromeDriver driver;
    private Path profile;

    /** @param blankUrl an empty page on the fixture origin, used to clear that origin's storage */
    ChromiumBrowser(String blankUrl) throws Exception {
        this(blankUrl, null);
    }

    /**
     * @param blankUrl an empty page on the fixture origin, used to clear that origin's storage
     * @param extension an unpacked extension to run, as a visitor's content blocker (e.g. {@link PingBlocker}), or null
     */
    ChromiumBrowser(String blankUrl, Path extension) throws Exception {
        this.blankUrl = blankUrl;
        this.extension = extension;
        launch();
    }

    private void launch() throws java.io.IOException {
        profile = Files.createTempDirectory("ringpool-chromium");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(BINARY.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1200,1400",
                "--user-agent=" + DESKTOP_UA, "--disable-blink-features=AutomationControlled");
        // Chromium (not branded Chrome since 137) still loads unpacked extensions from the command line
        if (extension != null) o.addArguments("--load-extension=" + extension, "--disable-extensions-except=" + extension);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
        driver = new ChromeDriver(service, o);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20)).scriptTimeout(Duration.ofSeconds(10));
    }

    @Override
    public Tab open(String url) {
        boolean fresh = driver.getWindowHandles().size() == 1 && blankUrl.equals(driver.getCurrentUrl());
        if (!fresh) driver.switchTo().newWindow(WindowType.TAB);
        driver.get(url);
        return new ChromiumTab(driver.getWindowHandle());
    }

    /**
     * Leaves one tab, on the blank page, with the fixture origin's storage and cookies cleared. A
     * renderer that stops answering (chromedriver's "Timed out receiving message from renderer", seen
     * in CI at stops 35 and 37, every later command then timing out too) is Chromium's failure, not
     * the script's: the browser is then started afresh with a new profile, which is the state reset
     * promises, up to {@link #RESTARTS} times, each with a longer page-load limit.
     *
     * <p>At stop 37 a fresh browser timed out on the same page as well, so each failure first asks
     * the page's server for it with a plain HTTP client. If that gets no answer either, no browser
     * can load it: the machine's network (the fixture's address) is what failed, not Chromium and not
     * the script, and the test is aborted as unable to run here, saying so, instead of failed.
     */
    @Override
    public void reset() {
        WebDriverException failure = null;
        for (int attempt = 0; attempt <= RESTARTS; attempt++) {
            try {
                if (attempt > 0) {
                    quitAndDeleteProfile();
                    launch();
                    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20L * (attempt + 1)));
                }
                clearToBlank();
                return;
            } catch (WebDriverException stuck) {
                String unanswered = blankPageUnanswered();
                String what = "Chromium did not load " + blankUrl + " (" + stuck.getClass().getSimpleName()
                        + ", attempt " + (attempt + 1) + ")";
                if (unanswered != null) {
                    Assumptions.abort(what + " and neither did a plain HTTP client (" + unanswered
                            + "): this machine's network, not the browser or the script, failed");
                }
                System.err.println(what + "; its server answers a plain HTTP client; starting Chromium afresh");
                if (failure == null) failure = stuck;
                else failure.addSuppressed(stuck);
            } catch (java.io.IOException e) {
                if (failure != null) failure.addSuppressed(e);
                break;
            }
        }
        throw failure;
    }

    private static final int RESTARTS = 2;

    /** Null when the blank page's server answers a request that is not the browser's; what went wrong otherwise. */
    private String blankPageUnanswered() {
        long start = System.nanoTime();
        try {
            var client = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            var response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(blankUrl))
                    .timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200 ? null : "status " + response.statusCode();
        } catch (Exception e) {
            return e + " after " + (System.nanoTime() - start) / 1_000_000 + " ms";
        }
    }

    private void clearToBlank() {
        List<String> handles = List.copyOf(driver.getWindowHandles());
        for (int i = 1; i < handles.size(); i++) {
            driver.switchTo().window(handles.get(i));
            driver.close();
        }
        driver.switchTo().window(handles.get(0));
        driver.get(blankUrl);
        driver.executeScript("localStorage.clear(); sessionStorage.clear();");
        driver.manage().deleteAllCookies();
    }

    @Override
    public List<String> scriptErrors() {
        return List.of();
    }

    /**
     * Refuses every request whose URL matches one of {@code urlPatterns} ({@code *} wildcards) in the
     * current tab, as a content blocker does: the page sees {@code net::ERR_BLOCKED_BY_CLIENT}. No
     * patterns: nothing refused. Holds for the tab until changed.
     */
    void blockRequests(String... urlPatterns) {
        driver.executeCdpCommand("Network.enable", java.util.Map.of());
        driver.executeCdpCommand("Network.setBlockedURLs", java.util.Map.of("urls", List.of(urlPatterns)));
    }

    void screenshot(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() throws Exception {
        quitAndDeleteProfile();
    }

    private void quitAndDeleteProfile() throws java.io.IOException {
        try {
            driver.quit();
        } catch (WebDriverException stuck) {
            // a browser that stopped answering may not answer quit either; its profile still goes
            System.err.println("Chromium did not quit (" + stuck.getClass().getSimpleName() + ")");
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private final class ChromiumTab implements Tab {
        private final String handle;

        ChromiumTab(String handle) {
            this.handle = handle;
        }

        @Override
        public Object js(String body) {
            driver.switchTo().window(handle);
            Object v = ((JavascriptExecutor) driver).executeScript(body);
            return v instanceof String || v instanceof Number || v instanceof Boolean ? v : null;
        }

        @Override
        public void navigate(String url) {
            driver.switchTo().window(handle);
            driver.get(url);
        }
    }
}
