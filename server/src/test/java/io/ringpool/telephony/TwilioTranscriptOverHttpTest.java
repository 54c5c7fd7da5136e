package io.ringpool.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import io.ringpool.journal.GatedDataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twilio's transcription callback while the journal is still delivering calls: the wait and the
 * 503 belong to a transcript whose own call is still in the journal, not to every transcript that
 * arrives while other calls are on their way.
 */
class TwilioTranscriptOverHttpTest {
    static final String PUBLIC_URL = "https://ringpool.example.com";
    static final String TOKEN = "twilio-auth-token-transcript-0001";
    static final String NUMBER = "+74950008101";

    @TempDir
    Path dir;

    /** Holds the journal's deliveries (only theirs) at the store's door until {@link #release}. */
    static final class HeldJournal implements UnaryOperator<DataSource> {
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean holding;

        private void gate() throws SQLException {
            boolean fromJournal = StackWalker.getInstance()
                    .walk(frames -> frames.anyMatch(f -> f.getClassName().startsWith("io.ringpool.journal.CallJournal")));
            if (holding && fromJournal) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted");
                }
            }
        }

        @Override
        public DataSource apply(DataSource real) {
            return new GatedDataSource(real, this::gate);
        }
    }

    static Map<String, String> form(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /**
     * Found by ProviderWebhookSweepTest: a transcript of a call Ringpool never stored (here: one to a
     * number the site does not track) waited 2 s and was answered 503 whenever the journal held any
     * other call's events, i.e. whenever the server was busy; Twilio does not retry a 5xx by default.
     */
    @Test
    void aTranscriptOfAnUnknownCallIsIgnoredAtOnceWhileTheJournalHoldsOtherCallsButOneOfAHeldCallWaitsAndAsksForARetry()
            throws Exception {
        HeldJournal store = new HeldJournal();
        try (TestServer server = new TestServer(dir, Map.of("server.publicUrl", PUBLIC_URL), store)) {
            Map<String, String> site = server.siteWithPool(List.of(NUMBER));
            String siteId = site.get("siteId");
            Reply patched = server.send("PATCH", "/v1/sites/" + siteId, site.get("apiKey"),
                    new String(Json.write(Map.of("forwardTo", "+74951112233", "twilioAuthToken", TOKEN)), StandardCharsets.UTF_8),
                    "application/json", Map.of());
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);

            store.holding = true;
            Reply ring = server.twilioForm(PUBLIC_URL, TOKEN, siteId, "voice",
                    form("CallSid", "CAheld", "From", "+79161234567", "To", NUMBER, "CallStatus", "ringing", "Direction", "inbound"));
            assertThat(ring.status()).isEqualTo(200);
            assertThat(server.app.journal().depth()).as("the held call waits in the journal").isEqualTo(1);

            long started = System.nanoTime();
            Reply unknown = server.twilioForm(PUBLIC_URL, TOKEN, siteId, "transcription",
                    form("CallSid", "CAnever", "TranscriptionStatus", "completed", "TranscriptionText", "hello"));
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(unknown.status()).as(unknown.body()).isEqualTo(204);
            assertThat(millis).as("no wait for other calls' events").isLessThan(1_500);

            Reply held = server.twilioForm(PUBLIC_URL, TOKEN, siteId, "transcription",
                    form("CallSid", "CAheld", "TranscriptionStatus", "completed", "TranscriptionText", "price of delivery"));
            assertThat(held.status()).as(held.body()).isEqualTo(503);
            assertThat(held.errorCode()).isEqualTo("call_not_stored_yet");

            store.release.countDown();
            server.awaitCallsStored();
            Reply again = server.twilioForm(PUBLIC_URL, TOKEN, siteId, "transcription",
                    form("CallSid", "CAheld", "TranscriptionStatus", "completed", "TranscriptionText", "price of delivery"));
            assertThat(again.status()).isEqualTo(204);
            Reply call = server.get("/v1/sites/" + siteId + "/calls?limit=10", site.get("apiKey"));
            assertThat(call.json().path("calls").get(0).path("transcript").asText()).contains("price of delivery");
        }
    }
}
