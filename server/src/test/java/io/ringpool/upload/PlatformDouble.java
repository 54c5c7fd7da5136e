package io.ringpool.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for Yandex Metrica, GA4 and Google Ads that checks every request against the
 * platform's published format (paths, query, headers, auth, encoding, field names) and answers as
 * the platform does: 2xx with the platform's kind of body when the request is right, 400 with the
 * list of what is wrong otherwise. Formats from: Yandex Metrica Management API (offline_conversions/
 * upload_calls, offline_conversions/upload), GA4 Measurement Protocol (/mp/collect), Google OAuth
 * 2.0 token endpoint (refresh_token grant), Google Ads API REST ConversionUploadService.
 */
final class PlatformDouble implements AutoCloseable {
    static final String YANDEX_TOKEN = "y0_yandex-oauth-token";
    static final String GA4_SECRET = "ga4-api-secret";
    static final String GOOGLE_CLIENT_ID = "1234.apps.googleusercontent.com";
    static final String GOOGLE_CLIENT_SECRET = "google-client-secret";
    static final String GOOGLE_REFRESH = "1//google-refresh-token";
    static final String GOOGLE_ACCESS = "ya29.access-token";
    static final String DEVELOPER_TOKEN = "dev-token-123";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GOOGLE_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d[+-]\\d\\d:\\d\\d");
    private static final Pattern YANDEX_PATH = Pattern.compile("/management/v1/counter/(\\d+)/offline_conversions/(upload_calls|upload)");
    private static final Pattern ADS_PATH = Pattern.compile("/v(\\d+)/customers/(\\d{10}):(uploadClickConversions|uploadCallConversions)");

    /** A request the double took, with what it found wrong (empty when the request is as documented). */
    record Seen(String path, String query, Map<String, String> headers, String body, List<String> problems, Object parsed) {}

    private final HttpServer server;
    private final List<Seen> seen = new ArrayList<>();
    /** What the GA4 validation server says of every event of a measurement id, beside what the double finds itself. */
    private final Map<String, String> ga4DebugRefusals = new java.util.concurrent.ConcurrentHashMap<>();

    PlatformDouble() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/", this::handle);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Has {@code /debug/mp/collect} list {@code description} in its validationMessages for every event of {@code measurementId}. */
    void refuseOnDebug(String measurementId, String description) {
        ga4DebugRefusals.put(measurementId, description);
    }

