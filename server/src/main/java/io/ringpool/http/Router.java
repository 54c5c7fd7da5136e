package io.ringpool.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The route table: method + path template ({@code /v1/sites/{siteId}}) to endpoint. Built once at
 * start by the composition root; integration tests reuse the same table.
 */
public final class Router {

    /**
     * A route as declared. {@code lane} is the executor its endpoint runs on; null means the shared
     * workers. A lane keeps a route that must answer whatever the store does (a provider asking
     * what to do with a ringing call) from queueing behind workers that wait for a slow store.
     */
    public record Route(String method, String template, String[] segments, Endpoint endpoint, Executor lane) {}

    /** The outcome of matching a path. */
    public sealed interface Match {}

    public record Found(Route route, Map<String, String> params) implements Match {}

    public record MethodNotAllowed(Set<String> allowed) implements Match {}

    public record NotFound() implements Match {}

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String template, Endpoint endpoint) {
        routes.add(new Route(method, template, split(template), endpoint, null));
        return this;
    }

    /** A POST route whose endpoint runs on its own {@code lane} instead of the shared workers. */
    public Router postOnLane(Executor lane, String template, Endpoint endpoint) {
        return addOnLane(lane, "POST", template, endpoint);
    }

    /** A route whose endpoint runs on its own {@code lane} instead of the shared workers. */
    public Router addOnLane(Executor lane, String method, String template, Endpoint endpoint) {
        routes.add(new Route(method, template, split(template), endpoint, java.util.Objects.requireNonNull(lane, "lane")));
        return this;
    }

    public Router get(String template, Endpoint endpoint) {
        return add("GET", template, endpoint);
    }

    public Router post(String template, Endpoint endpoint) {
        return add("POST", template, endpoint);
    }

    /** A POST route whose endpoint runs on the event loop (see {@link NonBlockingEndpoint}). */
    public Router postNonBlocking(String template, NonBlockingEndpoint endpoint) {
        return add("POST", template, endpoint);
    }

    public Router patch(String template, Endpoint endpoint) {
        return add("PATCH", template, endpoint);
    }

    public Router delete(String template, Endpoint endpoint) {
        return add("DELETE", template, endpoint);
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    public Match match(String method, String path) {
        String[] segments = split(path);
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = bind(route.segments(), segments);
            if (params == null) {
                continue;
            }
            if (route.method().equals(method) || ("HEAD".equals(method) && route.method().equals("GET"))) {
                return new Found(route, params);
            }
            allowed.add(route.method());
            if (route.method().equals("GET")) {
                allowed.add("HEAD"); // served wherever GET is (above), so a 405's Allow names it (audit AB1 #11)
            }
        }
        return allowed.isEmpty() ? new NotFound() : new MethodNotAllowed(allowed);
    }

    private static Map<String, String> bind(String[] template, String[] actual) {
        if (template.length != actual.length) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                if (actual[i].isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new LinkedHashMap<>(4);
                }
                params.put(t.substring(1, t.length() - 1), actual[i]);
            } else if (!t.equals(actual[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    private static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/") && trimmed.length() > 0) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.split("/", -1);
    }
}
