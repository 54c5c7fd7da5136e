package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V154: the API leads stored before session 44 kept location.href whole (audit AK1 F4: e-mail,
 * phone and tokens in the query, shown to a viewer); the migration drops their query and fragment.
 */
class ApiLeadUrlsScrubbedByMigrationTest {
    @TempDir
    Path dir;

    @Test
    void anApiLeadsStoredQueryAndFragmentAreDroppedAndOtherLeadsAreLeftAlone() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            Map<String, String> site = server.siteWithPool(List.of("+74957200001"));
            String leads = "/v1/sites/" + site.get("siteId") + "/leads";
            String old = server.post(leads, site.get("apiKey"), Map.of("kind", "callback", "phone", "+79161112200")).text("leadId");
            String plain = server.post(leads, site.get("apiKey"), Map.of("kind", "callback", "phone", "+79161112201")).text("leadId");
            String script = server.post(leads, site.get("apiKey"), Map.of("kind", "form", "phone", "+79161112202")).text("leadId");
            // As such leads were stored before session 44.
            setUrl(server, old, "api", "https://shop.example/p?email=anna%40example.com&phone=%2B79161112233#contact");
            setUrl(server, plain, "api", "https://shop.example/about");
            setUrl(server, script, "script", "https://shop.example/?utm_source=vk");

            String sql;
            try (InputStream in = getClass().getResourceAsStream("/db/migration/V154__api_leads_page_url_without_query.sql")) {
                sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String statements = sql.replaceAll("(?m)^--.*$", "");
            server.app.database().inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    for (String statement : statements.split(";")) {
                        if (!statement.isBlank()) {
                            s.executeUpdate(statement);
                        }
                    }
                }
                return null;
            });

            assertThat(url(server, old)).isEqualTo("https://shop.example/p");
            assertThat(url(server, plain)).isEqualTo("https://shop.example/about");
            assertThat(url(server, script)).as("the script's leads were minimised when stored").isEqualTo("https://shop.example/?utm_source=vk");
        }
    }

    private static void setUrl(TestServer server, String leadId, String origin, String url) {
        server.app.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE leads SET page_url = ?, origin = ? WHERE lead_id = ?")) {
                ps.setString(1, url);
                ps.setString(2, origin);
                ps.setString(3, leadId);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            return null;
        });
    }

    private static String url(TestServer server, String leadId) {
        return server.app.database().read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT page_url FROM leads WHERE lead_id = ?")) {
                ps.setString(1, leadId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
    }
}
