package io.ringpool.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.call.Signing;
import io.ringpool.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recordings end to end over real HTTP: Twilio records (TwiML), reports the recording, the worker
 * fetches it from a provider double on loopback (Basic auth, a failure, a redirect to storage on
 * another origin), keeps it once, plays it with byte ranges, and retention and erasure remove it.
 */
class RecordingsOverHttpTest {
    static final String PUBLIC_URL = "https://ringpool.example.com";
    static final String TOKEN = "twilio-auth-token-for-recordings";
    static final String ACCOUNT = "AC0123456789abcdef0123456789abcdef";
    /** The current test's tracking number: a number belongs to one site, and each test makes its own site. */
    static String NUMBER = "+74950001001";
    static final java.util.concurrent.atomic.AtomicInteger NEXT_NUMBER = new java.util.concurrent.atomic.AtomicInteger(2000);
    static final byte[] AUDIO = ProviderDouble.wav(3, 8000);

    @TempDir
    static Path dir;
    static TestServer server;
    static ProviderDouble twilio;
    static ProviderDouble storage;
    static ProviderDouble privateHost;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        server = new TestServer(dir, Map.of("server.publicUrl", PUBLIC_URL, "recordings.fetchAllow", List.of("127.0.0.1"),
                "recordings.pollIntervalMillis", 100, "recordings.maxMegabytes", 1));
        twilio = new ProviderDouble("127.0.0.1");
        storage = new ProviderDouble("127.0.0.1");
        privateHost = new ProviderDouble("127.0.0.2");
    }

    @AfterAll
    static void stop() {
        server.close();
        twilio.close();
        storage.close();
        privateHost.close();
    }

    static Map<String, String> site(boolean record) {
        NUMBER = "+7495000" + NEXT_NUMBER.incrementAndGet();
        Map<String, String> site = server.siteWithPool(List.of(NUMBER));
        Map<String, Object> patch = new LinkedHashMap<>();
        patch.put("twilioAuthToken", TOKEN);
        patch.put("recordCalls", record);
        patch.put("recordingNotice", "This call may be recorded.");
        Reply r = patch("/v1/sites/" + site.get("siteId"), site.get("apiKey"), patch);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("recordCalls").asBoolean()).isEqualTo(record);
        return site;
    }

    static Reply patch(String path, String key, Object body) {
        return server.send("PATCH", path, key, new String(Json.write(body), StandardCharsets.UTF_8), "application/json", Map.of());
    }

    static Reply twilioPost(String siteId, String endpoint, Map<String, String> params) {
        return server.twilioForm(PUBLIC_URL, TOKEN, siteId, endpoint, params);
    }

    static Reply genericEvent(Map<String, String> site, Map<String, Object> event) {
        String body = new String(Json.write(event), StandardCharsets.UTF_8);
        long t = server.clock.instant().getEpochSecond();
        return server.send("POST", "/v1/telephony/" + site.get("siteId") + "/events", null, body, "application/json",
                Map.of("X-Ringpool-Signature", Signing.ringpool(site.get("webhookSecret"), t, body)));
    }

    static Map<String, String> voice(String sid, String caller) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("AccountSid", ACCOUNT);
        p.put("CallSid", sid);
        p.put("From", caller);
        p.put("To", NUMBER);
        p.put("CallStatus", "ringing");
        return p;
    }

    static Map<String, String> recording(String sid, String url) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("AccountSid", ACCOUNT);
        p.put("CallSid", sid);
        p.put("RecordingSid", "RE" + sid.substring(2));
        p.put("RecordingUrl", url);
        p.put("RecordingStatus", "completed");
        p.put("RecordingDuration", "3");
        p.put("RecordingChannels", "2");
        return p;
    }

    static JsonNode call(Map<String, String> site, String callId) {
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/calls/" + callId, site.get("apiKey"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static JsonNode onlyCall(Map<String, String> site) {
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/calls", site.get("apiKey"));
        assertThat(r.json().get("calls")).hasSize(1);
        return r.json().get("calls").get(0);
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    static String recordingStatus(Map<String, String> site, String callId) {
        return call(site, callId).path("recordingStatus").asText(null);
    }

    static HttpResponse<byte[]> play(String path, String key, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (range != null) {
            b.header("Range", range);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static long filesKept() throws IOException {
        Path root = dir.resolve("recordings");
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getParent().getFileName().toString().equals("tmp")).count();
        }
    }

    /** A Twilio call answered with recording TwiML, completed, and its recording reported at {@code url}. */
    static String recordedTwilioCall(Map<String, String> site, String sid, String caller, String url) {
        Reply voice = twilioPost(site.get("siteId"), "voice", voice(sid, caller));
        assertThat(voice.status()).as(voice.body()).isEqualTo(200);
        Map<String, String> done = voice(sid, caller);
        done.put("CallStatus", "completed");
        done.put("CallDuration", "40");
        assertThat(twilioPost(site.get("siteId"), "status", done).status()).isEqualTo(204);
        assertThat(twilioPost(site.get("siteId"), "recording", recording(sid, url)).status()).isEqualTo(204);
        return onlyCallOf(site, sid).path("callId").asText();
    }

    static JsonNode onlyCallOf(Map<String, String> site, String sid) {
        // The voice webhook answers from memory and journals the call; it reaches the store a moment later.
        server.awaitCallsStored();
        Reply r = server.get("/v1/sites/" + site.get("siteId") + "/calls?limit=500", site.get("apiKey"));
        for (JsonNode c : r.json().get("calls")) {
            if (sid.equals(c.path("providerCallId").asText())) {
                return c;
            }
        }
        throw new AssertionError("no call " + sid);
    }

    @Test
    void aRecordingSiteForwardsWithTwimlThatSpeaksTheNoticeAndRecordsFromAnswerInTwoChannels() {
        var site = site(true);
        Reply r = twilioPost(site.get("siteId"), "voice", voice("CA00000000000000000000000000000101", "+79161230101"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("<Say>This call may be recorded.</Say><Dial ")
                .contains("record=\"record-from-answer-dual\"")
                .contains("recordingStatusCallback=\"" + PUBLIC_URL + "/v1/telephony/twilio/" + site.get("siteId") + "/recording\"");

        var quiet = site(false);
        Reply plain = twilioPost(quiet.get("siteId"), "voice", voice("CA00000000000000000000000000000102", "+79161230102"));
        assertThat(plain.body()).doesNotContain("record=").doesNotContain("<Say>");
    }

    @Test
    void aTwilioRecordingIsFetchedWithBasicAuthAfterAFailureThroughARedirectKeptOnceAndPlayedWithRanges() throws Exception {
        var site = site(true);
        String sid = "CA00000000000000000000000000000201";
        String path = "/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/RE0000000000000000000000000000201";
        twilio.on(path + ".mp3", ProviderDouble.Answer.status(503), ProviderDouble.Answer.redirect(storage.base() + "/signed/201.wav"));
        storage.on("/signed/201.wav", ProviderDouble.Answer.audio("audio/wav", AUDIO));

        String callId = recordedTwilioCall(site, sid, "+79161230201", twilio.base() + path);
        await("the first attempt", () -> twilio.requestsTo(path + ".mp3") == 1);
        await("the retry to be scheduled", () -> "queued".equals(recordingStatus(site, callId))
                && server.app.recordings().state(site.get("siteId"), callId).isPresent());
        assertThat(storage.requestsTo("/signed/201.wav")).isZero();

        // The first backoff is 30 s of the server's clock. Under load the failed attempt's retry time can be
        // written after a single step of the clock (it then counts from the moved clock, and never comes: a CI
        // run timed out here once), so the clock is moved again while waiting.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!"stored".equals(recordingStatus(site, callId)) && System.nanoTime() < deadline) {
            server.clock.advance(Duration.ofSeconds(31));
            Thread.sleep(300);
        }
        await("the recording to be stored", () -> "stored".equals(recordingStatus(site, callId)));

        String basic = "Basic " + Base64.getEncoder().encodeToString((ACCOUNT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
        assertThat(twilio.seen).filteredOn(s -> s.path().equals(path + ".mp3")).extracting(ProviderDouble.Seen::authorization)
                .containsOnly(basic);
        assertThat(storage.seen).filteredOn(s -> s.path().equals("/signed/201.wav")).extracting(ProviderDouble.Seen::authorization)
                .as("credentials never follow a redirect to another origin").containsOnlyNulls();

        JsonNode call = call(site, callId);
        assertThat(call.path("recording").path("durationSeconds").asInt()).isEqualTo(3);
        assertThat(call.path("recording").path("url").asText()).isEqualTo("/v1/sites/" + site.get("siteId") + "/calls/" + callId + "/recording");

        // Reported again (Twilio retries callbacks): not fetched again, and one file on disk.
        long files = filesKept();
        assertThat(twilioPost(site.get("siteId"), "recording", recording(sid, twilio.base() + path)).status()).isEqualTo(204);
        server.clock.advance(Duration.ofMinutes(5));
        Thread.sleep(300); // several polls of the worker; nothing may happen
        assertThat(storage.requestsTo("/signed/201.wav")).isEqualTo(1);
        assertThat(filesKept()).isEqualTo(files);
        assertThat(server.app.recordings().fileOf(site.get("siteId"), callId)).hasValueSatisfying(p -> assertThat(p).exists());

        String url = call.path("recording").path("url").asText();
        HttpResponse<byte[]> whole = play(url, site.get("apiKey"), null);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.headers().firstValue("content-type")).hasValue("audio/wav");
        assertThat(whole.headers().firstValue("accept-ranges")).hasValue("bytes");
        assertThat(whole.headers().firstValue("content-length")).hasValue(Integer.toString(AUDIO.length));
        assertThat(whole.body()).isEqualTo(AUDIO);

        HttpResponse<byte[]> part = play(url, site.get("apiKey"), "bytes=100-199");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.headers().firstValue("content-range")).hasValue("bytes 100-199/" + AUDIO.length);
        assertThat(part.headers().firstValue("content-length")).hasValue("100");
        assertThat(part.body()).isEqualTo(Arrays.copyOfRange(AUDIO, 100, 200));

        HttpResponse<byte[]> tail = play(url, site.get("apiKey"), "bytes=-10");
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(AUDIO, AUDIO.length - 10, AUDIO.length));

        HttpResponse<byte[]> past = play(url, site.get("apiKey"), "bytes=" + AUDIO.length + "-");
        assertThat(past.statusCode()).isEqualTo(416);
        assertThat(past.headers().firstValue("content-range")).hasValue("bytes */" + AUDIO.length);

        assertThat(play(url, null, null).statusCode()).isEqualTo(401);
        var other = site(true);
        assertThat(play(url, other.get("apiKey"), null).statusCode()).isIn(403, 404);
        assertThat(play(url + "?access=" + "9999999999.00", null, null).statusCode()).isEqualTo(401);

        Reply link = server.post(url + "/link", site.get("apiKey"), Map.of());
        assertThat(link.status()).as(link.body()).isEqualTo(200);
        HttpResponse<byte[]> linked = play(link.text("url"), null, "bytes=0-");
        assertThat(linked.statusCode()).isEqualTo(206);
        assertThat(linked.body()).isEqualTo(AUDIO);
        String otherCallUrl = link.text("url").replace(callId, "call_someoneelse");
        assertThat(play(otherCallUrl, null, null).statusCode()).as("a link plays only its own call").isEqualTo(401);
    }

    @Test
    void anOversizedFileAWrongContentTypeAndARedirectToAPrivateAddressAreRefusedAndNotRetried() throws Exception {
        var site = site(true);
        twilio.on("/big.wav", ProviderDouble.Answer.audio("audio/wav", ProviderDouble.bytes(1024 * 1024 + 1)));
        twilio.on("/page.wav", ProviderDouble.Answer.audio("text/html", "<html>login</html>".getBytes()));
        twilio.on("/moved.wav", ProviderDouble.Answer.redirect(privateHost.base() + "/internal.wav"));
        privateHost.on("/internal.wav", ProviderDouble.Answer.audio("audio/wav", AUDIO));

        Map<String, String> results = new LinkedHashMap<>();
        for (String name : List.of("big", "page", "moved")) {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("callId", "pbx-" + name);
            event.put("event", "completed");
            event.put("from", "+7916123030" + name.length());
            event.put("to", NUMBER);
            event.put("talkSeconds", 30);
            event.put("recordingUrl", twilio.base() + "/" + name + ".wav");
            Reply r = genericEvent(site, event);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            results.put(name, r.text("callId"));
        }
        for (var e : results.entrySet()) {
            await(e.getKey() + " to fail", () -> "failed".equals(recordingStatus(site, e.getValue())));
            assertThat(call(site, e.getValue()).path("recording").isNull()).isTrue();
        }
        server.clock.advance(Duration.ofHours(1));
        Thread.sleep(300);
        assertThat(twilio.requestsTo("/big.wav")).isEqualTo(1);
        assertThat(twilio.requestsTo("/page.wav")).isEqualTo(1);
        assertThat(privateHost.seen).as("a redirect to 127.0.0.2 is never followed").isEmpty();
    }

    @Test
    void retentionDeletesTheFileAndMarksTheCallAndErasingACallerDeletesTheirs() throws Exception {
        var site = site(true);
        twilio.on("/keep/old.mp3", ProviderDouble.Answer.audio("audio/wav", ProviderDouble.wav(1, 8000)));
        twilio.on("/keep/erase.mp3", ProviderDouble.Answer.audio("audio/wav", ProviderDouble.wav(2, 8000)));
        String old = recordedTwilioCall(site, "CA00000000000000000000000000000301", "+79161230301", twilio.base() + "/keep/old");
        await("old to be stored", () -> "stored".equals(recordingStatus(site, old)));
        Path oldFile = server.app.recordings().fileOf(site.get("siteId"), old).orElseThrow();
        assertThat(oldFile).exists();

        assertThat(patch("/v1/sites/" + site.get("siteId"), site.get("apiKey"), Map.of("recordingRetentionDays", 2)).status())
                .isEqualTo(200);
        server.clock.advance(Duration.ofDays(1));
        String erased = recordedTwilioCall(site, "CA00000000000000000000000000000302", "+79161230302", twilio.base() + "/keep/erase");
        await("erase to be stored", () -> "stored".equals(recordingStatus(site, erased)));
        Path erasedFile = server.app.recordings().fileOf(site.get("siteId"), erased).orElseThrow();

        server.clock.advance(Duration.ofDays(1).plusMinutes(1));
        assertThat(server.app.recordings().applyRetention(site.get("siteId"))).isEqualTo(1);
        assertThat(oldFile).doesNotExist();
        assertThat(erasedFile).as("a newer recording is within retention").exists();
        JsonNode expired = call(site, old);
        assertThat(expired.path("recording").isNull()).isTrue();
        assertThat(expired.path("recordingStatus").asText()).isEqualTo("deleted");
        assertThat(play("/v1/sites/" + site.get("siteId") + "/calls/" + old + "/recording", site.get("apiKey"), null).statusCode())
                .isEqualTo(410);

        Reply erase = server.send("DELETE", "/v1/sites/" + site.get("siteId") + "/callers/%2B79161230302", site.get("apiKey"), null,
                null, Map.of());
        assertThat(erase.status()).isEqualTo(204);
        assertThat(erasedFile).doesNotExist();
        assertThat(call(site, erased).path("recordingStatus").asText()).isEqualTo("deleted");
        // Audit AM2 F5: the provider's link to the same audio goes too.
        assertThat(call(site, erased).path("recordingUrl").isNull()).as(call(site, erased).toString()).isTrue();
    }

    @Test
    void aSiteThatDoesNotRecordKeepsTheProvidersUrlButFetchesNothing() throws Exception {
        var site = site(false);
        twilio.on("/not/kept.wav", ProviderDouble.Answer.audio("audio/wav", AUDIO));
        String callId = recordedTwilioCall(site, "CA00000000000000000000000000000401", "+79161230401", twilio.base() + "/not/kept.wav");
        Thread.sleep(300);
        assertThat(twilio.requestsTo("/not/kept.wav")).isZero();
        JsonNode call = call(site, callId);
        assertThat(call.path("recordingUrl").asText()).endsWith("/not/kept.wav");
        assertThat(call.path("recording").isNull()).isTrue();
        assertThat(call.path("recordingStatus").isNull()).isTrue();
    }

    @Test
    void reviewedNoteAndTheListeningFiltersOfTheCallLog() throws Exception {
        var site = site(true);
        twilio.on("/review/a.wav", ProviderDouble.Answer.audio("audio/wav", AUDIO));
        String withRecording = recordedTwilioCall(site, "CA00000000000000000000000000000501", "+79161230501", twilio.base() + "/review/a.wav");
        await("a to be stored", () -> "stored".equals(recordingStatus(site, withRecording)));
        Map<String, Object> plain = new LinkedHashMap<>(Map.of("callId", "pbx-plain", "event", "completed", "from", "+79161230502",
                "to", NUMBER, "talkSeconds", 12));
        String without = genericEvent(site, plain).text("callId");

        Reply patched = patch("/v1/sites/" + site.get("siteId") + "/calls/" + withRecording, site.get("apiKey"),
                Map.of("reviewed", true, "note", "asked for a quote", "tags", List.of("sales")));
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().path("reviewed").asBoolean()).isTrue();
        assertThat(patched.json().path("note").asText()).isEqualTo("asked for a quote");
        assertThat(patch("/v1/sites/" + site.get("siteId") + "/calls/" + without, site.get("apiKey"), Map.of("reviewed", "yes"))
                .status()).isEqualTo(422);

        String base = "/v1/sites/" + site.get("siteId") + "/calls?";
        assertThat(ids(server.get(base + "reviewed=false", site.get("apiKey")))).containsExactly(without);
        assertThat(ids(server.get(base + "reviewed=true", site.get("apiKey")))).containsExactly(withRecording);
        assertThat(ids(server.get(base + "recording=true", site.get("apiKey")))).containsExactly(withRecording);
        assertThat(ids(server.get(base + "recording=false", site.get("apiKey")))).containsExactly(without);
        assertThat(ids(server.get(base + "q=QUOTE", site.get("apiKey")))).containsExactly(withRecording);
        assertThat(server.get(base + "recording=maybe", site.get("apiKey")).status()).isEqualTo(422);
    }

    @Test
    void aTranscriptIsKeptSearchableAndKeywordRulesTagTheCallWithTheRuleThatMatched() {
        var site = site(true);
        Reply rules = patch("/v1/sites/" + site.get("siteId"), site.get("apiKey"), Map.of("keywordRules",
                List.of(Map.of("tag", "spam", "any", List.of("ошиблись номером", "wrong number")),
                        Map.of("tag", "sales", "any", List.of("price")))));
        assertThat(rules.status()).as(rules.body()).isEqualTo(200);
        assertThat(patch("/v1/sites/" + site.get("siteId"), site.get("apiKey"), Map.of("keywordRules", List.of(Map.of("tag", "x"))))
                .status()).isEqualTo(422);

        String sid = "CA00000000000000000000000000000601";
        twilioPost(site.get("siteId"), "voice", voice(sid, "+79161230601"));
        Map<String, String> t = new LinkedHashMap<>();
        t.put("AccountSid", ACCOUNT);
        t.put("CallSid", sid);
        t.put("TranscriptionSid", "TR0000000000000000000000000000601");
        t.put("TranscriptionStatus", "completed");
        t.put("TranscriptionText", "Алло, извините, Ошиблись   номером!");
        assertThat(twilioPost(site.get("siteId"), "transcription", t).status()).isEqualTo(204);

        JsonNode call = onlyCallOf(site, sid);
        assertThat(call.path("transcript").asText()).contains("Ошиблись");
        assertThat(call.path("tags")).extracting(JsonNode::asText).containsExactly("spam");
        assertThat(call.path("autoTags")).hasSize(1);
        assertThat(call.path("autoTags").get(0).path("tag").asText()).isEqualTo("spam");
        assertThat(call.path("autoTags").get(0).path("rule").path("any").get(1).asText()).isEqualTo("wrong number");
        String base = "/v1/sites/" + site.get("siteId") + "/calls?";
        assertThat(ids(server.get(base + "q=" + URLEncoder.encode("ошиблись", StandardCharsets.UTF_8), site.get("apiKey"))))
                .containsExactly(call.path("callId").asText());
        assertThat(ids(server.get(base + "q=price", site.get("apiKey")))).isEmpty();
    }

    static List<String> ids(Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return java.util.stream.StreamSupport.stream(r.json().get("calls").spliterator(), false).map(c -> c.path("callId").asText())
                .toList();
    }
}
