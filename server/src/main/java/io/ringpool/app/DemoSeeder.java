package io.ringpool.app;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ringpool.pool.NewPool;
import io.ringpool.pool.NewStaticNumber;
import io.ringpool.pool.PoolService;
import io.ringpool.site.Keys;
import io.ringpool.site.NewSite;
import io.ringpool.site.SiteChanges;
import io.ringpool.site.SiteService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeds the demo site from {@code config/demo-site.yaml} on first start (only when asked for:
 * {@code --demo} or {@code RINGPOOL_DEMO=true}), through the same services
 * and commands the API uses: the file's keys are the API's field names, read straight into
 * {@link SiteChanges}, {@link NewPool} and {@link NewStaticNumber}. A key the commands do not know
 * stops the start, as a misspelt field is refused by the API: in one line, before the store is opened.
 */
final class DemoSeeder {
    private static final Logger LOG = LoggerFactory.getLogger(DemoSeeder.class);
    /** A key given twice is refused, as in the main configuration file (audit R #3). */
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /**
     * The keys of the file that are not site fields. Keys are never read from the file: the demo
     * site gets random ones, so no server has a site whose keys are written in the repository.
     */
    private static final List<String> NOT_SITE_FIELDS = List.of("siteId", "pools", "staticNumbers");

    /** The demo file, read and checked whole: what {@link #seed} creates. */
    record DemoSite(String siteId, SiteChanges site, List<NewPool> pools, List<NewStaticNumber> staticNumbers) {
    }

    private DemoSeeder() {}

    /**
     * Reads the demo file (the bundled one when the file is missing), or null when there is none.
     * Called before the store is opened: a file the commands would refuse stops the start in one
     * line (exit 2) before anything is migrated or written (audit R #3).
     *
     * @throws StartupFailure naming the file, the key and its line
     */
    static DemoSite read(Path file) {
        byte[] text;
        try (InputStream in = Files.isRegularFile(file) ? Files.newInputStream(file)
                : DemoSeeder.class.getResourceAsStream("/defaults/demo-site.yaml")) {
            if (in == null) {
                LOG.warn("demo_site_missing file={}", file);
                return null;
            }
            text = in.readAllBytes();
        } catch (IOException e) {
            throw refusal(file, "cannot be read (" + e.getMessage() + ")");
        }
        JsonNode demo;
        try {
            demo = YAML.readTree(text);
        } catch (IOException e) {
            String duplicate = io.ringpool.config.ConfigLoader.duplicateKey(e);
            throw refusal(file, duplicate != null
                    ? "key '" + duplicate + "' is given twice (" + io.ringpool.config.ConfigLoader.yamlProblemPlace(e) + "); say it once"
                    : "is not valid YAML: " + io.ringpool.config.ConfigLoader.yamlProblem(e));
        }
        if (demo == null || !demo.isObject()) {
            throw refusal(file, "must be a mapping of the site's fields");
        }
        ObjectNode siteFields = ((ObjectNode) demo).deepCopy();
        siteFields.remove(NOT_SITE_FIELDS);
        SiteChanges site = read(siteFields, "", SiteChanges.class, file, text);
        List<NewPool> pools = new java.util.ArrayList<>();
        int i = 0;
        for (JsonNode pool : demo.path("pools")) {
            pools.add(read(pool, "/pools/" + i++, NewPool.class, file, text));
        }
        List<NewStaticNumber> statics = new java.util.ArrayList<>();
        i = 0;
        for (JsonNode s : demo.path("staticNumbers")) {
            statics.add(read(s, "/staticNumbers/" + i++, NewStaticNumber.class, file, text));
        }
        return new DemoSite(demo.path("siteId").asText(null), site, pools, statics);
    }

    /** Seeds the site read by {@link #read}; returns it with its keys (shown once). */
    static SiteService.CreatedSite seed(DemoSite demo, SiteService sites, PoolService pools) {
        // The id is not a secret (a readable one makes the walk-through's paths short); the keys are random.
        var keys = new SiteService.FixedKeys(demo.siteId(), Keys.random("pk_", 15),
                Keys.random("sk_", 32), Keys.random("whsec_", 32));
        var created = sites.create(new NewSite(demo.site(), keys));
        String siteId = created.site().siteId();
        for (NewPool pool : demo.pools()) {
            pools.create(siteId, pool);
        }
        for (NewStaticNumber s : demo.staticNumbers()) {
            pools.addStatic(siteId, s);
        }
        // Never the keys in the log: they go to the terminal and the keys file only.
        LOG.info("demo_site_seeded siteId={}", siteId);
        return created;
    }

    /** The demo's keys as shell variables, for {@code . data/demo-keys.env} in the README's walk-through. */
    static String keysFile(SiteService.CreatedSite created) {
        return "# The demo site's keys, generated at its first start. Use: . data/demo-keys.env\n"
                + "DEMO_SITE_ID=" + created.site().siteId() + "\n"
                + "DEMO_PUBLIC_KEY=" + created.site().publicKey() + "\n"
                + "DEMO_API_KEY=" + created.apiKey() + "\n"
                + "DEMO_WEBHOOK_SECRET=" + created.webhookSecret() + "\n";
    }

    private static <T> T read(JsonNode node, String at, Class<T> type, Path file, byte[] text) {
        try {
            return YAML.treeToValue(node, type);
        } catch (JsonMappingException e) {
            StringBuilder pointer = new StringBuilder(at);
            String key = at.isEmpty() ? "" : at.substring(1).replace('/', '.');
            for (JsonMappingException.Reference ref : e.getPath()) {
                String step = ref.getFieldName() != null ? ref.getFieldName() : Integer.toString(ref.getIndex());
                pointer.append('/').append(step);
                key = key.isEmpty() ? step : key + "." + step;
            }
            int line = lineOf(text, pointer.toString());
            String where = line > 0 ? " (line " + line + ")" : "";
            if (e instanceof UnrecognizedPropertyException) {
                throw refusal(file, "has a key the demo site does not take: '" + key + "'" + where);
            }
            // Jackson's own words name Java types: say only which key and that its value is refused.
            throw refusal(file, "key '" + key + "'" + where + " has a value of the wrong kind");
        } catch (JsonProcessingException e) {
            throw refusal(file, "is not valid: " + e.getOriginalMessage());
        }
    }

    /** The line of the key at {@code pointer} in the file, or 0: the tree the commands read has no places. */
    private static int lineOf(byte[] text, String pointer) {
        try (JsonParser parser = YAML.getFactory().createParser(text)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.FIELD_NAME && parser.getParsingContext().pathAsPointer().toString().equals(pointer)) {
                    return parser.currentLocation().getLineNr();
                }
            }
        } catch (IOException e) {
            return 0; // read once already; a place is a help, not a need
        }
        return 0;
    }

    private static StartupFailure refusal(Path file, String problem) {
        return new StartupFailure("demo site file " + file + " " + problem, 2);
    }
}
