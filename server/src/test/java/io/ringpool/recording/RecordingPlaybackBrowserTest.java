package io.ringpool.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import io.ringpool.testing.browser.HeadlessChromium;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A kept recording plays and seeks in real headless Chromium: an {@code <audio>} element whose
 * {@code src} is a playback link reaches {@code canplay}, and seeking to the middle lands there
 * (Chromium seeks with Range requests and refuses to when the server does not answer 206).
 */
class RecordingPlaybackBrowserTest {
    @RegisterExtension
    static final HeadlessChromium chromium = HeadlessChromium.anySize().playingAudioWithoutAClick();
    static final String NUMBER = "+74950001001";

    @TempDir
    static Path dir;
    static TestServer server;
    static ProviderDouble pbx;
    static ChromeDriver driver;

    @BeforeAll
    static void start() throws Exception {
        driver = chromium.driver();
        server = new TestServer(dir.resolve("store"), Map.of("recordings.fetchAllow", List.of("127.0.0.1"),
                "recordings.pollIntervalMillis", 100));
        pbx = new ProviderDouble("127.0.0.1");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (pbx != null) {
            pbx.close();
        }
    }

    @Test
    void anAudioElementReachesCanplayAndSeeksToTheMiddleOfAKeptRecording() {
        Map<String, String> site = server.siteWithPool(List.of(NUMBER));
        assertThat(server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), "{\"recordCalls\":true}",
                "application/json", Map.of()).status()).isEqualTo(200);
        pbx.on("/rec/1.wav", ProviderDouble.Answer.audio("audio/wav", ProviderDouble.wav(8, 8000)));
        Map<String, Object> event = new LinkedHashMap<>(Map.of("callId", "pbx-browser-1", "event", "completed", "from", "+79161239901",
                "to", NUMBER, "talkSeconds", 8, "recordingUrl", pbx.base() + "/rec/1.wav"));
        String body = new String(Json.write(event), StandardCharsets.UTF_8);
        Reply ingested = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        String callId = ingested.text("callId");
        String recording = "/v1/sites/" + site.get("siteId") + "/calls/" + callId + "/recording";
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (server.post(recording + "/link", site.get("apiKey"), Map.of()).status() != 200) {
            assertThat(System.nanoTime()).as("the recording is fetched").isLessThan(deadline);
            Thread.onSpinWait();
        }
        String link = server.post(recording + "/link", site.get("apiKey"), Map.of()).text("url");
        double partialBefore = served(206);

        driver.get(server.base() + "/health");
        driver.executeScript("window.events = [];"
                + "var a = document.createElement('audio'); a.preload = 'auto'; window.player = a;"
                + "['canplay', 'seeked', 'error'].forEach(function (e) { a.addEventListener(e, function () { window.events.push(e); }); });"
                + "a.src = arguments[0]; document.body.appendChild(a);", link);
        WebDriverWait wait = chromium.waiting();
        wait.until(d -> eventsInclude("canplay") || eventsInclude("error"));
        assertThat(eventsInclude("error")).as("the element reports no error").isFalse();
        assertThat(((Number) driver.executeScript("return window.player.duration")).doubleValue()).isCloseTo(8.0, org.assertj.core.data.Offset.offset(0.1));
        driver.executeScript("window.player.currentTime = 5.5;");
        wait.until(d -> eventsInclude("seeked"));
        assertThat(((Number) driver.executeScript("return window.player.currentTime")).doubleValue())
                .isCloseTo(5.5, org.assertj.core.data.Offset.offset(0.05));
        assertThat(((Number) driver.executeScript("return window.player.seekable.length")).intValue()).isEqualTo(1);
        assertThat(((Number) driver.executeScript("return window.player.seekable.end(0)")).doubleValue()).isGreaterThan(7.9);
        // The proof that Range did the work: Chromium asked for byte ranges and the server answered 206.
        // A server that ignores Range answers 200 and this count stays where it was.
        assertThat(served(206)).as("206 Partial Content answers to the player").isGreaterThan(partialBefore);
    }

    @Test
    void theSameFileFromAServerThatIgnoresRangeIsNotSeekableSoTheTestAboveWouldFailAgainstIt() {
        // The control for the test above: the provider double answers every GET 200 with the whole
        // body and no Accept-Ranges. Chromium downloads and can play all 8 s, but offers no seeking
        // (seekable is [0, 0]): the "seekable to the end" check above fails against such a server.
        pbx.on("/rec/plain.wav", ProviderDouble.Answer.audio("audio/wav", ProviderDouble.wav(8, 8000)));
        driver.get(server.base() + "/health");
        driver.executeScript("window.events = [];"
                + "var a = document.createElement('audio'); a.preload = 'auto'; window.player = a;"
                + "['canplay', 'canplaythrough', 'error'].forEach(function (e) { a.addEventListener(e, function () { window.events.push(e); }); });"
                + "a.src = arguments[0]; document.body.appendChild(a);", pbx.base() + "/rec/plain.wav");
        WebDriverWait wait = chromium.waiting();
        wait.until(d -> eventsInclude("canplaythrough") || eventsInclude("error"));
        assertThat(eventsInclude("error")).isFalse();
        assertThat(((Number) driver.executeScript("return window.player.duration")).doubleValue()).isCloseTo(8.0, org.assertj.core.data.Offset.offset(0.1));
        double seekableEnd = ((Number) driver.executeScript("var s = window.player.seekable; return s.length ? s.end(s.length - 1) : 0;")).doubleValue();
        assertThat(seekableEnd).as("seekable end without Range").isLessThan(7.9);
    }

    /** How many answers of the recording route with this status the server counted (its own request timer). */
    static double served(int status) {
        String metrics = server.get("/metrics", null).body();
        double n = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("http_server_requests_seconds_count{") && line.contains("route=\"/v1/sites/{siteId}/calls/{callId}/recording\"")
                    && line.contains("status=\"" + status + "\"")) {
                n += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return n;
    }

    static boolean eventsInclude(String name) {
        Object r = driver.executeScript("return window.events.indexOf(arguments[0]) >= 0;", name);
        return Boolean.TRUE.equals(r);
    }
}
