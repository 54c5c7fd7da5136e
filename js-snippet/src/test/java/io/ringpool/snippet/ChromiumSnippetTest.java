package io.ringpool.snippet;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
}
