package io.ringpool.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the YAML configuration, applies the {@code RINGPOOL_*} environment overrides of API.md,
 * and validates every value. Unknown keys are rejected rather than ignored, so a typo never
 * silently falls back to a default.
 */
public final class ConfigLoader {

    /** The defaults shipped inside the jar; a file given by the operator is laid over them. */
    private static final String BUNDLED_DEFAULTS = "/defaults/ringpool.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** The operator's file: a key given twice is refused, not settled silently by the last one (audit P #9). */
    private static final ObjectMapper OPERATOR_YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    /** The {@code RINGPOOL_*} variables that override one key each (API.md), and the key. */
    static final Map<String, String> ENVIRONMENT = Map.ofEntries(
            Map.entry("RINGPOOL_PORT", "server.port"),
            Map.entry("RINGPOOL_HOST", "server.host"),
            Map.entry("RINGPOOL_PUBLIC_URL", "server.publicUrl"),
            Map.entry("RINGPOOL_DATA_DIR", "store.dataDir"),
            Map.entry("RINGPOOL_DB_URL", "store.url"),
            Map.entry("RINGPOOL_DB_USER", "store.user"),
            Map.entry("RINGPOOL_DB_PASSWORD", "store.password"),
            Map.entry("RINGPOOL_ADMIN_KEY", "security.adminKey"),
            Map.entry("RINGPOOL_SECRET_KEY", "security.secretKey"),
            Map.entry("RINGPOOL_METRICS_TOKEN", "security.metricsToken"),
            Map.entry("RINGPOOL_DEMO", "demo.enabled"),
            Map.entry("RINGPOOL_NODE_ID", "cluster.nodeId"),
            Map.entry("RINGPOOL_REPORT_MAX_VISITS", "server.reportMaxVisits"),
            Map.entry("RINGPOOL_OUTBOUND_ALLOW", "outbound.allow"),
            Map.entry("RINGPOOL_OUTBOUND_PAUSED", "outbound.paused"),
            Map.entry("RINGPOOL_TEST_CLOCK", "leasing.testClock"),
            Map.entry("RINGPOOL_TEST_CLOCK_START", "leasing.testClockStart"));

    /** {@code demo.file}'s default; when no such file is found the demo site in the jar is seeded. */
    private static final String BUNDLED_DEMO_FILE = "demo-site.yaml";

    /** Shortest admin key or metrics token accepted, characters. */
    static final int MIN_KEY_CHARS = 16;

    private ConfigLoader() {}

    /**
     * Loads the bundled defaults, then {@code file} (if given, else {@code ./config/ringpool.yaml} if
     * present), then the environment.
     */
    /**
     * One line for each {@code RINGPOOL_*} variable in {@code env} that Ringpool does not read,
     * naming the nearest known one (audit AK2 F6): for the server to log once at start.
     */
    public static java.util.List<String> unknownVariables(Map<String, String> env) {
        return EnvironmentVariables.unknown(env);
    }

    public static RingpoolConfig load(Path file, Map<String, String> env) {
        ObjectNode tree = readBundledDefaults();
        Path chosen = file;
        if (chosen == null) {
            Path local = Path.of("config", "ringpool.yaml");
            chosen = Files.isRegularFile(local) ? local : null;
        }
        if (chosen != null) {
            if (!Files.isRegularFile(chosen)) {
                throw new ConfigException("--config", "points to " + chosen + ", which is not a readable file");
            }
            try (InputStream in = Files.newInputStream(chosen)) {
                JsonNode overlay = OPERATOR_YAML.readTree(in);
                if (overlay != null && !overlay.isMissingNode() && !overlay.isNull()) {
                    if (!overlay.isObject()) {
                        throw new ConfigException("(root)", "must be a mapping in " + chosen);
                    }
                    merge(tree, (ObjectNode) overlay, "");
                }
            } catch (IOException e) {
                String duplicate = duplicateKey(e);
                if (duplicate != null) {
                    throw new ConfigException(duplicate, "is given twice in " + chosen + " (" + yamlProblemPlace(e)
                            + "); say it once");
                }
                throw new ConfigException("--config", "names " + chosen + ", which is not valid YAML: " + yamlProblem(e));
            }
        }
        LogSettings.read(env, System.getProperty("logback.configurationFile"));
        applyEnvironment(tree, env);
        try {
            return build(new Node(tree, ""), chosen == null ? Path.of(".") : chosen.toAbsolutePath().getParent());
        } catch (ConfigException e) {
            // The operator set a variable, not a key: name both (audit P2 #4).
            for (Map.Entry<String, String> setting : ENVIRONMENT.entrySet()) {
                if (setting.getValue().equals(e.key()) && env.get(setting.getKey()) != null) {
                    throw e.setBy(setting.getKey());
                }
            }
            throw e;
        }
    }

