package io.ringpool.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * stops the start, as a misspelt field is refused by the API.
 */
final class DemoSeeder {
    private static final Logger LOG = LoggerFactory.getLogger(DemoSeeder.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /**
     * The keys of the file that are not site fields. Keys are never read from the file: the demo
     * site gets random ones, so no server has a site whose keys are written in the repository.
     */
    private static final List<String> NOT_SITE_FIELDS = List.of("siteId", "pools", "staticNumbers");

    private DemoSeeder() {}

    /** Seeds the site; returns it with its keys (shown once), or null when there is no demo file. */
    static SiteService.CreatedSite seed(Path file, SiteService sites, PoolService pools) {
        JsonNode demo = readFile(file);
        if (demo == null) {
            LOG.warn("demo_site_missing file={}", file);
            return null;
        }
        // The id is not a secret (a readable one makes the walk-through's paths short); the keys are random.
        var keys = new SiteService.FixedKeys(demo.path("siteId").asText(null), Keys.random("pk_", 15),
                Keys.random("sk_", 32), Keys.random("whsec_", 32));
        ObjectNode siteFields = ((ObjectNode) demo).deepCopy();
        siteFields.remove(NOT_SITE_FIELDS);
        var created = sites.create(new NewSite(read(siteFields, SiteChanges.class, file), keys));
        String siteId = created.site().siteId();
        for (JsonNode pool : demo.path("pools")) {
            pools.create(siteId, read(pool, NewPool.class, file));
        }
        for (JsonNode s : demo.path("staticNumbers")) {
            pools.addStatic(siteId, read(s, NewStaticNumber.class, file));
        }
        // Never the keys in the log: they go to the terminal and the keys file only.
        LOG.info("demo_site_seeded siteId={}", siteId);
        return created;
    }

    /** The id the demo file gives its site, or null when it gives none (the site then gets a random one when seeded). */
    static String siteId(Path file) {
        JsonNode demo = readFile(file);
        return demo == null ? null : demo.path("siteId").asText(null);
    }

    /** The demo file, or the one in the jar when there is no such file; null when neither is there. */
    private static JsonNode readFile(Path file) {
        try (InputStream in = Files.isRegularFile(file) ? Files.newInputStream(file)
                : DemoSeeder.class.getResourceAsStream("/defaults/demo-site.yaml")) {
            return in == null ? null : YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("demo site file unreadable: " + file, e);
        }
    }

    /** The demo's keys as shell variables, for {@code . data/demo-keys.env} in the README's walk-through. */
    static String keysFile(SiteService.CreatedSite created) {
        return "# The demo site's keys, generated at its first start. Use: . data/demo-keys.env\n"
                + "DEMO_SITE_ID=" + created.site().siteId() + "\n"
                + "DEMO_PUBLIC_KEY=" + created.site().publicKey() + "\n"
                + "DEMO_API_KEY=" + created.apiKey() + "\n"
                + "DEMO_WEBHOOK_SECRET=" + created.webhookSecret() + "\n";
    }

    private static <T> T read(JsonNode node, Class<T> type, Path file) {
        try {
            return YAML.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("demo site file " + file + ": " + e.getOriginalMessage(), e);
        }
    }
}
