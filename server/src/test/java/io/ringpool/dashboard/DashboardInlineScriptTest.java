package io.ringpool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's pages carry no inline event handlers ({@code onsubmit="..."}): its
 * Content-Security-Policy has no {@code 'unsafe-inline'} for scripts, so the browser refuses
 * them, logs a violation on every load, and the handler silently does not run.
 */
class DashboardInlineScriptTest {
    private static final Pattern INLINE_HANDLER = Pattern.compile("<[^>]*\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE);

    @Test
    void noPageOfTheDashboardHasAnInlineEventHandler() throws IOException {
        List<Path> pages;
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/dashboard"))) {
            pages = files.filter(p -> p.toString().endsWith(".html")).toList();
        }
        assertThat(pages).isNotEmpty();
        for (Path page : pages) {
            assertThat(INLINE_HANDLER.matcher(Files.readString(page)).find()).as(page + " has an inline event handler").isFalse();
        }
    }
}
