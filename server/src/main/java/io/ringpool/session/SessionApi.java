package io.ringpool.session;

import io.ringpool.http.ApiException;
import io.ringpool.http.Json;
import io.ringpool.http.JsonBody;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The site script's endpoints: public, untrusted, high volume; small bodies, strict validation. */
public final class SessionApi {
    private static final Pattern VISITOR_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Set<String> INTENT_KINDS = Set.of("tel_click", "copy");

    private final SessionService sessions;

    public SessionApi(SessionService sessions) {
        this.sessions = sessions;
    }

    public void routes(Router router) {
        router.post("/v1/sessions", this::start);
        router.post("/v1/sessions/{sessionId}/heartbeat", this::heartbeat);
        router.post("/v1/sessions/{sessionId}/pageviews", this::pageview);
        router.post("/v1/sessions/{sessionId}/intent", this::intent);
        router.post("/v1/sessions/{sessionId}/end", this::end);
    }

    private Response start(Request request) {
        JsonBody body = Json.parseObject(requireScriptBody(request));
        String siteKey = body.requiredString("siteKey", 100);
        String visitorId = body.optionalString("visitorId", 64);
        if (visitorId != null && !VISITOR_ID.matcher(visitorId).matches()) {
            throw ApiException.invalid("visitorId", "'visitorId' must be 1 to 64 letters, digits, '.', ':', '_' or '-'");
        }
        String url = body.optionalString("url", 4000);
        String referrer = body.optionalString("referrer", 4000);
        String title = body.optionalString("title", 1000);
        Map<String, String> clientIds = body.optionalStringMap("clientIds", 10, 200);
        Boolean webdriver = body.optionalBoolean("webdriver");
        SessionService.Started started = sessions.start(new SessionService.StartRequest(siteKey, visitorId, url, referrer,
                title == null ? null : SessionStore.cap(title, 500), clientIds == null ? Map.of() : clientIds,
                Boolean.TRUE.equals(webdriver), request.header("user-agent"), request.clientIp(), request.header("origin")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sessionId", started.sessionId());
        out.put("visitorId", started.visitorId());
        out.put("tracked", started.tracked());
        out.put("number", started.number());
        out.put("defaultNumber", started.defaultNumber());
        out.put("expiresAt", started.expiresAt());
        out.put("heartbeatSeconds", started.heartbeatSeconds());
        out.put("reason", started.reason());
        return Response.json(started.tracked() ? 201 : 200, out);
    }

    private Response heartbeat(Request request) {
        SessionService.Renewed renewed = sessions.heartbeat(request.pathParam("sessionId"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("expiresAt", renewed.expiresAt());
        out.put("number", renewed.number());
        out.put("tracked", renewed.tracked());
        return Response.ok(out);
    }

    private Response pageview(Request request) {
        JsonBody body = Json.parseObject(requireScriptBody(request));
        String url = body.requiredString("url", 4000);
        String title = body.optionalString("title", 1000);
        sessions.pageview(request.pathParam("sessionId"), url, title == null ? null : SessionStore.cap(title, 500));
        return Response.noContent();
    }

    private Response intent(Request request) {
        JsonBody body = Json.parseObject(requireScriptBody(request));
        String kind = body.requiredString("kind", 40);
        if (!INTENT_KINDS.contains(kind)) {
            throw ApiException.invalid("kind", "'kind' must be tel_click or copy");
        }
        sessions.intent(request.pathParam("sessionId"), kind);
        return Response.noContent();
    }

    /** sendBeacon posts text/plain; the body carries nothing we need, so it is not parsed. */
    private Response end(Request request) {
        requireScriptBody(request);
        sessions.end(request.pathParam("sessionId"));
        return Response.noContent();
    }

    /**
     * The script sends JSON as {@code text/plain} where it must avoid a CORS preflight (sendBeacon),
     * so both are accepted, as is curl's default form type when the body is JSON; anything else is a 415.
     */
    private static byte[] requireScriptBody(Request request) {
        String type = request.mediaType();
        if (!type.isEmpty() && !type.equals("application/json") && !type.equals("text/plain")
                && !type.equals("application/x-www-form-urlencoded")) {
            throw new ApiException(415, "unsupported_media_type", "send application/json (or text/plain holding JSON)");
        }
        return request.body();
    }
}
