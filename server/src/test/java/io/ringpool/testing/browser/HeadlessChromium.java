package io.ringpool.testing.browser;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringpool.app.TestServer;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium for a browser test class, with the waits and the dashboard sign-ins those
 * classes share. Registered on a static field, it starts before the class's {@code @BeforeAll} and
 * quits after its {@code @AfterAll}; without chromium or chromedriver the whole class is skipped:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final HeadlessChromium chromium = HeadlessChromium.window(1280, 900).hidingScrollbars().keepingConsole();
 * }</pre>
 *
 * <p>What differs between classes is asked for, not assumed: hidden scrollbars change the widths a
 * phone-sized test measures, a page script under test treats an automated browser as a bot unless
 * it looks like a visitor's, and the console is recorded only where a test reads it. Each class
 * gets its own browser and profile: the tests of one class run in order on one browser and clear
 * the server's origin before each test where the class asks for it ({@link #forgettingBeforeEachTest}).
 */
public final class HeadlessChromium implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    public static final Path BINARY = Path.of("/usr/bin/chromium");
    /** Screenshots for people to look at; no test reads them back. */
    public static final Path SHOTS = Path.of("target", "screenshots");
    /** How long a wait may take before it fails: a first page load on a loaded 2-core box has taken over 10 s. */
    static final Duration WAIT = Duration.ofSeconds(15);
    /** Time for a resize's redraw (uPlot redraws on a resize event) before a screenshot. */
    static final long SETTLE_MILLIS = 200;
    /** A page that has not loaded in this long is a failure, not something to wait for. */
    static final Duration PAGE_LOAD = Duration.ofSeconds(20);

    private final List<String> arguments = new ArrayList<>(List.of("--headless=new", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"));
    private final Dimension window;
    private boolean keepConsole;
    private boolean downloads;
    private Supplier<String> forgetBeforeEach;
    private Path home;
    private ChromeDriver driver;

    private HeadlessChromium(Dimension window) {
        this.window = window;
        if (window != null) {
            arguments.add("--window-size=" + window.width + "," + window.height);
        }
    }

    /** A browser whose window opens at this size, the size {@link #forget(String)} sets back. */
    public static HeadlessChromium window(int width, int height) {
        return new HeadlessChromium(new Dimension(width, height));
    }

    /** A browser at Chromium's own window size, for tests that measure no layout. */
    public static HeadlessChromium anySize() {
        return new HeadlessChromium(null);
    }

    /** Scrollbars take no width, as on a phone or a Mac: the dashboard's layout tests were written against that. */
    public HeadlessChromium hidingScrollbars() {
        arguments.add("--hide-scrollbars");
        return this;
    }

    /** Records the page's console, read by {@link #consoleErrors(int...)}. */
    public HeadlessChromium keepingConsole() {
        keepConsole = true;
        return this;
    }

    /** Saves downloads without asking into {@link #downloads()}. */
    public HeadlessChromium savingDownloads() {
        downloads = true;
        return this;
    }

    /**
     * {@link #forget(String)} before each test, on the server whose base URL the supplier gives when
     * the test starts (a class's server is made in its {@code @BeforeAll}, after this is built).
     */
    public HeadlessChromium forgettingBeforeEachTest(Supplier<String> base) {
        forgetBeforeEach = base;
        return this;
    }

    /** Audio may play without a click, so a test can start a player from a script. */
    public HeadlessChromium playingAudioWithoutAClick() {
        arguments.add("--autoplay-policy=no-user-gesture-required");
        return this;
    }

    /**
     * A visitor's Chrome as the site script sees it: without these, headless Chromium under automation
     * reads as a bot (navigator.webdriver, "HeadlessChrome" in the user agent) and gets no number.
     */
    public HeadlessChromium lookingLikeAVisitor() {
        arguments.add("--disable-blink-features=AutomationControlled");
        arguments.add("--user-agent=" + TestServer.CHROME);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        assumeTrue(Files.isExecutable(DRIVER) && Files.isExecutable(BINARY), "chromium and chromedriver are needed");
        home = Files.createTempDirectory("chromium-");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(BINARY.toFile());
        o.addArguments(arguments);
        o.addArguments("--user-data-dir=" + Files.createDirectories(home.resolve("profile")));
        if (downloads) {
            Map<String, Object> prefs = new HashMap<>();
            prefs.put("download.default_directory", Files.createDirectories(downloads()).toString());
            prefs.put("download.prompt_for_download", false);
            o.setExperimentalOption("prefs", prefs);
        }
        if (keepConsole) {
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            o.setCapability("goog:loggingPrefs", logs);
        }
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(), o);
        driver.manage().timeouts().pageLoadTimeout(PAGE_LOAD);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (forgetBeforeEach != null) {
            forget(forgetBeforeEach.get());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            driver = null;
            if (home != null) {
                try (Stream<Path> files = Files.walk(home)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    public ChromeDriver driver() {
        if (driver == null) {
            throw new IllegalStateException("the browser starts before the class's @BeforeAll: register it on a static field");
        }
        return driver;
    }

    /** Where {@link #savingDownloads()} saves files. */
    public Path downloads() {
        return home.resolve("downloads");
    }

    /** A wait of {@link #WAIT} that looks again when the element it held was redrawn meanwhile (the logs re-render their rows). */
    public WebDriverWait waiting() {
        return waiting(WAIT);
    }

    public WebDriverWait waiting(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(driver(), timeout);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    public <T> T waitFor(Function<WebDriver, T> condition) {
        return waiting().until(condition);
    }

    /**
     * The browser as a new visitor's on the server at {@code base}: the window at its first size, no
     * cookies, no session or local storage, and nothing left in the console (read and so dropped).
     */
    public void forget(String base) {
        if (window != null) {
            driver().manage().window().setSize(window);
        }
        driver().get(base + "/dashboard/");
        driver.manage().deleteAllCookies();
        driver.executeScript("sessionStorage.clear(); localStorage.clear();");
        dropConsole();
    }

    /**
     * Signs in on the dashboard's key form, as nobody before, and waits for the first load of figures.
     * A key left in the tab's session storage signs the dashboard in again as it opens, and that
     * sign-in stores the key once its answer comes: cleared on a dashboard page, it could come back
     * from a request still in flight, and the form never showed. So it is cleared on a page of the
     * same origin that runs no dashboard script.
     */
    public void signInWithKey(String base, String apiKey) {
        driver().get(base + "/health");
        driver.executeScript("sessionStorage.clear()");
        driver.get(base + "/dashboard/");
        waitFor(d -> d.findElement(By.id("api-key")).isDisplayed());
        loadBy(() -> {
            type("api-key", apiKey);
            driver.findElement(By.id("signin-button")).click();
        });
    }

    /** Signs in on the dashboard's e-mail form and waits for the first load of figures. */
    public void signInWithPassword(String base, String email, String password) {
        driver().get(base + "/dashboard/");
        waitFor(d -> d.findElement(By.id("email")).isDisplayed());
        // The page a forget() opened may still have had requests in flight as the cookies went: their
        // 401s are that page's, logged late, not this one's.
        dropConsole();
        loadBy(() -> {
            type("email", email);
            type("password", password);
            driver.findElement(By.id("password-signin-button")).click();
        });
    }

    /** Clicks "Sign out" and waits for the sign-in form. */
    public void signOut() {
        driver().findElement(By.id("signout")).click();
        waitFor(d -> d.findElement(By.id("signin")).isDisplayed());
    }

    /**
     * Does what makes the dashboard load its figures, and waits for that load: the page sets
     * body[data-loaded] when a load ends, so the mark is taken off first, or a test would read the
     * previous load's figures.
     */
    public void loadBy(Runnable action) {
        driver().executeScript("document.body.removeAttribute('data-loaded')");
        action.run();
        waitFor(d -> d.findElement(By.tagName("body")).getAttribute("data-loaded") != null);
    }

    /** {@link #loadBy(Runnable)} with a script as the action. */
    public void loadByScript(String script, Object... args) {
        loadBy(() -> driver.executeScript(script, args));
    }

    /** Shows the dashboard's figures from {@code from} to {@code to} (ISO dates), as the date fields do. */
    public void showDays(String from, String to) {
        loadByScript("document.getElementById('from').value = arguments[0];"
                + "var to = document.getElementById('to'); to.value = arguments[1]; to.dispatchEvent(new Event('change'));", from, to);
    }

    public void type(String id, String text) {
        WebElement e = driver().findElement(By.id(id));
        e.clear();
        e.sendKeys(text);
    }

    /** Saves a screenshot as {@code target/screenshots/<name>.png}, once a resize just made has been redrawn. */
    public void shot(String name) {
        try {
            Thread.sleep(SETTLE_MILLIS);
            File png = driver().getScreenshotAs(OutputType.FILE);
            Files.createDirectories(SHOTS);
            Files.copy(png.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sets the window's size, then {@link #shot(String)}. */
    public void shot(String name, int width, int height) {
        driver().manage().window().setSize(new Dimension(width, height));
        shot(name);
    }

    /** Reads the console and so empties it (with {@link #keepingConsole()}; otherwise there is nothing to read). */
    public void dropConsole() {
        if (keepConsole) {
            driver().manage().logs().get(LogType.BROWSER);
        }
    }

    /** The console's errors since it was last read, less the network lines of answers with these statuses, which a test asked for. */
    public List<String> consoleErrors(int... refusedStatuses) {
        if (!keepConsole) {
            throw new IllegalStateException("the console is recorded only with keepingConsole()");
        }
        return driver().manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage)
                .filter(m -> Arrays.stream(refusedStatuses).noneMatch(s -> m.contains("status of " + s)))
                .toList();
    }
}