    List<Seen> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getRawQuery();
        byte[] raw = ex.getRequestBody().readAllBytes();
        String body = new String(raw, StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        List<String> problems = new ArrayList<>();
        Object parsed = null;
        int status = 200;
        String answer;
        if (!ex.getRequestMethod().equals("POST")) {
            problems.add("method must be POST");
        }
        Matcher yandex = YANDEX_PATH.matcher(path);
        Matcher ads = ADS_PATH.matcher(path);
        if (yandex.matches()) {
            parsed = checkYandex(yandex.group(2), query, headers, raw, problems);
            answer = "{\"uploading\":{\"id\":42,\"source_quantity\":1,\"line_quantity\":1,\"status\":\"UPLOADED\"}}";
        } else if (path.equals("/mp/collect")) {
            parsed = checkGa4(query, headers, body, problems);
            status = 204;
            answer = "";
        } else if (path.equals("/debug/mp/collect")) {
            // The validation server answers 200 whatever it finds, listing it in validationMessages.
            parsed = checkGa4(query, headers, body, problems);
            List<Map<String, String>> messages = new ArrayList<>();
            problems.forEach(p -> messages.add(Map.of("fieldPath", "", "description", p, "validationCode", "VALUE_INVALID")));
            String refusal = ga4DebugRefusals.get(query(query).get("measurement_id"));
            if (refusal != null) {
                messages.add(Map.of("fieldPath", "events", "description", refusal, "validationCode", "NAME_RESERVED"));
            }
            problems.clear();
            answer = JSON.writeValueAsString(Map.of("validationMessages", messages));
        } else if (path.equals("/token")) {
            parsed = checkToken(headers, body, problems);
            answer = "{\"access_token\":\"" + GOOGLE_ACCESS + "\",\"expires_in\":3599,\"token_type\":\"Bearer\"}";
        } else if (ads.matches()) {
            parsed = checkAds(ads.group(3), ads.group(2), headers, body, problems);
            answer = "{\"results\":[{}]}";
        } else {
            problems.add("unknown path " + path);
            answer = "{}";
        }
        synchronized (seen) {
            seen.add(new Seen(path, query, Map.copyOf(headers), body, List.copyOf(problems), parsed));
        }
        if (!problems.isEmpty()) {
            status = 400;
            answer = JSON.writeValueAsString(Map.of("errors", problems));
        }
        byte[] out = answer.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            ex.getResponseBody().write(out);
        }
        ex.close();
    }

    /** Multipart with a part named "file" holding a UTF-8 CSV whose first line is the column names. */
    private static List<String> checkYandex(String method, String query, Map<String, String> h, byte[] raw, List<String> problems) {
        if (!("OAuth " + YANDEX_TOKEN).equals(h.get("authorization"))) {
            problems.add("Authorization must be 'OAuth <token>'");
        }
        String type = h.getOrDefault("content-type", "");
        if (!type.startsWith("multipart/form-data; boundary=")) {
            problems.add("Content-Type must be multipart/form-data with a boundary");
            return List.of();
        }
        Map<String, String> q = query(query);
        if (q.containsKey("comment") && q.get("comment").length() > 255) {
            problems.add("comment longer than 255 characters");
        }
        String boundary = type.substring(type.indexOf("boundary=") + 9);
        String text = new String(raw, StandardCharsets.UTF_8);
        if (!text.startsWith("--" + boundary + "\r\n") || !text.endsWith("\r\n--" + boundary + "--\r\n")) {
            problems.add("multipart framing is not RFC 7578");
            return List.of();
        }
        String part = text.substring(("--" + boundary + "\r\n").length(), text.length() - ("\r\n--" + boundary + "--\r\n").length());
        int split = part.indexOf("\r\n\r\n");
        String partHeaders = part.substring(0, split);
        if (!partHeaders.contains("Content-Disposition: form-data; name=\"file\"; filename=")) {
            problems.add("the CSV must be the part named file, with a filename");
        }
        List<String> lines = List.of(part.substring(split + 4).split("\r\n"));
        String expected = method.equals("upload_calls")
                ? ",DateTime,StaticCall,Price,Currency,PhoneNumber,TalkDuration,HoldDuration,CallMissed,Tag,FirstTimeCaller,URL,CallTrackerURL"
                : ",Target,DateTime,Price,Currency";
        String header = lines.get(0);
        if (!(header.equals("ClientId" + expected) || header.equals("Yclid" + expected))) {
            problems.add("column names: " + header);
        }
        for (String row : lines.subList(1, lines.size())) {
            String[] cells = row.split(",", -1);
            int dateColumn = method.equals("upload_calls") ? 1 : 2;
            if (cells.length < expected.split(",").length || !cells[dateColumn].matches("\\d{10}")) {
                problems.add("row without a Unix-seconds DateTime: " + row);
            }
        }
        return lines;
    }

    private static JsonNode checkGa4(String query, Map<String, String> h, String body, List<String> problems) {
        Map<String, String> q = query(query);
        if (q.get("measurement_id") == null || !q.get("measurement_id").matches("G-[A-Z0-9]+")) {
            problems.add("measurement_id missing or malformed");
        }
        if (!GA4_SECRET.equals(q.get("api_secret"))) {
            problems.add("api_secret missing or wrong");
        }
        if (!h.getOrDefault("content-type", "").startsWith("application/json")) {
            problems.add("Content-Type must be application/json");
        }
        try {
            JsonNode json = JSON.readTree(body);
            if (!json.path("client_id").asText("").matches("\\d+\\.\\d+")) {
                problems.add("client_id must be the _ga cookie's two numbers: " + json.path("client_id"));
            }
            if (!json.path("events").isArray() || json.path("events").size() < 1 || json.path("events").size() > 25) {
                problems.add("events must hold 1 to 25 events");
            }
            for (JsonNode e : json.path("events")) {
                if (!e.path("name").asText("").matches("[A-Za-z][A-Za-z0-9_]{0,39}")) {
                    problems.add("event name malformed: " + e.path("name"));
                }
                if (!e.path("params").isObject()) {
                    problems.add("params must be an object");
                }
            }
            if (json.has("timestamp_micros") && !json.get("timestamp_micros").isIntegralNumber()) {
                problems.add("timestamp_micros must be an integer");
            }
            return json;
        } catch (IOException e) {
            problems.add("body is not JSON");
            return null;
        }
    }

    private static Map<String, String> checkToken(Map<String, String> h, String body, List<String> problems) {
        if (!h.getOrDefault("content-type", "").startsWith("application/x-www-form-urlencoded")) {
            problems.add("token request must be form-encoded");
        }
        Map<String, String> form = query(body);
        if (!"refresh_token".equals(form.get("grant_type")) || !GOOGLE_REFRESH.equals(form.get("refresh_token"))
                || !GOOGLE_CLIENT_ID.equals(form.get("client_id")) || !GOOGLE_CLIENT_SECRET.equals(form.get("client_secret"))) {
            problems.add("token request must carry grant_type=refresh_token, client_id, client_secret, refresh_token: " + form.keySet());
        }
        return form;
    }

    private static JsonNode checkAds(String method, String customer, Map<String, String> h, String body, List<String> problems) {
        if (!("Bearer " + GOOGLE_ACCESS).equals(h.get("authorization"))) {
            problems.add("Authorization must be 'Bearer <access token>'");
        }
        if (!DEVELOPER_TOKEN.equals(h.get("developer-token"))) {
            problems.add("developer-token header missing or wrong");
        }
        if (!h.getOrDefault("content-type", "").startsWith("application/json")) {
            problems.add("Content-Type must be application/json");
        }
        try {
            JsonNode json = JSON.readTree(body);
            if (!json.path("partialFailure").asBoolean(false)) {
                problems.add("partialFailure must be true");
            }
            for (JsonNode c : json.path("conversions")) {
                if (!c.path("conversionAction").asText("").matches("customers/" + customer + "/conversionActions/\\d+")) {
                    problems.add("conversionAction must be a resource name of the customer: " + c.path("conversionAction"));
                }
                if (!GOOGLE_TIME.matcher(c.path("conversionDateTime").asText("")).matches()) {
                    problems.add("conversionDateTime must be yyyy-mm-dd hh:mm:ss+hh:mm: " + c.path("conversionDateTime"));
                }
                if (method.equals("uploadClickConversions")) {
                    // ClickConversion: exactly one of gclid, gbraid, wbraid (two are VALUE_MUST_BE_UNSET / GBRAID_WBRAID_BOTH_SET).
                    long ids = java.util.stream.Stream.of("gclid", "gbraid", "wbraid").filter(id -> !c.path(id).asText("").isEmpty()).count();
                    if (ids != 1) {
                        problems.add("a click conversion carries exactly one of gclid, gbraid, wbraid: " + c);
                    }
                }
                if (method.equals("uploadCallConversions")) {
                    if (!c.path("callerId").asText("").matches("\\+[1-9]\\d{6,14}")) {
                        problems.add("callerId must be E.164: " + c.path("callerId"));
                    }
                    if (!GOOGLE_TIME.matcher(c.path("callStartDateTime").asText("")).matches()) {
                        problems.add("callStartDateTime must be yyyy-mm-dd hh:mm:ss+hh:mm");
                    }
                }
                if (c.has("conversionValue") && !c.path("currencyCode").asText("").matches("[A-Z]{3}")) {
                    problems.add("a value needs an ISO 4217 currencyCode");
                }
            }
            if (json.path("conversions").size() == 0) {
                problems.add("no conversions");
            }
            return json;
        } catch (IOException e) {
            problems.add("body is not JSON");
            return null;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
