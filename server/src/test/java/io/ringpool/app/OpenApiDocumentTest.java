package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.http.Router;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/openapi.json} is the route table written down: every route the server declares
 * is in the document, and the document names no route the server does not have. A route added
 * without its entry (or an entry left behind by a removed route) fails here.
 */
class OpenApiDocumentTest {
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}/]+)}");

    @TempDir
    static Path dir;

    static TestServer server;
    static TestServer.Reply served;

    @BeforeAll
    static void start() {
        // With the test clock, so that POST /v1/test/clock is declared and must be documented too.
        // And the demo, so that GET /demo and its files are declared too.
        server = new TestServer(dir, Map.of("leasing.testClock", true, "demo.enabled", true,
                "demo.file", Path.of("..", "config", "demo-site.yaml").toAbsolutePath().toString()));
        served = server.get("/v1/openapi.json", null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** {@code POST /v1/sites/{siteId}/}: path parameters unnamed, no trailing slash (the router ignores it). */
    static String operation(String method, String path) {
        String normalised = PATH_PARAMETER.matcher(path).replaceAll("{}");
        if (normalised.length() > 1 && normalised.endsWith("/")) {
            normalised = normalised.substring(0, normalised.length() - 1);
        }
        return method.toUpperCase(java.util.Locale.ROOT) + " " + normalised;
    }

    static Set<String> routerOperations() {
        Set<String> out = new TreeSet<>();
        for (Router.Route route : server.app.api().routes()) {
            out.add(operation(route.method(), route.template()));
        }
        return out;
    }

    static Set<String> documentOperations() {
        Set<String> out = new TreeSet<>();
        served.json().path("paths").properties().forEach(path -> path.getValue().properties().forEach(item -> {
            if (HTTP_METHODS.contains(item.getKey())) {
                out.add(operation(item.getKey(), path.getKey()));
            }
        }));
        return out;
    }

    @Test
    void theDocumentIsServedAsJsonWithAnETag() {
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.headers().get("content-type").get(0)).startsWith("application/json");
        assertThat(served.headers()).containsKey("etag");
        assertThat(served.json()).as("parses as JSON").isNotNull();
    }

    @Test
    void everyRouteOfTheRouterIsInTheDocument() {
        Set<String> missing = new TreeSet<>(routerOperations());
        missing.removeAll(documentOperations());

        assertThat(missing).as("routes without an entry in server/src/main/resources/openapi.json").isEmpty();
    }

    @Test
    void theDocumentNamesNoRouteTheRouterLacks() {
        Set<String> extra = new TreeSet<>(documentOperations());
        extra.removeAll(routerOperations());

        assertThat(extra).as("documented operations the server does not have").isEmpty();
    }

    @Test
    void theComparisonSeesAMissingRoute() {
        // The walk above must be able to fail: a route the document lacks shows up as missing.
        Router withOneMore = new Router();
        server.app.api().routes().forEach(r -> withOneMore.add(r.method(), r.template(), r.endpoint()));
        withOneMore.get("/v1/sites/{siteId}/undocumented", request -> null);

        Set<String> declared = new TreeSet<>();
        withOneMore.routes().forEach(r -> declared.add(operation(r.method(), r.template())));
        declared.removeAll(documentOperations());

        assertThat(declared).contains("GET /v1/sites/{}/undocumented");
    }

    @Test
    void itIsAnOpenApi31DocumentWhereEveryOperationAnswersSomething() {
        JsonNode doc = served.json();
        assertThat(doc.path("openapi").asText()).matches("3\\.1\\.\\d+");
        assertThat(doc.path("info").path("title").asText()).isNotBlank();
        List<String> problems = new ArrayList<>();
        doc.path("paths").properties().forEach(path -> {
            Set<String> templated = new TreeSet<>();
            Matcher m = PATH_PARAMETER.matcher(path.getKey());
            while (m.find()) {
                templated.add(m.group(1));
            }
            int operations = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = path.getValue().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> item = it.next();
                if (!HTTP_METHODS.contains(item.getKey())) {
                    continue;
                }
                operations++;
                String where = item.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey();
                JsonNode responses = item.getValue().path("responses");
                if (!responses.isObject() || responses.isEmpty()) {
                    problems.add(where + ": no responses");
                }
                responses.fieldNames().forEachRemaining(code -> {
                    if (!code.matches("[1-5]\\d\\d")) {
                        problems.add(where + ": response key " + code);
                    }
                });
                if (!item.getValue().path("operationId").isTextual()) {
                    problems.add(where + ": no operationId");
                }
                Set<String> declared = new TreeSet<>();
                for (JsonNode parameter : item.getValue().path("parameters")) {
                    JsonNode p = parameter.has("$ref") ? resolve(doc, parameter.get("$ref").asText()) : parameter;
                    if ("path".equals(p.path("in").asText())) {
                        declared.add(p.path("name").asText());
                    }
                }
                if (!declared.equals(templated)) {
                    problems.add(where + ": path parameters " + declared + " but the path names " + templated);
                }
            }
            if (operations == 0) {
                problems.add(path.getKey() + ": no operation");
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void aMaintainedParserReadsItWithoutComplaint() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(served.body(), null, options);

        assertThat(result.getMessages()).isEmpty();
        assertThat(result.getOpenAPI()).isNotNull();
        assertThat(result.getOpenAPI().getSpecVersion()).hasToString("V31");
        assertThat(result.getOpenAPI().getPaths()).hasSize(served.json().path("paths").size());
    }

    private static JsonNode resolve(JsonNode doc, String ref) {
        JsonNode node = doc;
        for (String part : ref.substring(2).split("/")) {
            node = node.path(part);
        }
        return node;
    }
}
