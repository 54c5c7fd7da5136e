package io.ringpool.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the feed tests do over and over: a visit from a Google ad and a signed call to its number, and a feed's fetch. */
final class FeedTestCalls {

    private FeedTestCalls() {}

    /** A visit of {@code visitor} from an ad click {@code gclid}, then a call {@code event} from {@code from} to the number it was shown. */
    static String visitAndCall(TestServer server, Map<String, String> site, String visitor, String gclid, String callId, String event,
            String from, int talkSeconds) {
        Reply visit = server.startSession(site.get("publicKey"), visitor,
                "https://example.com/?utm_source=google&utm_medium=cpc&gclid=" + gclid);
        assertThat(visit.status()).as(visit.body()).isEqualTo(201);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("callId", callId);
        e.put("event", event);
        e.put("from", from);
        e.put("to", visit.text("number"));
        e.put("durationSeconds", talkSeconds + 10);
        e.put("talkSeconds", talkSeconds);
        String body = new String(Json.write(e), StandardCharsets.UTF_8);
        Reply r = server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), server.clock.instant().getEpochSecond(), body)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return visit.text("number");
    }

    /** The feed's CSV, fetched with the credentials its creation answered; asserts a 200. */
    static Reply fetch(TestServer server, Reply created) {
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String url = created.text("url");
        Reply r = server.send("GET", url.substring(url.indexOf("/v1/feeds/")), null, null, null, Map.of("Authorization", "Basic "
                + Base64.getEncoder().encodeToString((created.text("username") + ":" + created.text("password")).getBytes(StandardCharsets.UTF_8))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }
}
