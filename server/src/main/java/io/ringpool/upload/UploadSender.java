package io.ringpool.upload;

import io.ringpool.outbound.OutboundHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Sends an upload's requests — or, in dry-run mode, only writes them down — and keeps each one
 * for the upload log with its credentials masked (authorization and developer-token headers, the
 * GA4 api_secret, OAuth client secret and refresh token).
 */
final class UploadSender {
    /** The most of a platform's answer read, bytes (as for webhooks). */
    static final int RESPONSE_LIMIT = 64 * 1024;
    /** The most of a request body kept in the log, characters. */
    private static final int BODY_KEPT = 200_000;
    /** The most of each answer kept beside its request ({@link #send(OutboundHttp.Request, boolean)}), characters. */
    private static final int ANSWER_KEPT = 2_000;
    private static final Set<String> SECRET_HEADERS = Set.of("authorization", "developer-token");
    private static final Set<String> SECRET_PARAMS = Set.of("api_secret", "client_secret", "refresh_token", "access_token");

    private final OutboundHttp http;
    private final boolean dryRun;
    private final List<Map<String, Object>> log = new ArrayList<>();
    private OutboundHttp.Response last;

    UploadSender(OutboundHttp http, boolean dryRun) {
        this.http = http;
        this.dryRun = dryRun;
    }

    boolean dryRun() {
        return dryRun;
    }

    /** The platform's answer, or null in dry-run mode (nothing was sent). */
    OutboundHttp.Response send(OutboundHttp.Request request) throws IOException {
        return send(request, false);
    }

    /**
     * {@link #send(OutboundHttp.Request)}, keeping the start of the answer with the request in the
     * log when {@code keepAnswer}: an upload of several requests (a Metrica file split after a
     * refusal) shows each one's answer, not only the last. Never for an answer that holds a
     * credential (the OAuth token exchange).
     */
    OutboundHttp.Response send(OutboundHttp.Request request, boolean keepAnswer) throws IOException {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("method", request.method());
        entry.put("url", maskQuery(request.uri().toString()));
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach((k, v) -> headers.put(k, SECRET_HEADERS.contains(k.toLowerCase(Locale.ROOT)) ? mask(v) : v));
        entry.put("headers", headers);
        String body = new String(request.body(), StandardCharsets.UTF_8);
        if (request.headers().getOrDefault("Content-Type", "").startsWith("application/x-www-form-urlencoded")) {
            body = maskQuery("?" + body).substring(1);
        }
        entry.put("body", body.length() > BODY_KEPT ? body.substring(0, BODY_KEPT) + "…" : body);
        log.add(entry);
        if (dryRun) {
            return null;
        }
        OutboundHttp.Response r = http.send(request, RESPONSE_LIMIT);
        entry.put("status", r.status());
        if (keepAnswer) {
            String answer = r.bodyText() == null ? "" : r.bodyText();
            entry.put("response", answer.length() > ANSWER_KEPT ? answer.substring(0, ANSWER_KEPT) + "…" : answer);
        }
        last = r;
        return r;
    }

    /** The platform's answer to the last request sent, or null when none was (dry run, network failure before any). */
    OutboundHttp.Response last() {
        return last;
    }

    List<Map<String, Object>> log() {
        return List.copyOf(log);
    }

    /** {@code OAuth y0_abc…} → {@code OAuth ***}: the scheme stays readable, the credential does not. */
    static String mask(String value) {
        int space = value.indexOf(' ');
        return space > 0 ? value.substring(0, space) + " ***" : "***";
    }

    static String maskQuery(String url) {
        String out = url;
        for (String p : SECRET_PARAMS) {
            out = out.replaceAll("([?&]" + p + "=)[^&]*", "$1***");
        }
        return out;
    }
}
