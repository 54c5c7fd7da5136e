package io.ringpool.recording;

import io.ringpool.outbound.AddressPolicy;
import io.ringpool.outbound.NetworkFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * Downloads one recording into a temporary file, checking as it goes.
 *
 * <ul>
 *   <li>Every URL, the first and each redirect's, must be http(s) and resolve only to addresses the
 *       outbound {@link AddressPolicy} allows (the one webhooks and uploads use); redirects are followed here (at most {@link #MAX_REDIRECTS}),
 *       never by the client, so none can lead to loopback or private addresses.</li>
 *   <li>Credentials go only to the origin they were given for: a provider that redirects to
 *       pre-signed storage does not receive them.</li>
 *   <li>The answer must be 200 with an {@code audio/*} type, and no longer than the size cap
 *       (checked on {@code Content-Length} and again on the bytes read).</li>
 * </ul>
 * Outcomes are values: {@link Fetched} or {@link Failed}, which says whether trying again may help.
 *
 * <p>Gap: {@code java.net.http} resolves the name again when it connects, so a name that changes
 * its answer between the check and the connect (DNS rebinding) is not caught here. The outbox's
 * {@code outbound.OutboundHttp} connects to the checked address, but reads the whole body into
 * memory (recordings are up to {@code recordings.maxMegabytes}) and has no streaming sink, so it
 * is not used here yet.
 */
final class RecordingDownloader {
    static final int MAX_REDIRECTS = 5;

    sealed interface Outcome permits Fetched, Failed {}

    /** The bytes are in {@code file}; {@code sha256} is their checksum. */
    record Fetched(Path file, String sha256, long size, String contentType) implements Outcome {}

    /** Nothing kept; {@code retryable} when a later attempt may succeed (5xx, timeouts, 404 while the provider prepares it). */
    record Failed(String reason, boolean retryable) implements Outcome {}

    private final HttpClient client;
    private final AddressPolicy guard;
    private final long maxBytes;
    private final Duration timeout;

    RecordingDownloader(AddressPolicy guard, long maxBytes, Duration timeout) {
        this.guard = guard;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(Math.min(30, timeout.toSeconds()))).build();
    }

    /**
     * @param authorization the {@code Authorization} header for {@code url}'s origin, or null
     * @param target        a temporary file to write into (left for the caller to remove on failure)
     */
    Outcome fetch(URI url, String authorization, Path target) throws InterruptedException {
        return fetch(new ProviderRecordingApis.FirstRequest("GET", url, null, authorization), target);
    }

    /**
     * As {@link #fetch(URI, String, Path)}, starting with {@code first}: a POST with a form body
     * (Mango's recording query) is sent once; every redirect after it is a GET.
     */
    Outcome fetch(ProviderRecordingApis.FirstRequest first, Path target) throws InterruptedException {
        URI url = first.url();
        String authorization = first.authorization();
        URI current = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            String scheme = current.getScheme() == null ? "" : current.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || current.getHost() == null) {
                return new Failed("not an http(s) URL: " + redact(current), false);
            }
            try {
                if (!permitted(current.getHost())) {
                    return new Failed("address_refused " + current.getHost() + (hop > 0 ? " (redirect)" : ""), false);
                }
            } catch (UnknownHostException e) {
                return new Failed("unknown host " + current.getHost(), true);
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(current).timeout(timeout).header("Accept", "audio/*");
            if (hop == 0 && "POST".equals(first.method())) {
                request.header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(first.formBody(), java.nio.charset.StandardCharsets.UTF_8));
            } else {
                request.GET();
            }
            if (authorization != null && sameOrigin(url, current)) {
                request.header("Authorization", authorization);
            }
            HttpResponse<InputStream> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                return new Failed("io " + NetworkFailure.describe(e), true);
            }
            int status = response.statusCode();
            try (InputStream body = response.body()) {
                if (status >= 300 && status < 400 && status != 304) {
                    String location = response.headers().firstValue("location").orElse(null);
                    if (location == null) {
                        return new Failed("redirect " + status + " without Location", false);
                    }
                    current = current.resolve(location.strip());
                    continue;
                }
                if (status != 200) {
                    boolean retryable = status >= 500 || status == 404 || status == 408 || status == 429;
                    return new Failed("http " + status, retryable);
                }
                String type = response.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
                String mediaType = type.contains(";") ? type.substring(0, type.indexOf(';')).strip() : type.strip();
                if (!mediaType.startsWith("audio/")) {
                    return new Failed("content_type " + (mediaType.isEmpty() ? "missing" : mediaType) + " is not audio/*", false);
                }
                long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
                if (declared > maxBytes) {
                    return new Failed("too_large " + declared + " bytes > " + maxBytes, false);
                }
                return copy(body, target, mediaType);
            } catch (IOException e) {
                return new Failed("io " + NetworkFailure.describe(e), true);
            }
        }
        return new Failed("more than " + MAX_REDIRECTS + " redirects", false);
    }

    /** A small JSON answer of a provider API (no redirects followed), or why there is none. */
    record JsonAnswer(byte[] body, Failed failed) {}

    /** Longest provider API answer read, bytes: a link and a status, never more than a few hundred. */
    static final int MAX_JSON_BYTES = 64 * 1024;

    /** GETs a provider API's JSON answer with the same address checks; redirects are refused. */
    JsonAnswer fetchJson(URI url, String authorization) throws InterruptedException {
        try {
            if (url.getHost() == null || !permitted(url.getHost())) {
                return new JsonAnswer(null, new Failed("address_refused " + url.getHost(), false));
            }
        } catch (UnknownHostException e) {
            return new JsonAnswer(null, new Failed("unknown host " + url.getHost(), true));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout).GET().header("Accept", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                int status = response.statusCode();
                if (status != 200) {
                    return new JsonAnswer(null, new Failed("api http " + status, status >= 500 || status == 408 || status == 429));
                }
                byte[] bytes = body.readNBytes(MAX_JSON_BYTES + 1);
                if (bytes.length > MAX_JSON_BYTES) {
                    return new JsonAnswer(null, new Failed("api answer too large", false));
                }
                return new JsonAnswer(bytes, null);
            }
        } catch (IOException e) {
            return new JsonAnswer(null, new Failed("io " + NetworkFailure.describe(e), true));
        }
    }

    private Outcome copy(InputStream body, Path target, String mediaType) throws IOException {
        MessageDigest digest = RecordingFiles.sha256();
        long total = 0;
        try (OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = body.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    return new Failed("too_large more than " + maxBytes + " bytes", false);
                }
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        if (total == 0) {
            return new Failed("empty body", true);
        }
        return new Fetched(target, HexFormat.of().formatHex(digest.digest()), total, mediaType);
    }

    /** Every address the host resolves to may be reached (the outbound policy shared with webhooks and uploads). */
    private boolean permitted(String host) throws UnknownHostException {
        AddressPolicy.Verdict verdict = guard.resolve(host);
        return !verdict.anyRefused() && !verdict.allowed().isEmpty();
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** A URL for logs and errors: no query (pre-signed URLs carry their signature there). */
    static String redact(URI u) {
        return (u.getScheme() == null ? "" : u.getScheme() + "://") + Objects.toString(u.getHost(), "") + Objects.toString(u.getPath(), "");
    }
}
