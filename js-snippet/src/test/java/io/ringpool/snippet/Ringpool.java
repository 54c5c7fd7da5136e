package io.ringpool.snippet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Ringpool server the browser tests talk to over HTTP: the real jar started as a child process
 * ({@link RingpoolProcess}), or, with {@code -Dringpool.server=standin}, the in-test {@link StandInRingpool}
 * used while the real endpoints were being built. Site setup goes through the admin API either way.
 */
abstract class Ringpool implements AutoCloseable {
    static final String DEFAULT_NUMBER = "+74951399193";
    static final String US_DEFAULT_NUMBER = "+18005550142";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Base URL without a trailing slash, e.g. {@code http://127.0.0.1:41234}. */
    abstract String baseUrl();

    abstract String adminKey();

    static Ringpool start() throws Exception {
        return "standin".equals(System.getProperty("ringpool.server")) ? new StandInRingpool() : RingpoolProcess.start();
    }

    record Site(String siteId, String publicKey, String apiKey, String defaultNumber) {}

    /** A site on domain localhost with one catch-all pool of {@code poolSize} numbers. */
    Site createSite(String name, String defaultNumber, String numberPrefix, int poolSize) throws IOException, InterruptedException {
        String body = call("POST", "/v1/sites", adminKey(), """
                {"name":"%s","domains":["localhost"],"defaultNumber":"%s","timeZone":"Europe/Moscow"}""".formatted(name, defaultNumber), 201);
        Site site = new Site(field(body, "siteId"), field(body, "publicKey"), field(body, "apiKey"), defaultNumber);
        String numbers = java.util.stream.IntStream.rangeClosed(1, poolSize)
                .mapToObj(i -> "\"" + numberPrefix + String.format("%03d", i) + "\"").collect(Collectors.joining(","));
        call("POST", "/v1/sites/" + site.siteId() + "/pools", adminKey(),
                "{\"name\":\"main\",\"priority\":0,\"match\":{},\"numbers\":[" + numbers + "]}", 201);
        return site;
    }

    void patchSite(Site site, String json) throws IOException, InterruptedException {
        call("PATCH", "/v1/sites/" + site.siteId(), adminKey(), json, 200);
    }

    /** Starts a session as another visitor's desktop browser would (the server rightly takes the JDK's own User-Agent for a bot). */
    String startSessionAsAnotherVisitor(Site site) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/sessions")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/plain")
                .header("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36")
                .POST(HttpRequest.BodyPublishers.ofString("{\"siteKey\":\"" + site.publicKey() + "\",\"url\":\"http://localhost/elsewhere\"}"))
                .build();
        HttpResponse<String> answer = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 201) throw new IllegalStateException("POST /v1/sessions answered " + answer.statusCode() + ": " + answer.body());
        return answer.body();
    }

    String call(String method, String path, String bearer, String json, int expectedStatus) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (expectedStatus > 0 && r.statusCode() != expectedStatus) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        if (!m.find()) throw new IllegalStateException("no " + name + " in " + json);
        return m.group(1);
    }
}
