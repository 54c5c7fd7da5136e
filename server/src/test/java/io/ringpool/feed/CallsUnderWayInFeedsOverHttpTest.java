package io.ringpool.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AG3 #3: a feed fetched while a call rang or talked wrote the call with its start as the
 * conversion time, and the next fetch, after the hang-up, with its end. Google Ads drops a repeat
 * only when click, action and time agree, Metrica's offline conversions when ClientId, goal and
 * time do, so every call under way at a scheduled fetch was counted twice. The conversion formats
 * now hold a call only once it is final; the formats that describe the call keep it while under way.
 */
class CallsUnderWayInFeedsOverHttpTest {
    @TempDir
    Path dir;

    static final Instant RANG = Instant.parse("2027-03-02T07:00:00Z"); // 10:00:00 in Moscow, the site's zone
    static final Instant ANSWERED = RANG.plusSeconds(10);
    static final Instant ENDED = RANG.plusSeconds(70);
    static final String GCLID = "Cj0KCQ-under-way";
    static final String CLIENT_ID = "1700000000888000888";
    static final String CALLER = "+79162323232";

    static final List<String> CONVERSION_EXPORTS = List.of("google-ads-clicks", "google-ads-calls", "google-enhanced", "yandex-offline");

    @Test
    void aCallFetchedWhileItRingsOrTalksIsLeftOutAndThenWrittenOnceWithItsEnd() {
        try (TestServer server = new TestServer(dir, Map.of(), Clock.fixed(RANG.minusSeconds(30), ZoneOffset.UTC))) {
            Map<String, String> site = server.siteWithPool(List.of("+74955551001"));
            Reply clicksFeed = server.post("/v1/sites/" + site.get("siteId") + "/feeds", site.get("apiKey"),
                    Map.of("format", "google-ads-clicks", "windowDays", 30, "conversionName", "Phone call", "layout", "data-manager"));
            Reply offlineFeed = server.post("/v1/sites/" + site.get("siteId") + "/feeds", site.get("apiKey"),
                    Map.of("format", "yandex-offline", "windowDays", 21));
            Reply visit = server.send("POST", "/v1/sessions", null, new String(Json.write(Map.of("siteKey", site.get("publicKey"),
                    "visitorId", "visitor-under-way", "url", "https://example.com/?utm_source=google&utm_medium=cpc&gclid=" + GCLID,
                    "clientIds", Map.of("ym", CLIENT_ID))), StandardCharsets.UTF_8), "application/json",
                    Map.of("User-Agent", TestServer.CHROME));
            assertThat(visit.status()).as(visit.body()).isEqualTo(201);
            String number = visit.text("number");

            server.clock.advance(Duration.between(server.clock.instant(), RANG));
            event(server, site, "ringing", number, null);
            // A fetch a moment later (a feed's window ends at the fetch, exclusive: a call that starts
            // in the fetch's own millisecond is not in it yet).
            server.clock.advance(Duration.ofSeconds(5));
            assertNoCallIn(server, site, clicksFeed, offlineFeed, "ringing");
            server.clock.advance(Duration.between(server.clock.instant(), ANSWERED));
            event(server, site, "answered", number, null);
            server.clock.advance(Duration.ofSeconds(30));
            assertNoCallIn(server, site, clicksFeed, offlineFeed, "talking");
            // Metrica's call upload describes the call and holds it while it talks (session 39); the
            // Conversion Center's order, whose create_date_time cannot change once sent, waits for the end.
            assertThat(export(server, site, "yandex-calls").body().split("\r\n")).as("yandex-calls").hasSize(2);
            assertThat(export(server, site, "yandex-conversion-center").body().split("\r\n")).as("yandex-conversion-center").hasSize(1);

            server.clock.advance(Duration.between(server.clock.instant(), ENDED));
            event(server, site, "completed", number, 60);
            server.clock.advance(Duration.ofMinutes(5)); // the platform's next fetch comes later
            Reply clicks = FeedTestCalls.fetch(server, clicksFeed);
            assertThat(rows(clicks)).containsExactly(GCLID + ",Phone call,2027-03-02T10:01:10+03:00,,RUB");
            assertCounts(clicks, 1);
            Reply offline = FeedTestCalls.fetch(server, offlineFeed);
            assertThat(rows(offline)).containsExactly(CLIENT_ID + ",call," + ENDED.getEpochSecond() + ",,");
            assertCounts(offline, 1);
            Map<String, String> byFormat = Map.of(
                    "google-ads-clicks", GCLID + ",Phone call,2027-03-02 10:01:10,,RUB",
                    "google-ads-calls", CALLER + ",2027-03-02 10:00:00,Phone call,2027-03-02 10:01:10,,RUB",
                    "google-enhanced", "," + sha256(CALLER) + ",Phone call,2027-03-02 10:01:10,,RUB",
                    "yandex-offline", CLIENT_ID + ",call," + ENDED.getEpochSecond() + ",,");
            for (String format : CONVERSION_EXPORTS) {
                Reply r = export(server, site, format);
                assertThat(rows(r)).as(format).containsExactly(byFormat.get(format));
                assertCounts(r, 1);
            }

            server.clock.advance(Duration.ofDays(1));
            assertThat(FeedTestCalls.fetch(server, clicksFeed).body()).as("the next day's fetch repeats it exactly").isEqualTo(clicks.body());
            assertThat(FeedTestCalls.fetch(server, offlineFeed).body()).isEqualTo(offline.body());
        }
    }

    /** The feeds and the conversion exports hold no row for the call yet, and count it neither exported nor skipped. */
    private static void assertNoCallIn(TestServer server, Map<String, String> site, Reply clicksFeed, Reply offlineFeed, String when) {
        for (Reply r : List.of(FeedTestCalls.fetch(server, clicksFeed), FeedTestCalls.fetch(server, offlineFeed))) {
            assertThat(rows(r)).as("a feed fetched while " + when).isEmpty();
            assertCounts(r, 0);
        }
        for (String format : CONVERSION_EXPORTS) {
            Reply r = export(server, site, format);
            assertThat(rows(r)).as(format + " while " + when).isEmpty();
            assertCounts(r, 0);
        }
    }

    private static void assertCounts(Reply r, int exported) {
        assertThat(r.headers().get("x-ringpool-exported-rows")).containsExactly(Integer.toString(exported));
        assertThat(r.headers().get("x-ringpool-skipped-rows")).as("a call under way lacks nothing: it is not skipped").containsExactly("0");
    }

    /** The data rows: what follows the header (and Google's Parameters line). */
    private static List<String> rows(Reply r) {
        List<String> lines = r.body().lines().filter(l -> !l.startsWith("Parameters:")).toList();
        return lines.subList(1, lines.size());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Reply export(TestServer server, Map<String, String> site, String format) {
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/exports/" + format + ".csv?from=2027-03-01&to=2027-03-03",
                site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }

    private static void event(TestServer server, Map<String, String> site, String kind, String to, Integer talkSeconds) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", "call-under-way");
        e.put("event", kind);
        e.put("from", CALLER);
        e.put("to", to);
        if (talkSeconds != null) {
            e.put("talkSeconds", talkSeconds);
            e.put("durationSeconds", talkSeconds + 10);
        }
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
}
