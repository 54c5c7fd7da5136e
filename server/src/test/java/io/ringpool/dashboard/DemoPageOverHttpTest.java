package io.ringpool.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /demo} over real HTTP: the demo site's page with its own number and the real script
 * tag, the dashboard's security headers, nothing private; a 404 like any unknown path without the
 * demo site. (That the script swaps the number on it: js-snippet's DemoPageBrowserTest.)
 */
class DemoPageOverHttpTest {
    static final Path DEMO = Path.of("..", "config", "demo-site.yaml").toAbsolutePath();

    @TempDir
    Path dir;

    static String header(Reply r, String name) {
        List<String> values = r.headers().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Test
    void theDemoSitesPageShowsItsNumberLoadsTheScriptWithItsPublicKeyAndNothingPrivate() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("demo.enabled", true, "demo.file", DEMO.toString()))) {
            Properties keys = new Properties();
            try (var in = Files.newInputStream(server.app.demoKeysFile())) {
                keys.load(in);
            }
            Reply page = server.get("/demo?utm_source=google&gclid=demo-1", null);
            assertThat(page.status()).isEqualTo(200);
            assertThat(header(page, "content-type")).isEqualTo("text/html; charset=utf-8");
            String html = page.body();
            assertThat(html).contains("<script async src=\"/s.js\" data-site=\"" + keys.getProperty("DEMO_PUBLIC_KEY") + "\"></script>");
            assertThat(html).as("the number in text, as a shop writes it").contains(">+7 495 139-91-93<");
            assertThat(html).as("and in tel: links").contains("href=\"tel:+74951399193\"");
            assertThat(html).contains("Demo shop", "<b>Google Ads</b>: visits with source = google", "<b>Everyone else</b>: any visit");
            assertThat(html).as("the simulated call's command").contains("/v1/telephony/$DEMO_SITE_ID/events", "$DEMO_WEBHOOK_SECRET",
                    "http://127.0.0.1:" + server.app.port());
            for (String secret : List.of(keys.getProperty("DEMO_API_KEY"), keys.getProperty("DEMO_WEBHOOK_SECRET"), TestServer.ADMIN_KEY)) {
                assertThat(html).doesNotContain(secret);
            }

            Reply dashboard = server.get("/dashboard/", null);
            for (String name : List.of("content-security-policy", "referrer-policy", "x-content-type-options")) {
                assertThat(header(page, name)).as(name).isNotNull().isEqualTo(header(dashboard, name));
            }
            assertThat(header(page, "content-security-policy")).as("the script and its calls are this server's")
                    .contains("default-src 'self'", "connect-src 'self'");
            assertThat(header(page, "cache-control")).isEqualTo("no-store");

            Reply script = server.get("/demo/demo.js", null);
            assertThat(script.status()).isEqualTo(200);
            assertThat(script.body()).contains("ringpool('number'");
            assertThat(server.get("/demo/demo.css", null).status()).isEqualTo(200);
            assertThat(server.get("/s.js", null).status()).isEqualTo(200);
        }
    }

    @Test
    void theSitesNameAndNumberAreTheSitesAsTheyAreNowAndEscaped() throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("demo.enabled", true, "demo.file", DEMO.toString()))) {
            Reply patched = server.send("PATCH", "/v1/sites/st_demo", TestServer.ADMIN_KEY,
                    "{\"name\":\"Bikes <b>&</b> \\\"Co\\\"\",\"defaultNumber\":\"+74951234567\"}", "application/json", Map.of());
            assertThat(patched.status()).isEqualTo(200);
            String html = server.get("/demo", null).body();
            assertThat(html).contains("Bikes &lt;b&gt;&amp;&lt;/b&gt; &quot;Co&quot;").doesNotContain("<b>&</b>");
            assertThat(html).contains(">+7 495 123-45-67<", "href=\"tel:+74951234567\"").doesNotContain("139-91-93");
        }
    }

    @Test
    void withoutTheDemoThereIsNoDemoPage() {
        try (TestServer server = new TestServer(dir)) {
            Reply page = server.get("/demo", null);
            Reply unknown = server.get("/no-such-page", null);
            assertThat(page.status()).isEqualTo(404);
            assertThat(page.errorCode()).isEqualTo("not_found").isEqualTo(unknown.errorCode());
        }
    }

    @Test
    void withTheDemoOnButItsSiteGoneThePageIsA404() throws Exception {
        // A store that already has a site is not seeded: the demo file's site is then not there.
        try (TestServer first = new TestServer(dir)) {
            assertThat(first.post("/v1/sites", TestServer.ADMIN_KEY, Map.of("name", "Real shop", "domains", List.of("shop.test"),
                    "defaultNumber", "+74951112233", "timeZone", "Europe/Moscow")).status()).isEqualTo(201);
        }
        try (TestServer server = new TestServer(dir, Map.of("demo.enabled", true, "demo.file", DEMO.toString()))) {
            Reply page = server.get("/demo", null);
            assertThat(page.status()).isEqualTo(404);
            assertThat(page.errorCode()).isEqualTo("not_found");
            assertThat(page.json().get("error").get("message").asText()).isEqualTo("no such endpoint: /demo");
        }
    }
}
