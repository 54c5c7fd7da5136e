package io.ringpool.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringpool.call.CallEvent;
import io.ringpool.call.CallEventTimes;
import io.ringpool.call.Signing;
import io.ringpool.telephony.provider.ProviderSigning;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise "Ringpool never drops a call", checked on the signed half of the telephony webhooks:
 * one real server, one site with a pool and every provider the server speaks over HTTP configured
 * (Twilio with its transcription callback, SignalWire, Plivo, Telnyx Call Control and TeXML, Vonage by
 * POST and by GET (answer and event URLs set to GET), Zadarma, FreeSWITCH, Mango,
 * UIS, the generic Ringpool-signed JSON). For each provider the sweep starts from the valid event
 * sequence of its own test (ringing, answered, completed, recording, to a pool number), then, one
 * field at a time, sends that sequence again, <em>correctly signed</em>, with a hostile value in the
 * field: missing, empty, the wrong type, 10,000 characters, unicode, NUL, control characters, odd
 * durations and times, unknown statuses, odd callers and dialled numbers, odd recording links. Also
 * per provider: call ids of every shape, duplicate and reversed deliveries, and one call id shared by
 * every provider.
 *
 * <p>Judged for every reply: never 5xx, never internals in the body, a 4xx only where the adapter's
 * documentation refuses that event (with API.md's error shape). And the core property, after all
 * cases: <b>a genuine call (a dialled pool number and a recognisable event) is stored exactly
 * once</b>, readable in the call log and by its id, whatever its other fields carry; a call to a
 * number the site does not own is stored nowhere. Violations are collected and reported at once
 * (provider, field, value, status, the body's start).
 *
 * <p>Deterministic: no randomness (nonces and JWT ids are counters), cases in a fixed order, each
 * with its own call id and caller so that cases run in parallel cannot meet.
 */
class ProviderWebhookSweepTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What an exception leaking into a body looks like (as {@code BadInputSweepTest} judges). */
    private static final List<String> INTERNALS = List.of("Exception", "\tat ", "at io.ringpool.", "java.lang", "java.util.",
            "org.h2", "com.fasterxml", "io.netty", "jdbc:", "org.postgresql", "SQLState");
    /** Modest: the box has two cores and other work on it. */
    private static final int PARALLEL = 3;

    static final String NUMBER = ProviderTestKit.NUMBER;
    static final String OTHER_SITE_NUMBER = "+74950002002";
    static final String TWILIO_TOKEN = "twilio-auth-token-sweep-0001";
    static final String SIGNALWIRE_KEY = "PSK_signalwire_sweep_0001";
    static final String PLIVO_TOKEN = "plivo-auth-token-sweep-0001";
    static final String VONAGE_SECRET = "vonage-signature-secret-of-forty-chars-99";
    static final String ZADARMA_SECRET = "zadarma-api-secret-sweep-0001";
    static final String FS_USER = "fs";
    static final String FS_PASSWORD = "cdr-password-sweep-0001";
    static final String MANGO_KEY = "mango-vpbx-api-key-sweep";
    static final String MANGO_SALT = "mango-vpbx-api-salt-sweep";
    static final String UIS_TOKEN = "uis-token-sweep-0123456789";
    static final String MEGAPBX_TOKEN = "2f4c6e8a-megapbx-crm-token-sweep";

    @TempDir
    static Path dir;
    static ProviderTestKit kit;
    static String siteId;
    static Map<String, String> otherSite;
    static PrivateKey telnyxKey;
    static HttpClient client;
    /** Counters for Plivo nonces and Vonage JWT ids: unique per request, the same on every run. */
    static final AtomicLong SEQUENCE = new AtomicLong();
    static final AtomicInteger REQUESTS = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        kit = new ProviderTestKit(dir);
        siteId = kit.siteId;
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        telnyxKey = pair.getPrivate();
        byte[] spki = pair.getPublic().getEncoded();
        byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length); // X.509 SPKI ends with the raw key
        Map<String, Object> providers = new LinkedHashMap<>();
        providers.put("signalwire", Map.of("signingKey", SIGNALWIRE_KEY));
        providers.put("plivo", Map.of("authToken", PLIVO_TOKEN));
        providers.put("telnyx", Map.of("publicKey", ProviderSigning.base64(raw)));
        providers.put("vonage", Map.of("signatureSecret", VONAGE_SECRET));
        providers.put("zadarma", Map.of("secret", ZADARMA_SECRET));
        providers.put("freeswitch", Map.of("username", FS_USER, "password", FS_PASSWORD));
        providers.put("mango", Map.of("apiKey", MANGO_KEY, "apiSalt", MANGO_SALT));
        providers.put("uis", Map.of("token", UIS_TOKEN));
        providers.put("megapbx", Map.of("crmToken", MEGAPBX_TOKEN));
        var patched = kit.patch(Map.of("twilioAuthToken", TWILIO_TOKEN, "providers", providers));
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        // A second site, whose number a hostile event may name: nothing of it may land anywhere.
        otherSite = kit.server.siteWithPool(List.of(OTHER_SITE_NUMBER));
    }

    @AfterAll
    static void stop() {
        kit.close();
    }

    // ---------------------------------------------------------------------------------------------
    // The sweep

    @Test
    void everySignedProviderWebhookWithHostileValuesKeepsEachGenuineCallExactlyOnceAndNeverAnswers5xx() throws Exception {
        List<Adapter> adapters = adapters();
        List<Case> cases = new ArrayList<>();
        for (Adapter a : adapters) {
            cases.addAll(casesOf(a, cases.size()));
        }
        cases.addAll(sharedIdCases(adapters, cases.size()));

        long began = System.nanoTime();
        Instant firstReceipt = kit.server.clock.instant();
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Case c : cases) {
                running.add(pool.submit(() -> run(c, violations)));
            }
            for (Future<?> f : running) {
                f.get();
            }
            kit.server.awaitCallsStored();
            checkStoredCalls(cases, violations, pool, firstReceipt);
        } finally {
            pool.shutdown();
        }
        long millis = (System.nanoTime() - began) / 1_000_000;
        System.out.printf("provider_webhook_sweep adapters=%d cases=%d requests=%d millis=%d violations=%d%n", adapters.size(),
                cases.size(), REQUESTS.get(), millis, violations.size());
        List<String> sorted = new ArrayList<>(violations);
        Collections.sort(sorted);
        assertThat(sorted).as("%d violations in %d cases", sorted.size(), cases.size()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // Signed races

    /** How many copies of one event race, and how many threads deliver a call's conflicting events. */
    static final int SAME_AT_ONCE = 8;

    /**
     * Per provider, the terminal request whose status can say "missed" or "busy" instead, and those
     * alternatives: with them, one call's events conflict (answered vs completed vs missed vs busy).
     */
    static final Map<String, Object[]> CONFLICTS = Map.of(
            "twilio", new Object[] {"status completed", "CallStatus", List.of("no-answer", "busy")},
            "signalwire", new Object[] {"status completed", "CallStatus", List.of("no-answer", "busy")},
            "plivo", new Object[] {"hangup", "CallStatus", List.of("no-answer", "busy")},
            "telnyx call control", new Object[] {"call.hangup", "data.payload.hangup_cause", List.of("no_answer", "user_busy")},
            "telnyx texml", new Object[] {"texml dial action", "DialCallStatus", List.of("no-answer", "busy")},
            "vonage", new Object[] {"outbound completed", "status", List.of("timeout", "busy")},
            "vonage GET", new Object[] {"GET outbound completed", "status", List.of("timeout", "busy")},
            "zadarma", new Object[] {"NOTIFY_END", "disposition", List.of("no answer", "busy")});

    /** The adapter's sequence and, after it, copies of its terminal request saying "missed" and "busy". */
    static List<Doc> conflicting(Adapter a, String id, String caller) {
        Object[] c = CONFLICTS.get(a.label);
        List<Doc> docs = new ArrayList<>(a.sequence(id, caller));
        for (Doc d : List.copyOf(docs)) {
            if (d.step.equals(c[0])) {
                @SuppressWarnings("unchecked")
                List<String> alternatives = (List<String>) c[2];
                for (String alt : alternatives) {
                    Doc variant = new Doc(d.step + " " + alt, d.path, d.format);
                    d.fields.forEach((k, v) -> variant.put(k, k.equals(c[1]) ? alt : d.text(k), d.roles.get(k)));
                    docs.add(variant);
                }
            }
        }
        return docs;
    }

    /** Sends every request at once from its own thread (released together); returns "step=status" per request. */
    static List<String> atOnce(Adapter a, List<Doc> docs, List<Integer> deliveries, ExecutorService pool) throws Exception {
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(docs.size());
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<Future<String>> sent = new ArrayList<>();
        for (Doc d : docs) {
            d.signedAt = now(); // before the threads start: copies that share a request must not race on its signing time
        }
        for (int i = 0; i < docs.size(); i++) {
            Doc d = docs.get(i);
            int delivery = deliveries.get(i);
            sent.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                Reply r = a.send(d, delivery);
                return d.step + "=" + r.status() + (r.status() >= 400 ? " " + shown(r.body()) : "");
            }));
        }
        ready.await();
        go.countDown();
        List<String> out = new ArrayList<>();
        for (Future<String> f : sent) {
            out.add(f.get());
        }
        return out;
    }

    /** A reply a race may get: a 2xx, or a documented refusal of a replay (a copy whose signature was already taken). */
    static boolean raceReplyOk(String reply) {
        String status = reply.substring(reply.indexOf('=') + 1);
        return status.startsWith("2") || status.startsWith("403") && status.contains("replayed_signature");
    }

    @Test
    void signedRacesOfTheSameEventAndOfConflictingEventsLeaveEachCallStoredOnceInTheStateItsEventsMean() throws Exception {
        long began = System.nanoTime();
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        /** Per adapter: the race calls and the sequential controls whose final states must agree. */
        Map<String, List<String>> compare = new LinkedHashMap<>();
        Map<String, Adapter> adapterOf = new ConcurrentHashMap<>();
        int requests = 0;
        try {
            int n = 900_000;
            for (Adapter a : adapters()) {
                if (!CONFLICTS.containsKey(a.label)) {
                    continue;
                }
                String key = "race-" + a.label.replace(' ', '-') + "-";
                // The same event 8x at once, request after request of the sequence (each copy signed as the provider
                // signs a redelivery: anew where it guards against replays).
                String same = key + "same";
                List<Doc> sequence = a.sequence(same, callerFor(n++));
                for (Doc d : sequence) {
                    List<Doc> copies = Collections.nCopies(SAME_AT_ONCE, d);
                    List<Integer> deliveries = new ArrayList<>();
                    for (int i = 0; i < SAME_AT_ONCE; i++) {
                        deliveries.add(i);
                    }
                    for (String r : atOnce(a, copies, deliveries, pool)) {
                        requests++;
                        if (!raceReplyOk(r)) {
                            violations.add(a.label + " | same event x" + SAME_AT_ONCE + " | " + r);
                        }
                    }
                }
                // Conflicting events of one call at once, twice each; and, as controls, the same events one by one in
                // order and in reverse.
                List<String> ids = new ArrayList<>(List.of(same));
                for (int round = 0; round < 2; round++) {
                    String id = key + "conflict-" + round;
                    ids.add(id);
                    List<Doc> docs = new ArrayList<>();
                    List<Integer> deliveries = new ArrayList<>();
                    for (Doc d : conflicting(a, id, callerFor(n++))) {
                        docs.add(d);
                        deliveries.add(0);
                        docs.add(d);
                        deliveries.add(1);
                    }
                    for (String r : atOnce(a, docs, deliveries, pool)) {
                        requests++;
                        if (!raceReplyOk(r)) {
                            violations.add(a.label + " | conflicting events at once | " + r);
                        }
                    }
                }
                for (boolean reversed : List.of(false, true)) {
                    String id = key + (reversed ? "reverse" : "forward");
                    ids.add(id);
                    List<Doc> docs = conflicting(a, id, callerFor(n++));
                    if (reversed) {
                        Collections.reverse(docs);
                    }
                    for (Doc d : docs) {
                        Reply r = a.send(d, 0);
                        requests++;
                        if (!raceReplyOk(d.step + "=" + r.status() + " " + shown(r.body()))) {
                            violations.add(a.label + " | conflicting events one by one | " + d.step + "=" + r.status() + " " + shown(r.body()));
                        }
                    }
                }
                compare.put(a.label, ids);
                adapterOf.put(a.label, a);
            }
            kit.server.awaitCallsStored();

            Map<String, List<JsonNode>> byProviderId = new HashMap<>();
            String cursor = null;
            do {
                TestReply page = getJson("/v1/sites/" + siteId + "/calls?limit=500" + (cursor == null ? "" : "&cursor=" + cursor), kit.apiKey);
                assertThat(page.status()).as(page.body()).isEqualTo(200);
                for (JsonNode call : page.json().path("calls")) {
                    byProviderId.computeIfAbsent(call.path("provider").asText() + "\n" + call.path("providerCallId").asText(),
                            k -> new ArrayList<>()).add(call);
                }
                JsonNode next = page.json().path("nextCursor");
                cursor = next.isTextual() ? next.asText() : null;
            } while (cursor != null);

            compare.forEach((label, ids) -> {
                Adapter a = adapterOf.get(label);
                Map<String, String> states = new LinkedHashMap<>();
                for (String id : ids) {
                    List<JsonNode> found = byProviderId.getOrDefault(a.provider + "\n" + id, List.of());
                    if (found.size() != 1) {
                        violations.add(label + " | " + id + " | stored " + found.size() + " times");
                        continue;
                    }
                    JsonNode c = found.get(0);
                    if (c.path("talkSeconds").asInt(0) > c.path("durationSeconds").asInt(Integer.MAX_VALUE)) {
                        violations.add(label + " | " + id + " | talk " + c.path("talkSeconds").asText() + " s in a call of "
                                + c.path("durationSeconds").asText() + " s");
                    }
                    states.put(id, c.path("status").asText() + " duration=" + c.path("durationSeconds").asText() + " talk="
                            + c.path("talkSeconds").asText() + " recording=" + !c.path("recordingUrl").isNull());
                }
                // The conflicting calls (raced twice, one by one in order and in reverse) carry the same events: one final state.
                Set<String> finals = states.entrySet().stream().filter(e -> !e.getKey().endsWith("same")).map(Map.Entry::getValue)
                        .collect(Collectors.toCollection(LinkedHashSet::new));
                if (finals.size() > 1) {
                    violations.add(label + " | the same conflicting events end in different states | " + states);
                }
                System.out.printf("provider_race_final provider=%s states=%s%n", label, states.values());
            });
        } finally {
            pool.shutdown();
        }
        System.out.printf("provider_race_sweep adapters=%d requests=%d millis=%d violations=%d%n", compare.size(), requests,
                (System.nanoTime() - began) / 1_000_000, violations.size());
        assertThat(violations).isEmpty();
    }

    /** The judge must be able to fail: a 5xx, a leaked class name, an undocumented 4xx, a 4xx without the error shape. */
    @Test
    void theJudgeSeesEachKindOfViolation() {
        Reply ok = new Reply(200, "text/xml", "<Response/>");
        assertThat(problemsOf(ok, Set.of())).isEmpty();
        assertThat(problemsOf(new Reply(500, "application/json", "{\"error\":{\"code\":\"internal_error\",\"message\":\"m\",\"field\":null}}"),
                Set.of())).anyMatch(p -> p.contains("5xx"));
        assertThat(problemsOf(new Reply(200, "text/plain", "java.lang.IllegalArgumentException: x"), Set.of()))
                .anyMatch(p -> p.contains("internals"));
        String refused = "{\"error\":{\"code\":\"invalid_value\",\"message\":\"m\",\"field\":\"CallSid\"}}";
        assertThat(problemsOf(new Reply(422, "application/json", refused), Set.of())).anyMatch(p -> p.contains("undocumented"));
        assertThat(problemsOf(new Reply(422, "application/json", refused), Set.of("422 invalid_value"))).isEmpty();
        assertThat(problemsOf(new Reply(422, "text/plain", "no"), Set.of("422 *"))).anyMatch(p -> p.contains("error shape"));
    }

    // ---------------------------------------------------------------------------------------------
    // Values

    /** What the adapter reads a field as; it picks the hostile values and what a genuine call needs. */
    enum Role { ID, CALLER, DIALLED, KIND, DIRECTION, TIME, SECONDS, URL, TEXT }

    /**
     * A hostile value.
     *
     * @param json    the raw JSON literal; null removes the field
     * @param form    the text in a form or query; null when the value has no form (an object, a lone surrogate)
     * @param genuine for a dialled number: still the pool number (a local spelling); for an id: still an id
     */
    record Value(String what, String json, String form, boolean genuine) {
        static Value missing() {
            return new Value("missing", null, null, false);
        }

        static Value text(String what, String s) {
            return new Value(what, quote(s), s, true);
        }

        static Value raw(String what, String json, String form) {
            return new Value(what, json, form, true);
        }

        Value notGenuine() {
            return new Value(what, json, form, false);
        }

        boolean missingField() {
            return json == null;
        }
    }

    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The general values a field gets again when a later request of the same call carries it. */
    static final Set<String> AGAIN = Set.of("missing", "empty", "an object", "10,000 characters", "NUL");

    /** How many of its role's own values a field gets again in a later request. */
    static final int AGAIN_OWN = 6;

    /** Every field gets these. */
    static List<Value> general() {
        List<Value> v = new ArrayList<>();
        v.add(Value.missing());
        v.add(Value.text("empty", ""));
        v.add(Value.text("blank", "   "));
        v.add(Value.raw("a number", "12345", "12345"));
        v.add(Value.raw("an object", "{\"k\":\"v\"}", null));
        v.add(Value.raw("an array", "[\"x\"]", null));
        v.add(Value.raw("a boolean", "true", "true"));
        v.add(Value.raw("null", "null", null));
        v.add(Value.text("10,000 characters", "s".repeat(10_000)));
        v.add(Value.text("10,000 CJK characters", "电".repeat(10_000)));
        v.add(Value.text("RTL override", "\u202eevil\u202c"));
        v.add(Value.text("emoji", "\ud83d\udcde\ud83d\ude00"));
        v.add(Value.text("NUL", "a\u0000b"));
        v.add(Value.text("control characters", "\u0001\u0008\u001b\u007f\r\n"));
        v.add(Value.raw("lone surrogate", "\"\\ud800\"", null));
        return v;
    }

    static List<Value> valuesOf(Role role, String original) {
        List<Value> v = new ArrayList<>(general());
        String plain = original == null ? "" : original;
        switch (role) {
            case CALLER -> {
                v.add(Value.text("anonymous", "anonymous"));
                v.add(Value.text("Restricted", "Restricted"));
                v.add(Value.text("Twilio's anonymous stand-in", "+266696687"));
                v.add(Value.text("letters", "abcdefgh"));
                v.add(Value.text("64 digits", "7".repeat(64)));
                v.add(Value.text("100 digits", "7".repeat(100)));
                v.add(Value.text("with an extension", "+7 (916) 123-45-67 ext. 123"));
                v.add(Value.text("with ;ext=", "+79161234567;ext=12"));
                v.add(Value.text("a SIP URI", "sip:alice@example.com"));
            }
            case DIALLED -> {
                String digits = NUMBER.substring(1);
                v.replaceAll(Value::notGenuine);
                v.add(Value.text("local 8-prefixed", "8" + digits.substring(1)));
                v.add(Value.text("local with punctuation", "8 (495) 000-10-01"));
                v.add(Value.text("international without +", digits));
                v.add(Value.text("E.164 with spaces", "+7 495 000-10-01"));
                v.add(Value.text("a number the site does not own", "+74959999999").notGenuine());
                v.add(Value.text("another site's number", OTHER_SITE_NUMBER).notGenuine());
                v.add(Value.text("another site's number without +", OTHER_SITE_NUMBER.substring(1)).notGenuine());
                v.add(Value.text("unknown", "unknown").notGenuine());
                v.add(Value.text("64 digits", "7".repeat(64)).notGenuine());
            }
            case KIND, DIRECTION -> {
                v.add(Value.text("an unknown name", "no-such-status"));
                v.add(Value.text("upper case", plain.toUpperCase(java.util.Locale.ROOT)));
                v.add(Value.text("padded", " " + plain + " "));
                v.add(Value.text("with NUL", plain + "\u0000"));
                if (role == Role.DIRECTION) {
                    v.add(Value.text("outbound", "outbound"));
                    v.add(Value.text("outgoing", "outgoing"));
                }
            }
            case TIME -> {
                v.add(Value.text("ISO year 999999999", "+999999999-12-31T23:59:59Z"));
                v.add(Value.raw("unix Long.MAX", "9223372036854775807", "9223372036854775807"));
                v.add(Value.raw("unix 1e17", "100000000000000000", "100000000000000000"));
                v.add(Value.text("ISO epoch 0", "1970-01-01T00:00:00Z"));
                v.add(Value.text("garbage", "yesterday-ish"));
                v.add(Value.raw("unix 0", "0", "0"));
                v.add(Value.text("ISO year 1", "0001-01-01T00:00:00Z"));
                v.add(Value.text("ISO year 9999", "9999-12-31T23:59:59Z"));
                v.add(Value.text("ISO year -999999999", "-999999999-01-01T00:00:00Z"));
                v.add(Value.text("ISO 30 February", "2026-02-30T00:00:00Z"));
                v.add(Value.text("RFC 1123 epoch 0", "Thu, 01 Jan 1970 00:00:00 +0000"));
                v.add(Value.text("RFC 1123 year 9999", "Fri, 31 Dec 9999 23:59:59 +0000"));
                v.add(Value.text("local year 1", "0001-01-01 00:00:00"));
                v.add(Value.text("local year 9999", "9999-12-31 23:59:59"));
                v.add(Value.raw("unix -62135596800", "-62135596800", "-62135596800"));
                v.add(Value.raw("unix year 9999", "253402300799", "253402300799"));
                v.add(Value.raw("unix 1e400", "1e400", "1e400"));
                v.add(Value.raw("unix fractional", "1700000000.5", "1700000000.5"));
                v.add(Value.text("NaN", "NaN"));
            }
            case SECONDS -> {
                v.add(Value.raw("Long.MAX", "9223372036854775807", "9223372036854775807"));
                v.add(Value.raw("1e400", "1e400", "1e400"));
                v.add(Value.raw("negative", "-1", "-1"));
                v.add(Value.raw("Integer.MAX + 1", "2147483648", "2147483648"));
                v.add(Value.raw("20 digits", "99999999999999999999", "99999999999999999999"));
                v.add(Value.text("NaN", "NaN"));
                v.add(Value.raw("zero", "0", "0"));
                v.add(Value.raw("fractional", "1.5", "1.5"));
                v.add(Value.raw("negative zero", "-0.0", "-0.0"));
                v.add(Value.raw("Integer.MAX", "2147483647", "2147483647"));
                v.add(Value.raw("-1e400", "-1e400", "-1e400"));
                v.add(Value.text("Infinity", "Infinity"));
                v.add(Value.text("decimal comma", "1,5"));
                v.add(Value.text("number as text", "42"));
            }
            case URL -> {
                v.add(Value.text("a 10,000-character https URL", "https://rec.example.com/" + "a".repeat(10_000) + ".mp3"));
                v.add(Value.text("a 2,500-character https URL", "https://rec.example.com/" + "a".repeat(2_500) + ".mp3"));
                v.add(Value.text("not a URL", "not a url"));
                v.add(Value.text("javascript:", "javascript:alert(1)"));
                v.add(Value.text("ftp:", "ftp://rec.example.com/r.mp3"));
                v.add(Value.text("scheme only", "https://"));
                v.add(Value.text("relative", "/rec.mp3"));
                v.add(Value.text("data:", "data:audio/mpeg;base64,AAAA"));
                v.add(Value.text("upper-case scheme", "HTTPS://REC.EXAMPLE.COM/R.MP3"));
            }
            case ID, TEXT -> { }
        }
        return v;
    }

    /** Call ids of every shape: each must make exactly one call, or (not genuine) be refused without a 5xx. */
    static List<Value> idValues(String uniq) {
        List<Value> v = new ArrayList<>();
        v.add(Value.missing().notGenuine());
        v.add(Value.text("empty", "").notGenuine());
        v.add(Value.text("blank", "   ").notGenuine());
        v.add(Value.raw("an object", "{\"k\":\"v\"}", null).notGenuine());
        v.add(Value.raw("an array", "[\"x\"]", null).notGenuine());
        v.add(Value.raw("null", "null", null).notGenuine());
        v.add(Value.text("1 character", uniq.substring(uniq.length() - 1)));
        v.add(Value.text("100 characters", pad(uniq, 100)));
        v.add(Value.text("101 characters", pad(uniq, 101)));
        v.add(Value.text("300 characters", pad(uniq, 300)));
        v.add(Value.text("10,000 characters", pad(uniq, 10_000)));
        v.add(Value.text("unicode", uniq + "-ид-\ud83d\udcde"));
        v.add(Value.text("RTL override", uniq + "\u202eevil\u202c"));
        v.add(Value.text("NUL", uniq + "\u0000x"));
        v.add(Value.text("control characters", uniq + "\u0001\u001b"));
        v.add(Value.text("padded", "  " + uniq + "  "));
        v.add(Value.text("with / ? # &", uniq + "/a?b#c&d=e"));
        v.add(Value.raw("a number", Long.toString(9_000_000_000L + Math.abs(uniq.hashCode())),
                Long.toString(9_000_000_000L + Math.abs(uniq.hashCode()))));
        return v;
    }

    /** {@code uniq} and filler up to {@code length} characters; the start stays unique (stored ids keep their first 40). */
    static String pad(String uniq, int length) {
        return (uniq + "-" + "i".repeat(length)).substring(0, length);
    }

    // ---------------------------------------------------------------------------------------------
    // Requests as providers send them

    enum Format { FORM, JSON, QUERY }

    /** One request of a sequence: its route, its fields in order (JSON: raw literals under dotted names), what each means. */
    static final class Doc {
        final String step;
        final String path;
        final Format format;
        final LinkedHashMap<String, String> fields = new LinkedHashMap<>();
        final Map<String, Role> roles = new LinkedHashMap<>();
        /** When the first delivery was signed, for providers whose redeliveries are signed anew. */
        long signedAt;

        Doc(String step, String path, Format format) {
            this.step = step;
            this.path = path;
            this.format = format;
        }

        /** A text field; {@code role} null for one the sweep leaves alone. */
        Doc put(String name, String value, Role role) {
            fields.put(name, format == Format.JSON ? quote(value) : value);
            if (role != null) {
                roles.put(name, role);
            }
            return this;
        }

        /** A JSON literal (a number, an array); forms get its text. */
        Doc raw(String name, String literal, Role role) {
            fields.put(name, literal);
            if (role != null) {
                roles.put(name, role);
            }
            return this;
        }

        /** The field's value as sent (JSON: its literal). */
        String original(String name) {
            String v = fields.get(name);
            if (v == null || format != Format.JSON) {
                return v;
            }
            try {
                return JSON.readTree(v).asText();
            } catch (IOException e) {
                return v;
            }
        }

        /** Sets a hostile value; false when it cannot be written in this format (then the case is skipped). */
        boolean set(String name, Value value) {
            if (value.missingField()) {
                fields.remove(name);
                return true;
            }
            String v = format == Format.JSON ? value.json() : value.form();
            if (v == null) {
                return false;
            }
            fields.put(name, v);
            return true;
        }

        Doc copy() {
            Doc d = new Doc(step, path, format);
            d.fields.putAll(fields);
            d.roles.putAll(roles);
            return d;
        }

        String text(String name) {
            String v = fields.get(name);
            if (v == null) {
                return "";
            }
            return format == Format.JSON ? original(name) : v;
        }

        /** The body as bytes: a form, a JSON document built from the dotted names, or nothing for a query. */
        String body() {
            return switch (format) {
                case FORM -> form(fields);
                case QUERY -> "";
                case JSON -> json(fields);
            };
        }

        String pathAndQuery() {
            return format == Format.QUERY ? path + "?" + form(fields) : path;
        }
    }

    static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    /** A JSON object from dotted names to raw literals, nesting in first-seen order. */
    @SuppressWarnings("unchecked")
    static String json(Map<String, String> fields) {
        Map<String, Object> root = new LinkedHashMap<>();
        fields.forEach((name, literal) -> {
            String[] parts = name.split("\\.");
            Map<String, Object> at = root;
            for (int i = 0; i < parts.length - 1; i++) {
                Object next = at.get(parts[i]);
                if (!(next instanceof Map)) {
                    next = new LinkedHashMap<String, Object>();
                    at.put(parts[i], next);
                }
                at = (Map<String, Object>) next;
            }
            at.put(parts[parts.length - 1], literal);
        });
        return write(root);
    }

    @SuppressWarnings("unchecked")
    private static String write(Map<String, Object> node) {
        return node.entrySet().stream().map(e -> quote(e.getKey()) + ":"
                + (e.getValue() instanceof Map ? write((Map<String, Object>) e.getValue()) : (String) e.getValue()))
                .collect(Collectors.joining(",", "{", "}"));
    }

    record Reply(int status, String contentType, String body) {}

    static Reply request(String method, String pathAndQuery, String contentType, String body, Map<String, String> headers) {
        REQUESTS.incrementAndGet();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(kit.server.base() + pathAndQuery)).timeout(Duration.ofSeconds(30))
                .method(method, body == null || body.isEmpty() && method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        try {
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers().firstValue("content-type").orElse(null), new String(r.body(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Reply(0, null, "no answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Reply post(Doc d, Map<String, String> headers) {
        String type = d.format == Format.JSON ? "application/json" : "application/x-www-form-urlencoded";
        return request("POST", d.pathAndQuery(), type, d.body(), headers);
    }

    static long now() {
        return kit.server.clock.instant().getEpochSecond();
    }

    static String sha256Hex(String s) {
        try {
            return ProviderSigning.hex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One provider: its valid sequence for a call, and how it sends (and signs) one request.
     * {@code delivery} counts deliveries of the same request: providers that guard against replays
     * sign every delivery anew, as the real ones do.
     */
    abstract static class Adapter {
        final String label;
        final String provider;

        Adapter(String label, String provider) {
            this.label = label;
            this.provider = provider;
        }

        abstract List<Doc> sequence(String id, String caller);

        abstract Reply send(Doc d, int delivery);

        /** 4xx the adapter documents for a field with this role (e.g. "422 invalid_value"); the rest are violations. */
        Set<String> documentedRefusals(Role role) {
            return Set.of();
        }

        /** 4xx the adapter documents for a repeated delivery. */
        Set<String> duplicateRefusals() {
            return Set.of();
        }

        /** A JSON number where the call id goes is taken as the id (false: our own schema says the id is a string). */
        boolean acceptsNumericIds() {
            return true;
        }

        /**
         * A call id with control characters is a call, kept under its digest form (CallEvent.storedCallId); false where
         * our own schema refuses it (audit B, F5: the generic event's callId must be text without control characters).
         */
        boolean acceptsControlCharactersInIds() {
            return true;
        }

        /** The provider's numbers are written without '+'. */
        String bare(String e164) {
            return e164.substring(1);
        }
    }

    static String base(String provider) {
        return "/v1/telephony/" + provider + "/" + siteId;
    }

    /** Twilio and SignalWire: the same forms and the same signature scheme, in their own header with their own key. */
    static final class TwilioLike extends Adapter {
        final String header;
        final String key;
        final String root;

        TwilioLike(String provider, String root, String header, String key) {
            super(provider, provider);
            this.root = root;
            this.header = header;
            this.key = key;
        }

        @Override
        List<Doc> sequence(String id, String caller) {
            String stamp = DateTimeFormatter.RFC_1123_DATE_TIME.format(kit.server.clock.instant().atOffset(ZoneOffset.UTC));
            Doc voice = new Doc("voice", root + "/voice", Format.FORM).put("AccountSid", "AC0000000000000000000000000000sweep", null)
                    .put("CallSid", id, Role.ID).put("From", caller, Role.CALLER).put("To", NUMBER, Role.DIALLED)
                    .put("CallStatus", "ringing", Role.KIND).put("Direction", "inbound", Role.TEXT).put("Timestamp", stamp, Role.TIME);
            Doc answered = new Doc("status in-progress", root + "/status", Format.FORM).put("CallSid", "leg-" + id, Role.TEXT)
                    .put("ParentCallSid", id, Role.ID).put("CallStatus", "in-progress", Role.KIND).put("From", NUMBER, null)
                    .put("To", ProviderTestKit.FORWARD_TO, null).put("Timestamp", stamp, Role.TIME);
            Doc completed = new Doc("status completed", root + "/status", Format.FORM).put("CallSid", "leg-" + id, null)
                    .put("ParentCallSid", id, Role.ID).put("CallStatus", "completed", Role.KIND).put("CallDuration", "47", Role.SECONDS)
                    .put("RecordingUrl", "https://api.example.com/recordings/RE1", Role.URL).put("Timestamp", stamp, Role.TIME);
            Doc recording = new Doc("recording", root + "/recording", Format.FORM).put("CallSid", id, Role.ID)
                    .put("RecordingStatus", "completed", Role.KIND).put("RecordingUrl", "https://api.example.com/recordings/RE2", Role.URL);
            if (!provider.equals("twilio")) {
                return List.of(voice, answered, completed, recording);
            }
            // Twilio's transcription callback (transcribeCallback): the text of the call's recording.
            Doc transcription = new Doc("transcription", root + "/transcription", Format.FORM)
                    .put("AccountSid", "AC0000000000000000000000000000sweep", null).put("CallSid", id, Role.ID)
                    .put("TranscriptionSid", "TR" + id, null).put("TranscriptionStatus", "completed", Role.KIND)
                    .put("TranscriptionText", "I would like to order a sofa", Role.TEXT)
                    .put("TranscriptionUrl", "https://api.example.com/transcriptions/TR1", Role.URL).put("RecordingSid", "RE2", null)
                    .put("RecordingUrl", "https://api.example.com/recordings/RE2", Role.URL);
            return List.of(voice, answered, completed, recording, transcription);
        }

        @Override
        Reply send(Doc d, int delivery) {
            return post(d, Map.of(header, Signing.twilio(key, ProviderTestKit.PUBLIC_URL + d.path, d.fields)));
        }

        @Override
        Set<String> documentedRefusals(Role role) {
            // TwilioForm.statusFault (audit B, F4): a status post needs its CallSid, a CallStatus Twilio sends and, when it
            // has one, a CallDuration of whole seconds; the voice webhook refuses only a missing CallSid and forwards the rest.
            return switch (role) {
                case KIND, TEXT -> Set.of("422 invalid_value", "422 missing_field");
                case SECONDS -> Set.of("422 invalid_value");
                default -> Set.of();
            };
        }
    }

    static final class Plivo extends Adapter {
        Plivo() {
            super("plivo", "plivo");
        }

        @Override
        List<Doc> sequence(String id, String caller) {
            String b = base("plivo");
            String t = LocalTimes.now();
            Doc answer = new Doc("answer", b + "/answer", Format.FORM).put("CallUUID", id, Role.ID).put("From", bare(caller), Role.CALLER)
                    .put("To", bare(NUMBER), Role.DIALLED).put("CallStatus", "ringing", Role.TEXT).put("Direction", "inbound", null)
                    .put("Event", "StartApp", null).put("StartTime", t, Role.TIME);
            Doc hangup = new Doc("hangup", b + "/hangup", Format.FORM).put("CallUUID", id, Role.ID).put("From", bare(caller), Role.CALLER)
                    .put("To", bare(NUMBER), Role.DIALLED).put("CallStatus", "completed", Role.KIND).put("Duration", "95", Role.SECONDS)
                    .put("BillDuration", "95", null).put("Event", "Hangup", null).put("EndTime", t, Role.TIME)
                    .put("RecordUrl", "https://media.example.com/rec-1.mp3", Role.URL);
            Doc dialAnswer = new Doc("dial answer", b + "/hangup", Format.FORM).put("CallUUID", id, Role.ID)
                    .put("DialAction", "answer", Role.KIND).put("DialBLegUUID", "b-" + id, null).put("DialBLegStatus", "answer", Role.TEXT);
            Doc dialHangup = new Doc("dial hangup", b + "/hangup", Format.FORM).put("CallUUID", id, Role.ID)
                    .put("DialAction", "hangup", Role.KIND).put("DialBLegUUID", "b-" + id, null).put("DialBLegStatus", "hangup", Role.TEXT)
                    .put("DialBLegDuration", "75", Role.SECONDS);
            Doc recording = new Doc("recording", b + "/recording", Format.FORM).put("CallUUID", id, Role.ID)
                    .put("RecordUrl", "https://media.example.com/rec-2.mp3", Role.URL).put("RecordingID", "rec-" + id, null);
            return List.of(answer, hangup, dialAnswer, dialHangup, recording);
        }

        @Override
        Reply send(Doc d, int delivery) {
            String nonce = "nonce" + SEQUENCE.incrementAndGet();
            StringBuilder data = new StringBuilder(ProviderTestKit.PUBLIC_URL + d.path).append('?');
            new TreeMap<>(d.fields).forEach((k, v) -> data.append(k).append(v));
            String sig = ProviderSigning.base64(ProviderSigning.hmac("HmacSHA256", PLIVO_TOKEN, data + "." + nonce));
            return post(d, Map.of("X-Plivo-Signature-V3", sig, "X-Plivo-Signature-V3-Nonce", nonce));
        }
    }

    /** Plivo's callback time format, UTC. */
    static final class LocalTimes {
        static String now() {
            return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(kit.server.clock.instant().atOffset(ZoneOffset.UTC));
        }
    }

    static String telnyxSignature(long t, String body) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(telnyxKey);
            s.update((t + "|" + body).getBytes(StandardCharsets.UTF_8));
            return ProviderSigning.base64(s.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static final class TelnyxCallControl extends Adapter {
        TelnyxCallControl() {
            super("telnyx call control", "telnyx");
        }

        @Override
        List<Doc> sequence(String id, String caller) {
            Instant t0 = kit.server.clock.instant();
            List<Doc> docs = new ArrayList<>();
            String[][] steps = {{"call.initiated", "0"}, {"call.answered", "20"}, {"call.hangup", "95"}, {"call.recording.saved", "96"}};
            for (String[] s : steps) {
                Doc d = new Doc(s[0], base("telnyx"), Format.JSON).put("data.event_type", s[0], Role.KIND)
                        .put("data.id", "ev-" + s[0] + "-" + id, null).put("data.occurred_at", t0.plusSeconds(Long.parseLong(s[1])).toString(),
                                Role.TIME)
                        .put("data.payload.call_control_id", "v3:" + id, null).put("data.payload.call_session_id", id, Role.ID)
                        .put("data.payload.direction", "incoming", Role.DIRECTION).put("data.payload.from", caller, Role.CALLER)
                        .put("data.payload.to", NUMBER, Role.DIALLED);
                if (s[0].equals("call.hangup")) {
                    d.put("data.payload.hangup_cause", "normal_clearing", Role.TEXT);
                }
                if (s[0].equals("call.recording.saved")) {
                    d.put("data.payload.recording_urls.mp3", "https://s3.example.com/rec.mp3", Role.URL);
                }
                d.raw("meta.attempt", "1", null);
                docs.add(d);
            }
            return docs;
        }

        @Override
        Reply send(Doc d, int delivery) {
            return telnyx(d, delivery);
        }

        @Override
        Set<String> documentedRefusals(Role role) {
            // "a Call Control event needs data.event_type": without one it is no recognisable event.
            return role == Role.KIND ? Set.of("422 invalid_value") : Set.of();
        }
    }

    /** A redelivery is signed anew one second earlier, so it is not taken for a replay of the same signature. */
    static Reply telnyx(Doc d, int delivery) {
        if (delivery == 0 && d.signedAt == 0) {
            d.signedAt = now();
        }
        long t = d.signedAt - delivery;
        String body = d.body();
        String type = d.format == Format.JSON ? "application/json" : "application/x-www-form-urlencoded";
        return request("POST", d.path, type, body, Map.of("telnyx-signature-ed25519", telnyxSignature(t, body), "telnyx-timestamp",
                Long.toString(t)));
    }

    static final class TelnyxTexml extends Adapter {
        TelnyxTexml() {
            super("telnyx texml", "telnyx");
        }

        @Override
        List<Doc> sequence(String id, String caller) {
            Doc voice = new Doc("texml voice", base("telnyx"), Format.FORM).put("AccountSid", "acc", null).put("CallSid", id, Role.ID)
                    .put("From", caller, Role.CALLER).put("To", NUMBER, Role.DIALLED).put("CallStatus", "ringing", Role.KIND)
                    .put("Direction", "inbound", null);
            Doc action = new Doc("texml dial action", base("telnyx"), Format.FORM).put("CallSid", id, Role.ID)
                    .put("DialCallStatus", "completed", Role.KIND).put("DialCallDuration", "42", Role.SECONDS)
                    .put("RecordingUrl", "https://telnyx-recordings.example.com/rec-9.mp3", Role.URL);
            Doc recording = new Doc("texml recording", base("telnyx"), Format.FORM).put("AccountSid", "acc", null).put("CallSid", id, Role.ID)
                    .put("RecordingStatus", "completed", Role.KIND).put("RecordingUrl", "https://telnyx-recordings.example.com/rec-10.mp3",
                            Role.URL).put("RecordingSid", "rec-10", null);
            return List.of(voice, action, recording);
        }

        @Override
        Reply send(Doc d, int delivery) {
            return telnyx(d, delivery);
        }
    }

    static class Vonage extends Adapter {
        Vonage() {
            this("vonage");
        }

        Vonage(String label) {
            super(label, "vonage");
        }

        @Override
        List<Doc> sequence(String id, String caller) {
            String b = base("vonage");
            String ts = kit.server.clock.instant().toString();
            Doc answer = new Doc("answer", b + "/answer", Format.JSON).put("to", bare(NUMBER), Role.DIALLED).put("from", bare(caller), Role.CALLER)
                    .put("uuid", "leg-a-" + id, null).put("conversation_uuid", id, Role.ID);
            Doc outAnswered = new Doc("outbound answered", b + "/event", Format.JSON).put("conversation_uuid", id, Role.ID)
                    .put("uuid", "leg-b-" + id, null).put("direction", "outbound", Role.DIRECTION).put("status", "answered", Role.KIND)
                    .put("from", bare(NUMBER), null).put("to", "74951112233", null).put("timestamp", ts, Role.TIME);
            Doc outCompleted = new Doc("outbound completed", b + "/event", Format.JSON).put("conversation_uuid", id, Role.ID)
                    .put("uuid", "leg-b-" + id, null).put("direction", "outbound", Role.DIRECTION).put("status", "completed", Role.KIND)
                    .put("duration", "75", Role.SECONDS).put("from", bare(NUMBER), null).put("to", "74951112233", null)
                    .put("timestamp", ts, Role.TIME);
            Doc inCompleted = new Doc("inbound completed", b + "/event", Format.JSON).put("conversation_uuid", id, Role.ID)
                    .put("uuid", "leg-a-" + id, null).put("direction", "inbound", Role.DIRECTION).put("status", "completed", Role.KIND)
                    .put("duration", "95", Role.SECONDS).put("from", bare(caller), Role.CALLER).put("to", bare(NUMBER), Role.DIALLED)
                    .put("timestamp", ts, Role.TIME);
            Doc recording = new Doc("recording", b + "/event", Format.JSON).put("conversation_uuid", id, Role.ID)
                    .put("recording_url", "https://api.example.com/v1/files/rec-1", Role.URL).put("recording_uuid", "rec-" + id, null);
            return List.of(answer, outAnswered, outCompleted, inCompleted, recording);
        }

        @Override
        Reply send(Doc d, int delivery) {
            // A GET is hashed as Vonage hashes it: its query parameters as a compact JSON object, in their order.
            String body = d.format == Format.QUERY ? json(quoted(d.fields)) : d.body();
            String header = ProviderSigning.base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
            String claims = "{\"iat\":" + now() + ",\"jti\":\"jti-" + SEQUENCE.incrementAndGet() + "\",\"iss\":\"Vonage\",\"payload_hash\":\""
                    + sha256Hex(body) + "\",\"api_key\":\"abcd1234\",\"application_id\":\"aaaaaaaa-bbbb-cccc-dddd-0123456789ab\"}";
            String input = header + "." + ProviderSigning.base64Url(claims.getBytes(StandardCharsets.UTF_8));
            String jwt = input + "." + ProviderSigning.base64Url(ProviderSigning.hmac("HmacSHA256", VONAGE_SECRET, input));
            Map<String, String> auth = Map.of("Authorization", "Bearer " + jwt);
            return d.format == Format.QUERY ? request("GET", d.pathAndQuery(), null, null, auth) : post(d, auth);
        }
    }

    static Map<String, String> quoted(Map<String, String> fields) {
        Map<String, String> out = new LinkedHashMap<>();
        fields.forEach((k, v) -> out.put(k, quote(v)));
        return out;
    }

    /**
     * Vonage with the application's answer and event methods set to GET: the same fields as the
     * POST sequence, as query parameters (every value text), signed over the query.
     */
    static final class VonageGet extends Vonage {
        VonageGet() {
            super("vonage GET");
        }

        @Override
        List<Doc> sequence(String id, String caller) {
            List<Doc> out = new ArrayList<>();
            for (Doc post : super.sequence(id, caller)) {
                Doc get = new Doc("GET " + post.step, post.path, Format.QUERY);
                post.fields.keySet().forEach(name -> get.put(name, post.text(name), post.roles.get(name)));
                out.add(get);
            }
            return out;
        }
    }

    static final class Zadarma extends Adapter {
        static final String START = "2026-11-30 12:00:00";

        Zadarma() {
            super("zadarma", "zadarma");
        }

        @Override
        List<Doc> sequence(String id, String caller) {
            String b = base("zadarma");
            Doc start = new Doc("NOTIFY_START", b, Format.FORM).put("event", "NOTIFY_START", Role.KIND).put("call_start", START, Role.TEXT)
                    .put("pbx_call_id", id, Role.ID).put("caller_id", bare(caller), Role.CALLER).put("called_did", bare(NUMBER), Role.DIALLED);
            Doc answer = new Doc("NOTIFY_ANSWER", b, Format.FORM).put("event", "NOTIFY_ANSWER", Role.KIND)
                    .put("caller_id", bare(caller), Role.CALLER).put("destination", "100", Role.TEXT).put("call_start", START, null)
                    .put("pbx_call_id", id, Role.ID).put("internal", "100", null);
            Doc end = new Doc("NOTIFY_END", b, Format.FORM).put("event", "NOTIFY_END", Role.KIND).put("call_start", START, null)
                    .put("pbx_call_id", id, Role.ID).put("caller_id", bare(caller), Role.CALLER).put("called_did", bare(NUMBER), Role.DIALLED)
                    .put("internal", "100", null).put("duration", "75", Role.SECONDS).put("disposition", "answered", Role.KIND)
                    .put("status_code", "16", null).put("is_recorded", "1", null).put("call_id_with_rec", "rec-" + id, null);
            Doc record = new Doc("NOTIFY_RECORD", b, Format.FORM).put("event", "NOTIFY_RECORD", Role.KIND)
                    .put("call_id_with_rec", "rec-" + id, Role.TEXT).put("pbx_call_id", id, Role.ID);
            return List.of(start, answer, end, record);
        }

        /** The fields Zadarma's SDK concatenates for each event (absent ones as ""). */
        @Override
        Reply send(Doc d, int delivery) {
            String data = switch (d.text("event")) {
                case "NOTIFY_ANSWER" -> d.text("caller_id") + d.text("destination") + d.text("call_start");
                case "NOTIFY_RECORD" -> d.text("pbx_call_id") + d.text("call_id_with_rec");
                default -> d.text("caller_id") + d.text("called_did") + d.text("call_start");
            };
            String hex = ProviderSigning.hex(ProviderSigning.hmac("HmacSHA1", ZADARMA_SECRET, data));
            return post(d, Map.of("Signature", ProviderSigning.base64(hex.getBytes(StandardCharsets.US_ASCII))));
        }

        @Override
        Set<String> documentedRefusals(Role role) {
            // "unknown Zadarma event": the signed fields depend on the event, so an unknown one cannot be verified.
            return role == Role.KIND ? Set.of("422 invalid_value") : Set.of();
        }
    }

    static final class Freeswitch extends Adapter {
        Freeswitch() {
            super("freeswitch", "freeswitch");
        }

        @Override
        List<Doc> sequence(String id, String caller) {
            long t0 = now();
            Doc cdr = new Doc("inbound CDR", base("freeswitch") + "/cdr", Format.JSON).put("core-uuid", "core-1", null)
                    .put("channel_data.state", "CS_REPORTING", null).put("channel_data.direction", "inbound", Role.TEXT)
                    .put("variables.uuid", id, Role.ID).put("variables.direction", "inbound", Role.DIRECTION)
                    .put("variables.caller_id_number", caller, Role.CALLER).put("variables.destination_number", NUMBER, Role.DIALLED)
                    .put("variables.start_epoch", Long.toString(t0), Role.TIME).put("variables.answer_epoch", Long.toString(t0 + 20), Role.TIME)
                    .put("variables.end_epoch", Long.toString(t0 + 95), Role.TIME).put("variables.duration", "95", Role.SECONDS)
                    .put("variables.billsec", "75", Role.SECONDS).put("variables.hangup_cause", "NORMAL_CLEARING", Role.KIND)
                    // put through to an extension: bridged when answered, the B-leg named
                    .put("variables.bridge_epoch", Long.toString(t0 + 20), null).put("variables.bridge_uuid", "b-" + id, null)
                    .put("variables.ringpool_recording_url", "https://pbx.example.com/rec/" + "a.wav", Role.URL)
                    .raw("callflow", "[{\"caller_profile\":{\"uuid\":" + quote(id) + ",\"caller_id_number\":" + quote(caller)
                            + ",\"destination_number\":" + quote(NUMBER) + "},\"times\":{}}]", null);
            Doc bLeg = new Doc("outbound CDR", base("freeswitch") + "/cdr", Format.JSON).put("variables.uuid", "b-" + id, null)
                    .put("variables.direction", "outbound", null).put("variables.caller_id_number", caller, null)
                    .put("variables.destination_number", ProviderTestKit.FORWARD_TO, null).put("variables.start_epoch", Long.toString(t0 + 1), null)
                    .put("variables.end_epoch", Long.toString(t0 + 95), null);
            return List.of(cdr, bLeg);
        }

        @Override
        Reply send(Doc d, int delivery) {
            return post(d, Map.of("Authorization", "Basic " + ProviderSigning.base64((FS_USER + ":" + FS_PASSWORD).getBytes(StandardCharsets.UTF_8))));
        }
    }

    static final class Mango extends Adapter {
        Mango() {
            super("mango", "mango");
        }

        @Override
        List<Doc> sequence(String id, String caller) {
            long t0 = now();
            String b = base("mango") + "/events/";
            List<Doc> docs = new ArrayList<>();
            Object[][] calls = {{"Appeared", "ivr", 1, 0L, "leg-1"}, {"Connected", "abonent", 4, 20L, "leg-2"}};
            for (Object[] c : calls) {
                docs.add(new Doc("call " + c[0], b + "call", Format.JSON).put("entry_id", id, Role.ID).put("call_id", (String) c[4], null)
                        .raw("timestamp", Long.toString(t0 + (Long) c[3]), Role.TIME).raw("seq", c[2].toString(), null)
                        .put("call_state", (String) c[0], Role.KIND).put("location", (String) c[1], Role.TEXT)
                        .put("from.number", bare(caller), Role.CALLER).put("to.extension", "101", null).put("to.number", "sip:101@vpbx", null)
                        .put("to.line_number", bare(NUMBER), Role.DIALLED).raw("disconnect_reason", "0", null));
            }
            docs.add(new Doc("summary", b + "summary", Format.JSON).put("entry_id", id, Role.ID).raw("call_direction", "1", Role.DIRECTION)
                    .put("from.number", bare(caller), Role.CALLER).put("to.extension", "101", null).put("line_number", bare(NUMBER), Role.DIALLED)
                    .raw("create_time", Long.toString(t0), Role.TIME).raw("forward_time", Long.toString(t0 + 5), null)
                    .raw("talk_time", Long.toString(t0 + 20), Role.TIME).raw("end_time", Long.toString(t0 + 95), Role.TIME)
                    .raw("entry_result", "1", Role.KIND).raw("disconnect_reason", "1110", null));
            docs.add(new Doc("recording", b + "recording", Format.JSON).put("recording_id", "MTox" + id, Role.TEXT)
                    .put("recording_state", "Completed", Role.KIND).raw("seq", "6", null).put("entry_id", id, Role.ID)
                    .put("call_id", "leg-2", null).put("extension", "101", null).raw("timestamp", Long.toString(t0 + 96), Role.TIME));
            return docs;
        }

        @Override
        Reply send(Doc d, int delivery) {
            String json = d.body();
            Map<String, String> form = new LinkedHashMap<>();
            form.put("vpbx_api_key", MANGO_KEY);
            form.put("sign", sha256Hex(MANGO_KEY + json + MANGO_SALT));
            form.put("json", json);
            return request("POST", d.path, "application/x-www-form-urlencoded", form(form), Map.of());
        }

        @Override
        Set<String> documentedRefusals(Role role) {
            // "a notice older than WINDOW is refused as stale": Mango's time is inside what it signs.
            return role == Role.TIME ? Set.of("403 stale_signature") : Set.of();
        }

        @Override
        Set<String> duplicateRefusals() {
            // A repeat of a notice is Mango's own retry (the same json is the same sign): answered again, nothing stored again.
            return Set.of();
        }
    }

    /** MegaFon / MTS cloud PBX (ITooLabs «API для CRM»): a fixed form with crm_token; the history by GET here, as it may come. */
    static final class Megapbx extends Adapter {
        Megapbx() {
            super("megapbx", "megapbx");
        }

        Doc event(String type, String id, String caller) {
            return new Doc("event " + type, base("megapbx"), Format.FORM).put("crm_token", MEGAPBX_TOKEN, null).put("cmd", "event", Role.KIND)
                    .put("type", type, Role.KIND).put("phone", bare(caller), Role.CALLER).put("diversion", bare(NUMBER), Role.DIALLED)
                    .put("user", "ivanov", Role.TEXT).put("direction", "in", Role.DIRECTION).put("callid", id, Role.ID);
        }

        @Override
        List<Doc> sequence(String id, String caller) {
            Doc contact = new Doc("contact", base("megapbx"), Format.FORM).put("crm_token", MEGAPBX_TOKEN, null).put("cmd", "contact", Role.KIND)
                    .put("phone", bare(caller), Role.CALLER).put("callid", id, Role.ID);
            String start = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC)
                    .format(kit.server.clock.instant());
            Doc history = new Doc("history", base("megapbx"), Format.QUERY).put("crm_token", MEGAPBX_TOKEN, null)
                    .put("cmd", "history", Role.KIND).put("type", "in", Role.KIND).put("status", "Success", Role.KIND)
                    .put("phone", bare(caller), Role.CALLER).put("diversion", bare(NUMBER), Role.DIALLED).put("start", start, Role.TIME)
                    .put("wait", "20", Role.SECONDS).put("duration", "75", Role.SECONDS)
                    .put("link", "https://vpbx000000.megapbx.ru/records/1.mp3", Role.URL).put("callid", id, Role.ID);
            return List.of(contact, event("INCOMING", id, caller), event("ACCEPTED", id, caller), event("COMPLETED", id, caller), history);
        }

        @Override
        Reply send(Doc d, int delivery) {
            return d.format == Format.QUERY ? request("GET", d.pathAndQuery(), null, null, Map.of()) : post(d, Map.of());
        }

        @Override
        Set<String> documentedRefusals(Role role) {
            // The javadoc: a request without callid is refused; everything else odd is left out of the call or ignored.
            return role == Role.ID ? Set.of("422 invalid_value") : Set.of();
        }
    }

    static final class Uis extends Adapter {
        Uis() {
            super("uis", "uis");
        }

        @Override
        List<Doc> sequence(String id, String caller) {
            String b = base("uis") + "/" + UIS_TOKEN;
            Doc ringing = new Doc("GET ringing", b, Format.QUERY).put("event", "ringing", Role.KIND).put("call_session_id", id, Role.ID)
                    .put("contact_phone_number", bare(caller), Role.CALLER).put("virtual_phone_number", bare(NUMBER), Role.DIALLED)
                    .put("notification_time", kit.server.clock.instant().toString(), Role.TIME);
            Doc answered = new Doc("form answered", b, Format.FORM).put("event", "answered", Role.KIND).put("call_session_id", id, Role.ID);
            Doc completed = new Doc("JSON completed", b, Format.JSON).put("event", "completed", Role.KIND).put("call_session_id", id, Role.ID)
                    .raw("total_time_duration", "95", Role.SECONDS).raw("talk_time_duration", "75", Role.SECONDS)
                    .put("file_link", "https://app.example.com/rec/1.mp3", Role.URL).put("virtual_phone_number", bare(NUMBER), Role.DIALLED);
            return List.of(ringing, answered, completed);
        }

        @Override
        Reply send(Doc d, int delivery) {
            return d.format == Format.QUERY ? request("GET", d.pathAndQuery(), null, null, Map.of()) : post(d, Map.of());
        }

        @Override
        Set<String> documentedRefusals(Role role) {
            // The javadoc's table: event is one of ringing .. failed.
            return role == Role.KIND ? Set.of("422 invalid_value") : Set.of();
        }
    }

    static final class Generic extends Adapter {
        Generic() {
            super("generic", "generic");
        }

        @Override
        List<Doc> sequence(String id, String caller) {
            String path = "/v1/telephony/" + siteId + "/events";
            String at = kit.server.clock.instant().toString();
            List<Doc> docs = new ArrayList<>();
            for (String event : List.of("ringing", "answered", "completed")) {
                Doc d = new Doc(event, path, Format.JSON).put("callId", id, Role.ID).put("event", event, Role.KIND)
                        .put("from", caller, Role.CALLER).put("to", NUMBER, Role.DIALLED).put("at", at, Role.TIME);
                if (event.equals("completed")) {
                    d.raw("durationSeconds", "95", Role.SECONDS).raw("talkSeconds", "75", Role.SECONDS)
                            .put("recordingUrl", "https://pbx.example.com/rec/1.mp3", Role.URL);
                }
                docs.add(d);
            }
            return docs;
        }

        @Override
        Reply send(Doc d, int delivery) {
            String body = d.body();
            return post(d, Map.of("X-Ringpool-Signature", Signing.ringpool(kit.webhookSecret, now(), body)));
        }

        @Override
        Set<String> documentedRefusals(Role role) {
            // GenericEvent: "fails naming the field" for a value outside our own documented schema (API.md,
            // Telephony); a call id of any length is an id, as for every provider.
            return role == Role.ID ? Set.of() : Set.of("422 invalid_value", "422 missing_field");
        }

        @Override
        boolean acceptsNumericIds() {
            return false;
        }

        @Override
        boolean acceptsControlCharactersInIds() {
            return false;
        }
    }

    static List<Adapter> adapters() {
        return List.of(
                new TwilioLike("twilio", base("twilio"), "X-Twilio-Signature", TWILIO_TOKEN),
                new TwilioLike("signalwire", base("signalwire"), "X-SignalWire-Signature", SIGNALWIRE_KEY),
                new Plivo(), new TelnyxCallControl(), new TelnyxTexml(), new Vonage(), new VonageGet(), new Zadarma(), new Freeswitch(), new Mango(),
                new Uis(), new Megapbx(), new Generic());
    }

    // ---------------------------------------------------------------------------------------------
    // Cases

    enum Expect {
        /** A genuine call: exactly one call with this id. */
        ONE,
        /** Not (certainly) a call: none or one, never more. */
        AT_MOST_ONE,
        /** A call to a number the site does not own: nothing stored. */
        NONE
    }

    enum Mode { ONCE, TWICE, REVERSED }

    /**
     * One sequence sent: the adapter's documents (with one hostile value, or hostile ids), how, and
     * what must hold: the replies' allowed 4xx ({@code "422 invalid_value"}, {@code "403 *"}) and the
     * calls stored with {@code ids} (every spelling under which the adapter may file the id).
     */
    record Case(Adapter adapter, String field, String value, List<Doc> docs, Mode mode, Set<String> ids, Expect expect,
            Set<String> allowed) {
        String describe() {
            return adapter.label + " | " + field + " | " + value;
        }
    }

    static String callerFor(int index) {
        return "+7916" + (1_000_000 + index); // a valid Moscow mobile per case, so calls of one caller never pile up
    }

    static List<Case> casesOf(Adapter a, int first) {
        List<Case> cases = new ArrayList<>();
        String key = a.label.replace(' ', '-');
        // As documented, delivered twice, and in reverse order.
        int n = first;
        for (Mode mode : Mode.values()) {
            String id = key + "-" + n;
            Set<String> allowed = mode == Mode.TWICE ? a.duplicateRefusals() : Set.of();
            cases.add(new Case(a, "(sequence)", mode == Mode.ONCE ? "as documented" : mode == Mode.TWICE ? "every request delivered twice"
                    : "in reverse order", a.sequence(id, callerFor(n)), mode, ids(id), Expect.ONE, allowed));
            n++;
        }
        // Call ids of every shape, in every request of the call.
        for (int i = 0; i < idValues("x").size(); i++) {
            String uniq = key + "-" + n;
            Value v = idValues(uniq).get(i);
            if (v.what().equals("a number") && !a.acceptsNumericIds()) {
                v = v.notGenuine();
            }
            if ((v.what().equals("NUL") || v.what().equals("control characters")) && !a.acceptsControlCharactersInIds()) {
                v = v.notGenuine();
            }
            List<Doc> docs = a.sequence(uniq, callerFor(n));
            boolean writable = true;
            for (Doc d : docs) {
                for (Map.Entry<String, Role> f : d.roles.entrySet()) {
                    if (f.getValue() == Role.ID) {
                        writable &= d.set(f.getKey(), v);
                    }
                }
            }
            if (writable) {
                Set<String> ids = v.genuine() ? ids(idText(v)) : Set.of();
                Set<String> allowed = v.genuine() ? a.documentedRefusals(Role.ID) : Set.of("422 *", "400 *");
                cases.add(new Case(a, "call id", v.what(), docs, Mode.ONCE, ids, v.genuine() ? Expect.ONE : Expect.AT_MOST_ONE, allowed));
            }
            n++;
        }
        // One field of one request at a time.
        List<Doc> template = a.sequence("template", callerFor(0));
        Set<String> swept = new LinkedHashSet<>();
        for (int step = 0; step < template.size(); step++) {
            Doc t = template.get(step);
            for (Map.Entry<String, Role> f : t.roles.entrySet()) {
                if (f.getValue() == Role.ID) {
                    continue;
                }
                List<Value> values = valuesOf(f.getValue(), t.original(f.getKey()));
                if (!swept.add(f.getKey())) {
                    // The same field in a later request of the call: a few general values and the first of its role's
                    // own (the full set was sent in the first request that carries it).
                    List<Value> own = values.subList(general().size(), values.size());
                    List<Value> again = new ArrayList<>(values.subList(0, general().size()));
                    again.removeIf(v -> !AGAIN.contains(v.what()));
                    again.addAll(own.subList(0, Math.min(AGAIN_OWN, own.size())));
                    values = again;
                }
                for (Value v : values) {
                    String id = key + "-" + n;
                    List<Doc> docs = new ArrayList<>(a.sequence(id, callerFor(n)));
                    Doc spoilt = docs.get(step).copy();
                    if (!spoilt.set(f.getKey(), v)) {
                        continue;
                    }
                    docs.set(step, spoilt);
                    Expect expect = switch (f.getValue()) {
                        case DIALLED -> v.genuine() ? Expect.ONE : Expect.AT_MOST_ONE;
                        case DIRECTION -> Expect.AT_MOST_ONE;
                        default -> Expect.ONE;
                    };
                    Set<String> allowed = new LinkedHashSet<>(a.documentedRefusals(f.getValue()));
                    if (f.getValue() == Role.DIALLED && !v.genuine()) {
                        // One site never writes into another's calls (CallService): refused, nothing stored.
                        allowed.add("422 unknown_number");
                        allowed.add("422 missing_field");
                    }
                    cases.add(new Case(a, t.step + " " + f.getKey(), v.what(), docs, Mode.ONCE, ids(id), expect, allowed));
                    n++;
                }
            }
        }
        return cases;
    }

    /** The same call id from every provider: one call per provider, never merged across them. */
    static List<Case> sharedIdCases(List<Adapter> adapters, int first) {
        List<Case> cases = new ArrayList<>();
        int n = first;
        for (Adapter a : adapters) {
            if (a.label.equals("telnyx texml") || a.label.equals("vonage GET")) {
                continue; // the same provider as Call Control / Vonage by POST: the same call id would be the same call
            }
            cases.add(new Case(a, "(sequence)", "a call id every provider uses", a.sequence("shared-call-0001", callerFor(n)), Mode.ONCE,
                    ids("shared-call-0001"), Expect.ONE, Set.of()));
            n++;
        }
        return cases;
    }

    static String idText(Value v) {
        try {
            return JSON.readTree(v.json()).asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every spelling under which an adapter may file {@code id}: as sent, stripped or trimmed, then in its stored form. */
    static Set<String> ids(String id) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : List.of(id, id.strip(), id.trim())) {
            if (!s.isEmpty()) {
                out.add(CallEvent.storedCallId(s));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Running and judging

    /** Replies of each case, for the report. */
    static final Map<Case, List<String>> SEEN = new ConcurrentHashMap<>();

    /**
     * API.md's documented size limits: a webhook body over {@code server.maxWebhookBodyBytes} (64 KiB) or a
     * request line over its limit is refused whoever sends it; a case that crossed one proves nothing about its call.
     */
    static final Set<String> LIMITS = Set.of("413 body_too_large", "414 uri_too_long");

    /** Cases that got a documented refusal: their call may rightly be missing. */
    static final Set<Case> REFUSED = ConcurrentHashMap.newKeySet();

    static void run(Case c, List<String> violations) {
        List<Doc> order = new ArrayList<>(c.docs());
        if (c.mode() == Mode.REVERSED) {
            Collections.reverse(order);
        }
        List<String> seen = new ArrayList<>();
        for (Doc d : order) {
            int deliveries = c.mode() == Mode.TWICE ? 2 : 1;
            for (int delivery = 0; delivery < deliveries; delivery++) {
                Reply r = c.adapter().send(d, delivery);
                seen.add(d.step + "=" + r.status());
                Set<String> allowed = new LinkedHashSet<>(c.allowed());
                allowed.addAll(LIMITS);
                if (r.status() >= 400 && r.status() < 500 && problemsOf(r, allowed).isEmpty()) {
                    REFUSED.add(c);
                }
                for (String p : problemsOf(r, allowed)) {
                    violations.add(c.describe() + " | " + d.step + (delivery > 0 ? " (again)" : "") + " | " + p + " | " + r.status() + " "
                            + shown(r.body()));
                }
            }
        }
        SEEN.put(c, seen);
    }

    static String shown(String body) {
        String b = body.length() > 300 ? body.substring(0, 300) + "…" : body;
        return b.replace("\n", "\\n");
    }

    /**
     * Everything wrong with one reply: a 5xx; a body carrying internals; a 4xx the adapter does not
     * document for this case ({@code allowed} holds "status code" or "status *"); a 4xx without API.md's
     * error shape.
     */
    static List<String> problemsOf(Reply r, Set<String> allowed) {
        List<String> problems = new ArrayList<>();
        if (r.status() >= 500 || r.status() == 0) {
            problems.add("5xx or no answer");
        }
        for (String marker : INTERNALS) {
            if (r.body().contains(marker)) {
                problems.add("internals in the body (" + marker.replace("\t", "\\t") + ")");
                break;
            }
        }
        if (r.status() >= 400 && r.status() < 500) {
            JsonNode error = null;
            String type = r.contentType() == null ? "" : r.contentType();
            try {
                error = type.startsWith("application/json") ? JSON.readTree(r.body()).path("error") : null;
            } catch (IOException e) {
                // judged below
            }
            if (error == null || !error.path("code").isTextual() || !error.path("message").isTextual() || !error.has("field")) {
                problems.add("4xx without the error shape {\"error\":{\"code\",\"message\",\"field\"}}");
            } else {
                String code = error.path("code").asText();
                if (!allowed.contains(r.status() + " " + code) && !allowed.contains(r.status() + " *")) {
                    problems.add("undocumented refusal " + r.status() + " " + code);
                }
                if (r.status() == 422 && !(error.path("field").isTextual() && !error.path("field").asText().isBlank())) {
                    problems.add("422 names no field");
                }
            }
        }
        return problems;
    }

    /**
     * After every case: the whole call log must read (page by page), each case's calls must be what
     * it expects, each found call must read by its id, and the other site must have no call at all.
     */
    /**
     * Each case's calls are stored as its expectation says, readable by id, at times they can have: none more
     * than 5 minutes after its receipt or before the site's retention (365 days) from it, whatever
     * time a hostile field said (CallEventTimes; session 11: a year-9999 time was the call's start).
     */
    static void checkStoredCalls(List<Case> cases, List<String> violations, ExecutorService pool, Instant firstReceipt) throws Exception {
        Instant latest = kit.server.clock.instant().plus(CallEventTimes.FUTURE_TOLERANCE);
        Instant earliest = firstReceipt.minus(Duration.ofDays(365));
        Map<String, List<JsonNode>> byProviderId = new HashMap<>();
        String cursor = null;
        int pages = 0;
        do {
            TestReply page = getJson("/v1/sites/" + siteId + "/calls?limit=500" + (cursor == null ? "" : "&cursor=" + cursor), kit.apiKey);
            if (page.status() != 200) {
                violations.add("call log | page " + pages + " | " + page.status() + " " + shown(page.body()));
                return;
            }
            for (JsonNode call : page.json().path("calls")) {
                byProviderId.computeIfAbsent(call.path("provider").asText() + "\n" + call.path("providerCallId").asText(),
                        k -> new ArrayList<>()).add(call);
            }
            JsonNode next = page.json().path("nextCursor");
            cursor = next.isTextual() ? next.asText() : null;
            pages++;
        } while (cursor != null && pages < 1_000);

        List<String> callIds = Collections.synchronizedList(new ArrayList<>());
        for (Case c : cases) {
            List<JsonNode> found = new ArrayList<>();
            for (String id : c.ids()) {
                found.addAll(byProviderId.getOrDefault(c.adapter().provider + "\n" + id, List.of()));
            }
            int count = found.size();
            Expect expect = c.expect() == Expect.ONE && REFUSED.contains(c) ? Expect.AT_MOST_ONE : c.expect();
            boolean ok = switch (expect) {
                case ONE -> count == 1;
                case AT_MOST_ONE -> count <= 1;
                case NONE -> count == 0;
            };
            if (!ok) {
                violations.add(c.describe() + " | stored | expected " + expect + ", found " + count + " | replies "
                        + SEEN.get(c));
            }
            found.forEach(call -> callIds.add(call.path("callId").asText()));
            for (JsonNode call : found) {
                for (String field : List.of("startedAt", "answeredAt", "endedAt")) {
                    if (call.path(field).isTextual()) {
                        Instant at = Instant.parse(call.path(field).asText());
                        if (at.isAfter(latest) || at.isBefore(earliest)) {
                            violations.add(c.describe() + " | " + field + " " + at + " | not a time the call can have");
                        }
                    }
                }
            }
        }
        List<Future<?>> reads = new ArrayList<>();
        for (String callId : callIds) {
            reads.add(pool.submit(() -> {
                TestReply one = getJson("/v1/sites/" + siteId + "/calls/" + URLEncoder.encode(callId, StandardCharsets.UTF_8), kit.apiKey);
                if (one.status() != 200) {
                    violations.add("call by id | " + callId + " | " + one.status() + " " + shown(one.body()));
                }
            }));
        }
        for (Future<?> f : reads) {
            f.get();
        }
        TestReply other = getJson("/v1/sites/" + otherSite.get("siteId") + "/calls", otherSite.get("apiKey"));
        if (other.status() != 200 || other.json().path("calls").size() != 0) {
            violations.add("other site | its call log | expected no call | " + other.status() + " " + shown(other.body()));
        }
    }

    record TestReply(int status, JsonNode json, String body) {}

    static TestReply getJson(String path, String key) {
        Reply r = request("GET", path, null, null, Map.of("Authorization", "Bearer " + key));
        JsonNode json = null;
        try {
            json = r.body().isEmpty() ? null : JSON.readTree(r.body());
        } catch (IOException e) {
            // the status tells
        }
        return new TestReply(r.status(), json == null ? JSON.createObjectNode() : json, r.body());
    }
}