    /** The dotted key a file gives twice, from Jackson's refusal, or null for another problem (also the demo site file's). */
    public static String duplicateKey(IOException e) {
        if (!(e instanceof com.fasterxml.jackson.core.JsonProcessingException parse)
                || !String.valueOf(parse.getOriginalMessage()).startsWith("Duplicate field")) {
            return null;
        }
        String message = parse.getOriginalMessage();
        int open = message.indexOf('\'');
        int close = message.indexOf('\'', open + 1);
        String name = open >= 0 && close > open ? message.substring(open + 1, close) : "?";
        // The mappings that hold it, from the parser's place: it stopped at the second one.
        StringBuilder key = new StringBuilder(name);
        if (parse.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser parser) {
            for (var context = parser.getParsingContext().getParent(); context != null; context = context.getParent()) {
                if (context.getCurrentName() != null) {
                    key.insert(0, context.getCurrentName() + ".");
                }
            }
        }
        return key.toString();
    }

    public static String yamlProblemPlace(IOException e) {
        var where = e instanceof com.fasterxml.jackson.core.JsonProcessingException parse ? parse.getLocation() : null;
        return where == null || where.getLineNr() < 1 ? "at least twice" : "again on line " + where.getLineNr();
    }

    /**
     * A YAML error on one line, as the operator needs it: where and what, without the parser's
     * dump (Jackson's {@code [Source: …]}, SnakeYAML's snippet and caret).
     */
    public static String yamlProblem(IOException e) {
        if (!(e instanceof com.fasterxml.jackson.core.JsonProcessingException parse)) {
            return String.valueOf(e.getMessage());
        }
        String what = String.valueOf(parse.getOriginalMessage()).strip();
        int lineEnd = what.indexOf('\n');
        what = lineEnd < 0 ? what : what.substring(0, lineEnd).strip();
        var where = parse.getLocation();
        return where == null || where.getLineNr() < 1 ? what : "line " + where.getLineNr() + ", column " + where.getColumnNr() + ": " + what;
    }

    /** For tests: the bundled defaults plus the given overrides as dotted keys. */
    public static RingpoolConfig defaultsWith(Map<String, Object> overrides) {
        ObjectNode tree = readBundledDefaults();
        overrides.forEach((key, value) -> put(tree, key, value));
        return build(new Node(tree, ""), Path.of("."));
    }

