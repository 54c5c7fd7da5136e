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
 * Seeds the demo site from {@code config/demo-site.yaml} on first start, through the same services
 * and commands the API uses: the file's keys are the API's field names, read straight into
 * {@link SiteChanges}, {@link NewPool} and {@link NewStaticNumber}. A key the commands do not know
 * stops the start, as a misspelt field is refused by the API.
 */
final class DemoSeeder {
    private static final Logger LOG = LoggerFactory.getLogger(DemoSeeder.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** The keys of the file that are not site fields: the demo's fixed credentials, and what goes in the site. */
    private static final List<String> NOT_SITE_FIELDS = List.of("siteId", "publicKey", "apiKey", "webhookSecret", "pools", "staticNumbers");

    private DemoSeeder() {}

    static void seed(Path file, SiteService sites, PoolService pools) {
        JsonNode demo;
        try (InputStream in = Files.isRegularFile(file) ? Files.newInputStream(file)
                : DemoSeeder.class.getResourceAsStream("/defaults/demo-site.yaml")) {
            if (in == null) {
                LOG.warn("demo_site_missing file={}", file);
                return;
            }
            demo = YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("demo site file unreadable: " + file, e);
        }
        var keys = new SiteService.FixedKeys(demo.path("siteId").asText(null), demo.get("publicKey").asText(),
                demo.get("apiKey").asText(), demo.get("webhookSecret").asText());
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
        LOG.info("demo_site_seeded siteId={} publicKey={} apiKey={}", siteId, keys.publicKey(), keys.apiKey());
    }

    private static <T> T read(JsonNode node, Class<T> type, Path file) {
        try {
            return YAML.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("demo site file " + file + ": " + e.getOriginalMessage(), e);
        }
    }
}
