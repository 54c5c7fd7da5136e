package io.ringpool.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recordings Mango and Zadarma report as references ({@code mango-recording:<id>},
 * {@code zadarma-recording:<id>}) are fetched through each provider's API, played here by a local
 * double: Mango's signed form POST answered with a redirect to a one-time link (followed without
 * the key), Zadarma's signed {@code record/request} answered with JSON naming the link.
 */
class ProviderReferenceDownloadTest {
    static final String NUMBER = "+74950003001";
    static final String CALLER = "+79161239001";
    static final String MANGO_KEY = "mango-key-0001";
    static final String MANGO_SALT = "mango-salt-0001";
    static final String ZD_SECRET = "zadarma-secret-01";
    static final String ZD_KEY = "zadarma-key-0001";
    static final byte[] AUDIO = ProviderDouble.wav(2, 8000);

    @TempDir
    static Path dir;
    static TestServer server;
    static ProviderDouble api;
    static ProviderDouble files;
    static Map<String, String> site;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(dir.resolve("store"), Map.of("recordings.fetchAllow", List.of("127.0.0.1"),
                "recordings.pollIntervalMillis", 100));
        api = new ProviderDouble("127.0.0.1");
        files = new ProviderDouble("127.0.0.1");
        site = server.siteWithPool(List.of(NUMBER));
        Reply patched = server.send("PATCH", "/v1/sites/" + site.get("siteId"), site.get("apiKey"), new String(Json.write(Map.of(
                "recordCalls", true,
                "providers", Map.of(
                        "mango", Map.of("apiKey", MANGO_KEY, "apiSalt", MANGO_SALT, "apiUrl", api.base() + "/vpbx"),
                        "zadarma", Map.of("secret", ZD_SECRET, "apiKey", ZD_KEY, "apiUrl", api.base())))),
                StandardCharsets.UTF_8), "application/json", Map.of());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.body()).doesNotContain(ZD_KEY).doesNotContain(MANGO_SALT);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (api != null) {
            api.close();
        }
        if (files != null) {
            files.close();
        }
    }

    static String hex(String algorithm, String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    static String zadarmaSignature(String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(ZD_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String hex = HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        return Base64.getEncoder().encodeToString(hex.getBytes(StandardCharsets.US_ASCII));
    }

    static String form(Map<String, String> params) {
        return params.entrySet().stream().map(e -> java.net.URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    static Map<String, String> parseForm(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    static Reply mango(String event, String json) throws Exception {
        return server.send("POST", "/v1/telephony/mango/" + site.get("siteId") + "/events/" + event, null,
                form(Map.of("vpbx_api_key", MANGO_KEY, "sign", hex("SHA-256", MANGO_KEY + json + MANGO_SALT), "json", json)),
                "application/x-www-form-urlencoded", Map.of());
    }

    static Reply zadarma(Map<String, String> params, String signed) throws Exception {
        return server.send("POST", "/v1/telephony/zadarma/" + site.get("siteId"), null, form(params), "application/x-www-form-urlencoded",
                Map.of("Signature", zadarmaSignature(signed)));
    }

    static String awaitStatus(String providerCallId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            var calls = server.get("/v1/sites/" + site.get("siteId") + "/calls?limit=50", site.get("apiKey")).json().get("calls");
            for (var c : calls) {
                if (providerCallId.equals(c.get("providerCallId").asText())) {
                    String status = c.get("recordingStatus").asText();
                    if (!"queued".equals(status)) {
                        return c.get("callId").asText() + " " + status;
                    }
                }
            }
            assertThat(System.nanoTime()).as("the recording of " + providerCallId + " leaves the queue").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void aMangoRecordingIsFetchedBySignedPostAndItsOneTimeRedirectWithoutTheKey() throws Exception {
        api.on("/vpbx/queries/recording/post", ProviderDouble.Answer.redirect(files.base() + "/mango/once/abc.mp3"));
        files.on("/mango/once/abc.mp3", ProviderDouble.Answer.audio("audio/mpeg", AUDIO));
        long t = server.clock.instant().getEpochSecond();
        String entry = "MTAwNTc1OTM6NTAyOjYyNTg";
        assertThat(mango("call", "{\"entry_id\":\"" + entry + "\",\"call_id\":\"leg-1\",\"timestamp\":" + t + ",\"seq\":1,"
                + "\"call_state\":\"Appeared\",\"location\":\"ivr\",\"from\":{\"number\":\"" + CALLER.substring(1) + "\"},"
                + "\"to\":{\"extension\":\"101\",\"line_number\":\"" + NUMBER.substring(1) + "\"}}").status()).isEqualTo(200);
        assertThat(mango("recording", "{\"recording_id\":\"MToxMDA1NzU5MzoxNjk\",\"recording_state\":\"Completed\",\"seq\":6,"
                + "\"entry_id\":\"" + entry + "\",\"call_id\":\"leg-2\",\"timestamp\":" + (t + 1) + "}").status()).isEqualTo(200);

        String[] outcome = awaitStatus(entry).split(" ");
        assertThat(outcome[1]).isEqualTo("stored");
        ProviderDouble.Seen query = api.seen.stream().filter(s -> s.path().equals("/vpbx/queries/recording/post")).findFirst().orElseThrow();
        assertThat(query.method()).isEqualTo("POST");
        Map<String, String> sent = parseForm(query.body());
        String json = "{\"recording_id\":\"MToxMDA1NzU5MzoxNjk\",\"action\":\"download\"}";
        assertThat(sent).containsEntry("vpbx_api_key", MANGO_KEY).containsEntry("json", json)
                .containsEntry("sign", hex("SHA-256", MANGO_KEY + json + MANGO_SALT));
        ProviderDouble.Seen download = files.seen.stream().filter(s -> s.path().equals("/mango/once/abc.mp3")).findFirst().orElseThrow();
        assertThat(download.method()).isEqualTo("GET");
        assertThat(download.body()).isEmpty();
        Reply audio = server.get("/v1/sites/" + site.get("siteId") + "/calls/" + outcome[0] + "/recording", site.get("apiKey"));
        assertThat(audio.status()).isEqualTo(200);
        assertThat(audio.headers().get("content-type")).containsExactly("audio/mpeg");
    }

    @Test
    void aZadarmaRecordingIsFetchedThroughTheSignedRecordRequestAndTheLinkItAnswers() throws Exception {
        api.on("/v1/pbx/record/request/", new ProviderDouble.Answer(200, "application/json",
                ("{\"status\":\"success\",\"link\":\"" + files.base() + "/zd/rec-1.mp3\",\"lifetime_till\":\"2026-12-01 00:00:00\"}")
                        .getBytes(StandardCharsets.UTF_8), null));
        files.on("/zd/rec-1.mp3", ProviderDouble.Answer.audio("audio/mpeg", AUDIO));
        String id = "1732951200.555001";
        String start = "2026-11-30 12:00:00";
        assertThat(zadarma(Map.of("event", "NOTIFY_START", "call_start", start, "pbx_call_id", id, "caller_id", CALLER.substring(1),
                "called_did", NUMBER.substring(1)), CALLER.substring(1) + NUMBER.substring(1) + start).status()).isEqualTo(200);
        assertThat(zadarma(Map.of("event", "NOTIFY_RECORD", "call_id_with_rec", "1732951200.555002", "pbx_call_id", id),
                id + "1732951200.555002").status()).isEqualTo(200);

        assertThat(awaitStatus(id)).endsWith(" stored");
        ProviderDouble.Seen request = api.seen.stream().filter(s -> s.path().equals("/v1/pbx/record/request/")).findFirst().orElseThrow();
        String params = "call_id=1732951200.555002&lifetime=1800";
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.query()).isEqualTo(params);
        String expected = ZD_KEY + ":" + zadarmaSignature("/v1/pbx/record/request/" + params + hex("MD5", params));
        assertThat(request.authorization()).isEqualTo(expected);
        assertThat(files.seen).filteredOn(s -> s.path().equals("/zd/rec-1.mp3")).extracting(ProviderDouble.Seen::authorization)
                .containsOnlyNulls().isNotEmpty();
    }
}
