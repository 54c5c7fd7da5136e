package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringpool.account.TestAccounts;
import io.ringpool.app.TestServer.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product rule "bad input gets a clear error, never a 5xx or internals", checked on every
 * operation the server publishes in {@code GET /v1/openapi.json}: for each one the sweep builds the
 * request that reaches it (real ids in the path, the right credential where one can be made,
 * Ringpool-signed telephony events), then spoils one thing at a time: the whole body, one property
 * of the request schema, one path or query parameter, the media type, the credential. Every reply
 * is judged by {@link #problemsOf}; every problem is collected, and the test fails once listing
 * them all, so one run shows everything.
 *
 * <p>Deterministic: no randomness, cases in document order. Operations that change credentials or
 * time (key rotation, sign-out, the test clock) and deletions run last and one at a time, so they
 * cannot pull the fixture from under the others.
 */
class BadInputSweepTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}/]+)}");
    /**
     * What an exception leaking into a body looks like: class names, frames, the libraries' packages.
     * Each marker is long or holds a character that random ids never do ('.', ':', a tab, a
     * space): a bare "jdbc" once matched inside a random visitor id (v_4T7gjdbcEU…).
     */
    static final List<String> INTERNALS = List.of("Exception", "\tat ", "at io.ringpool.", "java.lang", "java.util.", "org.h2",
            "com.fasterxml", "io.netty", "jdbc:", "org.postgresql", "SQLState",
            // The JSON parser's location and feature names (audit 27 A, item 13).
            "[Source:", "ReadFeature");
    /** Modest: the box has two cores and other work on it. */
    private static final int PARALLEL = 4;
    private static final String POOL_NUMBER = "+74950000101";
    private static final String SPARE_NUMBER = "+74950000102";
    private static final String CALLER = "+79161234567";
    private static final String UIS_TOKEN = "uis-token-sweep-0123456789";

    @TempDir
    static Path dir;
    static TestServer server;
    static HttpClient client;
    static JsonNode document;
    /** Real ids, keys and secrets the fixture made, by name. */
    static final Map<String, String> real = new TreeMap<>();
    static TestAccounts.Person owner;

    @BeforeAll
    static void start() {
        server = new TestServer(dir, Map.of(
                "leasing.testClock", true,
                // Unsigned webhooks answer 401 by the hundred here; that must not slow the sweep down.
                "security.authFailuresBeforeSlowdown", 100_000, "security.authFailuresBeforeBlock", 1_000_000,
                "outbound.allow", List.of("127.0.0.1")));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        document = server.get("/v1/openapi.json", null).json();
        makeFixture();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A site with a pool, a static number, a visit, a call, a lead, a webhook, a destination, a feed; a workspace with people. */
    private static void makeFixture() {
        Map<String, String> site = server.siteWithPool(List.of(POOL_NUMBER, SPARE_NUMBER));
        real.putAll(site);
        String s = "/v1/sites/" + site.get("siteId");
        String key = site.get("apiKey");
        need(server.send("PATCH", s, key, "{\"providers\":{\"uis\":{\"token\":\"" + UIS_TOKEN + "\"}}}", "application/json", Map.of()), 200);
        need(server.post(s + "/static-numbers", key, Map.of("number", "+74950000201", "source", "google")), 201);
        real.put("visitSessionId", need(server.startSession(site.get("publicKey"), "v_sweep", "https://example.com/?utm_source=google"),
                201).text("sessionId"));
        need(server.post(s + "/webhooks", key, Map.of("url", "http://127.0.0.1:9/hook")), 201);
        real.put("webhookId", server.get(s + "/webhooks", key).json().path("webhooks").get(0).path("webhookId").asText());
        String event = "{\"callId\":\"sweep-call-1\",\"event\":\"completed\",\"from\":\"" + CALLER + "\",\"to\":\"" + POOL_NUMBER
                + "\",\"durationSeconds\":30,\"talkSeconds\":20}";
        need(signedEvent(site.get("siteId"), event.getBytes(StandardCharsets.UTF_8)), 200);
        server.awaitCallsStored();
        real.put("callId", need(server.get(s + "/calls", key), 200).json().path("calls").get(0).path("callId").asText());
        real.put("leadId", need(server.post(s + "/leads", key, Map.of("externalId", "sweep-1", "kind", "form", "phone", CALLER)), 201)
                .text("leadId"));
        real.put("destinationId", need(server.post(s + "/destinations", key, Map.of("type", "ga4", "measurementId", "G-SWEEP1234",
                "apiSecret", "sweep-secret", "baseUrl", "http://127.0.0.1:9", "dryRun", true)), 201).text("destinationId"));
        Reply feed = need(server.post(s + "/feeds", key, Map.of("format", "google-ads-calls")), 201);
        real.put("feedId", feed.text("feedId"));
        real.put("feedUser", feed.text("username"));
        real.put("feedPassword", feed.text("password"));

        TestAccounts accounts = new TestAccounts(server);
        Map<String, Object> ws = accounts.ownedWorkspace("Sweep", "owner@sweep.test");
        String workspaceId = (String) ws.get("workspaceId");
        owner = (TestAccounts.Person) ws.get("owner");
        real.put("workspaceId", workspaceId);
        accounts.member(workspaceId, owner, "member@sweep.test", "analyst");
        JsonNode members = accounts.as(owner, "GET", "/v1/workspaces/" + workspaceId + "/members", null).json();
        for (JsonNode m : members.path("members")) {
            if ("member@sweep.test".equals(m.path("email").asText())) {
                real.put("userId", m.path("userId").asText());
            }
        }
        Reply invite = need(accounts.as(owner, "POST", "/v1/workspaces/" + workspaceId + "/invites",
                Map.of("email", "pending@sweep.test", "role", "viewer")), 201);
        real.put("inviteId", invite.text("inviteId"));
        real.put("inviteToken", TestAccounts.token(invite.text("inviteUrl")));
        Reply reset = need(accounts.as(owner, "POST", "/v1/workspaces/" + workspaceId + "/members/" + real.get("userId")
                + "/password-reset", null), 201);
        real.put("resetToken", TestAccounts.token(reset.text("resetUrl")));
        JsonNode sessions = server.send("GET", "/v1/me/sessions", null, null, null, owner.headers(false)).json();
        real.put("signInSessionId", sessions.path("sessions").get(0).path("sessionId").asText());
    }

    private static Reply need(Reply reply, int status) {
        if (reply.status() != status) {
            throw new IllegalStateException("fixture: expected " + status + ", got " + reply.status() + " " + reply.body());
        }
        return reply;
    }

    // ---------------------------------------------------------------------------------------------
    // The sweep

    @Test
    void everyDocumentedOperationAnswersHostileInputWithAClear4xxAndNoInternals() throws Exception {
        List<Operation> operations = operations();
        assertThat(operations).as("operations in the served document").hasSizeGreaterThanOrEqualTo(100);
        List<Case> early = new ArrayList<>();
        List<Case> late = new ArrayList<>();
        for (Operation op : operations) {
            (op.disruptive() > 0 ? late : early).addAll(casesOf(op));
        }
        late.sort(Comparator.comparingInt((Case c) -> c.op().disruptive()));

        long began = System.nanoTime();
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Case c : early) {
                running.add(pool.submit(() -> run(c, violations)));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        for (Case c : late) {
            run(c, violations);
        }
        long millis = (System.nanoTime() - began) / 1_000_000;
        System.out.printf("bad_input_sweep operations=%d cases=%d millis=%d violations=%d%n", operations.size(),
                early.size() + late.size(), millis, violations.size());
        SPENT.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, java.util.concurrent.atomic.LongAdder> e) ->
                e.getValue().sum()).reversed()).limit(8).forEach(e -> System.out.printf("bad_input_sweep_slowest %s millis=%d%n",
                e.getKey(), e.getValue().sum()));

        List<String> sorted = new ArrayList<>(violations);
        Collections.sort(sorted);
        assertThat(sorted).as("%d violations in %d cases", sorted.size(), early.size() + late.size()).isEmpty();
    }

    /** The judge must be able to fail: it sees a 500, a leaked frame, an error without its shape and a 422 without a field. */
    @Test
    void theJudgeSeesEachKindOfViolation() {
        String ok422 = "{\"error\":{\"code\":\"invalid_value\",\"message\":\"'name' must be a string\",\"field\":\"name\"}}";
        assertThat(problemsOf(422, "application/json", ok422, "name", Expect.ANY)).isEmpty();
        assertThat(problemsOf(204, null, "", null, Expect.ANY)).isEmpty();

        assertThat(problemsOf(500, "application/json", "{\"error\":{\"code\":\"internal_error\",\"field\":null}}", null, Expect.ANY))
                .anyMatch(p -> p.contains("5xx"));
        assertThat(problemsOf(400, "application/json",
                "{\"error\":{\"code\":\"malformed_json\",\"field\":null,\"message\":\"com.fasterxml.jackson.core.JsonParseException\"}}",
                null, Expect.ANY)).anyMatch(p -> p.contains("internals"));
        assertThat(problemsOf(404, "text/plain", "Not Found", null, Expect.ANY)).anyMatch(p -> p.contains("error shape"));
        assertThat(problemsOf(422, "application/json", "{\"error\":{\"code\":\"invalid_value\",\"message\":\"no\",\"field\":null}}", null,
                Expect.ANY))
                .anyMatch(p -> p.contains("names no field"));
        assertThat(problemsOf(422, "application/json", ok422, "domains", Expect.ANY)).anyMatch(p -> p.contains("only 'domains'"));
        assertThat(problemsOf(201, "application/json", "{}", null, Expect.REFUSED)).anyMatch(p -> p.contains("accepted"));
        assertThat(problemsOf(415, "application/json", "{\"error\":{\"code\":\"unsupported_media_type\",\"message\":\"no\",\"field\":null}}", null,
                Expect.NOT_415)).anyMatch(p -> p.contains("415"));
        assertThat(problemsOf(200, "application/json", "{\"calls\":[]}", "tag", Expect.IS_422)).anyMatch(p -> p.contains("not 422"));
        assertThat(problemsOf(422, "application/json", ok422, "name", Expect.IS_422)).isEmpty();
    }

    /** What a case additionally expects beyond the general rule. */
    enum Expect {
        ANY,
        /** A body that is not a JSON object, on a route that requires one: some 4xx, never a success. */
        REFUSED,
        /** A JSON route's accepted media type (text/plain, form, none): read as JSON, not 415. */
        NOT_415,
        /** A media type no JSON route accepts: 415 (or an earlier 4xx), never a success. */
        IS_415,
        /** An empty or blank query value: 422 naming the parameter, never read as absent (audit AG3 #5). */
        IS_422
    }

    /**
     * Everything wrong with one reply, as sentences; empty when it follows the rule: never 5xx; a
     * 4xx carries API.md's error shape {@code {"error": {"code", "message", "field"}}}; a 422 (and
     * an unknown name) names its field, and when the case spoilt one property, that one; no body
     * carries an exception's class name or stack frame.
     */
    static List<String> problemsOf(int status, String contentType, String body, String spoiltField, Expect expect) {
        List<String> problems = new ArrayList<>();
        if (status >= 500) {
            problems.add("5xx");
        }
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        boolean asset = type.contains("javascript") || type.contains("html") || type.contains("css") || type.contains("image/")
                || type.contains("csv");
        if (!asset) {
            for (String marker : INTERNALS) {
                if (body.contains(marker)) {
                    problems.add("internals in the body (" + marker.replace("\t", "\\t") + ")");
                    break;
                }
            }
        }
        if (status >= 400) {
            JsonNode error = null;
            try {
                error = type.startsWith("application/json") ? JSON.readTree(body).path("error") : null;
            } catch (IOException e) {
                problems.add("4xx body is not JSON");
            }
            if (error == null || !error.path("code").isTextual() || error.path("code").asText().isBlank() || !error.has("field")
                    || !error.path("message").isTextual()) {
                problems.add("4xx without the error shape {\"error\":{\"code\",\"message\",\"field\"}}");
            } else {
                String code = error.path("code").asText();
                JsonNode field = error.path("field");
                boolean named = field.isTextual() && !field.asText().isBlank();
                if ((status == 422 || code.equals("unknown_field") || code.equals("unknown_parameter")) && !named) {
                    problems.add(status + " " + code + " names no field");
                }
                if (status == 422 && named && spoiltField != null && !relates(field.asText(), spoiltField)) {
                    problems.add("422 names '" + field.asText() + "' though only '" + spoiltField + "' was spoilt");
                }
            }
        }
        if (expect == Expect.REFUSED && status < 400) {
            problems.add("a body that is not a JSON object was accepted (" + status + ")");
        }
        if (expect == Expect.NOT_415 && status == 415) {
            problems.add("415 for a media type the JSON rule accepts");
        }
        if (expect == Expect.IS_415 && status < 400) {
            problems.add("an unsupported media type was accepted (" + status + ")");
        }
        if (expect == Expect.IS_422 && status != 422) {
            problems.add("an empty value was answered " + status + ", not 422 naming it");
        }
        return problems;
    }

    /** Whether an error's field is the spoilt property or inside it ({@code fields.phone}, {@code numbers[0]}). */
    private static boolean relates(String field, String spoilt) {
        return field.equals(spoilt) || field.startsWith(spoilt + ".") || field.startsWith(spoilt + "[")
                || spoilt.startsWith(field + ".");
    }

    /** Milliseconds spent per operation, to show where the sweep's time goes. */
    private static final Map<String, java.util.concurrent.atomic.LongAdder> SPENT = new java.util.concurrent.ConcurrentHashMap<>();

    private static void run(Case c, List<String> violations) {
        long t0 = System.nanoTime();
        try {
            judge(c, violations);
        } finally {
            SPENT.computeIfAbsent(c.op().name(), k -> new java.util.concurrent.atomic.LongAdder()).add((System.nanoTime() - t0) / 1_000_000);
        }
    }

    private static void judge(Case c, List<String> violations) {
        List<String> problems;
        String shown;
        int status;
        try {
            HttpResponse<byte[]> r = send(c);
            status = r.statusCode();
            String body = new String(r.body(), StandardCharsets.UTF_8);
            problems = problemsOf(status, r.headers().firstValue("content-type").orElse(null), body, c.spoiltField(), c.expect());
            shown = body.length() > 300 ? body.substring(0, 300) + "…" : body;
        } catch (IOException e) {
            status = 0;
            problems = List.of("no answer: " + e);
            shown = "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        for (String p : problems) {
            violations.add(c.op().name() + " | " + c.description() + " | " + p + " | " + status + " " + shown.replace("\n", "\\n"));
        }
    }

    private static HttpResponse<byte[]> send(Case c) throws IOException, InterruptedException {
        byte[] body = c.body();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + c.path())).timeout(Duration.ofSeconds(20))
                .method(c.op().method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (c.contentType() != null) {
            b.header("Content-Type", c.contentType());
        }
        c.headers().forEach(b::header);
        if (c.signed()) {
            b.header("X-Ringpool-Signature", signature(real.get("webhookSecret"), body == null ? new byte[0] : body));
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    // ---------------------------------------------------------------------------------------------
    // Operations, read from the served document

    /**
     * @param disruptive 0 for most; above 0 for those run last, in this order: deletions, then
     *                   sign-out, then the test clock, then key rotation
     */
    record Operation(String method, String template, JsonNode spec, int disruptive) {
        String name() {
            return method + " " + template;
        }

        List<String> security() {
            List<String> out = new ArrayList<>();
            for (JsonNode requirement : spec.path("security")) {
                requirement.fieldNames().forEachRemaining(out::add);
            }
            return out;
        }

        JsonNode requestBody() {
            return spec.path("requestBody");
        }

        boolean takesJson() {
            return requestBody().path("content").has("application/json");
        }

        /** A JSON object body is required and nothing else (not text, not a form) is declared. */
        boolean requiresJsonObject() {
            JsonNode content = requestBody().path("content");
            return requestBody().path("required").asBoolean(false) && content.has("application/json")
                    && !content.has("application/x-www-form-urlencoded")
                    && "object".equals(resolve(content.path("application/json").path("schema")).path("type").asText("object"))
                    && !content.path("text/plain").path("schema").path("type").asText().equals("string");
        }
    }

    static List<Operation> operations() {
        List<Operation> out = new ArrayList<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(item -> {
            if (METHODS.contains(item.getKey())) {
                String method = item.getKey().toUpperCase(Locale.ROOT);
                out.add(new Operation(method, path.getKey(), item.getValue(), disruptive(method, path.getKey())));
            }
        }));
        return out;
    }

    private static int disruptive(String method, String template) {
        if (template.endsWith("/keys/rotate")) {
            return 5;
        }
        if (template.equals("/v1/test/clock")) {
            return 4;
        }
        if (template.equals("/v1/auth/logout") || template.startsWith("/v1/me/sessions/")) {
            return 3;
        }
        if (method.equals("DELETE") || template.endsWith("/password-reset")) {
            return 2;
        }
        return 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Cases

    /**
     * One request: {@code path} is already percent-encoded; {@code spoiltField} names the one
     * property the case changed (null when it changed something else); {@code signed} adds a valid
     * X-Ringpool-Signature over the body.
     */
    record Case(Operation op, String description, String path, Map<String, String> headers, String contentType, byte[] body,
            boolean signed, String spoiltField, Expect expect) {}

    static List<Case> casesOf(Operation op) {
        List<Case> cases = new ArrayList<>();
        String path = realPath(op, Map.of());
        Map<String, String> auth = credential(op);
        boolean signed = op.security().contains("ringpoolSignature");
        boolean hasBody = !op.requestBody().isMissingNode();
        String jsonType = op.takesJson() || !hasBody ? "application/json" : firstType(op);
        byte[] base = hasBody ? baseBody(op) : null;

        // The request as it should be, then the credential spoilt.
        cases.add(new Case(op, "as documented", path, auth, base == null ? null : jsonType, base, signed, null, Expect.ANY));
        if (!op.security().isEmpty()) {
            credentialCases(op, path, jsonType, base, cases);
        }
        if (signed) {
            cases.add(new Case(op, "wrong signature", path, Map.of("X-Ringpool-Signature", "t=1,v1=00"), jsonType, base, false, null,
                    Expect.ANY));
            cases.add(new Case(op, "garbage signature", path, Map.of("X-Ringpool-Signature", "t=" + "9".repeat(30) + ",v1=zz,,=="),
                    jsonType, base, false, null, Expect.ANY));
        }

        pathCases(op, auth, signed, jsonType, base, cases);
        queryCases(op, path, auth, cases);
        if (!op.method().equals("GET")) {
            bodyCases(op, path, auth, signed, jsonType, base, cases);
        }
        if (hasBody && op.takesJson()) {
            propertyCases(op, path, auth, signed, base, cases);
        }
        return cases;
    }

    /** No credential, and garbage in each place one goes (public operations have none to spoil). */
    private static void credentialCases(Operation op, String path, String jsonType, byte[] base, List<Case> cases) {
        cases.add(new Case(op, "no credential", path, Map.of(), base == null ? null : jsonType, base, false, null, Expect.ANY));
        cases.add(new Case(op, "garbage bearer", path, Map.of("Authorization", "Bearer " + "k".repeat(5_000)), jsonType, base, false,
                null, Expect.ANY));
        cases.add(new Case(op, "garbage basic", path, Map.of("Authorization", "Basic %%%not-base64"), jsonType, base, false, null,
                Expect.ANY));
        cases.add(new Case(op, "garbage cookie", path, Map.of("Cookie", "ringpool_session=\u00ff; ;=;", "X-CSRF-Token", "x"), jsonType,
                base, false, null, Expect.ANY));
    }

    /** Each path parameter in turn replaced by hostile ids (the others real). */
    private static void pathCases(Operation op, Map<String, String> auth, boolean signed, String type, byte[] body, List<Case> cases) {
        Map<String, String> hostile = new LinkedHashMap<>();
        hostile.put("unknown id", "does-not-exist-0000");
        hostile.put("5,000-char id", "i".repeat(5_000));
        hostile.put("id with %00", "abc%00def");
        hostile.put("id with ..%2F", "..%2F..%2Fetc%2Fpasswd");
        hostile.put("id ..", "..");
        hostile.put("unicode id", "%D0%B8%D0%B4-%F0%9F%93%9E");
        hostile.put("invalid UTF-8 id", "%FF%FE%C0%AF");
        hostile.put("id with ;", "x;y=1");
        Matcher m = PATH_PARAMETER.matcher(op.template());
        while (m.find()) {
            String name = m.group(1);
            hostile.forEach((what, value) -> cases.add(new Case(op, "path " + name + ": " + what, realPath(op, Map.of(name, value)),
                    auth, body == null ? null : type, body, signed, null, Expect.ANY)));
        }
    }

    /** Each documented query parameter in turn given hostile values; an unknown one; one given twice. */
    private static void queryCases(Operation op, String path, Map<String, String> auth, List<Case> cases) {
        Map<String, String> hostile = new LinkedHashMap<>();
        hostile.put("word", "abc");
        hostile.put("negative", "-1");
        hostile.put("zero", "0");
        hostile.put("huge", "99999999999999999999999");
        hostile.put("fractional", "1.5");
        hostile.put("NaN", "NaN");
        hostile.put("date 2026-02-30", "2026-02-30");
        hostile.put("date yesterday", "yesterday");
        hostile.put("date 99999", "99999-01-01T00:00:00Z");
        hostile.put("date -999999999", "-999999999-01-01");
        hostile.put("offset +25:00", "2026-01-01T00:00:00%2B25:00");
        hostile.put("10 KB value", "q".repeat(10_240));
        hostile.put("%00", "a%00b");
        hostile.put("invalid UTF-8", "%FF%FE");
        hostile.put("unicode", "%E2%80%AEevil%F0%9F%93%9E");
        hostile.put("repeated", "1&{name}=2");
        hostile.put("comma list", "a,b,,c," + "d,".repeat(200));
        hostile.put("base64 junk", "AAAA");
        hostile.put("colon cursor", "OjE6Og");
        for (JsonNode p : op.spec().path("parameters")) {
            JsonNode parameter = resolve(p);
            if (!"query".equals(parameter.path("in").asText())) {
                continue;
            }
            String name = parameter.path("name").asText();
            hostile.forEach((what, value) -> cases.add(new Case(op, "query " + name + ": " + what,
                    path + "?" + name + "=" + value.replace("{name}", name), auth, null, null, false, null, Expect.ANY)));
            // A provider's webhook takes the provider's query as it comes (an empty field there is the provider's
            // "none"); everywhere else an empty value is a client's unset variable, refused naming the parameter.
            if (!op.template().startsWith("/v1/telephony/")) {
                for (String empty : List.of("=", "=%20", "")) {
                    String query = "?" + name + empty;
                    cases.add(new Case(op, "query " + name + ": empty (" + query + ")", path + query, auth, null, null, false, name,
                            Expect.IS_422));
                }
            }
        }
        cases.add(new Case(op, "unknown query parameter", path + "?zzz=1", auth, null, null, false, null, Expect.ANY));
        cases.add(new Case(op, "query without =", path + "?&&=&x", auth, null, null, false, null, Expect.ANY));
    }

    /** The whole body spoilt, and the media types around the JSON rule. */
    private static void bodyCases(Operation op, String path, Map<String, String> auth, boolean signed, String type, byte[] base,
            List<Case> cases) {
        Expect notAnObject = op.requiresJsonObject() ? Expect.REFUSED : Expect.ANY;
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        bodies.put("empty body", new byte[0]);
        bodies.put("body null", utf8("null"));
        bodies.put("body []", utf8("[]"));
        bodies.put("body \"x\"", utf8("\"x\""));
        bodies.put("body 123", utf8("123"));
        bodies.put("body {", utf8("{"));
        bodies.put("body NaN", utf8("{\"a\": NaN}"));
        bodies.put("two documents", utf8("{}{}"));
        bodies.put("non-UTF-8 bytes", new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0xaf, '{', '}'});
        bodies.put("non-UTF-8 in a string", concat(utf8("{\"name\":\""), new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff}, utf8("\"}")));
        bodies.put("UTF-16 body", "{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_16));
        bodies.put("2 MB body", utf8("{\"name\":\"" + "m".repeat(2 * 1024 * 1024) + "\"}"));
        bodies.put("10,000 nested arrays", utf8("[".repeat(10_000) + "]".repeat(10_000)));
        bodies.put("10,000 nested objects", utf8("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)));
        bodies.put("duplicate keys", duplicateKeys(base));
        bodies.put("form garbage", utf8("a=%ZZ&=&&b=%&c=%00%FF&" + "d=" + "v".repeat(10_000)));
        // Not here: "UTF-16 body", which is a JSON object (the parser detects the encoding, as RFC 8259 allows it to).
        Set<String> notObjects = Set.of("empty body", "body null", "body []", "body \"x\"", "body 123", "body {", "body NaN",
                "two documents", "non-UTF-8 bytes", "10,000 nested arrays", "form garbage");
        if (base == null) {
            // No body is documented: what it gets is ignored, so only the size limit and unreadable bytes are worth sending.
            bodies.keySet().retainAll(Set.of("body {", "non-UTF-8 bytes", "2 MB body"));
        }
        bodies.forEach((what, body) -> cases.add(new Case(op, what, path, auth, type, body, signed, null,
                notObjects.contains(what) ? notAnObject : Expect.ANY)));

        if (base == null) {
            return;
        }
        boolean jsonRule = op.takesJson() && !op.requestBody().path("content").has("application/x-www-form-urlencoded");
        Expect acceptedType = jsonRule ? Expect.NOT_415 : Expect.ANY;
        Expect otherType = jsonRule && op.requiresJsonObject() ? Expect.IS_415 : Expect.ANY;
        cases.add(new Case(op, "as text/plain", path, auth, "text/plain;charset=UTF-8", base, signed, null, acceptedType));
        cases.add(new Case(op, "as form-urlencoded", path, auth, "application/x-www-form-urlencoded", base, signed, null, acceptedType));
        cases.add(new Case(op, "no content type", path, auth, null, base, signed, null, acceptedType));
        cases.add(new Case(op, "as application/xml", path, auth, "application/xml", base, signed, null, otherType));
        cases.add(new Case(op, "garbage content type", path, auth, ";;;/=;charset=\u00ff", base, signed, null, Expect.ANY));
        String boundary = "sweep-boundary";
        byte[] multipart = concat(utf8("--" + boundary + "\r\nContent-Disposition: form-data; name=\"body\"\r\n"
                + "Content-Type: application/json\r\n\r\n"), base, utf8("\r\n--" + boundary + "--\r\n"));
        cases.add(new Case(op, "as multipart", path, auth, "multipart/form-data; boundary=" + boundary, multipart, signed, null,
                otherType));
    }

    /** Each property of the request schema (nested ones too) in turn given each hostile value, the rest of the body valid. */
    private static void propertyCases(Operation op, String path, Map<String, String> auth, boolean signed, byte[] base,
            List<Case> cases) {
        ObjectNode valid;
        try {
            valid = (ObjectNode) JSON.readTree(base);
        } catch (IOException | ClassCastException e) {
            return;
        }
        JsonNode schema = resolve(op.requestBody().path("content").path("application/json").path("schema"));
        for (String property : properties(schema, "")) {
            for (Map.Entry<String, String> value : HOSTILE_VALUES.entrySet()) {
                ObjectNode body = valid.deepCopy();
                try {
                    put(body, property, JSON.readTree(value.getValue()));
                } catch (IOException e) {
                    throw new IllegalStateException(value.getKey(), e);
                }
                cases.add(new Case(op, "property " + property + ": " + value.getKey(), path, auth, "application/json",
                        utf8(body.toString()), signed, property, Expect.ANY));
            }
        }
    }

    /** Hostile JSON values, by what they are. */
    static final Map<String, String> HOSTILE_VALUES = hostileValues();

    private static Map<String, String> hostileValues() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("string", "\"x\"");
        v.put("number", "123");
        v.put("boolean", "true");
        v.put("object", "{\"k\":\"v\"}");
        v.put("array", "[\"x\"]");
        v.put("null", "null");
        v.put("empty string", "\"\"");
        v.put("blank string", "\"   \"");
        v.put("100,000-char string", "\"" + "s".repeat(100_000) + "\"");
        v.put("negative", "-1");
        v.put("zero", "0");
        v.put("huge", "99999999999999999999999999999");
        v.put("huge exponent", "1e400");
        v.put("fractional", "1.5");
        v.put("negative zero", "-0.0");
        v.put("NaN as string", "\"NaN\"");
        v.put("number as string", "\"42\"");
        v.put("NUL", "\"a\\u0000b\"");
        v.put("control characters", "\"\\u0001\\u0008\\u001b\\u007f\\r\\n\"");
        v.put("RTL override", "\"\\u202eevil\\u202c\"");
        v.put("emoji", "\"\\ud83d\\udcde\\ud83d\\ude00\"");
        v.put("lone surrogate", "\"\\ud800\"");
        v.put("date 2026-02-30", "\"2026-02-30\"");
        v.put("date yesterday", "\"yesterday\"");
        v.put("date 99999", "\"99999-01-01T00:00:00Z\"");
        v.put("array of null", "[null]");
        v.put("array of objects", "[{}]");
        v.put("10,000-item array", "[" + String.join(",", Collections.nCopies(10_000, "\"x\"")) + "]");
        v.put("object of objects", "{\"a\":{\"b\":{}}}");
        return v;
    }

    /** Dotted names of the schema's properties; one level of nested object properties too. */
    private static List<String> properties(JsonNode schema, String prefix) {
        List<String> out = new ArrayList<>();
        JsonNode props = mergedProperties(schema);
        Iterator<Map.Entry<String, JsonNode>> it = props.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> p = it.next();
            String name = prefix + p.getKey();
            out.add(name);
            JsonNode child = resolve(p.getValue());
            if (prefix.isEmpty() && mergedProperties(child).size() > 0) {
                out.addAll(properties(child, name + "."));
            }
        }
        return out;
    }

    private static JsonNode mergedProperties(JsonNode schema) {
        ObjectNode merged = JSON.createObjectNode();
        JsonNode s = resolve(schema);
        for (JsonNode part : s.path("allOf")) {
            merged.setAll((ObjectNode) mergedProperties(part));
        }
        if (s.path("properties").isObject()) {
            merged.setAll((ObjectNode) s.path("properties"));
        }
        return merged;
    }

    private static void put(ObjectNode body, String dotted, JsonNode value) {
        int dot = dotted.indexOf('.');
        if (dot < 0) {
            body.set(dotted, value);
            return;
        }
        String head = dotted.substring(0, dot);
        if (!(body.get(head) instanceof ObjectNode)) {
            body.set(head, JSON.createObjectNode());
        }
        put((ObjectNode) body.get(head), dotted.substring(dot + 1), value);
    }

    // ---------------------------------------------------------------------------------------------
    // Valid requests

    /** The path with real ids, except those in {@code replaced} (already percent-encoded). */
    private static String realPath(Operation op, Map<String, String> replaced) {
        Matcher m = PATH_PARAMETER.matcher(op.template());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = replaced.containsKey(name) ? replaced.get(name) : encode(realValue(op.template(), name));
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String realValue(String template, String name) {
        return switch (name) {
            case "sessionId" -> template.startsWith("/v1/me/") ? real.get("signInSessionId") : real.get("visitSessionId");
            case "number" -> SPARE_NUMBER;
            case "e164", "contact" -> CALLER;
            case "deliveryId" -> "does-not-exist-0000";
            case "file" -> template.startsWith("/dashboard/") ? "app.js"
                    : template.startsWith("/v1/feeds/") ? real.get("feedId") + ".csv" : "google-ads-calls.csv";
            case "token" -> template.startsWith("/v1/telephony/uis/") ? UIS_TOKEN
                    : template.startsWith("/v1/invites/") ? real.get("inviteToken") : real.get("resetToken");
            default -> {
                String value = real.get(name);
                if (value == null) {
                    throw new IllegalStateException("the fixture has no real " + name + " for " + template);
                }
                yield value;
            }
        };
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Headers of the best credential the fixture has for the operation; none for provider signatures (their cases expect 401/403). */
    private static Map<String, String> credential(Operation op) {
        List<String> security = op.security();
        Map<String, String> h = new LinkedHashMap<>();
        if (security.contains("siteKey")) {
            h.put("Authorization", "Bearer " + real.get("apiKey"));
        } else if (security.contains("adminKey")) {
            h.put("Authorization", "Bearer " + TestServer.ADMIN_KEY);
        } else if (security.contains("session")) {
            h.putAll(owner.headers(true));
        } else if (security.contains("feedBasic")) {
            String pair = real.get("feedUser") + ":" + real.get("feedPassword");
            h.put("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(utf8(pair)));
        }
        if (op.template().startsWith("/v1/sessions")) {
            h.put("User-Agent", TestServer.CHROME);
        }
        return h;
    }

    private static String firstType(Operation op) {
        Iterator<String> types = op.requestBody().path("content").fieldNames();
        return types.hasNext() ? types.next() : null;
    }

    /** A body the operation accepts (or would, but for a conflict): written out where the schema alone cannot say. */
    private static byte[] baseBody(Operation op) {
        String known = switch (op.name()) {
            case "POST /v1/test/clock" -> "{\"advanceSeconds\":0}";
            case "POST /v1/sites", "POST /v1/workspaces/{workspaceId}/sites" -> "{\"name\":\"Sweep shop\",\"defaultNumber\":\"+74951234567\","
                    + "\"domains\":[\"example.com\"],\"timeZone\":\"Europe/Moscow\",\"currency\":\"RUB\"}";
            case "PATCH /v1/sites/{siteId}" -> "{\"name\":\"Sweep shop\"}";
            case "POST /v1/sites/{siteId}/keys/rotate" -> "{\"key\":\"webhook\",\"overlapSeconds\":86400}";
            case "POST /v1/sites/{siteId}/pools" -> "{\"name\":\"more\",\"numbers\":[\"+74950000301\"]}";
            case "POST /v1/sites/{siteId}/pools/{poolId}/numbers" -> "{\"numbers\":[\"+74950000302\"]}";
            case "POST /v1/sites/{siteId}/static-numbers" -> "{\"number\":\"+74950000202\",\"source\":\"google\"}";
            case "POST /v1/sessions" -> "{\"siteKey\":\"" + real.get("publicKey") + "\",\"url\":\"https://example.com/\"}";
            case "POST /v1/sessions/{sessionId}/pageviews" -> "{\"url\":\"https://example.com/a\",\"title\":\"A\"}";
            case "POST /v1/sessions/{sessionId}/intent" -> "{\"kind\":\"tel_click\"}";
            case "POST /v1/sessions/{sessionId}/leads" -> "{\"kind\":\"form\",\"fields\":{\"phone\":\"" + CALLER + "\"}}";
            case "PATCH /v1/sites/{siteId}/calls/{callId}" -> "{\"tags\":[\"a\"]}";
            case "POST /v1/sites/{siteId}/leads" -> "{\"externalId\":\"sweep-2\",\"kind\":\"form\",\"phone\":\"" + CALLER + "\"}";
            case "PATCH /v1/sites/{siteId}/leads/{leadId}" -> "{\"status\":\"qualified\"}";
            case "POST /v1/telephony/{siteId}/events" -> "{\"callId\":\"sweep-call-2\",\"event\":\"ringing\",\"from\":\"" + CALLER
                    + "\",\"to\":\"" + POOL_NUMBER + "\"}";
            case "POST /v1/sites/{siteId}/webhooks" -> "{\"url\":\"http://127.0.0.1:9/hook\"}";
            case "POST /v1/sites/{siteId}/destinations" -> "{\"type\":\"ga4\",\"measurementId\":\"G-SWEEP1234\",\"apiSecret\":\"s\","
                    + "\"baseUrl\":\"http://127.0.0.1:9\",\"dryRun\":true}";
            case "POST /v1/sites/{siteId}/feeds" -> "{\"format\":\"google-ads-calls\",\"windowDays\":30}";
            case "POST /v1/auth/login" -> "{\"email\":\"nobody@sweep.test\",\"password\":\"not the password\"}";
            case "POST /v1/workspaces" -> "{\"name\":\"W\",\"owner\":{\"email\":\"w@sweep.test\"}}";
            case "POST /v1/workspaces/{workspaceId}/invites" -> "{\"email\":\"inv@sweep.test\",\"role\":\"viewer\"}";
            case "PATCH /v1/workspaces/{workspaceId}/members/{userId}" -> "{\"role\":\"analyst\"}";
            case "POST /v1/invites/{token}", "POST /v1/password-resets/{token}" -> "{\"password\":\"correct horse battery\"}";
            // A wrong current password: the sweep's person keeps theirs (and their other sessions) whatever the case.
            case "POST /v1/me/password" -> "{\"currentPassword\":\"not the password\",\"password\":\"a new password 1\"}";
            default -> null;
        };
        if (known != null) {
            return utf8(known);
        }
        String type = firstType(op);
        if ("application/x-www-form-urlencoded".equals(type)) {
            return utf8("CallSid=CAsweep&From=" + encode(CALLER) + "&To=" + encode(POOL_NUMBER) + "&CallStatus=ringing");
        }
        return utf8("{}");
    }

    // ---------------------------------------------------------------------------------------------
    // Small helpers

    static JsonNode resolve(JsonNode node) {
        JsonNode n = node;
        while (n.has("$ref")) {
            JsonNode target = document;
            for (String part : n.get("$ref").asText().substring(2).split("/")) {
                target = target.path(part);
            }
            n = target;
        }
        return n;
    }

    private static byte[] duplicateKeys(byte[] base) {
        String text = base == null ? "{}" : new String(base, StandardCharsets.UTF_8);
        try {
            JsonNode node = JSON.readTree(text);
            if (node instanceof ObjectNode o && o.size() > 0) {
                Map.Entry<String, JsonNode> first = o.properties().iterator().next();
                String extra = JSON.writeValueAsString(first.getKey()) + ":" + first.getValue() + ",";
                return utf8("{" + extra + text.substring(1));
            }
        } catch (IOException e) {
            // a form body: fall through
        }
        return utf8("{\"a\":1,\"a\":2}");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** {@code t=<now>,v1=<hex HMAC-SHA256(secret, t + "." + body)>} over the raw bytes (the body may not be UTF-8). */
    static String signature(String secret, byte[] body) {
        long t = server.clock.instant().getEpochSecond();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(utf8(secret), "HmacSHA256"));
            mac.update(utf8(t + "."));
            return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Reply signedEvent(String siteId, byte[] body) {
        return server.send("POST", "/v1/telephony/" + siteId + "/events", null, new String(body, StandardCharsets.UTF_8), "application/json",
                Map.of("X-Ringpool-Signature", signature(real.get("webhookSecret"), body)));
    }
}
