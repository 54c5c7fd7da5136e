package io.ringpool.snippet;

import java.time.Duration;

/** The contract in HtmlUnit: part of the default build, needs nothing installed. */
class HtmlUnitSnippetTest extends SnippetContract {
    @Override
    Browser newBrowser(FixtureServer fixtures) {
        return new HtmlUnitBrowser();
    }

    /** HtmlUnit interprets JavaScript far slower than a real engine; Chromium is held to 1 s. */
    @Override
    Duration swapBudget() {
        return Duration.ofSeconds(3);
    }

    @Override
    boolean realBrowser() {
        return false;
    }
}
