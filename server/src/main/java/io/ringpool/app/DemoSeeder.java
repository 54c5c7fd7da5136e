package io.ringpool.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ringpool.http.Json;
import io.ringpool.pool.PoolService;
import io.ringpool.site.SiteService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Seeds the demo site from {@code config/demo-site.yaml} on first start, through the same services the API uses. */
final class DemoSeeder {
    private static final Logger LOG = LoggerFactory.getLogger(DemoSeeder.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

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
        ObjectNode site = ((ObjectNode) demo).deepCopy();
        site.remove(java.util.List.of("pools", "staticNumbers", "siteId", "publicKey", "apiKey", "webhookSecret"));
        var keys = new SiteService.FixedKeys(demo.path("siteId").asText(null), demo.get("publicKey").asText(), demo.get("apiKey").asText(), demo.get("webhookSecret").asText());
        var created = sites.create(Json.parseObject(Json.write(site)), keys);
        String siteId = created.site().siteId();
        for (JsonNode pool : demo.path("pools")) {
            pools.create(siteId, Json.parseObject(Json.write(pool)));
        }
        for (JsonNode s : demo.path("staticNumbers")) {
            pools.addStatic(siteId, Json.parseObject(Json.write(s)));
        }
        LOG.info("demo_site_seeded siteId={} publicKey={} apiKey={}", siteId, keys.publicKey(), keys.apiKey());
    }
}
