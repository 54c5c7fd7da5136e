package io.ringpool.telephony.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.app.TestServer;
import io.ringpool.app.TestServer.Reply;
import io.ringpool.http.Json;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real server with one site whose pool holds {@link #NUMBER}, a visit holding that number (so a
 * call to it is attributed {@code active}), and helpers to post as a provider would.
 *
 * <p>Either built directly on a directory, or registered as a JUnit extension that starts one
 * server for the test class with one provider configured and stops it after:
 * {@code @RegisterExtension static final ProviderTestKit kit = ProviderTestKit.serving("plivo", Map.of(...));}
 */
public final class ProviderTestKit implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    public static final String PUBLIC_URL = "https://calls.example.com";
    public static final String NUMBER = "+74950001001";
    public static final String CALLER = "+79161234567";
    public static final String FORWARD_TO = "+74951112233";

    // Set when the server starts: at construction, or before the test class as an extension.
    public TestServer server;
    public String siteId;
    public String apiKey;
    /** The site's secret for the generic signed JSON events ({@code X-Ringpool-Signature}). */
    public String webhookSecret;
    public String sessionId;

    private final String provider;
    private final Map<String, Object> settings;
    private final Map<String, Object> overrides;
    private Path ownDir;

    public ProviderTestKit(Path dir) {
        this(dir, Map.of());
    }

    /** With more server settings ({@code outbound.allow} for a PBX on loopback, say). */
    public ProviderTestKit(Path dir, Map<String, Object> overrides) {
        this.provider = null;
        this.settings = Map.of();
        this.overrides = Map.copyOf(overrides);
        start(dir);
    }

    /** The outbound allow list a test PBX on loopback needs (the AMI host is checked as webhooks are). */
    public static final Map<String, Object> LOOPBACK_PBX = Map.of("outbound.allow", List.of("127.0.0.1"));

    private ProviderTestKit(String provider, Map<String, Object> settings) {
        this.provider = provider;
        this.settings = Map.copyOf(settings);
        this.overrides = Map.of();
    }

    /** An extension: a server for the test class with {@code provider} configured with {@code settings}. */
    public static ProviderTestKit serving(String provider, Map<String, Object> settings) {
        return new ProviderTestKit(provider, settings);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        ownDir = Files.createTempDirectory("provider-kit-");
        start(ownDir);
        configure(provider, settings);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
        try (Stream<Path> files = Files.walk(ownDir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private void start(Path dir) {
        Map<String, Object> all = new java.util.HashMap<>(overrides);
        all.put("server.publicUrl", PUBLIC_URL);
        server = new TestServer(dir, all);
        Map<String, String> site = server.siteWithPool(List.of(NUMBER));
        siteId = site.get("siteId");
        apiKey = site.get("apiKey");
        webhookSecret = site.get("webhookSecret");
        Reply patch = patch(Map.of("forwardTo", FORWARD_TO));
        assertThat(patch.status()).as(patch.body()).isEqualTo(200);
        Reply session = server.startSession(site.get("publicKey"), "visitor-1", "https://example.com/?utm_source=google&utm_medium=cpc");
        assertThat(session.text("number")).isEqualTo(NUMBER);
        sessionId = session.text("sessionId");
        // Providers send whole seconds: step past the lease's start so "now" in seconds is inside it.
        server.clock.advance(java.time.Duration.ofSeconds(2));
    }

    public Reply patch(Map<String, Object> body) {
        return server.send("PATCH", "/v1/sites/" + siteId, apiKey, new String(Json.write(body), StandardCharsets.UTF_8),
                "application/json", Map.of());
    }

    /** Sets one provider's settings and checks they were taken. */
    public void configure(String provider, Map<String, Object> settings) {
        Reply r = patch(Map.of("providers", Map.of(provider, settings)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    public static String form(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    public Reply postForm(String path, Map<String, String> params, Map<String, String> headers) {
        return server.send("POST", path, null, form(params), "application/x-www-form-urlencoded", headers);
    }

    public Reply postJson(String path, String body, Map<String, String> headers) {
        return server.send("POST", path, null, body, "application/json", headers);
    }

    /** The site's call log. */
    public JsonNode calls() {
        server.awaitCallsStored(); // answer webhooks journal their events; they reach the store just after
        Reply r = server.get("/v1/sites/" + siteId + "/calls", apiKey);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("calls");
    }

    /** The one call in the log, asserting there is exactly one. */
    public JsonNode onlyCall() {
        JsonNode calls = calls();
        assertThat(calls).as(calls.toString()).hasSize(1);
        return calls.get(0);
    }

    /** The one call of the log with this provider call id, asserting there is exactly one. */
    public JsonNode call(String providerCallId) {
        List<JsonNode> found = new java.util.ArrayList<>();
        for (JsonNode c : calls()) {
            if (c.get("providerCallId").asText().equals(providerCallId)) {
                found.add(c);
            }
        }
        assertThat(found).as("calls with provider call id " + providerCallId).hasSize(1);
        return found.get(0);
    }

    /** The diagnostics log of one provider. */
    public JsonNode diagnostics(String provider) {
        Reply r = server.get("/v1/sites/" + siteId + "/telephony/events?provider=" + provider, apiKey);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("events");
    }

    public static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Override
    public void close() {
        server.close();
    }
}
