package io.ringpool.snippet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A few-line stand-in for the script endpoints of the API contract (sessions, heartbeat, page views,
 * intent, end, leads, CORS, {@code /s.js}), used only with {@code -Dringpool.server=standin} while the real
 * server was not ready. The suite's default is the real jar.
 */
final class StandInRingpool extends Ringpool {
    private final HttpServer server;
    private final String adminKey = "standin-admin";
    private final Map<String, SiteState> sitesByKey = new HashMap<>();
    private final Map<String, SiteState> sitesById = new HashMap<>();
    private final Map<String, Session> sessions = new HashMap<>();
    private final Map<String, Session> liveByVisitor = new HashMap<>();

    private static final class SiteState {
        String id, key, defaultNumber; int heartbeatSeconds = 60; final Deque<String> free = new ArrayDeque<>();
    }

    private record Session(String id, String visitor, String number, SiteState site) {}

    StandInRingpool() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    @Override String baseUrl() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    @Override String adminKey() { return adminKey; }

    @Override public void close() { server.stop(0); }

    private synchronized void handle(HttpExchange ex) throws IOException {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin != null && URI.create(origin).getHost().equals("localhost")) {
            ex.getResponseHeaders().set("Access-Control-Allow-Origin", origin);
            ex.getResponseHeaders().set("Vary", "Origin");
        }
        String path = ex.getRequestURI().getPath(), method = ex.getRequestMethod();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (method.equals("OPTIONS")) {
            ex.getResponseHeaders().set("Access-Control-Allow-Methods", "POST");
            ex.getResponseHeaders().set("Access-Control-Allow-Headers", "Content-Type");
            ex.getResponseHeaders().set("Access-Control-Max-Age", "600");
            send(ex, 204, null, null);
        } else if (path.equals("/s.js")) {
            send(ex, 200, "application/javascript", new String(ScriptSizeTest.servedScript(), StandardCharsets.UTF_8));
        } else if (path.equals("/v1/sites")) {
            SiteState s = new SiteState();
            s.id = "site_" + UUID.randomUUID(); s.key = "pk_" + UUID.randomUUID(); s.defaultNumber = str(body, "defaultNumber");
            sitesByKey.put(s.key, s); sitesById.put(s.id, s);
            send(ex, 201, "application/json", "{\"siteId\":\"" + s.id + "\",\"publicKey\":\"" + s.key + "\",\"apiKey\":\"ak\",\"webhookSecret\":\"ws\"}");
        } else if (path.matches("/v1/sites/[^/]+/pools")) {
            SiteState s = sitesById.get(path.split("/")[3]);
            Matcher m = Pattern.compile("\"(\\+\\d+)\"").matcher(body.substring(body.indexOf("\"numbers\"")));
            while (m.find()) s.free.add(m.group(1));
            send(ex, 201, "application/json", "{\"poolId\":\"p1\"}");
        } else if (path.matches("/v1/sites/[^/]+")) {
            SiteState s = sitesById.get(path.split("/")[3]);
            Matcher m = Pattern.compile("\"heartbeatSeconds\"\\s*:\\s*(\\d+)").matcher(body);
            if (m.find()) s.heartbeatSeconds = Integer.parseInt(m.group(1));
            send(ex, 200, "application/json", "{}");
        } else if (path.equals("/v1/sessions")) {
            SiteState s = sitesByKey.get(str(body, "siteKey"));
            String visitor = str(body, "visitorId");
            if (visitor == null) visitor = "v_" + UUID.randomUUID();
            Session live = liveByVisitor.get(visitor);
            if (live == null && !s.free.isEmpty()) {
                live = new Session("s_" + UUID.randomUUID(), visitor, s.free.poll(), s);
                sessions.put(live.id(), live); liveByVisitor.put(visitor, live);
            }
            if (live == null) {
                send(ex, 200, "application/json", "{\"tracked\":false,\"number\":\"" + s.defaultNumber + "\",\"defaultNumber\":\"" + s.defaultNumber + "\",\"reason\":\"pool_exhausted\",\"visitorId\":\"" + visitor + "\"}");
            } else {
                send(ex, 201, "application/json", "{\"sessionId\":\"" + live.id() + "\",\"visitorId\":\"" + visitor + "\",\"tracked\":true,\"number\":\"" + live.number()
                        + "\",\"defaultNumber\":\"" + s.defaultNumber + "\",\"expiresAt\":\"2099-01-01T00:00:00Z\",\"heartbeatSeconds\":" + s.heartbeatSeconds + "}");
            }
        } else if (path.matches("/v1/sessions/[^/]+/heartbeat")) {
            Session live = sessions.get(path.split("/")[3]);
            if (live == null) send(ex, 410, "application/json", "{\"error\":{\"code\":\"session_ended\"}}");
            else send(ex, 200, "application/json", "{\"expiresAt\":\"2099-01-01T00:00:00Z\",\"number\":\"" + live.number() + "\"}");
        } else if (path.matches("/v1/sessions/[^/]+/end")) {
            send(ex, 204, null, null); // soft release: the real server waits a grace period for a heartbeat
        } else if (path.matches("/v1/sessions/[^/]+/(pageviews|intent)")) {
            send(ex, 204, null, null);
        } else if (path.matches("/v1/sessions/[^/]+/leads")) {
            // API.md "Leads": text/plain JSON from sendBeacon; the session is the credential
            if (!sessions.containsKey(path.split("/")[3])) send(ex, 404, "application/json", "{\"error\":{\"code\":\"not_found\"}}");
            else if (!body.contains("\"fields\"")) send(ex, 422, "application/json", "{\"error\":{\"code\":\"missing_field\",\"field\":\"fields\"}}");
            else send(ex, 201, "application/json", "{\"leadId\":\"l_" + UUID.randomUUID() + "\"}");
        } else {
            send(ex, 404, "application/json", "{\"error\":{\"code\":\"not_found\"}}");
        }
    }

    private static String str(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (type != null) ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) ex.getResponseBody().write(b);
        ex.close();
    }
}