    private static ObjectNode readBundledDefaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(BUNDLED_DEFAULTS)) {
            if (in == null) {
                throw new IllegalStateException("bundled " + BUNDLED_DEFAULTS + " is missing from the jar");
            }
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("bundled defaults unreadable", e);
        }
    }

    private static void merge(ObjectNode base, ObjectNode overlay, String prefix) {
        var names = overlay.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            String key = prefix.isEmpty() ? name : prefix + "." + name;
            JsonNode existing = base.get(name);
            JsonNode value = overlay.get(name);
            if (existing == null) {
                throw new ConfigException(key, "is not a known setting (see config/ringpool.yaml for the list)");
            }
            if (existing.isObject()) {
                if (!value.isObject()) {
                    throw new ConfigException(key, "must be a mapping");
                }
                merge((ObjectNode) existing, (ObjectNode) value, key);
            } else {
                base.set(name, value);
            }
        }
    }

    private static void applyEnvironment(ObjectNode tree, Map<String, String> env) {
        ENVIRONMENT.forEach((variable, key) -> {
            String value = env.get(variable);
            if (value == null) {
                return;
            }
            if (variable.equals("RINGPOOL_OUTBOUND_ALLOW")) {
                put(tree, key, java.util.Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList());
            } else {
                put(tree, key, value);
            }
        });
    }

    private static void put(ObjectNode tree, String dottedKey, Object value) {
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (!(child instanceof ObjectNode obj)) {
                throw new ConfigException(dottedKey, "is not a known setting");
            }
            node = obj;
        }
        if (!node.has(parts[parts.length - 1])) {
            throw new ConfigException(dottedKey, "is not a known setting");
        }
        node.set(parts[parts.length - 1], YAML.valueToTree(value));
    }

    private static RingpoolConfig build(Node root, Path configDir) {
        Node s = root.child("server");
        var server = new RingpoolConfig.Server(
                s.string("host", false),
                s.integer("port", 0, 65535),
                s.string("publicUrl", true).isEmpty() ? "" : trimSlash(s.url("publicUrl")),
                s.integer("ioThreads", 0, 256),
                s.integer("workerThreads", 1, 4096),
                s.integer("workerQueue", 1, 1_000_000),
                Duration.ofMillis(s.integer("requestTimeoutMillis", 100, 600_000)),
                Duration.ofSeconds(s.integer("idleTimeoutSeconds", 1, 86_400)),
                s.integer("maxInitialLineBytes", 256, 65_536),
                s.integer("maxHeaderBytes", 1024, 262_144),
                s.integer("maxScriptBodyBytes", 512, 1_048_576),
                s.integer("maxWebhookBodyBytes", 1024, 4_194_304),
                s.integer("maxAdminBodyBytes", 1024, 16_777_216),
                trustedProxies(s),
                s.integer("reportThreads", 0, 256),
                s.integer("reportQueue", 1, 100_000),
                s.integer("reportConcurrencyPerKey", 1, 256),
                Duration.ofMillis(s.integer("reportYieldMillis", 0, 10_000)),
                s.integer("reportSharePercent", 1, 100),
                s.bool("reportPreload"),
                s.integer("reportMaxVisits", 0, 500_000_000));

        Node st = root.child("store");
        Path dataDir = Path.of(st.string("dataDir", false));
        String url = st.string("url", true);
        if (url.isBlank()) {
            url = defaultH2Url(dataDir);
        } else if (url.startsWith("jdbc:h2:")) {
            if (url.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:mem:")) {
                // Every acknowledged write would be gone at the next start (audit P #1): "a 2xx means committed" needs a file.
                throw new ConfigException("store.url", "names an in-memory H2 database (jdbc:h2:mem:), which loses every write when the "
                        + "server stops; leave it empty for the H2 file in the data directory, or name an H2 file or PostgreSQL");
            }
            if (url.toUpperCase(Locale.ROOT).contains(";AUTO_SERVER=TRUE")) {
                // H2's mode for several processes on one file. An H2 store serves one node: its
                // leasing is the only arbiter of live numbers there (V108), so a second process
                // would lease the same numbers. Several nodes share PostgreSQL.
                throw new ConfigException("store.url", "AUTO_SERVER=TRUE lets several processes share the H2 file, but an H2 "
                        + "store serves one Ringpool node; run several nodes on PostgreSQL (docs/scaling.md)");
            }
            url = withH2Guarantees(url);
        } else if (!url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("store.url", "must be a jdbc:h2: or jdbc:postgresql: URL (got " + maskUrl(url) + ")");
        }
        var store = new RingpoolConfig.Store(
                dataDir,
                url,
                st.string("user", true),
                st.string("password", true),
                st.integer("maxConnections", 2, 512),
                st.integer("writerBatchMax", 1, 100_000),
                st.integer("writerQueueMax", 16, 10_000_000),
                st.bool("syncCommits"));

        Node sec = root.child("security");
        String adminKey = sec.string("adminKey", true);
        if (!adminKey.isEmpty() && adminKey.length() < MIN_KEY_CHARS) {
            // The key is the operator's whole power (sites, forwarding numbers); a short one can be
            // guessed. The value itself is never echoed.
            throw new ConfigException("security.adminKey", "must be at least " + MIN_KEY_CHARS + " characters (got "
                    + adminKey.length() + "); leave it empty to have one generated");
        }
        String metricsToken = sec.string("metricsToken", true);
        if (!metricsToken.isEmpty() && metricsToken.length() < MIN_KEY_CHARS) {
            throw new ConfigException("security.metricsToken", "must be at least " + MIN_KEY_CHARS + " characters (got "
                    + metricsToken.length() + ") or empty");
        }
        String secretKey = sec.string("secretKey", true);
        if (!secretKey.isEmpty() && !secretKey.matches("[0-9a-fA-F]{64}")) {
            throw new ConfigException("security.secretKey", "must be 64 hex digits (a 256-bit key) or empty");
        }
        int slowdown = sec.integer("authFailuresBeforeSlowdown", 1, 1_000_000);
        int block = sec.integer("authFailuresBeforeBlock", 1, 1_000_000);
        if (block <= slowdown) {
            throw new ConfigException("security.authFailuresBeforeBlock", "must be greater than security.authFailuresBeforeSlowdown ("
                    + slowdown + "), got " + block);
        }
        var security = new RingpoolConfig.Security(adminKey, secretKey, metricsToken, slowdown, block);

        Node l = root.child("leasing");
        var leasing = new RingpoolConfig.Leasing(
                Duration.ofMillis(l.integer("sweepIntervalMillis", 50, 60_000)),
                l.integer("sessionsPerIpPerMinute", 0, 1_000_000),
                l.integer("addressCapPercent", 0, 100),
                l.integer("networkCapPercent", 0, 100),
                l.bool("testClock"),
                Duration.ofMillis(l.integer("renewalFlushMillis", 100, 60_000)),
                l.integer("maxLiveSessions", 0, 100_000_000),
                testClockStart(l));

        Node lim = root.child("limits");
        var limits = new RingpoolConfig.Limits(
                lim.integer("pageviewsPerSession", 0, 1_000_000),
                lim.integer("pageviewsPerAddress", 0, 10_000_000),
                lim.integer("intentsPerSession", 0, 1_000_000),
                lim.integer("intentsPerAddress", 0, 10_000_000),
                lim.integer("heartbeatsPerSession", 0, 1_000_000),
                lim.integer("heartbeatsPerAddress", 0, 10_000_000),
                lim.integer("leadsPerSession", 0, 1_000_000),
                lim.integer("pageviewsStoredPerSession", 0, 100_000),
                lim.integer("intentsStoredPerSession", 0, 100_000),
                lim.integer("maxUrlChars", 100, 2000),
                lim.integer("maxTitleChars", 0, 500));

        Node ld = root.child("leads");
        var leads = new RingpoolConfig.Leads(ld.integer("perIpPerMinute", 0, 1_000_000));

        Node o = root.child("outbound");
        List<String> allowList = o.stringList("allow");
        for (String entry : allowList) {
            if (io.ringpool.outbound.AddressPolicy.invalidEntry(entry) != null) {
                throw new ConfigException("outbound.allow", "lists '" + entry + "', which is neither a host name, an address nor a CIDR");
            }
        }
        int timeoutSeconds = o.integer("timeoutSeconds", 1, 120);
        int leaseSeconds = o.integer("leaseSeconds", 5, 86_400);
        if (leaseSeconds < timeoutSeconds * 3) {
            throw new ConfigException("outbound.leaseSeconds", "must be at least 3 × outbound.timeoutSeconds (" + timeoutSeconds * 3
                    + "), or a slow attempt could be repeated by another node (got " + leaseSeconds + ")");
        }
        int threads = o.integer("threads", 1, 256);
        int perSite = o.integer("perSiteConcurrency", 0, 256);
        var outbound = new RingpoolConfig.Outbound(allowList, Duration.ofSeconds(timeoutSeconds), threads,
                perSite == 0 ? (threads + 1) / 2 : perSite, o.integer("perTargetConcurrency", 1, 64), o.integer("slowThreads", 1, 64),
                Duration.ofMillis(o.integer("pollMillis", 10, 60_000)), Duration.ofSeconds(leaseSeconds), o.bool("paused"));

        Node d = root.child("demo");
        String demoFile = d.string("file", false);
        Path demoPath = Path.of(demoFile);
        if (!demoPath.isAbsolute() && configDir != null && Files.isRegularFile(configDir.resolve(demoFile))) {
            demoPath = configDir.resolve(demoFile);
        }
        boolean demoEnabled = d.bool("enabled");
        if (demoEnabled && !demoFile.equals(BUNDLED_DEMO_FILE) && !Files.isRegularFile(demoPath)) {
            // Only the default name falls back to the copy in the jar: a file the operator named and
            // mistyped seeded the built-in demo without a word (audit P #9).
            throw new ConfigException("demo.file", "names " + demoFile + ", which is not a readable file (looked for it next to the "
                    + "config file and in the working directory); leave it out for the built-in demo site");
        }
        var demo = new RingpoolConfig.Demo(demoEnabled, d.string("host", false), demoPath);

        Node r = root.child("recordings");
        List<String> fetchAllow = r.stringList("fetchAllow");
        for (String entry : fetchAllow) {
            // The same parser as outbound.allow: the downloader reads this list with the same AddressPolicy.
            if (io.ringpool.outbound.AddressPolicy.invalidEntry(entry) != null) {
                throw new ConfigException("recordings.fetchAllow", "lists '" + entry + "', which is neither a host name, an address nor a CIDR");
            }
        }
        var recordings = new RingpoolConfig.Recordings(
                (long) r.integer("maxMegabytes", 1, 4096) * 1024 * 1024,
                Duration.ofSeconds(r.integer("fetchTimeoutSeconds", 5, 3600)),
                r.integer("maxAttempts", 1, 100),
                Duration.ofMillis(r.integer("pollIntervalMillis", 50, 600_000)),
                fetchAllow);
        Node cl = root.child("cluster");
        String nodeId = cl.string("nodeId", true);
        if (!nodeId.isEmpty() && !nodeId.matches("[A-Za-z0-9_.-]{1,40}")) {
            throw new ConfigException("cluster.nodeId", "must be 1 to 40 letters, digits, '.', '_' or '-' (got " + nodeId + ")");
        }
        var cluster = new RingpoolConfig.Cluster(nodeId,
                Duration.ofMillis(cl.integer("changePollMillis", 100, 60_000)),
                Duration.ofMillis(cl.integer("nodeBeatMillis", 500, 30_000)),
                cl.bool("listenForChanges"));
        var journal = new RingpoolConfig.Journal(root.child("journal").integer("maxMegabytes", 1, 65_536) * 1024L * 1024L);
        return new RingpoolConfig(server, store, security, leasing, limits, leads, demo, recordings, cluster, outbound, journal);
    }

    /** Each entry an address or CIDR block; a bad one names itself and the key. */
    /** {@code leasing.testClockStart}: an ISO-8601 instant, or empty (null: the real time). */
    private static java.time.Instant testClockStart(Node l) {
        String text = l.string("testClockStart", true);
        if (text.isEmpty()) {
            return null;
        }
        try {
            return java.time.Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new ConfigException(l.key("testClockStart"), "must be an ISO-8601 instant such as 2026-12-01T00:00:00Z (got " + text + ")");
        }
    }

    private static List<String> trustedProxies(Node s) {
        List<String> entries = s.stringList("trustedProxies");
        try {
            io.ringpool.security.TrustedProxies.parse(entries);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("server.trustedProxies", e.getMessage());
        }
        return entries;
    }

    /**
     * WRITE_DELAY=0 makes H2 hand every commit to the operating system before the commit returns,
     * so a process killed right after a 2xx still has the write (H2 never fsyncs; power loss is
     * PostgreSQL's job). The default of 500 ms can lose the last half second of acknowledged work.
     *
     * <p>The file's size (issue 17, measured with {@code loadtest/run.sh footprint}): COMPRESS=TRUE
     * stores pages LZF-compressed, and {@code store.H2Compactor} rewrites mostly-dead chunks in the
     * background, which H2 does not do itself with WRITE_DELAY=0. RETENTION_TIME stays at H2's
     * default (45 s): with RETENTION_TIME=0 (307 bytes per visit measured) CrashDurabilityTest lost
     * 1 to 4 of 40 acknowledged sessions after kill -9 in 2 of 3 runs — a freed chunk that recovery
     * still walks through can be overwritten at once. A longer one does not make a kill -9 safer:
     * it only moves when H2 first reuses space, which is when its quick recovery could miss the
     * newest commits; {@code store.H2CrashRecovery} is the fix for that (audit E, session 28).
     */
    public static String defaultH2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("ringpool")
                + ";WRITE_DELAY=0;COMPRESS=TRUE;QUERY_CACHE_SIZE=128;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000"
                + ";CACHE_SIZE=" + H2_PAGE_CACHE_KB;
    }

    /**
     * H2's page cache, KB: H2's own 16 MB, named so that it is a decision. Session 18 chose 128 MB
     * from a 4 GB heap, when each new visitor's random id put its start on a random page of the
     * (site, visitor, start) index. Since new visitors' ids sort by time (session 20) the larger
     * cache buys no starts and doubles the collector's work: {@code ROUNDS=2 WARMUP=20
     * bench-sessions.sh 10}, alternating, with server-made ids 10,137-14,563 starts/s with 16 MB
     * against 9,849-13,983 with 128 MB, the starts' p99 at saturation 62-103 ms against 139-184 ms,
     * 2.2-2.3 s of pauses a run against 4.9-5.4 s (docs/scaling.md, "Session 20").
     */
    static final int H2_PAGE_CACHE_KB = 16 * 1024;

    /** The settings of {@link #defaultH2Url} that Ringpool's promises rest on, not mere tuning. */
    private static final List<String> H2_GUARANTEES = List.of("WRITE_DELAY=0", "DB_CLOSE_ON_EXIT=FALSE", "LOCK_TIMEOUT=10000");

    /**
     * An operator's own H2 file URL with the settings that make "a 2xx means committed" hold
     * ({@link #defaultH2Url} says why each): without WRITE_DELAY=0 a kill -9 lost every site
     * created in the last half second, and without DB_CLOSE_ON_EXIT=FALSE H2 closed the file
     * before the shutdown hook saved the pools' statistics. A setting the URL names itself is
     * left as the operator wrote it; in-memory and server-mode URLs are not files and stay as given.
     */
    static String withH2Guarantees(String url) {
        String rest = url.substring("jdbc:h2:".length()).toLowerCase(Locale.ROOT);
        if (rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:")) {
            return url;
        }
        String upper = url.toUpperCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(url);
        for (String setting : H2_GUARANTEES) {
            String name = setting.substring(0, setting.indexOf('='));
            if (!upper.contains(";" + name + "=")) {
                out.append(';').append(setting);
            }
        }
        return out.toString();
    }

    /** A store URL as it may be shown: passwords, in a parameter or before the host, replaced by {@code ***}. */
    static String maskUrl(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1***").replaceAll("(//[^/:@]*:)[^/@]*@", "$1***@");
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** A position in the YAML tree that knows its dotted key for error messages. */
    private record Node(JsonNode json, String path) {
        private static final Set<String> TRUE = Set.of("true", "yes", "on", "1");
        private static final Set<String> FALSE = Set.of("false", "no", "off", "0");

        Node child(String name) {
            JsonNode c = json.get(name);
            String key = key(name);
            if (c == null || !c.isObject()) {
                throw new ConfigException(key, "must be a mapping");
            }
            return new Node(c, key);
        }

        String key(String name) {
            return path.isEmpty() ? name : path + "." + name;
        }

        String string(String name, boolean mayBeEmpty) {
            JsonNode v = json.get(name);
            if (v == null || v.isNull()) {
                if (mayBeEmpty) {
                    return "";
                }
                throw new ConfigException(key(name), "is required");
            }
            if (!v.isValueNode()) {
                throw new ConfigException(key(name), "must be a plain value");
            }
            String text = v.asText().trim();
            if (text.isEmpty() && !mayBeEmpty) {
                throw new ConfigException(key(name), "must not be empty");
            }
            return text;
        }

        int integer(String name, int min, int max) {
            String text = string(name, false);
            int value;
            try {
                value = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new ConfigException(key(name), "must be a whole number (got '" + text + "')");
            }
            if (value < min || value > max) {
                throw new ConfigException(key(name), "must be between " + min + " and " + max + " (got " + value + ")");
            }
            return value;
        }

        boolean bool(String name) {
            String text = string(name, false).toLowerCase(java.util.Locale.ROOT);
            if (TRUE.contains(text)) {
                return true;
            }
            if (FALSE.contains(text)) {
                return false;
            }
            throw new ConfigException(key(name), "must be true or false (yes/no, on/off and 1/0 are read too; got '" + text + "')");
        }

        /**
         * A base URL that paths are appended to: a query, a fragment or user-info would swallow
         * every path put after it (audit AI3 F2: feed links read "https://host?x=1/v1/feeds/...").
         */
        String url(String name) {
            String text = string(name, false);
            if (!text.matches("https?://[^\\s/?#@]+(/[^\\s?#]*)?")) {
                throw new ConfigException(key(name), "must be an http(s) base URL such as https://ringpool.example.com, "
                        + "with no query, fragment or user name (got '" + text + "')");
            }
            return text;
        }

        List<String> stringList(String name) {
            JsonNode v = json.get(name);
            if (v == null || !v.isArray()) {
                throw new ConfigException(key(name), "must be a list");
            }
            List<String> out = new ArrayList<>();
            for (JsonNode item : v) {
                if (!item.isValueNode() || item.asText().isBlank()) {
                    throw new ConfigException(key(name), "must list plain, non-empty values");
                }
                out.add(item.asText().trim());
            }
            return List.copyOf(out);
        }
    }
}
