package io.ringpool.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Recordings that providers report as references, not URLs, fetched through their APIs with the
 * site's provider settings:
 *
 * <ul>
 *   <li>{@code mango-recording:<recording_id>} — Mango Office VPBX API: {@code POST {apiUrl}/queries/recording/post}
 *       as a form {@code vpbx_api_key}, {@code sign} = hex SHA-256(key + json + salt), {@code json} =
 *       {@code {"recording_id": "…", "action": "download"}}; Mango answers 302 to a one-time link
 *       of the file (followed without the key). Uses the notification settings {@code apiKey}/{@code apiSalt}.</li>
 *   <li>{@code zadarma-recording:<call_id_with_rec>} — Zadarma (and Novofon) API v1: {@code GET
 *       {apiUrl}/v1/pbx/record/request/?call_id=…&lifetime=…} with {@code Authorization: <apiKey>:<sign>},
 *       sign = base64 of the hex HMAC-SHA1 (secret) of method + sorted query + md5(sorted query), as
 *       Zadarma's own client builds it; the JSON answer's {@code link} (or {@code links[0]}) is then
 *       downloaded without credentials. Needs the API {@code apiKey} besides the notification {@code secret}.</li>
 * </ul>
 */
final class ProviderRecordingApis {
    static final String MANGO_PREFIX = "mango-recording:";
    static final String ZADARMA_PREFIX = "zadarma-recording:";
    static final String MANGO_DEFAULT_API = "https://app.mango-office.ru/vpbx";
    static final String ZADARMA_DEFAULT_API = "https://api.zadarma.com";
    static final String ZADARMA_METHOD = "/v1/pbx/record/request/";
    /** Seconds the link Zadarma makes stays valid: long enough for our retries of one attempt, Zadarma's minimum is 180. */
    static final int ZADARMA_LINK_SECONDS = 1800;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The first request of a download: method, URL, form body (POST) and the header for that origin only. */
    record FirstRequest(String method, URI url, String formBody, String authorization) {}

    private final ProviderSettingLookup credentials;

    ProviderRecordingApis(ProviderSettingLookup credentials) {
        this.credentials = credentials;
    }

    static boolean isReference(String source) {
        return source.startsWith(MANGO_PREFIX) || source.startsWith(ZADARMA_PREFIX);
    }

    /** Mango: the signed POST that answers with a redirect to the file. */
    RecordingDownloader.Outcome mango(String siteId, String source, RecordingDownloader downloader, java.nio.file.Path target)
            throws InterruptedException {
        String id = source.substring(MANGO_PREFIX.length());
        Optional<String> key = credentials.get(siteId, "mango", "apiKey");
        Optional<String> salt = credentials.get(siteId, "mango", "apiSalt");
        if (key.isEmpty() || salt.isEmpty()) {
            return new RecordingDownloader.Failed("mango_not_configured (apiKey, apiSalt)", false);
        }
        String api = base(credentials.get(siteId, "mango", "apiUrl").orElse(MANGO_DEFAULT_API));
        String json = "{\"recording_id\":" + jsonString(id) + ",\"action\":\"download\"}";
        String sign = HexFormat.of().formatHex(sha256(key.get() + json + salt.get()));
        String form = "vpbx_api_key=" + form(key.get()) + "&sign=" + sign + "&json=" + form(json);
        return downloader.fetch(new FirstRequest("POST", URI.create(api + "/queries/recording/post"), form, null), target);
    }

    /** Zadarma: ask for a temporary link, then download it. */
    RecordingDownloader.Outcome zadarma(String siteId, String source, RecordingDownloader downloader, java.nio.file.Path target)
            throws InterruptedException {
        String id = source.substring(ZADARMA_PREFIX.length());
        Optional<String> key = credentials.get(siteId, "zadarma", "apiKey");
        Optional<String> secret = credentials.get(siteId, "zadarma", "secret");
        if (key.isEmpty() || secret.isEmpty()) {
            return new RecordingDownloader.Failed("zadarma_not_configured (apiKey, secret)", false);
        }
        String api = base(credentials.get(siteId, "zadarma", "apiUrl").orElse(ZADARMA_DEFAULT_API));
        TreeMap<String, String> params = new TreeMap<>();
        params.put("call_id", id);
        params.put("lifetime", Integer.toString(ZADARMA_LINK_SECONDS));
        StringBuilder query = new StringBuilder();
        params.forEach((k, v) -> query.append(query.isEmpty() ? "" : "&").append(form(k)).append('=').append(form(v)));
        String authorization = key.get() + ":" + zadarmaSign(secret.get(), ZADARMA_METHOD, query.toString());
        URI request = URI.create(api + ZADARMA_METHOD + "?" + query);
        RecordingDownloader.JsonAnswer answer = downloader.fetchJson(request, authorization);
        if (answer.failed() != null) {
            return answer.failed();
        }
        JsonNode body;
        try {
            body = JSON.readTree(answer.body());
        } catch (java.io.IOException e) {
            return new RecordingDownloader.Failed("zadarma answer is not JSON", true);
        }
        if (!"success".equals(body.path("status").asText())) {
            // e.g. the recording is not ready yet or was deleted in the PBX; Zadarma says which in "message".
            return new RecordingDownloader.Failed("zadarma " + body.path("message").asText("error"), true);
        }
        String link = body.path("link").asText(null);
        if (link == null && body.path("links").isArray() && !body.path("links").isEmpty()) {
            link = body.path("links").get(0).asText(null);
        }
        if (link == null) {
            return new RecordingDownloader.Failed("zadarma answer has no link", true);
        }
        try {
            return downloader.fetch(new FirstRequest("GET", URI.create(link.strip()), null, null), target);
        } catch (IllegalArgumentException bad) {
            return new RecordingDownloader.Failed("zadarma link unparseable", false);
        }
    }

    /** Zadarma's API signature: base64(hex(HMAC-SHA1(secret, method + params + md5hex(params)))). */
    static String zadarmaSign(String secret, String method, String params) {
        String md5 = HexFormat.of().formatHex(digest("MD5", params));
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            String hex = HexFormat.of().formatHex(mac.doFinal((method + params + md5).getBytes(StandardCharsets.UTF_8)));
            return Base64.getEncoder().encodeToString(hex.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base(String url) {
        String u = url.strip();
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }

    /** application/x-www-form-urlencoded, as PHP's http_build_query (space as '+'). */
    private static String form(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static byte[] sha256(String s) {
        return digest("SHA-256", s);
    }

    private static byte[] digest(String algorithm, String s) {
        try {
            return MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String jsonString(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String provider(String source) {
        return source.toLowerCase(Locale.ROOT).startsWith(MANGO_PREFIX) ? "mango" : "zadarma";
    }
}
